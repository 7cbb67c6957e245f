package io.acktracker.engine.machine;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.health.DestinationHealth;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.LatencyRecorder;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.store.BlobTable;
import io.acktracker.engine.stream.Streams;
import io.acktracker.engine.timer.DeadlineIndex;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * The one way a pending message reaches its outcome (completed, failed or expired), whoever decides it: its
 * destinations stop counting as in flight, its deadline and lease go, the final status is written, the outcome is
 * queued as an effect, and the record moves on to the dead-letter queue (failed, or expired when so configured) or
 * becomes a tombstone.
 * <p>
 * Agent thread only.
 */
final class Finisher
{
    private final boolean deadLetterExpired;
    private final Records records;
    private final DeadlineIndex deadlines;
    private final DestinationHealth health;
    private final ActiveLeases leases;
    private final Streams streams;
    private final DeadLetters deadLetters;
    private final Tombstones tombstones;
    private final BlobTable extras;
    private final Effects effects;
    private final Counters counters;
    private final LatencyRecorder completionLatency;
    private final CommandClock clock;

    Finisher(
        final boolean deadLetterExpired,
        final Records records,
        final DeadlineIndex deadlines,
        final DestinationHealth health,
        final ActiveLeases leases,
        final Streams streams,
        final DeadLetters deadLetters,
        final Tombstones tombstones,
        final BlobTable extras,
        final Effects effects,
        final Counters counters,
        final LatencyRecorder completionLatency,
        final CommandClock clock)
    {
        this.deadLetterExpired = deadLetterExpired;
        this.records = records;
        this.deadlines = deadlines;
        this.health = health;
        this.leases = leases;
        this.streams = streams;
        this.deadLetters = deadLetters;
        this.tombstones = tombstones;
        this.extras = extras;
        this.effects = effects;
        this.counters = counters;
        this.completionLatency = completionLatency;
        this.clock = clock;
    }

    /**
     * Finish a pending message.
     *
     * @param slot   its slot.
     * @param record its record (left pointing at it).
     * @param status COMPLETED, FAILED or EXPIRED.
     * @param reason why, NONE for COMPLETED.
     */
    void finish(final int slot, final PendingRecord record, final byte status, final FailureReason reason)
    {
        final long nowNs = clock.nowNs();
        health.inFlight(record.awaited(), 0);
        deadlines.cancel(slot);
        if (record.hasFlag2(PendingRecord.FLAG2_LEASED))
        {
            leases.dropped(record);
        }
        final boolean deadLetter = RecordStatus.FAILED == status || (RecordStatus.EXPIRED == status && deadLetterExpired);
        record.beginWrite();
        if (deadLetter)
        {
            record.setFlag2(PendingRecord.FLAG2_DLQ_PENDING);
        }
        record.finishedNs(nowNs);
        record.reason(reason.ordinal());
        record.status(status);
        record.setFlag(PendingRecord.FLAG_TELLING);
        record.endWrite();

        records.finished();
        if (record.hasFlag(PendingRecord.FLAG_HAS_STREAM))
        {
            streams.onFinished(record.streamId());
        }

        final long latencyNs = nowNs - record.createdNs();
        switch (status)
        {
            case RecordStatus.COMPLETED:
                counters.increment(COMPLETED);
                completionLatency.record(latencyNs);
                break;
            case RecordStatus.FAILED:
                counters.increment(FAILED);
                break;
            default:
                counters.increment(EXPIRED);
        }
        effects.outcome(record.messageId(), RecordStatus.outcome(status).ordinal(), reason.ordinal(), latencyNs,
            record.highestAttempt(), record.hasFlag(PendingRecord.FLAG_HAS_LISTENER) ? Effects.FLAG_WAITER : 0, slot);

        if (deadLetter)
        {
            deadLetters.onDead(slot, record);
        }
        else
        {
            if (record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS))
            {
                extras.remove(record.messageId());
            }
            tombstones.entomb(slot, record);
        }
    }
}

package io.acktracker.engine.machine;

import io.acktracker.engine.health.DestinationHealth;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.store.BlobTable;
import io.acktracker.engine.store.StreamOffsetTable;
import io.acktracker.engine.stream.Streams;
import io.acktracker.engine.timer.DeadlineIndex;
import io.acktracker.engine.util.ParallelSort;

import java.util.Arrays;

/**
 * Rebuilds the in-memory parts from the tables after a start: one pass over the pending table puts every record back
 * in the id index; pending records back on their deadlines (those that passed while down fire on the first tick), in
 * their stream's order, in the retry queue or behind their destination's open circuit, and in the in-flight counts;
 * finished records back as tombstones in finish order. Outcomes reached but perhaps not told before a crash are
 * queued to be told again, as replays, by housekeeping on the agent thread. A dead letter whose move was interrupted
 * is finished (or held while its queue is full). Persisted cumulative offsets are raised again so housekeeping
 * re-applies them.
 * <p>
 * Tells nothing itself: no listener runs during recovery. Runs once, on the agent thread, before the first command.
 */
final class Recovery
{
    private final Records records;
    private final DeadlineIndex deadlines;
    private final Streams streams;
    private final StreamOffsetTable streamOffsets;
    private final Retries retries;
    private final DestinationHealth health;
    private final ActiveLeases leases;
    private final DeadLetters deadLetters;
    private final Tombstones tombstones;
    private final Housekeeping housekeeping;
    private final BlobTable extras;
    private final Counters counters;
    private final long nowNs;
    private final PendingRecord record = new PendingRecord();
    private long[] tombstoneTimes = new long[1024];
    private long[] tombstoneIds = new long[1024];
    private int tombstoneCount;
    private long[] replayTimes = new long[64];
    private long[] replayIds = new long[64];
    private int replayCount;
    private long recovered;
    private long repaired;

    Recovery(
        final Records records,
        final DeadlineIndex deadlines,
        final Streams streams,
        final StreamOffsetTable streamOffsets,
        final Retries retries,
        final DestinationHealth health,
        final ActiveLeases leases,
        final DeadLetters deadLetters,
        final Tombstones tombstones,
        final Housekeeping housekeeping,
        final BlobTable extras,
        final Counters counters,
        final long nowNs)
    {
        this.records = records;
        this.deadlines = deadlines;
        this.streams = streams;
        this.streamOffsets = streamOffsets;
        this.retries = retries;
        this.health = health;
        this.leases = leases;
        this.deadLetters = deadLetters;
        this.tombstones = tombstones;
        this.housekeeping = housekeeping;
        this.extras = extras;
        this.counters = counters;
        this.nowNs = nowNs;
    }

    void run()
    {
        records.recoverSlots(this::onStored);
        records.endRecovery();

        streams.sortAll();
        streamOffsets.forEach((streamId, destination, offset) ->
            streams.getOrCreate(streamId).raiseTarget(destination, offset));

        ParallelSort.sort(replayTimes, replayIds, replayCount);
        housekeeping.replayLater(Arrays.copyOf(replayIds, replayCount), replayCount);

        ParallelSort.sort(tombstoneTimes, tombstoneIds, tombstoneCount);
        for (int i = 0; i < tombstoneCount; i++)
        {
            final int slot = records.slotOf(tombstoneIds[i]);
            tombstones.entomb(slot, record.wrap(records.address(slot)));
        }

        counters.add(TrackerCounter.RECOVERED, recovered);
        counters.add(TrackerCounter.TORN_RECORDS_REPAIRED, repaired);
        counters.set(TrackerCounter.PENDING, records.pendingCount());
        counters.set(TrackerCounter.TOMBSTONES, records.tombstoneCount());
    }

    private void onStored(final int slot, final long address)
    {
        record.wrap(address);
        if (record.repairVersion())
        {
            repaired++;
        }
        final byte status = record.status();
        final long messageId = record.messageId();
        final boolean pending = RecordStatus.PENDING == status;
        if (!pending && !RecordStatus.isFinal(status) || !records.recover(messageId, slot, pending))
        {
            // an unknown status, or a second record of an id another slot holds: not a message to serve
            records.discardStored(slot);
            counters.increment(TrackerCounter.ERRORS);
            return;
        }

        // flags of an outcome being told are meaningless after a restart: untold is untold
        record.clearFlag((byte)(PendingRecord.FLAG_TELLING | PendingRecord.FLAG_REMOVE_WHEN_TOLD));
        if (pending)
        {
            recoverPending(slot);
            recovered++;
            return;
        }
        if (!record.hasFlag(PendingRecord.FLAG_NOTIFIED))
        {
            addReplay(record.finishedNs(), messageId);
        }
        if (record.hasFlag2(PendingRecord.FLAG2_DLQ_PENDING))
        {
            if (deadLetters.onRecoveredDead(record))
            {
                addTombstone(record.finishedNs(), messageId);
            }
        }
        else
        {
            if (record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS))
            {
                extras.remove(messageId);
            }
            addTombstone(record.finishedNs(), messageId);
        }
    }

    private void recoverPending(final int slot)
    {
        final long messageId = record.messageId();
        final long next = record.nextDeadlineNs();
        if (PendingRecord.NO_DEADLINE != next)
        {
            deadlines.schedule(slot, next, nowNs);
        }
        if (record.hasFlag(PendingRecord.FLAG_HAS_STREAM))
        {
            streams.getOrCreate(record.streamId()).addUnsorted(record.streamSequence(), messageId);
        }
        if (record.hasFlag2(PendingRecord.FLAG2_RETRY_QUEUED))
        {
            retries.recoverQueued(record);
        }
        for (long bits = record.parked(); bits != 0; bits &= bits - 1)
        {
            health.recoverParked(Long.numberOfTrailingZeros(bits), messageId);
        }
        health.inFlight(0, record.awaited());
        if (record.hasFlag2(PendingRecord.FLAG2_LEASED))
        {
            leases.recovered();
        }
    }

    private void addTombstone(final long finishedNs, final long messageId)
    {
        if (tombstoneCount == tombstoneTimes.length)
        {
            tombstoneTimes = Arrays.copyOf(tombstoneTimes, tombstoneCount * 2);
            tombstoneIds = Arrays.copyOf(tombstoneIds, tombstoneCount * 2);
        }
        tombstoneTimes[tombstoneCount] = finishedNs;
        tombstoneIds[tombstoneCount++] = messageId;
    }

    private void addReplay(final long finishedNs, final long messageId)
    {
        if (replayCount == replayTimes.length)
        {
            replayTimes = Arrays.copyOf(replayTimes, replayCount * 2);
            replayIds = Arrays.copyOf(replayIds, replayCount * 2);
        }
        replayTimes[replayCount] = finishedNs;
        replayIds[replayCount++] = messageId;
    }
}

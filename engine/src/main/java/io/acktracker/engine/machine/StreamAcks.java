package io.acktracker.engine.machine;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.health.DestinationHealth;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.store.StreamOffsetTable;
import io.acktracker.engine.stream.StreamIndex;
import io.acktracker.engine.stream.Streams;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * Cumulative acks per stream: a destination's ack of offset {@code n} confirms it on every tracked message of the
 * stream with sequence {@code <= n}. The offset is persisted first, then applied through the stream's ordered index
 * in bounded slices (the rest in housekeeping), at a cost proportional to the messages it covers.
 * <p>
 * Agent thread only.
 */
final class StreamAcks
{
    private final Records records;
    private final Streams streams;
    private final StreamOffsetTable offsets;
    private final DestinationHealth health;
    private final Finisher finisher;
    private final Counters counters;
    private final int budget;
    private final PendingRecord record = new PendingRecord();

    StreamAcks(
        final Records records,
        final Streams streams,
        final StreamOffsetTable offsets,
        final DestinationHealth health,
        final Finisher finisher,
        final Counters counters,
        final int budget)
    {
        this.records = records;
        this.streams = streams;
        this.offsets = offsets;
        this.health = health;
        this.finisher = finisher;
        this.counters = counters;
        this.budget = budget;
    }

    /**
     * A destination acked a stream up to an offset (the destination was checked by the command validator).
     *
     * @return OK, or DUPLICATE_ACK when the offset does not move forward.
     */
    Result cumulativeAck(final int streamId, final int destination, final long offset)
    {
        final StreamIndex stream = streams.getOrCreate(streamId);
        if (!stream.raiseTarget(destination, offset))
        {
            counters.increment(DUPLICATE_ACKS);
            return Result.DUPLICATE_ACK;
        }

        offsets.put(streamId, destination, offset);
        counters.increment(CUMULATIVE_ACKS);
        apply(stream, budget);
        return Result.OK;
    }

    /**
     * Apply a stream's outstanding cumulative offsets to its messages, at most {@code budget} entries.
     *
     * @return entries looked at.
     */
    int apply(final StreamIndex stream, final int budget)
    {
        int work = 0;
        long dirty = stream.dirtyDestinations();
        while (0 != dirty && work < budget)
        {
            final int destination = Long.numberOfTrailingZeros(dirty);
            dirty &= dirty - 1;
            final long bit = 1L << destination;
            final long target = stream.targetOffset(destination);
            final int size = stream.size();
            int i = stream.firstIndexAbove(stream.appliedOffset(destination));
            long lastSequence = stream.appliedOffset(destination);

            // a slice never stops inside a run of equal sequences, so "applied up to lastSequence" stays exact
            while (i < size)
            {
                final long sequence = stream.sequenceAt(i);
                if (sequence > target || (work >= budget && sequence != lastSequence))
                {
                    break;
                }
                work++;
                lastSequence = sequence;
                final long messageId = stream.messageIdAt(i++);
                final int slot = records.slotOf(messageId);
                if (Records.MISSING == slot)
                {
                    continue;
                }
                final PendingRecord record = this.record.wrap(records.address(slot));
                if (RecordStatus.PENDING != record.status() || record.streamId() != stream.streamId() ||
                    (record.destinations() & bit) == 0 || (record.acked() & bit) != 0)
                {
                    continue;
                }
                final long awaitedBefore = record.awaited();
                record.beginWrite();
                record.acked(record.acked() | bit);
                record.redeliver(record.redeliver() & ~bit);
                record.parked(record.parked() & ~bit);
                record.failed(record.failed() & ~bit);
                record.endWrite();
                health.inFlight(awaitedBefore & bit, 0);
                counters.increment(CUMULATIVE_MESSAGES_ACKED);
                if (record.ackedCount() >= record.requiredAcks())
                {
                    finisher.finish(slot, record, RecordStatus.COMPLETED, FailureReason.NONE);
                }
            }

            stream.applied(destination, i >= size || stream.sequenceAt(i) > target ? target : lastSequence);
        }
        return work;
    }
}

package io.acktracker.engine.agent;

import io.acktracker.engine.DestinationRegistry;
import io.acktracker.engine.FailureReason;
import io.acktracker.engine.Result;
import io.acktracker.engine.pending.PendingIndex;
import io.acktracker.engine.pending.PendingRecord;
import io.acktracker.engine.pending.RecordStatus;
import io.acktracker.engine.stream.StreamIndex;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * Cumulative acks per stream: a destination's ack of offset {@code n} confirms it on every tracked message of the
 * stream with sequence {@code <= n}. The offset is persisted first, then applied through the stream's ordered index
 * in bounded slices, at a cost proportional to the messages it covers.
 * <p>
 * Agent thread only.
 */
final class StreamAcks
{
    final Int2ObjectHashMap<StreamIndex> streams = new Int2ObjectHashMap<>();
    final ArrayList<StreamIndex> streamList = new ArrayList<>();
    private final TrackerAgent agent;

    StreamAcks(final TrackerAgent agent)
    {
        this.agent = agent;
    }

    Result onCumulativeAck(final int streamId, final int destination, final long offset)
    {
        if (destination < 0 || destination >= DestinationRegistry.MAX_DESTINATIONS ||
            ((1L << destination) & agent.registry.knownMask()) == 0)
        {
            agent.counters.increment(SPOOFED_ACKS);
            return Result.SPOOFED_DESTINATION;
        }

        final StreamIndex stream = streamFor(streamId);
        if (!stream.raiseTarget(destination, offset))
        {
            agent.counters.increment(DUPLICATE_ACKS);
            return Result.DUPLICATE_ACK;
        }

        agent.streamOffsets.put(streamId, destination, offset);
        agent.counters.increment(CUMULATIVE_ACKS);
        apply(stream, agent.config.housekeepingBudget());
        return Result.OK;
    }

    /**
     * Apply a stream's outstanding cumulative offsets to its messages, at most {@code budget} entries.
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
                final int slot = agent.index.slotOf(messageId);
                if (PendingIndex.MISSING == slot)
                {
                    continue;
                }
                final PendingRecord record = agent.record.wrap(agent.index.address(slot));
                if (RecordStatus.PENDING != record.status() || record.streamId() != stream.streamId() ||
                    (record.destinations() & bit) == 0 || (record.acked() & bit) != 0)
                {
                    continue;
                }
                final long awaitedBefore = TrackerAgent.awaited(record);
                record.beginWrite();
                record.acked(record.acked() | bit);
                record.redeliver(record.redeliver() & ~bit);
                record.parked(record.parked() & ~bit);
                record.failed(record.failed() & ~bit);
                record.endWrite();
                agent.health.inFlight(awaitedBefore & bit, 0);
                agent.counters.increment(CUMULATIVE_MESSAGES_ACKED);
                if (record.ackedCount() >= record.requiredAcks())
                {
                    agent.finish(slot, record, RecordStatus.COMPLETED, FailureReason.NONE);
                }
            }

            stream.applied(destination, i >= size || stream.sequenceAt(i) > target ? target : lastSequence);
        }
        return work;
    }

    StreamIndex streamFor(final int streamId)
    {
        StreamIndex stream = streams.get(streamId);
        if (null == stream)
        {
            stream = new StreamIndex(streamId);
            streams.put(streamId, stream);
            streamList.add(stream);
        }
        return stream;
    }
}

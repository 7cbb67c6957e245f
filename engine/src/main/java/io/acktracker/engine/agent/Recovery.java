package io.acktracker.engine.agent;

import io.acktracker.engine.TrackerException;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.pending.PendingIndex;
import io.acktracker.engine.pending.PendingRecord;
import io.acktracker.engine.pending.RecordStatus;
import io.acktracker.engine.stream.StreamIndex;
import io.acktracker.engine.util.ParallelSort;

import java.util.Arrays;

/**
 * Rebuilds the agent's in-memory indexes from the tables after a start: one pass over the pending table puts every
 * record back in the id index, pending records back on their deadlines (those that passed while down fire on the
 * first duty cycle) and in their stream's order, and tombstones back in finish order. Outcomes reached but maybe
 * not notified before a crash are queued to be notified again, flagged as replays. Persisted cumulative offsets are
 * raised again so housekeeping re-applies them.
 * <p>
 * Runs once, on the thread that builds the agent, before any duty cycle.
 */
final class Recovery
{
    private final TrackerAgent agent;
    private final PendingRecord record = new PendingRecord();
    private long[] tombstoneTimes = new long[1024];
    private long[] tombstoneSlots = new long[1024];
    private int tombstoneCount;
    private long[] replayTimes = new long[64];
    private long[] replayIds = new long[64];
    private int replayCount;
    private long[] badIds = new long[16];
    private int badCount;
    private long recovered;

    Recovery(final TrackerAgent agent)
    {
        this.agent = agent;
    }

    void run()
    {
        final PendingIndex index = agent.index();
        agent.table().forEach((messageId, address) ->
        {
            record.wrap(address);
            final byte status = record.status();
            if (RecordStatus.PENDING != status && !RecordStatus.isFinal(status) || record.messageId() != messageId)
            {
                if (badCount == badIds.length)
                {
                    badIds = Arrays.copyOf(badIds, badCount * 2);
                }
                badIds[badCount++] = messageId;
                return;
            }
            if (!index.hasFreeSlot())
            {
                throw new TrackerException("the pending table holds more records than capacity plus tombstone " +
                    "capacity allow (" + index.slotCapacity() + "): start with a larger capacity");
            }

            final int slot = index.allocate(messageId, address);
            if (RecordStatus.PENDING == status)
            {
                agent.recoveredPending(slot, record);
                recovered++;
            }
            else
            {
                addTombstone(record.finishedNs(), slot);
                if (!record.hasFlag(PendingRecord.FLAG_NOTIFIED))
                {
                    addReplay(record.finishedNs(), messageId);
                }
            }
        });

        for (int i = 0; i < badCount; i++)
        {
            agent.table().remove(badIds[i]);
            agent.counters().increment(TrackerCounter.ERRORS);
        }

        agent.streams().values().forEach(StreamIndex::sortBySequence);
        agent.streamOffsets().forEach((streamId, destination, offset) ->
            agent.streamFor(streamId).raiseTarget(destination, offset));

        ParallelSort.sort(replayTimes, replayIds, replayCount);
        agent.replayLater(Arrays.copyOf(replayIds, replayCount), replayCount);

        ParallelSort.sort(tombstoneTimes, tombstoneSlots, tombstoneCount);
        for (int i = 0; i < tombstoneCount; i++)
        {
            agent.recoveredTombstone((int)tombstoneSlots[i]);
        }

        agent.counters().add(TrackerCounter.RECOVERED, recovered);
        agent.recoveredCounts();
    }

    private void addTombstone(final long finishedNs, final int slot)
    {
        if (tombstoneCount == tombstoneTimes.length)
        {
            tombstoneTimes = Arrays.copyOf(tombstoneTimes, tombstoneCount * 2);
            tombstoneSlots = Arrays.copyOf(tombstoneSlots, tombstoneCount * 2);
        }
        tombstoneTimes[tombstoneCount] = finishedNs;
        tombstoneSlots[tombstoneCount++] = slot;
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

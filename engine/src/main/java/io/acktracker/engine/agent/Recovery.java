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
 * Rebuilds the agent's in-memory state from the tables after a start: one pass over the pending table puts every
 * record back in the id index; pending records back on their deadlines (those that passed while down fire on the
 * first duty cycle), in their stream's order, in the retry queue or behind their destination's open circuit, and in
 * the in-flight counts; finished records back as tombstones in finish order. Outcomes reached but maybe not notified
 * before a crash are queued to be told again, flagged as replays. A dead letter whose move was interrupted is
 * finished (or held while its queue is full). Persisted cumulative offsets are raised again so housekeeping
 * re-applies them.
 * <p>
 * Runs once, on the thread that builds the agent, before any duty cycle.
 */
final class Recovery
{
    private final TrackerAgent agent;
    private final PendingRecord record = new PendingRecord();
    private long[] tombstoneTimes = new long[1024];
    private long[] tombstoneIds = new long[1024];
    private int tombstoneCount;
    private long[] replayTimes = new long[64];
    private long[] replayIds = new long[64];
    private int replayCount;
    private long[] badIds = new long[16];
    private int badCount;
    private long recovered;
    private long repaired;

    Recovery(final TrackerAgent agent)
    {
        this.agent = agent;
    }

    void run()
    {
        final PendingIndex index = agent.index;
        agent.table.forEach((messageId, address) ->
        {
            record.wrap(address);
            if (record.repairVersion())
            {
                repaired++;
            }
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
                recoverPending(slot);
                recovered++;
            }
            else
            {
                if (!record.hasFlag(PendingRecord.FLAG_NOTIFIED))
                {
                    addReplay(record.finishedNs(), messageId);
                }
                if (record.hasFlag2(PendingRecord.FLAG2_DLQ_PENDING))
                {
                    if (agent.deadLetters.onRecoveredDead(record))
                    {
                        addTombstone(record.finishedNs(), messageId);
                    }
                }
                else
                {
                    if (record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS))
                    {
                        agent.extras.remove(messageId);
                    }
                    addTombstone(record.finishedNs(), messageId);
                }
            }
        });

        for (int i = 0; i < badCount; i++)
        {
            agent.table.remove(badIds[i]);
            agent.counters.increment(TrackerCounter.ERRORS);
        }

        agent.streamAcks.streams.values().forEach(StreamIndex::sortBySequence);
        agent.streamOffsets.forEach((streamId, destination, offset) ->
            agent.streamAcks.streamFor(streamId).raiseTarget(destination, offset));

        ParallelSort.sort(replayTimes, replayIds, replayCount);
        agent.housekeeping().replayLater(Arrays.copyOf(replayIds, replayCount), replayCount);

        ParallelSort.sort(tombstoneTimes, tombstoneIds, tombstoneCount);
        for (int i = 0; i < tombstoneCount; i++)
        {
            if (index.isTombstoneQueueFull())
            {
                agent.housekeeping().evictOldestTombstone();
            }
            index.pushTombstone(tombstoneIds[i]);
        }
        if (0 == agent.tombstoneCapacity || 0 == agent.tombstoneWindowNs)
        {
            while (index.tombstoneCount() > 0 && agent.housekeeping().evictOldestTombstone())
            {
                agent.counters.increment(TrackerCounter.TOMBSTONES_EVICTED_EARLY);
            }
        }

        agent.counters.add(TrackerCounter.RECOVERED, recovered);
        agent.counters.add(TrackerCounter.TORN_RECORDS_REPAIRED, repaired);
        agent.counters.set(TrackerCounter.PENDING, agent.pendingCount);
        agent.counters.set(TrackerCounter.TOMBSTONES, index.tombstoneCount());
    }

    private void recoverPending(final int slot)
    {
        final long messageId = record.messageId();
        agent.pendingCount++;
        final long next = record.nextDeadlineNs();
        if (PendingRecord.NO_DEADLINE != next)
        {
            agent.deadlines.schedule(slot, next, agent.nowNs);
        }
        if (record.hasFlag(PendingRecord.FLAG_HAS_STREAM))
        {
            agent.streamAcks.streamFor(record.streamId()).addUnsorted(record.streamSequence(), messageId);
        }
        if (record.hasFlag2(PendingRecord.FLAG2_RETRY_QUEUED))
        {
            agent.retryQueue.add(messageId, record.priority());
        }
        for (long bits = record.parked(); bits != 0; bits &= bits - 1)
        {
            agent.health.recoverParked(Long.numberOfTrailingZeros(bits), messageId);
        }
        agent.health.inFlight(0, TrackerAgent.awaited(record));
        if (record.hasFlag2(PendingRecord.FLAG2_LEASED))
        {
            agent.leases.recovered();
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

package io.acktracker.engine.agent;

import io.acktracker.engine.pending.PendingIndex;
import io.acktracker.engine.pending.PendingRecord;
import io.acktracker.engine.pending.RecordStatus;
import io.acktracker.engine.stream.StreamIndex;

import java.util.function.LongPredicate;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * The agent's background duties, each in a bounded slice per duty cycle so none can stall ack processing: remove
 * tombstones past their window, re-notify outcomes recovered unnotified, apply cumulative acks and compact stream
 * indexes, sweep for records that lost their deadline, move circuits out of their cool-down, retire dead letters
 * past retention, and move held failures and replays in and out of the dead-letter queues.
 * <p>
 * Agent thread only.
 */
final class Housekeeping
{
    private final TrackerAgent agent;
    private final PendingIndex index;
    private final int budget;
    private final long orphanCheckIntervalNs;
    private final PendingRecord tombstone = new PendingRecord();
    private final LongPredicate isLiveInStream = this::isLivePending;
    private final java.util.function.IntConsumer countOrphans = this::countOrphans;

    private long[] replayIds = new long[0];
    private int replayCount;
    private int replayCursor;
    private int streamCursor;
    private boolean orphanSweepActive;
    private int orphanCursor;
    private long nextOrphanSweepNs;

    Housekeeping(final TrackerAgent agent, final int budget, final long orphanCheckIntervalNs)
    {
        this.agent = agent;
        this.index = agent.index;
        this.budget = budget;
        this.orphanCheckIntervalNs = orphanCheckIntervalNs;
        this.nextOrphanSweepNs = agent.nowNs + orphanCheckIntervalNs;
    }

    int doWork(final long nowNs)
    {
        int work = 0;
        work += replayOutcomes();
        work += expireTombstones(nowNs);
        work += streamWork();
        work += orphanSweep(nowNs);
        work += agent.health.poll(nowNs);
        work += agent.deadLetters.doWork(nowNs, budget);
        work += agent.earlyAcks.expire(nowNs, budget, countOrphans);
        return work;
    }

    private void countOrphans(final int acks)
    {
        agent.counters.add(ORPHAN_ACKS, acks);
    }

    /**
     * Keep a finished record as a tombstone for the window, or remove it at once when tombstones are off.
     */
    void entombOrRemove(final int slot, final PendingRecord record)
    {
        if (0 == agent.tombstoneCapacity || 0 == agent.tombstoneWindowNs)
        {
            agent.remove(slot, record.messageId());
            return;
        }
        if (index.isTombstoneQueueFull())
        {
            if (evictOldestTombstone())
            {
                agent.counters.increment(TOMBSTONES_EVICTED_EARLY);
            }
        }
        index.pushTombstone(record.messageId());
        agent.counters.set(TOMBSTONES, index.tombstoneCount());
    }

    /**
     * Remove the oldest tombstone to make room, notifying its outcome first should that not have happened.
     *
     * @return true when one was removed.
     */
    boolean evictOldestTombstone()
    {
        while (index.tombstoneCount() > 0)
        {
            final long messageId = index.peekTombstone();
            index.popTombstone();
            final int slot = index.slotOf(messageId);
            if (PendingIndex.MISSING == slot)
            {
                continue;
            }
            final PendingRecord record = tombstone.wrap(index.address(slot));
            if (!RecordStatus.isFinal(record.status()) || record.hasFlag2(PendingRecord.FLAG2_DLQ_PENDING))
            {
                continue;
            }
            if (!record.hasFlag(PendingRecord.FLAG_NOTIFIED))
            {
                agent.notifyOutcome(record, record.finishedNs() - record.createdNs(), true);
                agent.counters.increment(OUTCOMES_REPLAYED);
            }
            agent.remove(slot, messageId);
            agent.counters.set(TOMBSTONES, index.tombstoneCount());
            return true;
        }
        agent.counters.set(TOMBSTONES, 0);
        return false;
    }

    private int expireTombstones(final long nowNs)
    {
        int work = 0;
        while (work < budget && index.tombstoneCount() > 0)
        {
            final long messageId = index.peekTombstone();
            final int slot = index.slotOf(messageId);
            if (PendingIndex.MISSING != slot)
            {
                final PendingRecord record = tombstone.wrap(index.address(slot));
                if (RecordStatus.isFinal(record.status()))
                {
                    if (nowNs - record.finishedNs() < agent.tombstoneWindowNs)
                    {
                        break;
                    }
                    if (!record.hasFlag2(PendingRecord.FLAG2_DLQ_PENDING))
                    {
                        if (!record.hasFlag(PendingRecord.FLAG_NOTIFIED))
                        {
                            // recovered after a crash between the final status and its notification: tell it now
                            agent.notifyOutcome(record, record.finishedNs() - record.createdNs(), true);
                            agent.counters.increment(OUTCOMES_REPLAYED);
                        }
                        agent.remove(slot, messageId);
                    }
                }
            }
            index.popTombstone();
            work++;
        }
        if (work > 0)
        {
            agent.counters.set(TOMBSTONES, index.tombstoneCount());
        }
        return work;
    }

    void replayLater(final long[] messageIds, final int count)
    {
        replayIds = messageIds;
        replayCount = count;
        replayCursor = 0;
    }

    private int replayOutcomes()
    {
        int work = 0;
        while (replayCursor < replayCount && work < budget)
        {
            final int slot = index.slotOf(replayIds[replayCursor++]);
            work++;
            if (PendingIndex.MISSING == slot)
            {
                continue;
            }
            final PendingRecord record = agent.record.wrap(index.address(slot));
            if (RecordStatus.isFinal(record.status()) && !record.hasFlag(PendingRecord.FLAG_NOTIFIED))
            {
                agent.notifyOutcome(record, record.finishedNs() - record.createdNs(), true);
                agent.counters.increment(OUTCOMES_REPLAYED);
            }
        }
        if (replayCursor == replayCount && replayCount > 0)
        {
            replayIds = new long[0];
            replayCount = 0;
            replayCursor = 0;
        }
        return work;
    }

    private int streamWork()
    {
        final int streamCount = agent.streamAcks.streamList.size();
        int work = 0;
        for (int i = 0; i < streamCount && work < budget; i++)
        {
            streamCursor = streamCursor + 1 >= streamCount ? 0 : streamCursor + 1;
            final StreamIndex stream = agent.streamAcks.streamList.get(streamCursor);
            if (0 != stream.dirtyDestinations())
            {
                work += agent.streamAcks.apply(stream, budget - work);
            }
            if (stream.needsCompaction())
            {
                stream.compact(isLiveInStream);
                work++;
            }
        }
        return work;
    }

    void requestOrphanSweep()
    {
        nextOrphanSweepNs = agent.nowNs;
    }

    private int orphanSweep(final long nowNs)
    {
        if (!orphanSweepActive)
        {
            if (nowNs - nextOrphanSweepNs < 0)
            {
                return 0;
            }
            orphanSweepActive = true;
            orphanCursor = 0;
        }

        final int slotCapacity = index.slotCapacity();
        int work = 0;
        while (orphanCursor < slotCapacity && work < budget)
        {
            final int slot = orphanCursor++;
            work++;
            final long address = index.address(slot);
            if (0 == address)
            {
                continue;
            }
            final PendingRecord record = tombstone.wrap(address);
            final long next = record.nextDeadlineNs();
            if (RecordStatus.PENDING == record.status() && PendingRecord.NO_DEADLINE != next &&
                !agent.deadlines.isScheduled(slot) && !record.hasFlag2(PendingRecord.FLAG2_RETRY_QUEUED))
            {
                agent.deadlines.schedule(slot, next, nowNs);
                agent.counters.increment(ORPHANS_REPAIRED);
            }
        }

        if (orphanCursor >= slotCapacity)
        {
            orphanSweepActive = false;
            nextOrphanSweepNs = nowNs + orphanCheckIntervalNs;
        }
        return work;
    }

    private boolean isLivePending(final long messageId)
    {
        final int slot = index.slotOf(messageId);
        return PendingIndex.MISSING != slot && RecordStatus.PENDING == tombstone.wrap(index.address(slot)).status();
    }
}

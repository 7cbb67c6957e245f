package io.acktracker.engine.machine;

import io.acktracker.engine.health.DestinationHealth;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.stream.StreamIndex;
import io.acktracker.engine.stream.Streams;
import io.acktracker.engine.timer.DeadlineIndex;

import java.util.function.LongPredicate;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * The background duties of each tick, every one a bounded slice that counts what it looks at (never only what it
 * changes), so none can stall ack processing however large a table grows: tell outcomes recovered untold, remove
 * tombstones past their window, apply cumulative acks and compact stream indexes, sweep for records that lost their
 * deadline, move circuits out of their cool-down, retire and move dead letters, and drop early acks whose window
 * ended.
 * <p>
 * Agent thread only.
 */
final class Housekeeping
{
    private final Records records;
    private final Tombstones tombstones;
    private final Streams streams;
    private final StreamAcks streamAcks;
    private final DestinationHealth health;
    private final DeadLetters deadLetters;
    private final EarlyAcks earlyAcks;
    private final DeadlineIndex deadlines;
    private final Counters counters;
    private final int budget;
    private final long orphanCheckIntervalNs;
    private final PendingRecord record = new PendingRecord();
    private final LongPredicate isLiveInStream = this::isLivePending;

    private long[] replayIds = new long[0];
    private int replayCount;
    private int replayCursor;
    private int streamCursor;
    private boolean orphanSweepActive;
    private int orphanCursor;
    private long nextOrphanSweepNs;

    Housekeeping(
        final Records records,
        final Tombstones tombstones,
        final Streams streams,
        final StreamAcks streamAcks,
        final DestinationHealth health,
        final DeadLetters deadLetters,
        final EarlyAcks earlyAcks,
        final DeadlineIndex deadlines,
        final Counters counters,
        final int budget,
        final long orphanCheckIntervalNs,
        final long startNs)
    {
        this.records = records;
        this.tombstones = tombstones;
        this.streams = streams;
        this.streamAcks = streamAcks;
        this.health = health;
        this.deadLetters = deadLetters;
        this.earlyAcks = earlyAcks;
        this.deadlines = deadlines;
        this.counters = counters;
        this.budget = budget;
        this.orphanCheckIntervalNs = orphanCheckIntervalNs;
        this.nextOrphanSweepNs = startNs + orphanCheckIntervalNs;
    }

    int doWork(final long nowNs)
    {
        int work = 0;
        work += replayOutcomes();
        work += tombstones.expire(nowNs, budget);
        work += streamWork();
        work += orphanSweep(nowNs);
        work += health.poll(nowNs);
        work += deadLetters.doWork(nowNs, budget);
        work += earlyAcks.expire(nowNs, budget);
        return work;
    }

    /**
     * Outcomes found untold at recovery, oldest first: told a few per tick.
     *
     * @param messageIds ids.
     * @param count      how many.
     */
    void replayLater(final long[] messageIds, final int count)
    {
        replayIds = messageIds;
        replayCount = count;
        replayCursor = 0;
    }

    /** Start an orphan sweep on the next tick, whatever the interval says. */
    void requestOrphanSweep(final long nowNs)
    {
        nextOrphanSweepNs = nowNs;
    }

    void appendState(final StateImage image)
    {
        image.section("housekeeping").putInt(replayCount - replayCursor);
        for (int i = replayCursor; i < replayCount; i++)
        {
            image.putLong(replayIds[i]);
        }
        image.putInt(streamCursor).putInt(orphanSweepActive ? 1 : 0).putInt(orphanCursor).putLong(nextOrphanSweepNs);
    }

    private int replayOutcomes()
    {
        int work = 0;
        while (replayCursor < replayCount && work < budget)
        {
            final int slot = records.slotOf(replayIds[replayCursor++]);
            work++;
            if (Records.MISSING == slot)
            {
                continue;
            }
            final PendingRecord record = this.record.wrap(records.address(slot));
            if (RecordStatus.isFinal(record.status()) && !record.hasFlag(PendingRecord.FLAG_NOTIFIED) &&
                !record.hasFlag(PendingRecord.FLAG_TELLING))
            {
                tombstones.tellAgain(slot, record);
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
        final int streamCount = streams.count();
        int work = 0;
        for (int i = 0; i < streamCount && work < budget; i++)
        {
            streamCursor = streamCursor + 1 >= streamCount ? 0 : streamCursor + 1;
            final StreamIndex stream = streams.at(streamCursor);
            if (0 != stream.dirtyDestinations())
            {
                work += streamAcks.apply(stream, budget - work);
            }
            if (stream.needsCompaction())
            {
                stream.compact(isLiveInStream);
                work++;
            }
        }
        return work;
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

        final int slotCapacity = records.slotCapacity();
        int work = 0;
        while (orphanCursor < slotCapacity && work < budget)
        {
            final int slot = orphanCursor++;
            work++;
            final long address = records.address(slot);
            if (0 == address)
            {
                continue;
            }
            final PendingRecord record = this.record.wrap(address);
            final long next = record.nextDeadlineNs();
            if (RecordStatus.PENDING == record.status() && PendingRecord.NO_DEADLINE != next &&
                !deadlines.isScheduled(slot) && !record.hasFlag2(PendingRecord.FLAG2_RETRY_QUEUED))
            {
                deadlines.schedule(slot, next, nowNs);
                counters.increment(ORPHANS_REPAIRED);
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
        final int slot = records.slotOf(messageId);
        return Records.MISSING != slot && RecordStatus.PENDING == record.wrap(records.address(slot)).status();
    }

    void dump(final ImageWriter out)
    {
        out.section(ImageSections.HOUSEKEEPING).putInt(replayCount - replayCursor);
        for (int i = replayCursor; i < replayCount; i++)
        {
            out.putLong(replayIds[i]);
        }
        out.putInt(streamCursor).putBoolean(orphanSweepActive).putInt(orphanCursor).putLong(nextOrphanSweepNs);
    }

    void restore(final ImageReader in)
    {
        in.section(ImageSections.HOUSEKEEPING, "housekeeping");
        replayCount = in.getInt();
        replayCursor = 0;
        replayIds = new long[replayCount];
        for (int i = 0; i < replayCount; i++)
        {
            replayIds[i] = in.getLong();
        }
        streamCursor = in.getInt();
        orphanSweepActive = in.getBoolean();
        orphanCursor = in.getInt();
        nextOrphanSweepNs = in.getLong();
    }
}

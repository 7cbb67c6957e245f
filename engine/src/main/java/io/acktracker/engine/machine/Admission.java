package io.acktracker.engine.machine;

import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.timer.DeadlineIndex;

/**
 * Admits a new pending record (a track, or a dead letter replayed into tracking): checks there is room, making room
 * by evicting the oldest told tombstone when every slot is taken, inserts the record built in
 * {@link Records#fresh()} and puts it on its deadline.
 * <p>
 * Agent thread only.
 */
final class Admission
{
    private final Records records;
    private final Tombstones tombstones;
    private final DeadlineIndex deadlines;
    private final CommandClock clock;

    Admission(final Records records, final Tombstones tombstones, final DeadlineIndex deadlines, final CommandClock clock)
    {
        this.records = records;
        this.tombstones = tombstones;
        this.deadlines = deadlines;
        this.clock = clock;
    }

    /**
     * Whether one more pending record fits (may evict a tombstone to free its slot).
     *
     * @return true when it fits.
     */
    boolean hasRoom()
    {
        return records.belowCapacity() && (records.hasFreeSlot() || tombstones.evictOldest());
    }

    /**
     * Insert the fresh record and schedule its first deadline.
     *
     * @param messageId its id.
     * @param into      pointed at the inserted record on success.
     * @return the slot, or {@link Records#MISSING} (duplicate) or {@link Records#FULL} (both counted).
     */
    int insert(final long messageId, final PendingRecord into)
    {
        final int slot = records.insert(messageId);
        if (slot >= 0)
        {
            into.wrap(records.address(slot));
            deadlines.schedule(slot, into.nextDeadlineNs(), clock.nowNs());
        }
        return slot;
    }
}

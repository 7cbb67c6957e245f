package io.acktracker.engine.machine;

import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * What happens to a finished record: it stays as a tombstone for the tombstone window (so a late ack is told from an
 * unknown one and the id cannot be tracked again by mistake), then leaves the table. And the rule that holds it all
 * together: <b>a finished record leaves the table only after its outcome was told</b>. Outcomes are effects, told
 * after the command that produced them; a record whose outcome is queued ({@link PendingRecord#FLAG_TELLING}) or was
 * never told (recovered after a crash) is kept until {@link #onTold} marks it {@link PendingRecord#FLAG_NOTIFIED},
 * so a crash at any point leaves either a told outcome or a record to tell it from again.
 * <p>
 * Agent thread only.
 */
final class Tombstones
{
    private final Records records;
    private final Effects effects;
    private final Counters counters;
    private final boolean keepTombstones;
    private final long windowNs;
    private final PendingRecord tombstone = new PendingRecord();
    private final PendingRecord told = new PendingRecord();

    Tombstones(
        final Records records,
        final Effects effects,
        final Counters counters,
        final int tombstoneCapacity,
        final long windowNs)
    {
        this.records = records;
        this.effects = effects;
        this.counters = counters;
        this.keepTombstones = tombstoneCapacity > 0 && windowNs > 0;
        this.windowNs = windowNs;
    }

    /**
     * Keep a finished record (final status, not awaiting a dead-letter move) as the newest tombstone, or remove it
     * once told when tombstones are off.
     */
    void entomb(final int slot, final PendingRecord record)
    {
        if (!keepTombstones)
        {
            removeOnceTold(slot, record);
            return;
        }
        if (records.isTombstoneQueueFull())
        {
            counters.increment(TOMBSTONES_EVICTED_EARLY);
            if (!evictOldest())
            {
                // every queued tombstone still waits for its outcome to be told: this one gets none
                removeOnceTold(slot, record);
                return;
            }
        }
        records.pushTombstone(record.messageId());
    }

    /**
     * Remove the oldest tombstone that may go (told), before its window ends, to make room.
     *
     * @return true when one was removed.
     */
    boolean evictOldest()
    {
        // untold tombstones move to the back of the queue: their outcome goes out first (this command's effects, or
        // the replay of a recovered one), after which they may go
        for (int i = records.tombstoneCount(); i > 0; i--)
        {
            final long messageId = records.peekTombstone();
            records.popTombstone();
            final int slot = records.slotOf(messageId);
            if (Records.MISSING == slot)
            {
                continue;
            }
            final PendingRecord record = tombstone.wrap(records.address(slot));
            if (!RecordStatus.isFinal(record.status()) || record.hasFlag2(PendingRecord.FLAG2_DLQ_PENDING))
            {
                continue;
            }
            if (!record.hasFlag(PendingRecord.FLAG_NOTIFIED))
            {
                records.pushTombstone(messageId);
                continue;
            }
            records.remove(slot, messageId);
            return true;
        }
        return false;
    }

    /**
     * Remove tombstones whose window passed, oldest first, at most {@code budget} looked at. One whose outcome was
     * never told (recovered after a crash) is told again first and removed when told.
     *
     * @return tombstones looked at.
     */
    int expire(final long nowNs, final int budget)
    {
        int work = 0;
        while (work < budget && records.tombstoneCount() > 0)
        {
            final long messageId = records.peekTombstone();
            final int slot = records.slotOf(messageId);
            if (Records.MISSING != slot)
            {
                final PendingRecord record = tombstone.wrap(records.address(slot));
                if (RecordStatus.isFinal(record.status()))
                {
                    if (nowNs - record.finishedNs() < windowNs)
                    {
                        break;
                    }
                    if (!record.hasFlag2(PendingRecord.FLAG2_DLQ_PENDING))
                    {
                        if (!record.hasFlag(PendingRecord.FLAG_NOTIFIED) && !record.hasFlag(PendingRecord.FLAG_TELLING))
                        {
                            tellAgain(slot, record);
                        }
                        removeOnceTold(slot, record);
                    }
                }
            }
            records.popTombstone();
            work++;
        }
        return work;
    }

    /**
     * Queue the outcome of a final record that was never told (recovered after a crash), flagged as a replay.
     */
    void tellAgain(final int slot, final PendingRecord record)
    {
        record.setFlag(PendingRecord.FLAG_TELLING);
        effects.outcome(record.messageId(), RecordStatus.outcome(record.status()).ordinal(), record.reason(),
            record.finishedNs() - record.createdNs(), record.highestAttempt(),
            Effects.FLAG_REPLAY | (record.hasFlag(PendingRecord.FLAG_HAS_LISTENER) ? Effects.FLAG_WAITER : 0), slot);
        counters.increment(OUTCOMES_REPLAYED);
    }

    /**
     * The outcome of a message has been told: mark its record, and remove it when nothing keeps it. The slot came
     * with the outcome; it stays the message's until the outcome is told (nothing removes an untold record).
     *
     * @param messageId the message.
     * @param slot      its slot.
     */
    void onTold(final long messageId, final int slot)
    {
        if (slot < 0 || slot >= records.createdSlots())
        {
            return;
        }
        // through the id index when it still names this slot: its entry was just read by the command that finished
        // the message, where the slot-to-address array's line is likely a cache miss
        final long entry = records.entryOf(messageId);
        final PendingRecord record = told.wrap(Records.MISSING_ENTRY != entry && Records.slotOfEntry(entry) == slot ?
            records.addressOfEntry(entry) : records.address(slot));
        if (record.messageId() != messageId || !RecordStatus.isFinal(record.status()) ||
            !record.hasFlag(PendingRecord.FLAG_TELLING))
        {
            return;
        }
        // one byte, one store: a reader copying the record sees either flag set, both meaning "final"
        record.flags((byte)((record.flags() & ~PendingRecord.FLAG_TELLING) | PendingRecord.FLAG_NOTIFIED));
        if (record.hasFlag(PendingRecord.FLAG_REMOVE_WHEN_TOLD) && !record.hasFlag2(PendingRecord.FLAG2_DLQ_PENDING))
        {
            records.remove(slot, messageId);
        }
    }

    /**
     * Tombstones are kept (window and capacity both positive).
     *
     * @return true when kept.
     */
    boolean keepsTombstones()
    {
        return keepTombstones;
    }

    private void removeOnceTold(final int slot, final PendingRecord record)
    {
        if (record.hasFlag(PendingRecord.FLAG_NOTIFIED))
        {
            records.remove(slot, record.messageId());
        }
        else
        {
            record.setFlag(PendingRecord.FLAG_REMOVE_WHEN_TOLD);
        }
    }
}

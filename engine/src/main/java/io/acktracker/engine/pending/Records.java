package io.acktracker.engine.pending;

import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.store.PendingTable;
import io.acktracker.engine.store.RecordBytes;

/**
 * The records part: the pending table (where records live), the id index over it (id to slot to address), the
 * first-in-first-out queue of tombstones, and the count of pending records. The only way records are created and
 * removed.
 * <p>
 * Records are read and written in place through {@link PendingRecord} flyweights. Each part of the engine keeps its
 * own flyweight and points it with {@link #address(int)}; a part handed a flyweight by its caller works on it and
 * never re-points it. Nothing outside the engine runs while a command is being applied (effects are told after it),
 * so no call can move a flyweight under its owner.
 * <p>
 * Agent thread only, except {@link #readCopy} (any thread).
 */
public final class Records
{
    /** Returned by {@link #slotOf(long)} for an id that is not held, and by {@link #insert} for a duplicate. */
    public static final int MISSING = PendingIndex.MISSING;
    /** Returned by {@link #insert} when the table has no room. */
    public static final int FULL = -2;

    private final PendingTable table;
    private final PendingIndex index;
    private final Counters counters;
    private final int capacity;
    private final RecordBytes fresh = new RecordBytes();
    private int pendingCount;

    /**
     * Records over a table.
     *
     * @param table             the pending table.
     * @param capacity          most pending records.
     * @param tombstoneCapacity most tombstones held besides.
     * @param counters          for the PENDING and TOMBSTONES gauges and insert refusals.
     */
    public Records(final PendingTable table, final int capacity, final int tombstoneCapacity, final Counters counters)
    {
        this.table = table;
        this.capacity = capacity;
        this.counters = counters;
        this.index = new PendingIndex(capacity + tombstoneCapacity, tombstoneCapacity);
    }

    /**
     * Slot of a message.
     *
     * @param messageId id.
     * @return its slot, or {@link #MISSING}.
     */
    public int slotOf(final long messageId)
    {
        return index.slotOf(messageId);
    }

    /**
     * Address of a slot's record, to point a flyweight at.
     *
     * @param slot a live slot.
     * @return the off-heap address, 0 when the slot is free.
     */
    public long address(final int slot)
    {
        return index.address(slot);
    }

    /**
     * The scratch record a new message is built in before {@link #insert}: cleared on each call.
     *
     * @return the cleared scratch record.
     */
    public PendingRecord fresh()
    {
        final PendingRecord record = fresh.record();
        record.clear();
        return record;
    }

    /**
     * Insert the record built in {@link #fresh()} (status PENDING) and index it.
     *
     * @param messageId its id.
     * @return the slot, {@link #MISSING} when the id is held, {@link #FULL} when the table has no room (both
     * counted).
     */
    public int insert(final long messageId)
    {
        final long address = table.insert(messageId, fresh);
        if (address <= 0)
        {
            if (0 == address)
            {
                counters.increment(TrackerCounter.DUPLICATE_TRACKS);
                return MISSING;
            }
            counters.increment(TrackerCounter.CAPACITY_EXCEEDED);
            return FULL;
        }
        final int slot = index.allocate(messageId, address);
        pendingCount++;
        counters.set(TrackerCounter.PENDING, pendingCount);
        return slot;
    }

    /**
     * A pending record reached its final status.
     */
    public void finished()
    {
        pendingCount--;
        counters.set(TrackerCounter.PENDING, pendingCount);
    }

    /**
     * Remove a record and free its slot. Any address held for it becomes invalid.
     *
     * @param slot      its slot.
     * @param messageId its id.
     */
    public void remove(final int slot, final long messageId)
    {
        table.remove(messageId);
        index.release(messageId, slot);
    }

    /**
     * Whether a slot is free.
     *
     * @return true when one is.
     */
    public boolean hasFreeSlot()
    {
        return index.hasFreeSlot();
    }

    /**
     * Whether the pending count is below capacity.
     *
     * @return true when another pending record is allowed.
     */
    public boolean belowCapacity()
    {
        return pendingCount < capacity;
    }

    public int pendingCount()
    {
        return pendingCount;
    }

    public int capacity()
    {
        return capacity;
    }

    /**
     * Slots in all, pending and tombstones.
     *
     * @return the count.
     */
    public int slotCapacity()
    {
        return index.slotCapacity();
    }

    /**
     * Live entries, pending and finished.
     *
     * @return the count.
     */
    public int size()
    {
        return index.size();
    }

    /**
     * Queue a finished record's id as the newest tombstone. The caller makes room first when
     * {@link #isTombstoneQueueFull()}.
     *
     * @param messageId id.
     */
    public void pushTombstone(final long messageId)
    {
        index.pushTombstone(messageId);
        counters.set(TrackerCounter.TOMBSTONES, index.tombstoneCount());
    }

    /**
     * Oldest tombstone's id; only meaningful when {@link #tombstoneCount()} is positive.
     *
     * @return the id.
     */
    public long peekTombstone()
    {
        return index.peekTombstone();
    }

    /** Drop the oldest tombstone from the queue (the caller removes or keeps its record). */
    public void popTombstone()
    {
        index.popTombstone();
        counters.set(TrackerCounter.TOMBSTONES, index.tombstoneCount());
    }

    public int tombstoneCount()
    {
        return index.tombstoneCount();
    }

    /**
     * Whether the tombstone queue is full.
     *
     * @return true when full.
     */
    public boolean isTombstoneQueueFull()
    {
        return index.isTombstoneQueueFull();
    }

    /**
     * Visit every record of the table, for recovery.
     *
     * @param visitor called with each id and address.
     */
    public void forEachStored(final PendingTable.EntryVisitor visitor)
    {
        table.forEach(visitor);
    }

    /**
     * Index a record found in the table at recovery.
     *
     * @param messageId its id.
     * @param address   its address.
     * @param pending   whether it is still pending.
     * @return its slot.
     */
    public int recover(final long messageId, final long address, final boolean pending)
    {
        final int slot = index.allocate(messageId, address);
        if (pending)
        {
            pendingCount++;
        }
        return slot;
    }

    /**
     * Drop a record found unusable at recovery (not indexed).
     *
     * @param messageId its key.
     */
    public void discardStored(final long messageId)
    {
        table.remove(messageId);
    }

    /**
     * Copy a record from any thread, retrying while the agent is mid-update.
     *
     * @param messageId id.
     * @param into      holder to copy into.
     * @return true when found.
     */
    public boolean readCopy(final long messageId, final RecordBytes into)
    {
        return table.readCopy(messageId, into);
    }

    /**
     * Append the tombstone queue, oldest first, to a state image.
     *
     * @param image the image.
     */
    public void appendTombstones(final StateImage image)
    {
        image.section("tombstones").putInt(index.tombstoneCount());
        index.forEachTombstone(image::putLong);
    }

    /**
     * Off-heap memory the pending table uses, for memory reports.
     *
     * @return bytes.
     */
    public long offHeapBytes()
    {
        return table.map().offHeapMemoryUsed();
    }

    /**
     * Ids of every live record, in ascending order: a canonical order for state images.
     *
     * @return a new array.
     */
    public long[] sortedIds()
    {
        return index.sortedIds();
    }
}

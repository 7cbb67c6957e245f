package io.acktracker.engine.pending;

import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.store.PendingTable;
import io.acktracker.engine.store.RecordBytes;
import org.agrona.UnsafeApi;

import java.lang.invoke.VarHandle;

/**
 * The records part: the pending table (the slot arena where records live), the id index over it (id to slot to
 * address), the first-in-first-out queue of tombstones, and the count of pending records. The only way records are
 * created and removed.
 * <p>
 * A new record is written into a free slot through its cached address and committed by writing its status last; a
 * removed one is freed by writing {@link RecordStatus#NONE} into its status. The id index is the only hash lookup.
 * <p>
 * Records are read and written in place through {@link PendingRecord} flyweights. Each part of the engine keeps its
 * own flyweight and points it with {@link #address(int)}; a part handed a flyweight by its caller works on it and
 * never re-points it. Nothing outside the engine runs while a command is being applied (effects are told after it),
 * so no call can move a flyweight under its owner.
 * <p>
 * Agent thread only, except {@link #readCopy} (any thread).
 * <p>
 * Why this file is long: the only way records are created, removed and recovered, plus the exact dump and restore of
 * the slots, free stack and tombstone ring they own; splitting them would spread one invariant (id index = records
 * holding a message) over several files.
 */
public final class Records implements SlotSource
{
    /** Returned by {@link #slotOf(long)} for an id that is not held, and by {@link #insert} for a duplicate. */
    public static final int MISSING = PendingIndex.MISSING;
    /** Returned by {@link #entryOf(long)} for an id that is not held. */
    public static final long MISSING_ENTRY = PendingIndex.MISSING_ENTRY;
    /** Returned by {@link #insert} when the table has no room. */
    public static final int FULL = -2;

    private final PendingTable table;
    private final PendingIndex index;
    private final Counters counters;
    private final int capacity;
    private final RecordBytes fresh = new RecordBytes();
    private final PendingRecord target = new PendingRecord();
    private int pendingCount;
    private BeforeWrite beforeWrite;
    private int copyOnWriteSlots;

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
     * Index entry of a message: its slot and its record's address from one hash lookup (the hot path's way in).
     *
     * @param messageId id.
     * @return the entry ({@link #slotOfEntry}, {@link #addressOfEntry}), or {@link #MISSING_ENTRY}.
     */
    public long entryOf(final long messageId)
    {
        return index.entryOf(messageId);
    }

    /**
     * Slot of an index entry.
     *
     * @param entry from {@link #entryOf}, not {@link #MISSING_ENTRY}.
     * @return the slot.
     */
    public static int slotOfEntry(final long entry)
    {
        return PendingIndex.slotOfEntry(entry);
    }

    /**
     * Address of an index entry's record, to point a flyweight at: as {@link #address(int)}, without the load from
     * the slot-to-address array.
     *
     * @param entry from {@link #entryOf}, not {@link #MISSING_ENTRY}.
     * @return the off-heap address.
     */
    public long addressOfEntry(final long entry)
    {
        if (PendingIndex.slotOfEntry(entry) < copyOnWriteSlots)
        {
            beforeWrite.beforeWrite(PendingIndex.slotOfEntry(entry));
        }
        return index.addressOfEntry(entry);
    }

    /**
     * Address of a slot's record, to point a flyweight at (which may write it): while a checkpoint's copy is under
     * way, the record's bytes at the checkpoint are copied first ({@link #copyOnWrite}).
     *
     * @param slot a live slot.
     * @return the off-heap address, 0 when the slot is free.
     */
    public long address(final int slot)
    {
        // 0 unless a copy is under way: one predictable branch on a plain field
        if (slot < copyOnWriteSlots)
        {
            beforeWrite.beforeWrite(slot);
        }
        return index.address(slot);
    }

    public long recordAddress(final int slot)
    {
        return index.address(slot);
    }

    /**
     * Install (or, with 0 slots, remove) the copy-on-write hook {@link #address} calls for slots below a count.
     *
     * @param hook  called before a slot's record may change.
     * @param slots slots it covers (those created at the checkpoint), 0 for none.
     */
    public void copyOnWrite(final BeforeWrite hook, final int slots)
    {
        beforeWrite = hook;
        copyOnWriteSlots = null == hook ? 0 : slots;
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
     * Insert the record built in {@link #fresh()} (status PENDING) and index it. The record is copied into a free
     * slot with its status NONE and the status is written last, so a kill in the middle of the copy leaves a free
     * slot, not half a record.
     *
     * @param messageId its id.
     * @return the slot, {@link #MISSING} when the id is held, {@link #FULL} when the table has no room (both
     * counted).
     */
    public int insert(final long messageId)
    {
        if (!index.hasFreeSlot() || (index.needsNewSlot() && !createSlot()))
        {
            counters.increment(TrackerCounter.CAPACITY_EXCEEDED);
            return FULL;
        }
        final int slot = index.allocate(messageId);
        if (MISSING == slot)
        {
            counters.increment(TrackerCounter.DUPLICATE_TRACKS);
            return MISSING;
        }
        final PendingRecord record = fresh.record();
        final byte status = record.status();
        record.status(RecordStatus.NONE);
        target.wrap(address(slot)).buffer().putBytes(0, record.buffer(), 0, PendingRecord.LENGTH);
        // the status last, after the rest of the record (a store-store fence: ordering, not the full fence of a
        // volatile store, which would cost every track)
        VarHandle.storeStoreFence();
        target.buffer().putByte(PendingRecord.STATUS_OFFSET, status);
        record.status(status);
        pendingCount++;
        counters.set(TrackerCounter.PENDING, pendingCount);
        return slot;
    }

    private boolean createSlot()
    {
        final long address = table.create(index.createdSlots());
        if (address <= 0)
        {
            return false;
        }
        index.created(address);
        return true;
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
     * Remove a record and free its slot (its status becomes NONE). A flyweight held on it no longer names a message.
     *
     * @param slot      its slot.
     * @param messageId its id.
     */
    public void remove(final int slot, final long messageId)
    {
        target.wrap(address(slot)).buffer().putByte(PendingRecord.STATUS_OFFSET, RecordStatus.NONE);
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

    /**
     * Messages tracked and not finished.
     *
     * @return the count.
     */
    public int pendingCount()
    {
        return pendingCount;
    }

    /**
     * Most pending messages.
     *
     * @return the capacity.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Slots whose table entries exist (used at least once since the table was created).
     *
     * @return the count.
     */
    public int createdSlots()
    {
        return index.createdSlots();
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

    /**
     * Finished messages still remembered as tombstones.
     *
     * @return the count.
     */
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
     * Visit every record that holds a message, pending or finished (for tools: the agent's thread, or a tool that
     * owns the data directory).
     *
     * @param visitor called with each message id and record address.
     */
    public void forEachRecord(final PendingTable.RecordVisitor visitor)
    {
        table.forEachRecord(visitor);
    }

    /**
     * Recovery, first step: note every created slot of the table and its address, then visit the records that hold a
     * message. Free slots, and slots beyond this tracker's slot capacity that hold nothing, are skipped.
     *
     * @param visitor called with each slot and address whose record's status is not NONE.
     * @throws TrackerException when a record that holds a message lies beyond the slot capacity.
     */
    public void recoverSlots(final PendingTable.SlotVisitor visitor)
    {
        final PendingRecord visited = new PendingRecord();
        table.forEachSlot((slot, address) ->
        {
            final boolean holds = RecordStatus.NONE != visited.wrap(address).status();
            if (slot >= index.slotCapacity())
            {
                if (holds)
                {
                    throw new TrackerException("the pending table holds a record in slot " + slot + ", beyond " +
                        "capacity plus tombstone capacity (" + index.slotCapacity() + "): start with the capacity " +
                        "it was written with or larger");
                }
                return;
            }
            index.recoverSlot(slot, address);
        });
        for (int slot = 0, created = index.createdSlots(); slot < created; slot++)
        {
            final long address = index.address(slot);
            if (0 != address && RecordStatus.NONE != visited.wrap(address).status())
            {
                visitor.onSlot(slot, address);
            }
        }
    }

    /**
     * Recovery: index a record found in its slot.
     *
     * @param messageId its id.
     * @param slot      its slot.
     * @param pending   whether it is still pending.
     * @return false when another slot already holds the id (nothing indexed; the caller discards this one).
     */
    public boolean recover(final long messageId, final int slot, final boolean pending)
    {
        if (!index.occupy(messageId, slot))
        {
            return false;
        }
        if (pending)
        {
            pendingCount++;
        }
        return true;
    }

    /**
     * Recovery: free a slot whose record is unusable (not indexed).
     *
     * @param slot the slot.
     */
    public void discardStored(final int slot)
    {
        target.wrap(address(slot)).buffer().putByte(PendingRecord.STATUS_OFFSET, RecordStatus.NONE);
    }

    /**
     * Recovery, last step: every created slot that holds no indexed message becomes free.
     *
     * @throws TrackerException when a slot below the highest created one has no table entry (a damaged table).
     */
    public void endRecovery()
    {
        final int missing = index.endRecovery((slot) -> RecordStatus.NONE != target.wrap(index.address(slot)).status());
        if (missing > 0)
        {
            throw new TrackerException("the pending table is damaged: " + missing + " of its " +
                index.createdSlots() + " slots are missing; restore a snapshot or move the data directory aside");
        }
    }

    /**
     * Read every cache line of an index entry's record (an ack that completes its message reads or writes all of
     * them; records need not start on a line), changing nothing: the first pass over a batch of commands
     * ({@code TrackerConfig.prefetchCommands}; the Aeron transport's {@code inboundPrefetch}), through
     * {@code TrackerStateMachine.touch}, so the misses of a batch are taken together. Agent thread.
     *
     * @param entry from {@link #entryOf}, not {@link #MISSING_ENTRY}.
     * @return a value depending on what was read (the caller keeps it, so the reads are not optimised away).
     */
    public long touchEntry(final long entry)
    {
        if (PendingIndex.slotOfEntry(entry) >= index.createdSlots())
        {
            return 0;
        }
        final long address = index.addressOfEntry(entry);
        return UnsafeApi.getLong(address) + UnsafeApi.getLong(address + 64) + UnsafeApi.getLong(address + 128) +
            UnsafeApi.getLong(address + 192) + UnsafeApi.getByte(address + PendingRecord.LENGTH - 1);
    }

    /**
     * Copy a message's record. The agent's thread; or, for a host-driven tracker, another of the host's threads,
     * which copies under the record's sequence lock (retrying while the agent is mid-write) and may find a message
     * being inserted or removed at that moment absent.
     *
     * @param messageId id.
     * @param into      holder to copy into.
     * @return true when found (the copy is consistent), false when absent.
     */
    public boolean readCopy(final long messageId, final RecordBytes into)
    {
        final PendingRecord source = new PendingRecord();
        final PendingRecord copy = into.record();
        for (int i = 0; i < 1_000_000; i++)
        {
            final int slot = index.slotOf(messageId);
            if (MISSING == slot || slot >= index.createdSlots())
            {
                return false;
            }
            into.copyUnderLockFrom(source.wrap(index.address(slot)));
            if (copy.isConsistent())
            {
                return copy.messageId() == messageId && RecordStatus.NONE != copy.status();
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("record " + messageId + " never became consistent");
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

    /**
     * Append the records' order-deciding state to an exact image: the pending count, the index's free-slot stack
     * and tombstone ring. The slots' content is copied separately ({@link #address} of each of
     * {@link #createdSlots()}), to the checkpoint's pending table.
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        out.section(ImageSections.RECORDS).putInt(pendingCount);
        index.dump(out);
    }

    /**
     * Restore a fresh records part (nothing created yet): the filler creates the image's slots in slot order, each
     * with its record, then the free-slot stack and tombstone ring are read; the id index is rebuilt from the records
     * that hold a message.
     *
     * @param in      the image, at what {@link #dump} wrote.
     * @param created how many slots the checkpoint's table holds.
     * @param filler  writes each slot's record.
     * @throws TrackerException when the table has no room, or the content does not match the image.
     */
    public void restore(final ImageReader in, final int created, final SlotFiller filler)
    {
        if (0 != index.createdSlots() || 0 != index.size())
        {
            throw new IllegalStateException("records are restored into a fresh machine only");
        }
        if (created > index.slotCapacity())
        {
            throw new TrackerException("the checkpoint holds " + created + " slots, more than capacity plus " +
                "tombstone capacity (" + index.slotCapacity() + ")");
        }
        in.section(ImageSections.RECORDS, "records");
        pendingCount = in.getInt();
        for (int slot = 0; slot < created; slot++)
        {
            final long address = filler.fill(slot, table);
            if (address <= 0)
            {
                throw new TrackerException("the pending table has no room for slot " + slot + " of the checkpoint");
            }
            index.restoreSlot(address);
        }
        final int size = index.restore(in);
        final PendingRecord record = new PendingRecord();
        for (int slot = 0; slot < created; slot++)
        {
            record.wrap(index.address(slot));
            if (RecordStatus.NONE != record.status() && !index.occupy(record.messageId(), slot))
            {
                throw new TrackerException("the checkpoint holds message " + record.messageId() + " twice");
            }
        }
        if (size != index.size())
        {
            throw new TrackerException("the checkpoint's records hold " + index.size() + " messages, its index " +
                size);
        }
        counters.set(TrackerCounter.PENDING, pendingCount);
        counters.set(TrackerCounter.TOMBSTONES, index.tombstoneCount());
    }
}

package io.acktracker.engine.pending;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import org.agrona.collections.Long2LongHashMap;

/**
 * The agent's in-memory index over the pending table: message id to slot, slot to record address, the free slots,
 * and the first-in-first-out order of tombstones (by message id). Derived state, rebuilt from the table on recovery;
 * nothing here is persisted.
 * <p>
 * A slot is a small int naming one record of the table (pending, tombstone or free). Slots let the timer index and
 * the tombstone queue use primitive arrays instead of maps. Slots are handed out lowest first while the table is
 * young ({@link #createdSlots()} counts those ever used, whose table entries exist), then from the stack of slots
 * given back, so a slot's table entry is created once and reused from then on.
 * <p>
 * Agent thread only.
 */
public final class PendingIndex
{
    /** Returned by {@link #slotOf(long)} for an id that is not present. */
    public static final int MISSING = -1;
    /** Returned by {@link #entryOf(long)} for an id that is not present. */
    public static final long MISSING_ENTRY = MISSING;

    // An index entry is the slot in its low 32 bits and, in its high 31, the record's address as 8-byte units above
    // addressBase: an ack then reaches its record in two dependent loads (index, record) instead of three (index,
    // slot-to-address array, record); at 1M pending each is a cache and TLB miss. An address that does not fit
    // (below the base, more than 16 GiB above it, or not 8-byte aligned) is marked ADDRESS_IN_ARRAY and read from
    // slotAddress, which always holds every created slot's address.
    private static final long ADDRESS_IN_ARRAY = Integer.MAX_VALUE;
    // the base is put this far below the first address seen, so the table's other records fit above it
    private static final long BASE_BELOW_FIRST = 1L << 33;

    private final Long2LongHashMap idToSlot;
    private final long[] slotAddress;
    private long addressBase;
    private final int[] freeSlots;
    private int freeSlotCount;
    private int createdSlots;

    private final long[] tombstones;
    private int tombstoneHead;
    private int tombstoneCount;

    /**
     * Index with room for a fixed number of slots and tombstones.
     *
     * @param slotCapacity      pending plus tombstone entries.
     * @param tombstoneCapacity most tombstones queued at once.
     */
    public PendingIndex(final int slotCapacity, final int tombstoneCapacity)
    {
        idToSlot = new Long2LongHashMap(Math.max(16, (int)(slotCapacity / 0.6f) + 1), 0.65f, MISSING);
        slotAddress = new long[slotCapacity];
        freeSlots = new int[slotCapacity];
        tombstones = new long[Math.max(1, tombstoneCapacity)];
    }

    /**
     * Slot of a message.
     *
     * @param messageId id to find.
     * @return its slot or {@link #MISSING}.
     */
    public int slotOf(final long messageId)
    {
        return (int)idToSlot.get(messageId);
    }

    /**
     * Index entry of a message: its slot ({@link #slotOfEntry}) and its record's address ({@link #addressOfEntry})
     * from one hash lookup.
     *
     * @param messageId id to find.
     * @return the entry, or {@link #MISSING_ENTRY}.
     */
    public long entryOf(final long messageId)
    {
        return idToSlot.get(messageId);
    }

    /**
     * Slot of an index entry.
     *
     * @param entry from {@link #entryOf}, not {@link #MISSING_ENTRY}.
     * @return the slot.
     */
    public static int slotOfEntry(final long entry)
    {
        return (int)entry;
    }

    /**
     * Record address of an index entry, without a load from the slot-to-address array when it fits in the entry.
     *
     * @param entry from {@link #entryOf}, not {@link #MISSING_ENTRY}.
     * @return the off-heap address of its record.
     */
    public long addressOfEntry(final long entry)
    {
        final long units = entry >>> 32;
        return ADDRESS_IN_ARRAY != units ? addressBase + (units << 3) : slotAddress[(int)entry];
    }

    private long entryFor(final int slot)
    {
        final long address = slotAddress[slot];
        if (0 == addressBase)
        {
            addressBase = Math.max(8, address - BASE_BELOW_FIRST);
        }
        final long delta = address - addressBase;
        final long units = delta >>> 3;
        final boolean fits = delta >= 0 && (delta & 7) == 0 && units < ADDRESS_IN_ARRAY;
        return ((fits ? units : ADDRESS_IN_ARRAY) << 32) | slot;
    }

    /**
     * Record address of a slot.
     *
     * @param slot a created slot.
     * @return the off-heap address of its record.
     */
    public long address(final int slot)
    {
        return slotAddress[slot];
    }

    /**
     * Whether a slot is free for a new entry.
     *
     * @return true when one is free.
     */
    public boolean hasFreeSlot()
    {
        return freeSlotCount > 0 || createdSlots < slotAddress.length;
    }

    /**
     * Whether {@link #allocate} needs a new slot created first: no slot is free and some were never used.
     *
     * @return true when the caller must create the table entry of {@link #createdSlots()} and pass it to
     * {@link #created}.
     */
    public boolean needsNewSlot()
    {
        return 0 == freeSlotCount && createdSlots < slotAddress.length;
    }

    /**
     * Number of slots ever used: their table entries exist, and are slots {@code 0} to this minus one.
     *
     * @return the count.
     */
    public int createdSlots()
    {
        return createdSlots;
    }

    /**
     * The table entry of slot {@link #createdSlots()} was created: the slot is free from now on.
     *
     * @param address its record's address.
     */
    public void created(final long address)
    {
        slotAddress[createdSlots] = address;
        freeSlots[freeSlotCount++] = createdSlots++;
    }

    /**
     * Take a free slot for a new entry. The caller checks {@link #hasFreeSlot()} and calls {@link #created} when
     * {@link #needsNewSlot()}.
     *
     * @param messageId id of the entry.
     * @return the slot, or {@link #MISSING} when the id is already indexed (nothing changed).
     */
    public int allocate(final long messageId)
    {
        final int slot = freeSlots[freeSlotCount - 1];
        final long previous = idToSlot.put(messageId, entryFor(slot));
        if (MISSING != previous)
        {
            idToSlot.put(messageId, previous);
            return MISSING;
        }
        freeSlotCount--;
        return slot;
    }

    /**
     * Give back the slot of a removed entry. Its address stays: the table entry lives on, free.
     *
     * @param messageId id of the entry.
     * @param slot      its slot.
     */
    public void release(final long messageId, final int slot)
    {
        idToSlot.remove(messageId);
        freeSlots[freeSlotCount++] = slot;
    }

    /**
     * At recovery: note a created slot found in the table, free or not. Call {@link #occupy} for those that hold a
     * message, then {@link #endRecovery}.
     *
     * @param slot    the slot.
     * @param address its record's address.
     */
    public void recoverSlot(final int slot, final long address)
    {
        slotAddress[slot] = address;
        createdSlots = Math.max(createdSlots, slot + 1);
    }

    /**
     * At recovery: index a message found in its slot.
     *
     * @param messageId the message.
     * @param slot      its slot, already passed to {@link #recoverSlot}.
     * @return false when the id is already indexed in another slot (nothing changed).
     */
    public boolean occupy(final long messageId, final int slot)
    {
        final long previous = idToSlot.put(messageId, entryFor(slot));
        if (MISSING != previous)
        {
            idToSlot.put(messageId, previous);
            return false;
        }
        return true;
    }

    /**
     * At recovery: every created slot not occupied becomes free, the lowest handed out first.
     *
     * @param occupied whether a slot holds a message.
     * @return the number of created slots whose table entry was not found (a gap: the caller must refuse to go
     * on, as the table was damaged).
     */
    public int endRecovery(final java.util.function.IntPredicate occupied)
    {
        int missing = 0;
        freeSlotCount = 0;
        for (int slot = createdSlots - 1; slot >= 0; slot--)
        {
            if (0 == slotAddress[slot])
            {
                missing++;
            }
            else if (!occupied.test(slot))
            {
                freeSlots[freeSlotCount++] = slot;
            }
        }
        return missing;
    }

    /**
     * Number of live entries (pending and tombstones).
     *
     * @return the count.
     */
    public int size()
    {
        return idToSlot.size();
    }

    /**
     * Capacity in slots.
     *
     * @return the count.
     */
    public int slotCapacity()
    {
        return slotAddress.length;
    }

    /**
     * Queue a tombstone behind the others. The caller makes room first when {@link #isTombstoneQueueFull()}.
     * The queue holds message ids, so an entry whose message was removed or revived meanwhile is simply skipped by
     * the caller when it reaches the head.
     *
     * @param messageId of the finished entry.
     */
    public void pushTombstone(final long messageId)
    {
        tombstones[(tombstoneHead + tombstoneCount) % tombstones.length] = messageId;
        tombstoneCount++;
    }

    /**
     * Whether the tombstone queue is full.
     *
     * @return true when full.
     */
    public boolean isTombstoneQueueFull()
    {
        return tombstoneCount == tombstones.length;
    }

    /**
     * Oldest tombstone's message id; only meaningful when {@link #tombstoneCount()} is positive.
     *
     * @return the id.
     */
    public long peekTombstone()
    {
        return tombstones[tombstoneHead];
    }

    /** Drop the oldest tombstone from the queue (the caller removes its entry). */
    public void popTombstone()
    {
        tombstoneHead = (tombstoneHead + 1) % tombstones.length;
        tombstoneCount--;
    }

    /**
     * Ids of every live entry in ascending order (allocates: for state images and tools, not the hot path).
     *
     * @return a new sorted array.
     */
    public long[] sortedIds()
    {
        final long[] ids = new long[idToSlot.size()];
        final Long2LongHashMap.KeyIterator keys = idToSlot.keySet().iterator();
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = keys.nextValue();
        }
        java.util.Arrays.sort(ids);
        return ids;
    }

    /**
     * Visit the queued tombstones, oldest first.
     *
     * @param visitor receives each message id.
     */
    public void forEachTombstone(final java.util.function.LongConsumer visitor)
    {
        for (int i = 0; i < tombstoneCount; i++)
        {
            visitor.accept(tombstones[(tombstoneHead + i) % tombstones.length]);
        }
    }

    /**
     * Number of queued tombstones.
     *
     * @return the count.
     */
    public int tombstoneCount()
    {
        return tombstoneCount;
    }

    /**
     * Append the index's order-deciding state to an exact image: created slots, the free-slot stack (bottom first:
     * the top is the next slot handed out) and the tombstone ring oldest first. The id index is not written: it is
     * rebuilt from the records' content ({@link #occupy}).
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        out.putInt(createdSlots).putInt(idToSlot.size()).putInts(freeSlots, freeSlotCount).putInt(tombstoneCount);
        for (int i = 0; i < tombstoneCount; i++)
        {
            out.putLong(tombstones[(tombstoneHead + i) % tombstones.length]);
        }
    }

    /**
     * Restore a fresh index from {@link #dump}: every slot's address first ({@link #restoreSlot}), then this, then
     * {@link #occupy} for each record that holds a message.
     *
     * @param in the image, at what {@link #dump} wrote.
     * @return the number of ids the index held (the caller checks the rebuilt id index against it).
     */
    public int restore(final ImageReader in)
    {
        final int created = in.getInt();
        final int size = in.getInt();
        if (created != createdSlots)
        {
            throw new IllegalStateException("restored " + createdSlots + " slots, the image holds " + created);
        }
        in.getInts(freeSlots);
        freeSlotCount = in.lastCount();
        final int count = in.getInt();
        if (count < 0 || count > tombstones.length)
        {
            throw new IllegalStateException("the image holds " + count + " tombstones, more than the capacity " +
                tombstones.length);
        }
        tombstoneHead = 0;
        tombstoneCount = count;
        for (int i = 0; i < count; i++)
        {
            tombstones[i] = in.getLong();
        }
        return size;
    }

    /**
     * At a restore: the next slot was created with this address (slots are restored lowest first).
     *
     * @param address its record's address.
     */
    public void restoreSlot(final long address)
    {
        slotAddress[createdSlots++] = address;
    }
}

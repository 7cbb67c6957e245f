package io.acktracker.engine.pending;

import org.agrona.collections.Long2LongHashMap;

/**
 * The agent's in-memory index over the pending table: message id to slot, slot to record address, and the
 * first-in-first-out order of tombstones (by message id). Derived state, rebuilt from the table on recovery; nothing here is
 * persisted.
 * <p>
 * A slot is a small int naming one live entry of the table (pending or tombstone). Slots let the timer index and
 * the tombstone queue use primitive arrays instead of maps.
 * <p>
 * Agent thread only.
 */
public final class PendingIndex
{
    /** Returned by {@link #slotOf(long)} for an id that is not present. */
    public static final int MISSING = -1;

    private final Long2LongHashMap idToSlot;
    private final long[] slotAddress;
    private final int[] freeSlots;
    private int freeSlotCount;

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
        for (int i = slotCapacity - 1; i >= 0; i--)
        {
            freeSlots[freeSlotCount++] = i;
        }
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
     * Record address of a slot.
     *
     * @param slot a live slot.
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
        return freeSlotCount > 0;
    }

    /**
     * Take a slot for a new entry.
     *
     * @param messageId id of the entry.
     * @param address   of its record.
     * @return the slot.
     */
    public int allocate(final long messageId, final long address)
    {
        final int slot = freeSlots[--freeSlotCount];
        slotAddress[slot] = address;
        idToSlot.put(messageId, slot);
        return slot;
    }

    /**
     * Give back the slot of a removed entry.
     *
     * @param messageId id of the entry.
     * @param slot      its slot.
     */
    public void release(final long messageId, final int slot)
    {
        idToSlot.remove(messageId);
        slotAddress[slot] = 0;
        freeSlots[freeSlotCount++] = slot;
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
}

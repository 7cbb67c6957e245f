package io.acktracker.engine.checkpoint;

import io.acktracker.engine.pending.SlotSource;
import io.acktracker.engine.record.PendingRecord;
import org.agrona.UnsafeApi;

/**
 * The records of every created slot copied, at one moment, into one block of off-heap memory, slot after slot: what
 * a checkpoint's helper thread writes the Chronicle Map file from while the agent goes on changing the live
 * records. The block is kept and grown, never shrunk, so a steady run allocates it once.
 * <p>
 * Threading: {@link #copyFrom} by the agent; the reads by the one helper thread the agent hands it to, and not again
 * by the agent until the helper is done with it.
 */
public final class RecordsCopy implements SlotSource, AutoCloseable
{
    private long address;
    private long capacity;
    private int created;

    /**
     * Copy every created slot's record.
     *
     * @param records the live records.
     */
    public void copyFrom(final SlotSource records)
    {
        final int count = records.createdSlots();
        final long bytes = (long)count * PendingRecord.LENGTH;
        if (bytes > capacity)
        {
            if (0 != address)
            {
                UnsafeApi.freeMemory(address);
                address = 0;
            }
            capacity = Math.max(bytes, capacity + (capacity >> 1));
            address = UnsafeApi.allocateMemory(capacity);
        }
        // records are not contiguous (Chronicle entries, one per slot): one copy each
        for (int slot = 0; slot < count; slot++)
        {
            UnsafeApi.copyMemory(records.address(slot), address + (long)slot * PendingRecord.LENGTH,
                PendingRecord.LENGTH);
        }
        created = count;
    }

    public int createdSlots()
    {
        return created;
    }

    public long address(final int slot)
    {
        return address + (long)slot * PendingRecord.LENGTH;
    }

    /**
     * @return bytes of off-heap memory held.
     */
    public long capacity()
    {
        return capacity;
    }

    /** Free the memory. */
    public void close()
    {
        if (0 != address)
        {
            UnsafeApi.freeMemory(address);
            address = 0;
            capacity = 0;
            created = 0;
        }
    }
}

package io.acktracker.engine.store;

import io.acktracker.engine.record.PendingRecord;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

/**
 * A heap copy of one {@link PendingRecord}: what the pending table serialises on insert and what readers on
 * other threads or in other processes copy a record into.
 */
public final class RecordBytes
{
    final byte[] bytes = new byte[PendingRecord.LENGTH];
    private final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
    private final PendingRecord record = new PendingRecord().wrap(buffer, 0);

    /**
     * The flyweight over this copy.
     *
     * @return the record view.
     */
    public PendingRecord record()
    {
        return record;
    }

    /**
     * Copy a whole record into this holder.
     *
     * @param source record to copy.
     * @return this.
     */
    public RecordBytes copyFrom(final PendingRecord source)
    {
        buffer.putBytes(0, source.buffer(), 0, PendingRecord.LENGTH);
        return this;
    }

    /**
     * Copy a record another thread may be writing, under its sequence lock: the end version is read before the body
     * and the start version after it, so a copy taken mid-write shows {@link PendingRecord#isConsistent()} false.
     *
     * @param source record in shared memory.
     * @return this.
     */
    public RecordBytes copyUnderLockFrom(final PendingRecord source)
    {
        final UnsafeBuffer from = source.buffer();
        final long end = from.getLongVolatile(PendingRecord.VERSION_END_OFFSET);
        buffer.putBytes(0, from, 0, PendingRecord.LENGTH);
        VarHandle.acquireFence();
        final long start = from.getLongVolatile(PendingRecord.VERSION_START_OFFSET);
        buffer.putLong(PendingRecord.VERSION_START_OFFSET, start);
        buffer.putLong(PendingRecord.VERSION_END_OFFSET, end);
        return this;
    }

    public String toString()
    {
        return record.toString();
    }
}

package io.acktracker.engine.store;

import io.acktracker.engine.record.PendingRecord;
import org.agrona.concurrent.UnsafeBuffer;

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

    public String toString()
    {
        return record.toString();
    }
}

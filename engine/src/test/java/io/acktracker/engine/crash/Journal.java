package io.acktracker.engine.crash;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;

/**
 * The crash test's external journal, outside the tracker: what the workload sent and what outcomes it saw. A
 * memory-mapped file of 32-byte records, so every record written before a kill -9 survives (the page cache keeps
 * it); the type word is written last with release semantics, so a record torn by the kill reads as the end.
 * <pre>
 *   0 type (int) | 4 flag (int) | 8 message id (long) | 16 a (long) | 24 b (long)
 * </pre>
 */
final class Journal implements AutoCloseable
{
    static final int TRACK = 1;
    static final int ACK = 2;
    static final int OUTCOME = 3;
    static final int RECORD_LENGTH = 32;
    /** Records a journal holds: 512 MiB of file, enough for a thousand throttled cycles. */
    static final int CAPACITY = 16 * 1024 * 1024;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private int position;

    /** One journal record. */
    record Entry(int type, int flag, long messageId, long a, long b)
    {
    }

    Journal(final File file, final int capacityRecords)
    {
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
        {
            if (raf.length() < (long)capacityRecords * RECORD_LENGTH)
            {
                raf.setLength((long)capacityRecords * RECORD_LENGTH);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        mapped = IoUtil.mapExistingFile(file, "journal");
        buffer = new UnsafeBuffer(mapped);
        while (position + RECORD_LENGTH <= buffer.capacity() && buffer.getIntVolatile(position) != 0)
        {
            position += RECORD_LENGTH;
        }
    }

    void append(final int type, final int flag, final long messageId, final long a, final long b)
    {
        if (position + RECORD_LENGTH > buffer.capacity())
        {
            throw new IllegalStateException("journal full");
        }
        buffer.putInt(position + 4, flag);
        buffer.putLong(position + 8, messageId);
        buffer.putLong(position + 16, a);
        buffer.putLong(position + 24, b);
        buffer.putIntRelease(position, type);
        position += RECORD_LENGTH;
    }

    int size()
    {
        return position / RECORD_LENGTH;
    }

    Entry get(final int index)
    {
        final int offset = index * RECORD_LENGTH;
        return new Entry(buffer.getInt(offset), buffer.getInt(offset + 4), buffer.getLong(offset + 8),
            buffer.getLong(offset + 16), buffer.getLong(offset + 24));
    }

    public void close()
    {
        IoUtil.unmap(mapped);
    }
}

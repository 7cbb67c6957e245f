package io.acktracker.engine.journal;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * One mapped segment file: its position in the journal, the mapping, a buffer over it for the appender and a second
 * view for the checksum (so computing it never moves a buffer another thread uses).
 * <p>
 * Threading: mapped by the helper (or by the opener), written by the appender while it is the current segment, then
 * msynced and unmapped by the helper once the appender has published a position at or past its end.
 */
final class Segment
{
    private final long basePosition;
    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final ByteBuffer checksumView;

    Segment(final long basePosition, final Path path, final MappedByteBuffer mapped)
    {
        this.basePosition = basePosition;
        this.path = path;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.checksumView = mapped.duplicate();
    }

    long basePosition()
    {
        return basePosition;
    }

    long endPosition()
    {
        return basePosition + mapped.capacity();
    }

    int length()
    {
        return mapped.capacity();
    }

    Path path()
    {
        return path;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    ByteBuffer checksumView()
    {
        return checksumView;
    }

    /**
     * msync a range of the segment to the disk (blocking).
     *
     * @param offset first byte.
     * @param length bytes.
     */
    void force(final int offset, final int length)
    {
        if (length > 0)
        {
            mapped.force(offset, length);
        }
    }

    void unmap()
    {
        IoUtil.unmap(mapped);
    }

    public String toString()
    {
        return path.getFileName().toString();
    }
}

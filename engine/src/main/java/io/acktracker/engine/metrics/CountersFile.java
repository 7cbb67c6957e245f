package io.acktracker.engine.metrics;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A memory-mapped file holding the tracker's Agrona counters, so another process can read them live the way
 * AeronStat reads Aeron's CnC file.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          magic                                |
 *  |                         version                               |
 *  |                    metadata length                            |
 *  |                     values length                             |
 *  |                          pid                                  |
 *  |                                                               |
 *  |                   start time (epoch ms)                       |
 *  |                                                               |
 *  |                  padding to 128 bytes                        ...
 *  +---------------------------------------------------------------+
 *  |                  counters metadata buffer                    ...
 *  +---------------------------------------------------------------+
 *  |                   counters values buffer                     ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Threading: created and written by the tracker; any number of read-only readers in any process.
 */
public final class CountersFile implements AutoCloseable
{
    /** File name used inside a data directory. */
    public static final String FILE_NAME = "counters.dat";

    static final int MAGIC = 0x41434B43;
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 128;
    private static final int MAGIC_OFFSET = 0;
    private static final int VERSION_OFFSET = 4;
    private static final int METADATA_LENGTH_OFFSET = 8;
    private static final int VALUES_LENGTH_OFFSET = 12;
    private static final int PID_OFFSET = 16;
    private static final int START_TIME_OFFSET = 24;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final AtomicBuffer metadata;
    private final AtomicBuffer values;
    private final File file;

    private CountersFile(
        final MappedByteBuffer mapped,
        final UnsafeBuffer header,
        final AtomicBuffer metadata,
        final AtomicBuffer values,
        final File file)
    {
        this.mapped = mapped;
        this.header = header;
        this.metadata = metadata;
        this.values = values;
        this.file = file;
    }

    /**
     * Create (or replace) a counters file, owner read/write only.
     *
     * @param file        where.
     * @param maxCounters room for this many counters.
     * @return the mapped file.
     */
    public static CountersFile create(final File file, final int maxCounters)
    {
        final int metadataLength = maxCounters * CountersReader.METADATA_LENGTH;
        final int valuesLength = maxCounters * CountersReader.COUNTER_LENGTH;
        final int length = HEADER_LENGTH + metadataLength + valuesLength;
        try
        {
            Files.deleteIfExists(file.toPath());
            Files.createFile(file.toPath(), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
            try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
            {
                raf.setLength(length);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        final MappedByteBuffer sized = IoUtil.mapExistingFile(file, "counters");
        final UnsafeBuffer header = new UnsafeBuffer(sized, 0, HEADER_LENGTH);
        header.putInt(VERSION_OFFSET, VERSION);
        header.putInt(METADATA_LENGTH_OFFSET, metadataLength);
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_TIME_OFFSET, System.currentTimeMillis());
        header.putIntRelease(MAGIC_OFFSET, MAGIC);
        return new CountersFile(
            sized,
            header,
            new UnsafeBuffer(sized, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(sized, HEADER_LENGTH + metadataLength, valuesLength),
            file);
    }

    /**
     * Counters in heap memory only (no other process can read them).
     *
     * @param maxCounters room for this many counters.
     * @return the buffers.
     */
    public static CountersFile inMemory(final int maxCounters)
    {
        final int metadataLength = maxCounters * CountersReader.METADATA_LENGTH;
        final int valuesLength = maxCounters * CountersReader.COUNTER_LENGTH;
        return new CountersFile(
            null,
            new UnsafeBuffer(new byte[HEADER_LENGTH]),
            new UnsafeBuffer(ByteBuffer.allocateDirect(metadataLength)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(valuesLength)),
            null);
    }

    /**
     * Map an existing counters file read-only, for tools.
     *
     * @param file to map.
     * @return the mapped file.
     * @throws IllegalStateException when it is not an acktracker counters file.
     */
    public static CountersFile openReadOnly(final File file)
    {
        if (file.length() < HEADER_LENGTH)
        {
            throw new IllegalStateException(file + " is not an acktracker counters file (too short)");
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, java.nio.channels.FileChannel.MapMode.READ_ONLY,
            "counters");
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final int metadataLength = header.getInt(METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
        if (header.getIntVolatile(MAGIC_OFFSET) != MAGIC || header.getInt(VERSION_OFFSET) != VERSION ||
            metadataLength < 0 || valuesLength < 0 ||
            (long)HEADER_LENGTH + metadataLength + valuesLength > mapped.capacity())
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException(file + " is not an acktracker counters file (bad header)");
        }
        return new CountersFile(
            mapped,
            header,
            new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength),
            file);
    }

    /**
     * A manager to allocate counters, for the writer.
     *
     * @return a new manager over the buffers.
     */
    public CountersManager newManager()
    {
        return new CountersManager(metadata, values, StandardCharsets.US_ASCII, new SystemEpochClock(), 0);
    }

    /**
     * A reader over the buffers.
     *
     * @return a new reader.
     */
    public CountersReader newReader()
    {
        return new CountersReader(metadata, values, StandardCharsets.US_ASCII);
    }

    /**
     * Process id of the writer.
     *
     * @return the pid, 0 in memory.
     */
    public long pid()
    {
        return header.getLong(PID_OFFSET);
    }

    /**
     * When the writer created the file.
     *
     * @return epoch ms.
     */
    public long startTimeMs()
    {
        return header.getLong(START_TIME_OFFSET);
    }

    /**
     * The file, or null in memory.
     *
     * @return the file.
     */
    public File file()
    {
        return file;
    }

    public void close()
    {
        if (null != mapped)
        {
            IoUtil.unmap(mapped);
        }
    }
}

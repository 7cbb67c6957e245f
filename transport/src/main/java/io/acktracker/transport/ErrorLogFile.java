package io.acktracker.transport;

import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * An Agrona {@link DistinctErrorLog} in a memory-mapped, owner-only file, recreated empty at each start, so
 * {@code acktracker errors} can print it from another process while the writer runs and after it died (Aeron's
 * driver keeps its error log in {@code cnc.dat} the same way). The service keeps the tracker's errors in one
 * ({@link #TRACKER_FILE_NAME}); the transport's are in {@link TransportErrors}.
 * <p>
 * Threading: {@link #onError} from any thread (the log takes a lock only for an error it has not seen before).
 */
public final class ErrorLogFile implements ErrorHandler, AutoCloseable
{
    /** File name of the tracker's (engine's) error log, in a service's data or run directory. */
    public static final String TRACKER_FILE_NAME = "tracker-errors.dat";

    private final MappedByteBuffer mapped;
    private final DistinctErrorLog log;
    private final ErrorHandler next;

    private ErrorLogFile(final MappedByteBuffer mapped, final ErrorHandler next)
    {
        this.mapped = mapped;
        this.log = new DistinctErrorLog(new UnsafeBuffer(mapped), SystemEpochClock.INSTANCE);
        this.next = next;
    }

    /**
     * Create (or replace) an error log file.
     *
     * @param file   where.
     * @param length bytes, a multiple of 8.
     * @param next   told of every error after it is recorded (e.g. a print to standard error), or null.
     * @return the log.
     */
    public static ErrorLogFile create(final Path file, final int length, final ErrorHandler next)
    {
        return new ErrorLogFile(map(file, length), next);
    }

    static MappedByteBuffer map(final Path file, final int length)
    {
        try
        {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                raf.setLength(length);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return IoUtil.mapExistingFile(file.toFile(), file.getFileName().toString());
    }

    /**
     * Record an error (a repeat only bumps its count and last-seen time), then pass it on.
     *
     * @param throwable what was thrown.
     */
    public void onError(final Throwable throwable)
    {
        log.record(throwable);
        if (null != next)
        {
            next.onError(throwable);
        }
    }

    public void close()
    {
        IoUtil.unmap(mapped);
    }
}

package io.acktracker.engine.store;

import io.acktracker.engine.api.TrackerException;
import net.openhft.posix.PosixAPI;

import java.io.File;

/**
 * Reserves the disk blocks of a mapped table file up front, so running out of space is found at open, with a clear
 * error, and never later as a SIGBUS in the agent when it first writes to a page of a sparse file (on a full disk or
 * tmpfs the kernel has no block to give that page; the JVM raises an InternalError for a plain write, and crashes
 * outright for a SIGBUS inside a compare-and-set, such as Chronicle Map's segment locks).
 * <p>
 * Linux {@code fallocate(fd, 0, 0, length)} through OpenHFT's POSIX bindings: mode 0 allocates the holes and leaves
 * every written byte as it is, so it is safe on a table already in use. Where the call is not available (another OS)
 * or the filesystem does not support it, the reservation is skipped and {@link #reserve} says so by returning false;
 * the caller reports that once.
 * <p>
 * Chronicle Map can still grow a file after open (an extra tier when a segment overflows its share): that growth is
 * not reserved here. The pending table, the one written per message, is sized so it does not need one.
 * <p>
 * Threading: any thread; the opener of the data directory, and the journal's helper for each new segment.
 */
public final class FileSpace
{
    private static final int O_RDWR = 2;
    private static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;

    /** {@link #allocate}: this platform has no {@code fallocate} binding (another OS, no native library). */
    public static final int UNAVAILABLE = -1;

    /** {@link #allocate}: the filesystem does not support {@code fallocate} (errno {@code EOPNOTSUPP}). */
    public static final int UNSUPPORTED = EOPNOTSUPP;

    /** {@link #allocate}: not enough space left (errno {@code ENOSPC}). */
    public static final int NO_SPACE = ENOSPC;

    private FileSpace()
    {
    }

    /**
     * Reserve the blocks of a file's whole current length.
     *
     * @param file a table file.
     * @return true when reserved, false when this platform or filesystem cannot reserve (nothing changed).
     * @throws TrackerException when the filesystem has not enough space left, naming the file and the size.
     */
    public static boolean reserve(final File file)
    {
        final long length = file.length();
        if (0 == length)
        {
            return true;
        }
        final int errno = allocate(file, length);
        if (0 == errno)
        {
            return true;
        }
        if (NO_SPACE == errno)
        {
            throw new TrackerException("not enough disk space for " + file + ": it needs " +
                (length + (1 << 20) - 1 >> 20) + " MiB reserved (fallocate: " + describe(errno) + "); " +
                "free space on that filesystem, or open with a smaller capacity");
        }
        if (UNSUPPORTED == errno || UNAVAILABLE == errno)
        {
            return false;
        }
        throw new TrackerException("cannot reserve the space of " + file + " (fallocate: " + describe(errno) + ")");
    }

    /**
     * Allocate the blocks of a file's first {@code length} bytes, growing the file to that length when it is shorter
     * ({@code fallocate(fd, 0, 0, length)}): the bytes not yet written read as zeros, without having been written.
     *
     * @param file   an existing file.
     * @param length bytes to allocate from its start.
     * @return 0 when allocated; {@link #UNAVAILABLE} when this platform cannot; otherwise the errno, such as
     * {@link #NO_SPACE} or {@link #UNSUPPORTED} (nothing was allocated then).
     * @throws TrackerException when the file cannot be opened.
     */
    public static int allocate(final File file, final long length)
    {
        final PosixAPI posix = posix();
        if (null == posix)
        {
            return UNAVAILABLE;
        }
        final int fd = posix.open(file.getPath(), O_RDWR, 0);
        if (fd < 0)
        {
            throw new TrackerException("cannot open " + file + " to reserve its space: " +
                posix.strerror(posix.lastError()));
        }
        try
        {
            return 0 == posix.fallocate(fd, 0, 0, length) ? 0 : posix.lastError();
        }
        finally
        {
            posix.close(fd);
        }
    }

    /**
     * @param errno an error number {@link #allocate} returned.
     * @return the system's text for it.
     */
    public static String describe(final int errno)
    {
        final PosixAPI posix = posix();
        return UNAVAILABLE == errno || null == posix ? "no fallocate on this platform" : posix.strerror(errno);
    }

    private static PosixAPI posix()
    {
        try
        {
            return PosixAPI.posix();
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return null;
        }
    }
}

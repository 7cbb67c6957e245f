package io.acktracker.engine.store;

import io.acktracker.engine.api.TrackerException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may use a data directory: one tracker (exclusive) or, while no tracker holds it, read-only tools (shared),
 * across processes through an fcntl lock on {@code tracker.lock} and inside this JVM through a set of the
 * directories this process holds, keyed by real path.
 * <p>
 * Why the set: on Linux closing <em>any</em> descriptor of a file drops every fcntl lock the process holds on it.
 * A second opener in the same JVM that opened {@code tracker.lock} to try the lock, and closed it on refusal,
 * silently released the first tracker's lock, and another process then ran recovery on live tables. So a directory
 * this process holds is refused from the set, and {@code tracker.lock} is opened only by the one holder.
 * <p>
 * Taking the lock writes nothing: the holder's pid is written by {@link #writeHolder()} once the caller has
 * checked the directory and is about to change it, so a refused open leaves every file as it was.
 * <p>
 * Threading: {@link #exclusive} and {@link #shared} from any thread (the set is concurrent); one instance is used
 * and closed by the thread that took it.
 */
public final class DirectoryLock implements AutoCloseable
{
    private static final Set<Path> HELD_IN_THIS_PROCESS = ConcurrentHashMap.newKeySet();
    /** Channels that must never be closed: closing one would drop a lock another channel of this JVM holds. */
    private static final List<FileChannel> NEVER_CLOSED = new ArrayList<>();

    private final Path dir;
    private final Path realPath;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private DirectoryLock(final Path dir, final Path realPath, final FileChannel channel, final FileLock lock)
    {
        this.dir = dir;
        this.realPath = realPath;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Take a directory for a tracker: refused when this process or another holds it. Creates {@code tracker.lock}
     * (owner-only) when missing, and writes nothing else.
     *
     * @param dir an existing directory.
     * @return the held lock.
     * @throws TrackerException naming the holder's pid when it is in use.
     */
    public static DirectoryLock exclusive(final Path dir)
    {
        return take(dir, false);
    }

    /**
     * Take a directory for reading only: refused when a tracker holds it, in this process or another. Opens
     * {@code tracker.lock} read-only and never creates it; a directory without one is held in this process only.
     *
     * @param dir an existing directory.
     * @return the held lock.
     * @throws TrackerException naming the holder's pid when it is in use.
     */
    public static DirectoryLock shared(final Path dir)
    {
        return take(dir, true);
    }

    private static DirectoryLock take(final Path dir, final boolean shared)
    {
        final Path realPath = claim(dir);
        final Path lockFile = dir.resolve(StoreLayout.LOCK_FILE);
        FileChannel channel = null;
        try
        {
            if (shared && !Files.exists(lockFile))
            {
                return new DirectoryLock(dir, realPath, null, null);
            }
            if (!shared)
            {
                OwnerOnlyFiles.createIfMissing(lockFile);
            }
            channel = shared ? FileChannel.open(lockFile, StandardOpenOption.READ) :
                FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final FileLock lock = tryLock(channel, shared, dir);
            if (null == lock)
            {
                final String holder = holder(channel);
                channel.close();
                throw inUse(dir, holder);
            }
            return new DirectoryLock(dir, realPath, channel, lock);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            HELD_IN_THIS_PROCESS.remove(realPath);
            throw new TrackerException((shared ? "cannot read the lock of data directory " :
                "cannot lock data directory ") + dir + " (" + lockFile + ": " + ex.getMessage() +
                (shared ? "); check its permissions" : "); check its permissions and free space"), ex);
        }
        catch (final RuntimeException ex)
        {
            HELD_IN_THIS_PROCESS.remove(realPath);
            throw ex;
        }
    }

    private static Path claim(final Path dir)
    {
        final Path realPath;
        try
        {
            realPath = dir.toRealPath();
        }
        catch (final IOException ex)
        {
            throw new TrackerException("cannot resolve data directory " + dir + ": " + ex.getMessage(), ex);
        }
        if (!HELD_IN_THIS_PROCESS.add(realPath))
        {
            throw new TrackerException("data directory " + dir + " is already open in this process (in use by pid " +
                ProcessHandle.current().pid() + "); close the tracker that has it open first, or use another " +
                "directory");
        }
        return realPath;
    }

    private static FileLock tryLock(final FileChannel channel, final boolean shared, final Path dir)
        throws IOException
    {
        try
        {
            return channel.tryLock(0, Long.MAX_VALUE, shared);
        }
        catch (final OverlappingFileLockException ex)
        {
            // another channel of this JVM, opened outside this class, holds the lock: closing ours would drop it
            synchronized (NEVER_CLOSED)
            {
                NEVER_CLOSED.add(channel);
            }
            throw new TrackerException("data directory " + dir + " is already open in this process (in use by pid " +
                ProcessHandle.current().pid() + "); close the tracker that has it open first", ex);
        }
    }

    private static TrackerException inUse(final Path dir, final String holder)
    {
        return new TrackerException("data directory " + dir + " is in use by " + holder + " (it holds " +
            StoreLayout.LOCK_FILE + "); stop it first, or use another directory");
    }

    /**
     * The holder named in the lock file, when that process is alive; a tool reading the directory, or a tracker
     * that has not yet written its pid, holds the lock without naming itself.
     */
    private static String holder(final FileChannel channel)
    {
        try
        {
            final ByteBuffer buffer = ByteBuffer.allocate(64);
            final int read = channel.read(buffer, 0);
            final String text = read <= 0 ? "" : new String(buffer.array(), 0, read, StandardCharsets.US_ASCII)
                .strip();
            if (text.startsWith("pid "))
            {
                final long pid = Long.parseLong(text.substring(4).strip());
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                {
                    return "pid " + pid;
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            // fall through: the holder is unnamed
        }
        return "another process (a tool reading it, or a tracker still starting)";
    }

    /**
     * Name this process as the holder in the lock file, for the refusal another opener reads. Exclusive only.
     *
     * @throws TrackerException when the lock file cannot be written.
     */
    public void writeHolder()
    {
        if (null == lock || lock.isShared())
        {
            throw new IllegalStateException("only the exclusive holder names itself");
        }
        try
        {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n")
                .getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new TrackerException("cannot write " + dir.resolve(StoreLayout.LOCK_FILE) + ": " +
                ex.getMessage() + "; check free space", ex);
        }
    }

    /** Release the lock and the directory (idempotent). */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (null != lock && lock.isValid())
            {
                lock.release();
            }
        }
        catch (final IOException ignore)
        {
            // closing the channel releases it anyway
        }
        closeQuietly(channel);
        HELD_IN_THIS_PROCESS.remove(realPath);
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing more to do
            }
        }
    }
}

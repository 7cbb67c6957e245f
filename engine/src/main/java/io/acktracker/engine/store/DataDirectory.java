package io.acktracker.engine.store;

import io.acktracker.engine.api.TrackerException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A tracker's data directory: owner-only permissions, an exclusive lock so only one tracker uses it, and the
 * clean-shutdown marker that tells whether the last stop was clean.
 * <p>
 * The marker is removed while a tracker runs and written back after its tables are closed. Finding files but no
 * marker means the last process died (kill -9, crash, power loss): Chronicle's recovery must run before the tables
 * are used, or a segment lock the dead process held would hang the first write.
 * <p>
 * Threading: the thread that opens and closes the tracker.
 */
public final class DataDirectory implements AutoCloseable
{

    private static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final boolean fresh;
    private final boolean cleanShutdown;

    private DataDirectory(
        final Path dir, final FileChannel lockChannel, final FileLock lock, final boolean fresh, final boolean clean)
    {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.fresh = fresh;
        this.cleanShutdown = clean;
    }

    /**
     * Create (owner-only) or open a data directory and take its lock.
     *
     * @param dir the directory.
     * @return the locked directory.
     * @throws TrackerException when another tracker holds it, or it cannot be created.
     */
    public static DataDirectory open(final Path dir)
    {
        try
        {
            if (!Files.exists(dir))
            {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_PERMISSIONS));
            }
            else if (!Files.isDirectory(dir))
            {
                throw new TrackerException("data directory " + dir + " is a file, not a directory");
            }
            Files.setPosixFilePermissions(dir, DIR_PERMISSIONS);
        }
        catch (final IOException ex)
        {
            throw new TrackerException("cannot create data directory " + dir + ": " + ex.getMessage(), ex);
        }

        final Path lockFile = dir.resolve(StoreLayout.LOCK_FILE);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS));
            FileLock lock = null;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
            if (null == lock)
            {
                final String holder = readHolder(channel);
                channel.close();
                throw new TrackerException("data directory " + dir + " is in use by another tracker" +
                    (holder.isEmpty() ? "" : " (" + holder + ")") + "; stop it first or use another directory");
            }

            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n")
                .getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);

            final boolean fresh = !Files.exists(dir.resolve(StoreLayout.PENDING_FILE));
            final boolean clean = fresh || Files.exists(dir.resolve(StoreLayout.CLEAN_MARKER));
            return new DataDirectory(dir, channel, lock, fresh, clean);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new TrackerException("cannot lock data directory " + dir + ": " + ex.getMessage(), ex);
        }
    }

    private static String readHolder(final FileChannel channel)
    {
        try
        {
            final ByteBuffer buffer = ByteBuffer.allocate(64);
            final int read = channel.read(buffer, 0);
            return read <= 0 ? "" : new String(buffer.array(), 0, read, StandardCharsets.US_ASCII).strip();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    public Path dir()
    {
        return dir;
    }

    /**
     * A file inside the directory.
     *
     * @param name file name.
     * @return its path.
     */
    public Path file(final String name)
    {
        return dir.resolve(name);
    }

    /**
     * Whether the directory held no tables.
     *
     * @return true when new.
     */
    public boolean isFresh()
    {
        return fresh;
    }

    /**
     * Whether the last tracker stopped cleanly (or the directory is new).
     *
     * @return false after a crash: run recovery.
     */
    public boolean wasCleanShutdown()
    {
        return cleanShutdown;
    }

    /** The tracker is about to write: remove the clean marker so a crash from now on is detected. */
    public void markRunning()
    {
        try
        {
            Files.deleteIfExists(dir.resolve(StoreLayout.CLEAN_MARKER));
            fsyncDirectory();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Every table is closed: record the clean stop. The marker is written whole under a temporary name and renamed,
     * so a disk that fills up half way leaves no marker (the next start recovers as after a crash), never an empty
     * one that claims a clean stop.
     *
     * @throws UncheckedIOException when it cannot be written.
     */
    public void markCleanShutdown()
    {
        final Path marker = dir.resolve(StoreLayout.CLEAN_MARKER);
        final Path partial = dir.resolve(StoreLayout.CLEAN_MARKER + ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(partial, Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)))
            {
                channel.write(ByteBuffer.wrap(("clean " + System.currentTimeMillis() + "\n")
                    .getBytes(StandardCharsets.US_ASCII)));
                channel.force(true);
            }
            Files.move(partial, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory();
        }
        catch (final IOException ex)
        {
            try
            {
                Files.deleteIfExists(partial);
            }
            catch (final IOException ignore)
            {
                ex.addSuppressed(ignore);
            }
            throw new UncheckedIOException("cannot record the clean stop in " + marker, ex);
        }
    }

    /**
     * Count this start: read the previous incarnation, store one more (written to a new file, forced, and moved into
     * place) and return it. The first start of a directory is incarnation 1.
     *
     * @return this start's incarnation.
     * @throws TrackerException when the file is unreadable or damaged.
     */
    public long nextIncarnation()
    {
        final Path file = dir.resolve(StoreLayout.INCARNATION_FILE);
        try
        {
            long previous = 0;
            if (Files.exists(file))
            {
                final String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
                try
                {
                    previous = Long.parseLong(text);
                }
                catch (final NumberFormatException ex)
                {
                    throw new TrackerException("incarnation file " + file + " is damaged ('" + text + "'); restore " +
                        "it or write the last known incarnation into it", ex);
                }
            }
            final long incarnation = previous + 1;
            final Path temp = dir.resolve(StoreLayout.INCARNATION_FILE + ".new");
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
                PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)))
            {
                channel.write(ByteBuffer.wrap((incarnation + "\n").getBytes(StandardCharsets.US_ASCII)));
                channel.force(true);
            }
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory();
            return incarnation;
        }
        catch (final IOException ex)
        {
            throw new TrackerException("cannot count this start in " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Record the sizing of the tables when the directory is new, so offline tools can open them the same way.
     *
     * @param capacity          pending capacity.
     * @param tombstoneCapacity tombstone capacity.
     */
    public void recordSizing(final int capacity, final int tombstoneCapacity)
    {
        final Path file = dir.resolve(StoreLayout.PROPERTIES_FILE);
        try
        {
            final java.util.Properties properties = new java.util.Properties();
            if (Files.exists(file))
            {
                try (var in = Files.newInputStream(file))
                {
                    properties.load(in);
                }
            }
            final int known = Integer.parseInt(properties.getProperty("capacity", "0"));
            final int knownTombstones = Integer.parseInt(properties.getProperty("tombstoneCapacity", "0"));
            if (known >= capacity && knownTombstones >= tombstoneCapacity)
            {
                return;
            }
            properties.setProperty("capacity", String.valueOf(Math.max(known, capacity)));
            properties.setProperty("tombstoneCapacity", String.valueOf(Math.max(knownTombstones, tombstoneCapacity)));
            try (var out = Files.newOutputStream(file))
            {
                properties.store(out, "acktracker table sizing");
            }
            Files.setPosixFilePermissions(file, FILE_PERMISSIONS);
        }
        catch (final IOException | NumberFormatException ex)
        {
            throw new TrackerException("cannot record table sizing in " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The sizing recorded by {@link #recordSizing}, or null when none.
     *
     * @param dir data directory.
     * @return {capacity, tombstoneCapacity} or null.
     */
    public static int[] recordedSizing(final Path dir)
    {
        final Path file = dir.resolve(StoreLayout.PROPERTIES_FILE);
        if (!Files.exists(file))
        {
            return null;
        }
        final java.util.Properties properties = new java.util.Properties();
        try (var in = Files.newInputStream(file))
        {
            properties.load(in);
            return new int[]{
                Integer.parseInt(properties.getProperty("capacity", "0")),
                Integer.parseInt(properties.getProperty("tombstoneCapacity", "0")) };
        }
        catch (final IOException | NumberFormatException ex)
        {
            return null;
        }
    }

    /** Restrict every file in the directory to its owner (Chronicle creates its files world-readable). */
    public void secureFiles()
    {
        try (var files = Files.list(dir))
        {
            for (final Path path : (Iterable<Path>)files::iterator)
            {
                if (Files.isRegularFile(path))
                {
                    Files.setPosixFilePermissions(path, FILE_PERMISSIONS);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void fsyncDirectory() throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /**
     * Owner-only file permissions, for files created elsewhere.
     *
     * @return the permission set.
     */
    public static Set<PosixFilePermission> filePermissions()
    {
        return FILE_PERMISSIONS;
    }

    public void close()
    {
        try
        {
            lock.release();
        }
        catch (final IOException ignore)
        {
            // closing the channel releases it anyway
        }
        closeQuietly(lockChannel);
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

package io.acktracker.engine.store;

import io.acktracker.engine.api.TrackerException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;

/**
 * A tracker's data directory: its lock (see {@link DirectoryLock}), the check that a used directory is whole (see
 * {@link StoreCheck}), owner-only files, and the clean-shutdown marker that tells whether the last stop was clean.
 * <p>
 * Opening takes the lock before any file is created, truncated or rewritten, then checks the directory; a refusal
 * (in use, missing or damaged file) writes nothing. Nothing is written until {@link #markRunning()} or one of the
 * writers below is called by the tracker that opened it, which is why a tracker's start goes: open, open the
 * tables, read the registry, then the writers.
 * <p>
 * The marker is removed while a tracker runs and written back after its tables are closed. Finding files but no
 * marker means the last process died (kill -9, crash, power loss): Chronicle's recovery must run before the tables
 * are used, or a segment lock the dead process held would hang the first write.
 * <p>
 * Threading: the thread that opens and closes the tracker.
 */
public final class DataDirectory implements AutoCloseable
{
    private final Path dir;
    private final DirectoryLock lock;
    private final boolean fresh;
    private final boolean cleanShutdown;

    private DataDirectory(final Path dir, final DirectoryLock lock, final boolean fresh, final boolean clean)
    {
        this.dir = dir;
        this.lock = lock;
        this.fresh = fresh;
        this.cleanShutdown = clean;
    }

    /**
     * Create (owner-only) or open a data directory: take its lock, then check a used one is whole.
     *
     * @param dir the directory.
     * @return the locked directory.
     * @throws TrackerException when another tracker holds it (in this process or another), it cannot be created,
     *                          or it has been used and a file is missing or damaged; nothing is changed then.
     */
    public static DataDirectory open(final Path dir)
    {
        try
        {
            if (Files.exists(dir) && !Files.isDirectory(dir))
            {
                throw new TrackerException("data directory " + dir + " is a file, not a directory");
            }
            OwnerOnlyFiles.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new TrackerException("cannot create data directory " + dir + ": " + IoFailures.why(ex), ex);
        }

        final DirectoryLock lock = DirectoryLock.exclusive(dir);
        try
        {
            final boolean fresh = StoreCheck.isBrandNew(dir);
            if (!fresh)
            {
                StoreCheck.requireWhole(dir);
            }
            final boolean clean = fresh || Files.exists(dir.resolve(StoreLayout.CLEAN_MARKER));
            return new DataDirectory(dir, lock, fresh, clean);
        }
        catch (final RuntimeException ex)
        {
            lock.close();
            throw ex;
        }
    }

    /**
     * The directory.
     *
     * @return its path.
     */
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
     * A table's file, created empty and owner-only first in a brand-new directory (Chronicle then makes the map in
     * it, so the file is never world-readable, even after a start that failed half way).
     *
     * @param name file name.
     * @return the file.
     * @throws TrackerException when it cannot be created.
     */
    public File tableFile(final String name)
    {
        final Path file = dir.resolve(name);
        if (fresh)
        {
            try
            {
                OwnerOnlyFiles.createIfMissing(file);
            }
            catch (final IOException ex)
            {
                throw new TrackerException("cannot create " + file + ": " + ex.getMessage(), ex);
            }
        }
        return file.toFile();
    }

    /**
     * The registered destination names: the registry file is created (header only) in a brand-new directory,
     * read and checked in a used one.
     *
     * @return names in id order.
     * @throws TrackerException when the registry is missing or damaged.
     */
    public List<String> loadDestinations()
    {
        final Path file = dir.resolve(StoreLayout.DESTINATIONS_FILE);
        if (fresh && !Files.exists(file))
        {
            DestinationsFile.create(file);
        }
        return DestinationsFile.read(file);
    }

    /**
     * Persist one destination registration (the registry's appender).
     *
     * @param name the new name.
     */
    public void appendDestination(final String name)
    {
        DestinationsFile.append(dir.resolve(StoreLayout.DESTINATIONS_FILE), name);
    }

    /**
     * The kind of store the directory holds: {@link StoreLayout#STORE_TABLES} or {@link StoreLayout#STORE_JOURNAL}
     * as recorded, else as its files say (a journal start records its kind after writing the journal's first
     * frame, so a crash between the two leaves a journal and no table), or null for a directory that holds
     * neither yet.
     *
     * @param dir the directory.
     * @return the kind, or null.
     */
    public static String storeKind(final Path dir)
    {
        final java.util.Properties properties;
        try
        {
            properties = readProperties(dir);
        }
        catch (final IOException ex)
        {
            throw new TrackerException("cannot read " + dir.resolve(StoreLayout.PROPERTIES_FILE) + ": " +
                ex.getMessage(), ex);
        }
        final String recorded = properties.getProperty(StoreLayout.STORE_KEY);
        if (null != recorded)
        {
            return recorded;
        }
        if (Files.exists(dir.resolve(StoreLayout.PENDING_FILE)))
        {
            return StoreLayout.STORE_TABLES;
        }
        return Files.isDirectory(dir.resolve(StoreLayout.JOURNAL_DIRECTORY)) ? StoreLayout.STORE_JOURNAL : null;
    }

    /**
     * Refuse to open a directory with a store of another kind than the configuration asks for.
     *
     * @param expected {@link StoreLayout#STORE_TABLES} or {@link StoreLayout#STORE_JOURNAL}.
     * @throws TrackerException naming both kinds.
     */
    public void requireStoreKind(final String expected)
    {
        final String kind = storeKind(dir);
        if (null != kind && !kind.equals(expected))
        {
            throw new TrackerException("data directory " + dir + " holds a " + kind + " store and this " +
                "configuration asks for a " + expected + " store (TrackerConfig.journal): a directory keeps the " +
                "kind it was created with; use another directory, or the configuration it was created with");
        }
    }

    /**
     * Record the kind of store, once.
     *
     * @param kind {@link StoreLayout#STORE_TABLES} or {@link StoreLayout#STORE_JOURNAL}.
     */
    public void recordStoreKind(final String kind)
    {
        updateProperties(StoreLayout.STORE_KEY, kind);
    }

    /**
     * Whether the directory was brand new (held no table, registry, incarnation or clean marker) when opened.
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

    /**
     * The tracker is about to write: name this process in the lock file, remove the clean marker so a crash from
     * now on is detected, and make every file and the directory owner-only (files an earlier version left
     * world-readable).
     */
    public void markRunning()
    {
        lock.writeHolder();
        try
        {
            Files.deleteIfExists(dir.resolve(StoreLayout.CLEAN_MARKER));
            OwnerOnlyFiles.forceDirectory(dir);
            OwnerOnlyFiles.secure(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Every table is closed: record the clean stop. The marker is written whole under a temporary name and renamed
     * ({@link OwnerOnlyFiles#replace}), so a disk that fills up half way leaves no marker (the next start recovers as after a crash), never an empty
     * one that claims a clean stop.
     *
     * @throws UncheckedIOException when it cannot be written.
     */
    public void markCleanShutdown()
    {
        final Path marker = dir.resolve(StoreLayout.CLEAN_MARKER);
        final Path partial = dir.resolve(StoreLayout.CLEAN_MARKER + ".new");
        try
        {
            OwnerOnlyFiles.replace(marker,
                ("clean " + System.currentTimeMillis() + "\n").getBytes(StandardCharsets.US_ASCII));
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
            OwnerOnlyFiles.replace(file, (incarnation + "\n").getBytes(StandardCharsets.US_ASCII));
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
        try
        {
            final java.util.Properties properties = readProperties(dir);
            final int known = Integer.parseInt(properties.getProperty("capacity", "0"));
            final int knownTombstones = Integer.parseInt(properties.getProperty("tombstoneCapacity", "0"));
            if (known < capacity || knownTombstones < tombstoneCapacity)
            {
                properties.setProperty("capacity", String.valueOf(Math.max(known, capacity)));
                properties.setProperty("tombstoneCapacity",
                    String.valueOf(Math.max(knownTombstones, tombstoneCapacity)));
                writeProperties(properties);
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            throw new TrackerException("cannot record table sizing in " + dir.resolve(StoreLayout.PROPERTIES_FILE) +
                ": " + ex.getMessage(), ex);
        }
    }

    private void updateProperties(final String key, final String value)
    {
        try
        {
            final java.util.Properties properties = readProperties(dir);
            if (!value.equals(properties.getProperty(key)))
            {
                properties.setProperty(key, value);
                writeProperties(properties);
            }
        }
        catch (final IOException ex)
        {
            throw new TrackerException("cannot record " + key + " in " + dir.resolve(StoreLayout.PROPERTIES_FILE) +
                ": " + ex.getMessage(), ex);
        }
    }

    /** The directory's {@link StoreLayout#PROPERTIES_FILE}, empty when there is none. */
    private static java.util.Properties readProperties(final Path dir) throws IOException
    {
        final java.util.Properties properties = new java.util.Properties();
        final Path file = dir.resolve(StoreLayout.PROPERTIES_FILE);
        if (Files.exists(file))
        {
            try (var in = Files.newInputStream(file))
            {
                properties.load(in);
            }
        }
        return properties;
    }

    /** Replace the properties file whole (owner-only, forced, renamed). */
    private void writeProperties(final java.util.Properties properties) throws IOException
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        properties.store(out, "acktracker data directory");
        OwnerOnlyFiles.replace(dir.resolve(StoreLayout.PROPERTIES_FILE), out.toByteArray());
    }

    /**
     * The sizing recorded by {@link #recordSizing}, or null when none.
     *
     * @param dir data directory.
     * @return {capacity, tombstoneCapacity} or null.
     */
    public static int[] recordedSizing(final Path dir)
    {
        if (!Files.exists(dir.resolve(StoreLayout.PROPERTIES_FILE)))
        {
            return null;
        }
        try
        {
            final java.util.Properties properties = readProperties(dir);
            return new int[]{
                Integer.parseInt(properties.getProperty("capacity", "0")),
                Integer.parseInt(properties.getProperty("tombstoneCapacity", "0")) };
        }
        catch (final IOException | NumberFormatException ex)
        {
            return null;
        }
    }

    /**
     * Owner-only file permissions, for files created elsewhere.
     *
     * @return the permission set.
     */
    public static Set<PosixFilePermission> filePermissions()
    {
        return OwnerOnlyFiles.FILE_PERMISSIONS;
    }

    /** Release the lock (idempotent). */
    public void close()
    {
        lock.close();
    }
}

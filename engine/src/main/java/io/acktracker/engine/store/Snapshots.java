package io.acktracker.engine.store;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.TrackerException;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * Consistent snapshots of a tracker's tables, and restoring one into a data directory.
 * <p>
 * A snapshot is taken on the agent thread, so nothing changes while it is written: persisted tables are copied file
 * by file (every write is already in the page cache), in-memory tables are exported entry by entry into new
 * persisted files. The snapshot directory has the same layout as a data directory without the clean-shutdown
 * marker, so a tracker opened on a restored copy runs Chronicle's recovery first, which also clears any lock word
 * a reader held while the file was copied. The agent pauses for the copy: roughly the file size over disk bandwidth.
 */
public final class Snapshots
{
    /** Manifest file name inside a snapshot. */
    public static final String MANIFEST = "snapshot.properties";

    private Snapshots()
    {
    }

    /** Files a snapshot (and a data directory) holds besides the manifest. */

    /**
     * Write a snapshot. Agent thread only.
     *
     * @param target   new directory to create (must not exist or be empty).
     * @param tables   the tracker's tables.
     * @param registry destination registry.
     * @param nowNs    snapshot time for the manifest.
     * @return what was written.
     */
    public static SnapshotInfo take(
        final Path target, final TrackerTables tables, final DestinationRegistry registry, final long nowNs)
    {
        final long startNs = System.nanoTime();
        try
        {
            if (Files.exists(target))
            {
                try (var entries = Files.list(target))
                {
                    if (entries.findAny().isPresent())
                    {
                        throw new TrackerException("snapshot directory " + target + " is not empty");
                    }
                }
            }
            else
            {
                OwnerOnlyFiles.createDirectories(target);
            }

            final long entries = tables.pending().size();
            copyOrExport(tables.pending().file(), target.resolve(StoreLayout.PENDING_FILE),
                tables.pending()::exportTo);
            copyOrExport(tables.streamOffsets().map().file(), target.resolve(StoreLayout.STREAMS_FILE),
                tables.streamOffsets()::exportTo);
            copyOrExport(tables.extras().map().file(), target.resolve(StoreLayout.EXTRAS_FILE),
                tables.extras()::exportTo);
            copyOrExport(tables.deadLetters().map().file(), target.resolve(StoreLayout.DEAD_LETTERS_FILE),
                tables.deadLetters()::exportTo);
            copyOrExport(tables.state().map().file(), target.resolve(StoreLayout.STATE_FILE),
                tables.state()::exportTo);
            DestinationsFile.write(target.resolve(StoreLayout.DESTINATIONS_FILE), registry.names());
            if (null != tables.pending().file())
            {
                final Path secret = tables.pending().file().toPath().resolveSibling(StoreLayout.LEASE_SECRET_FILE);
                if (Files.exists(secret))
                {
                    Files.copy(secret, target.resolve(StoreLayout.LEASE_SECRET_FILE));
                }
            }
            Files.write(target.resolve(MANIFEST), List.of(
                "format=1",
                "entries=" + entries,
                "deadLetters=" + tables.deadLetters().size(),
                "epochNs=" + nowNs,
                "createdMs=" + System.currentTimeMillis()));

            long bytes = 0;
            try (var files = Files.list(target))
            {
                for (final Path file : (Iterable<Path>)files::iterator)
                {
                    Files.setPosixFilePermissions(file, DataDirectory.filePermissions());
                    bytes += Files.size(file);
                }
            }
            return new SnapshotInfo(target, entries, bytes, System.nanoTime() - startNs);
        }
        catch (final IOException ex)
        {
            throw new TrackerException("snapshot to " + target + " failed: " + ex.getMessage(), ex);
        }
    }

    private static void copyOrExport(final File source, final Path target, final Consumer<File> export)
        throws IOException
    {
        if (null != source)
        {
            Files.copy(source.toPath(), target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        else
        {
            export.accept(target.toFile());
        }
    }

    /**
     * Copy a snapshot into a new data directory, ready for a tracker to open (it will run recovery). The directory
     * is locked while the files are copied in, and every file is owner-only from its first byte.
     *
     * @param snapshot snapshot directory.
     * @param dataDir  data directory to create; must be brand new (no table, registry or marker).
     */
    public static void restore(final Path snapshot, final Path dataDir)
    {
        if (!Files.exists(snapshot.resolve(MANIFEST)))
        {
            throw new TrackerException(snapshot + " is not a snapshot (no " + MANIFEST + ")");
        }
        try
        {
            OwnerOnlyFiles.createDirectories(dataDir);
        }
        catch (final IOException ex)
        {
            throw new TrackerException("restore of " + snapshot + " failed: " + ex.getMessage(), ex);
        }
        final DirectoryLock lock = DirectoryLock.exclusive(dataDir);
        try
        {
            if (!StoreCheck.isBrandNew(dataDir))
            {
                throw new TrackerException("data directory " + dataDir + " already holds a tracker's files; " +
                    "restore into a new directory");
            }
            for (final String name : StoreLayout.SNAPSHOT_FILES)
            {
                final Path source = snapshot.resolve(name);
                if (Files.exists(source))
                {
                    OwnerOnlyFiles.copy(source, dataDir.resolve(name));
                }
            }
            OwnerOnlyFiles.forceDirectory(dataDir);
        }
        catch (final IOException ex)
        {
            throw new TrackerException("restore of " + snapshot + " failed: " + ex.getMessage(), ex);
        }
        finally
        {
            lock.close();
        }
    }
}

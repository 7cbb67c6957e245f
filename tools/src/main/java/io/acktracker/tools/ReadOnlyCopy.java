package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.DataDirectory;
import io.acktracker.engine.store.DirectoryLock;
import io.acktracker.engine.store.OwnerOnlyFiles;
import io.acktracker.engine.store.StoreLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A stopped tracker's data directory opened for reading without writing a byte of it: its files are copied into a
 * private temporary directory and a tracker is opened on the copy; closing deletes the copy.
 * <p>
 * Why a copy: Chronicle Map (2026.1) has no read-only open. {@code createPersistedTo} opens every file read-write,
 * maps it read-write and creates or extends a file that is missing or short (an empty table came back as a 50 MB
 * one), and recovery writes into the file; the tracker around it writes the clean marker, the incarnation and the
 * lock. Reading Chronicle's segments through our own read-only mapping would mean re-implementing its layout. A
 * copy costs the tables' size in temporary space and the time to read them once, and lets {@code --recover} run
 * Chronicle's recovery on the copy, leaving the directory exactly as it was.
 * <p>
 * The directory's lock is held shared while the files are copied (a tracker cannot start half way through), then
 * released.
 * <p>
 * Threading: one thread opens, uses and closes it.
 */
final class ReadOnlyCopy implements DataDirs.OfflineTracker
{
    /** What a tracker needs to open the copy as the original was: tables, registry, key, sizing, markers. */
    private static final List<String> FILES_TO_COPY = Stream.concat(StoreLayout.SNAPSHOT_FILES.stream(),
        Stream.of(StoreLayout.PROPERTIES_FILE, StoreLayout.INCARNATION_FILE, StoreLayout.CLEAN_MARKER)).toList();

    private final Path copy;
    private final AckTracker tracker;

    private ReadOnlyCopy(final Path copy, final AckTracker tracker)
    {
        this.copy = copy;
        this.tracker = tracker;
    }

    /**
     * Copy a checked data directory, release its lock, and open a tracker on the copy.
     *
     * @param dir  the data directory, checked by the caller.
     * @param lock its lock, held shared by the caller; released here once the files are copied.
     * @return the open copy.
     * @throws TrackerException when it cannot be copied or opened.
     */
    static ReadOnlyCopy open(final Path dir, final DirectoryLock lock)
    {
        final int[] sizing = DataDirectory.recordedSizing(dir);
        Path copy = null;
        try (lock)
        {
            copy = Files.createTempDirectory("acktracker-read-only-");
            OwnerOnlyFiles.secure(copy);
            for (final String name : FILES_TO_COPY)
            {
                final Path source = dir.resolve(name);
                if (Files.exists(source))
                {
                    OwnerOnlyFiles.copy(source, copy.resolve(name));
                }
            }
        }
        catch (final IOException ex)
        {
            deleteQuietly(copy);
            throw new TrackerException("cannot copy " + dir + " to read it (" + ex.getMessage() + "); free " +
                "temporary space (java.io.tmpdir) for a copy of its tables", ex);
        }

        final TrackerConfig config = new TrackerConfig()
            .name("acktracker-tool")
            .dataDir(copy)
            .errorHandler((ex) -> { })
            .notices((line) -> { });
        if (null != sizing && sizing[0] > 0)
        {
            config.capacity(sizing[0]).tombstoneCapacity(sizing[1]);
        }
        try
        {
            return new ReadOnlyCopy(copy, AckTracker.open(config));
        }
        catch (final RuntimeException ex)
        {
            deleteQuietly(copy);
            throw ex;
        }
    }

    /**
     * The tracker opened on the copy.
     *
     * @return the tracker; the host drives it.
     */
    public AckTracker tracker()
    {
        return tracker;
    }

    /** Close the tracker and delete the copy. */
    public void close()
    {
        try
        {
            tracker.close();
        }
        finally
        {
            deleteQuietly(copy);
        }
    }

    private static void deleteQuietly(final Path dir)
    {
        if (null == dir)
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach((path) ->
            {
                try
                {
                    Files.deleteIfExists(path);
                }
                catch (final IOException ignore)
                {
                    // a temporary file left behind is no harm to the data directory
                }
            });
        }
        catch (final IOException ignore)
        {
            // as above
        }
    }
}

package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.DataDirectory;
import io.acktracker.engine.store.StoreLayout;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opening a tracker's data directory from a tool: checks that speak to a person (missing directory, not a data
 * directory, in use by a running tracker, not shut down cleanly) before anything is touched.
 */
final class DataDirs
{
    private DataDirs()
    {
    }

    /**
     * Check a data directory exists and holds tables.
     *
     * @param dir the directory.
     * @throws TrackerException with a clear message otherwise.
     */
    static void requireDataDir(final Path dir)
    {
        if (!Files.exists(dir))
        {
            throw new TrackerException("no such data directory: " + dir);
        }
        if (!Files.isDirectory(dir))
        {
            throw new TrackerException(dir + " is a file, not a data directory");
        }
        if (!Files.exists(dir.resolve(StoreLayout.PENDING_FILE)))
        {
            throw new TrackerException(dir + " is not an acktracker data directory (no " +
                StoreLayout.PENDING_FILE + ")");
        }
    }

    /**
     * Open a tracker on a data directory without running it, sized as it was created.
     *
     * @param dir     the directory.
     * @param recover whether to accept an unclean directory (Chronicle's recovery runs).
     * @return the tracker; the caller drives and closes it.
     */
    static AckTracker openTracker(final Path dir, final boolean recover)
    {
        requireDataDir(dir);
        if (!recover && !Files.exists(dir.resolve(StoreLayout.CLEAN_MARKER)))
        {
            throw new TrackerException(dir + " was not shut down cleanly (or a tracker is running on it); " +
                "start the tracker on it, or pass --recover to run Chronicle's recovery now");
        }
        final int[] sizing = DataDirectory.recordedSizing(dir);
        final TrackerConfig config = new TrackerConfig()
            .name("acktracker-tool")
            .dataDir(dir)
            .countersFile(dir.resolve("tool-counters.dat"))
            .errorHandler((ex) -> { });
        if (null != sizing && sizing[0] > 0)
        {
            config.capacity(sizing[0]).tombstoneCapacity(sizing[1]);
        }
        final AckTracker tracker = AckTracker.open(config);
        try
        {
            Files.deleteIfExists(dir.resolve("tool-counters.dat"));
        }
        catch (final java.io.IOException ignore)
        {
            // only a scratch file
        }
        return tracker;
    }
}

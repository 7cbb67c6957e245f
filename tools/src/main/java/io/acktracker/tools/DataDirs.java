package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.DataDirectory;
import io.acktracker.engine.store.DirectoryLock;
import io.acktracker.engine.store.StoreCheck;
import io.acktracker.engine.store.StoreLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opening a stopped tracker's data directory from a tool, with checks that speak to a person, in this order: a
 * missing directory; a journal store (refused: see {@link #refuseJournalStore}); in use by a running tracker (this process or another, named by pid) before anything else;
 * not a data directory; a missing or damaged file; not shut down cleanly. Readers ({@code inspect}, {@code dlq
 * list|peek|stats}) get a private copy and never write to the directory; the commands that change dead letters
 * offline ({@code dlq replay|delete}) open it in place as a tracker would, lock and all.
 * <p>
 * Threading: the command's thread.
 */
final class DataDirs
{
    /** A tracker a tool drives offline; closing it releases what it holds. */
    interface OfflineTracker extends AutoCloseable
    {
        /**
         * The tracker, driven by the tool's thread.
         *
         * @return the tracker.
         */
        AckTracker tracker();

        /** Close the tracker and release what it holds. */
        void close();
    }

    private DataDirs()
    {
    }

    /**
     * Open a data directory for reading only: nothing in it is created, written, truncated or renamed.
     *
     * @param dir     the directory.
     * @param recover whether to accept an unclean directory (Chronicle's recovery runs on the copy).
     * @return the tracker on a private copy.
     * @throws TrackerException with a clear message when it cannot be read.
     */
    static OfflineTracker openReadOnly(final Path dir, final boolean recover)
    {
        requireDirectory(dir);
        refuseJournalStore(dir);
        final DirectoryLock lock = DirectoryLock.shared(dir);
        try
        {
            requireUsable(dir, recover, Files.exists(dir.resolve(StoreLayout.CLEAN_MARKER)));
        }
        catch (final RuntimeException ex)
        {
            lock.close();
            throw ex;
        }
        return ReadOnlyCopy.open(dir, lock);
    }

    /**
     * Open a data directory in place to change it (offline dead-letter replay and delete), as a tracker would.
     *
     * @param dir     the directory.
     * @param recover whether to accept an unclean directory (Chronicle's recovery runs on it).
     * @return the tracker; its counters go to a temporary file, not the directory's.
     * @throws TrackerException with a clear message when it cannot be opened.
     */
    static OfflineTracker openInPlace(final Path dir, final boolean recover)
    {
        requireDirectory(dir);
        refuseJournalStore(dir);
        DirectoryLock.shared(dir).close();
        requireDataDir(dir);
        final DataDirectory directory = DataDirectory.open(dir);
        Path counters = null;
        try
        {
            requireUsable(dir, recover, directory.wasCleanShutdown());
            counters = Files.createTempFile("acktracker-tool-counters-", ".dat");
            final TrackerConfig config = new TrackerConfig()
                .name("acktracker-tool")
                .countersFile(counters)
                .errorHandler((ex) -> { })
                .notices((line) -> { });
            final int[] sizing = DataDirectory.recordedSizing(dir);
            if (null != sizing && sizing[0] > 0)
            {
                config.capacity(sizing[0]).tombstoneCapacity(sizing[1]);
            }
            final AckTracker tracker = AckTracker.open(config, directory);
            final Path countersFile = counters;
            return new OfflineTracker()
            {
                public AckTracker tracker()
                {
                    return tracker;
                }

                public void close()
                {
                    try
                    {
                        tracker.close();
                    }
                    finally
                    {
                        directory.close();
                        deleteQuietly(countersFile);
                    }
                }
            };
        }
        catch (final IOException ex)
        {
            directory.close();
            throw new TrackerException("cannot create a temporary counters file: " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            directory.close();
            deleteQuietly(counters);
            throw ex;
        }
    }

    private static void requireDirectory(final Path dir)
    {
        if (!Files.exists(dir))
        {
            throw new TrackerException("no such data directory: " + dir);
        }
        if (!Files.isDirectory(dir))
        {
            throw new TrackerException(dir + " is a file, not a data directory");
        }
    }

    /**
     * Refuse a journal store before anything else is looked at or opened. Its state is not in tables a copy could
     * open: it is the newest checkpoint plus every journal frame after it, replayed by a tracker started with the
     * settings recorded in the journal's genesis frame (a start with others is refused). The checkpoint alone is
     * stale by the journal's tail, and the tools know neither the service's settings nor (for replay and delete) how
     * to append to its journal; so they send the reader to the service, which has it all.
     */
    private static void refuseJournalStore(final Path dir)
    {
        if (StoreLayout.STORE_JOURNAL.equals(DataDirectory.storeKind(dir)))
        {
            throw new TrackerException(dir + " holds a journal store (a checkpoint plus the journal after it, " +
                "replayed with the service's own settings), which the offline tools cannot read: start the service " +
                "on it (acktracker run with its config) and ask it: acktracker stat|dlq --aeron-dir DIR, or its " +
                "HTTP /stats");
        }
    }

    private static void requireDataDir(final Path dir)
    {
        if (StoreCheck.isBrandNew(dir))
        {
            throw new TrackerException(dir + " is not an acktracker data directory (no " +
                StoreLayout.PENDING_FILE + ")");
        }
    }

    private static void requireUsable(final Path dir, final boolean recover, final boolean clean)
    {
        requireDataDir(dir);
        StoreCheck.requireWhole(dir);
        if (!recover && !clean)
        {
            throw new TrackerException(dir + " was not shut down cleanly; start the tracker on it, or pass " +
                "--recover to run Chronicle's recovery now");
        }
    }

    private static void deleteQuietly(final Path file)
    {
        if (null != file)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ignore)
            {
                // only a scratch file
            }
        }
    }
}

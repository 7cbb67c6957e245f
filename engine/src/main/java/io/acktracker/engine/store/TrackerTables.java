package io.acktracker.engine.store;

import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import org.agrona.CloseHelper;

import java.io.File;


/**
 * The Chronicle Map tables a tracker keeps, opened together (persisted in a data directory or in memory).
 *
 * @param pending       pending records and tombstones.
 * @param streamOffsets cumulative offsets per stream and destination.
 * @param extras        metadata and attempt history of pending messages.
 * @param deadLetters   the dead-letter queues.
 * @param state         circuit states and dead-letter totals.
 */
public record TrackerTables(
    PendingTable pending,
    StreamOffsetTable streamOffsets,
    BlobTable extras,
    BlobTable deadLetters,
    LongLongTable state) implements AutoCloseable
{
    /**
     * Open every table, sized by the {@link StoreLayout}: in a data directory, or in memory.
     *
     * @param dir     the data directory, or null for memory only.
     * @param config  concluded configuration.
     * @param recover run Chronicle's recovery first (after an unclean stop).
     * @return the tables.
     * @throws TrackerException naming the file when one cannot be opened.
     */
    public static TrackerTables open(final DataDirectory dir, final TrackerConfig config, final boolean recover)
    {
        PendingTable pending = null;
        StreamOffsetTable streams = null;
        BlobTable extras = null;
        BlobTable deadLetters = null;
        LongLongTable state = null;
        String current = StoreLayout.PENDING_FILE;
        try
        {
            final long entries = StoreLayout.pendingEntries(config);
            pending = null == dir ? PendingTable.inMemory(entries) :
                PendingTable.persisted(file(dir, current), entries, recover);
            current = StoreLayout.STREAMS_FILE;
            streams = StreamOffsetTable.open(file(dir, current), StoreLayout.STREAM_OFFSET_ENTRIES, recover);
            current = StoreLayout.EXTRAS_FILE;
            extras = BlobTable.open("acktracker-extras", file(dir, current), StoreLayout.extrasEntries(config),
                StoreLayout.extrasAverageBytes(config), recover);
            current = StoreLayout.DEAD_LETTERS_FILE;
            deadLetters = BlobTable.open("acktracker-dlq", file(dir, current), StoreLayout.deadLetterEntries(config),
                StoreLayout.deadLetterAverageBytes(config), recover);
            current = StoreLayout.STATE_FILE;
            state = LongLongTable.open("acktracker-state", file(dir, current), StoreLayout.STATE_ENTRIES, recover);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(pending, streams, extras, deadLetters, state);
            if (null == dir)
            {
                throw ex;
            }
            if (isOutOfSpace(ex))
            {
                throw new TrackerException("not enough disk space for " + dir.file(current) + " (" +
                    rootMessage(ex) + "): free space on that filesystem, or open with a smaller capacity", ex);
            }
            throw new TrackerException("cannot open " + dir.file(current) + (recover ? " (recovering after an " +
                "unclean stop)" : "") + ": the file is corrupt, truncated or from another version (" +
                ex.getMessage() + "); restore a snapshot or move the data directory aside", ex);
        }
        final TrackerTables tables = new TrackerTables(pending, streams, extras, deadLetters, state);
        if (null != dir)
        {
            try
            {
                for (final String name : StoreLayout.TABLE_FILES)
                {
                    FileSpace.reserve(dir.file(name).toFile());
                }
            }
            catch (final RuntimeException ex)
            {
                tables.close();
                throw ex;
            }
        }
        return tables;
    }

    private static boolean isOutOfSpace(final Throwable ex)
    {
        final String message = rootMessage(ex);
        return message.contains("No space left") || message.contains("Not enough space");
    }

    private static String rootMessage(final Throwable ex)
    {
        Throwable root = ex;
        while (null != root.getCause() && root.getCause() != root)
        {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    private static File file(final DataDirectory dir, final String name)
    {
        return null == dir ? null : dir.tableFile(name);
    }

    /**
     * What the tables take, all reserved at open whatever the load: Chronicle Map sizes every table for its entries
     * up front.
     *
     * @return bytes of off-heap memory (in memory) or of mapped files (in a data directory).
     */
    public long reservedBytes()
    {
        return pending.map().offHeapMemoryUsed() + streamOffsets.map().offHeapMemoryUsed() +
            extras.map().offHeapMemoryUsed() + deadLetters.map().offHeapMemoryUsed() +
            state.map().offHeapMemoryUsed();
    }

    /** Close every table (quietly, each one even if another fails). */
    public void close()
    {
        CloseHelper.quietCloseAll(pending, streamOffsets, extras, deadLetters, state);
    }

    /** Flush every persisted table to disk (msync). Any thread. */
    public void sync()
    {
        pending.sync();
        streamOffsets.sync();
        extras.sync();
        deadLetters.sync();
        state.sync();
    }
}

package io.acktracker.engine.store;

import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.record.PendingRecord;

import java.util.List;

/**
 * Where a tracker keeps its state and how big each table is: every file name in a data directory and every sizing
 * rule, in one place. Offline tools and snapshots use the same names and rules as the tracker.
 * <pre>
 * data directory (0700, every file 0600)
 *   pending.cmap        pending records and tombstones     capacity + tombstone capacity entries, 224-byte values
 *   streams.cmap        cumulative offsets                 4,096 (stream, destination) pairs
 *   extras.cmap         metadata and attempt history       a quarter of the records, grows by tiers
 *   dlq.cmap            dead letters                       a quarter of one queue's capacity, grows by tiers
 *   state.cmap          circuit states, dead-letter totals 1,024 keys
 *   destinations.txt    the destination registry           a header line, then one name per line (id = order)
 *   lease.key           the receipt-handle MAC key         16 bytes
 *   tracker.properties  the sizing the tables were made with
 *   incarnation         how many times a tracker started here
 *   tracker.lock        held while a tracker has the directory open
 *   clean-shutdown      present after a clean stop
 * </pre>
 * Threading: constants and pure functions; any thread.
 */
public final class StoreLayout
{
    /** Pending records and tombstones. */
    public static final String PENDING_FILE = "pending.cmap";
    /** Cumulative offsets per stream and destination. */
    public static final String STREAMS_FILE = "streams.cmap";
    /** Metadata and attempt history of pending messages. */
    public static final String EXTRAS_FILE = "extras.cmap";
    /** The dead-letter queues. */
    public static final String DEAD_LETTERS_FILE = "dlq.cmap";
    /** Circuit states and dead-letter totals. */
    public static final String STATE_FILE = "state.cmap";
    /** Destination names, one a line, in id order. */
    public static final String DESTINATIONS_FILE = "destinations.txt";
    /** The secret that keys receipt-handle MACs. */
    public static final String LEASE_SECRET_FILE = "lease.key";
    /** Store kind and table sizing. */
    public static final String PROPERTIES_FILE = "tracker.properties";
    /** How many times the tracker has opened this directory. */
    public static final String INCARNATION_FILE = "incarnation";
    /** Held while a tracker has the directory open. */
    public static final String LOCK_FILE = "tracker.lock";
    /** Present only after a clean stop. */
    public static final String CLEAN_MARKER = "clean-shutdown";
    /** The command journal's directory (a journal store). */
    public static final String JOURNAL_DIRECTORY = "journal";
    /** Kind of store: records written in place in the table files. */
    public static final String STORE_TABLES = "tables";
    /** Kind of store: a command journal replayed at each start; the tables live in memory. */
    public static final String STORE_JOURNAL = "journal";
    /** Key of the store kind in {@link #PROPERTIES_FILE}. */
    public static final String STORE_KEY = "store";

    /** The Chronicle Map tables: each required in a directory that has been used, and each one's space reserved at
     * open ({@link FileSpace}). */
    public static final List<String> TABLE_FILES = List.of(PENDING_FILE, STREAMS_FILE, EXTRAS_FILE,
        DEAD_LETTERS_FILE, STATE_FILE);

    /** The files a snapshot copies and a restore puts back. */
    public static final List<String> SNAPSHOT_FILES = List.of(PENDING_FILE, STREAMS_FILE, EXTRAS_FILE,
        DEAD_LETTERS_FILE, STATE_FILE, DESTINATIONS_FILE, LEASE_SECRET_FILE);

    /** (Stream, destination) pairs the offsets table is sized for. */
    public static final int STREAM_OFFSET_ENTRIES = 4096;
    /** Keys the state table is sized for. */
    public static final int STATE_ENTRIES = 1024;

    private StoreLayout()
    {
    }

    /**
     * Entries of the pending table: every pending record and every tombstone.
     *
     * @param config concluded configuration.
     * @return the count.
     */
    public static long pendingEntries(final TrackerConfig config)
    {
        return (long)config.capacity() + config.tombstoneCapacity();
    }

    /**
     * Entries the extras table is created for: a quarter of the records (only those with metadata or a history
     * have one; Chronicle adds tiers beyond).
     *
     * @param config concluded configuration.
     * @return the count.
     */
    public static long extrasEntries(final TrackerConfig config)
    {
        return Math.max(1024, pendingEntries(config) / 4);
    }

    /**
     * Average size of an extras entry: the empty layout, some history, half the longest metadata.
     *
     * @param config concluded configuration.
     * @return bytes.
     */
    public static int extrasAverageBytes(final TrackerConfig config)
    {
        return Extras.EMPTY_LENGTH + 64 + config.maxMetadataLength() / 2;
    }

    /**
     * Entries the dead-letter table is created for: a quarter of one queue's capacity, because Chronicle adds
     * tiers as dead letters accumulate (up to eight times this), so a tracker that rarely dead-letters does not pay
     * the whole file up front.
     *
     * @param config concluded configuration.
     * @return the count.
     */
    public static long deadLetterEntries(final TrackerConfig config)
    {
        return Math.min(Math.max(1024, config.dlqCapacity() / 4), 10_000_000);
    }

    /**
     * Average size of a dead letter: the final record followed by its extras.
     *
     * @param config concluded configuration.
     * @return bytes.
     */
    public static int deadLetterAverageBytes(final TrackerConfig config)
    {
        return PendingRecord.LENGTH + extrasAverageBytes(config);
    }
}

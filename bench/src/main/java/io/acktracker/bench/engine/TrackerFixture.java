package io.acktracker.bench.engine;

import io.acktracker.bench.support.TempDirs;
import io.acktracker.engine.AckTracker;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackerConfig;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A host-driven tracker for the engine benchmarks, in memory or persisted to a scratch directory that
 * {@link #close()} deletes.
 * <p>
 * The defaults keep the measured path pure: timeouts long enough (1 h ack timeout, 2 h TTL) that no deadline fires
 * during a run, no tombstones ({@code tombstoneWindowNs(0)}: a finished entry is removed at once), three destinations
 * {@code a, b, c}. Single thread: the benchmark thread is the agent thread.
 */
public final class TrackerFixture implements AutoCloseable
{
    /** Ack timeout that never fires during a run. */
    public static final long LONG_ACK_TIMEOUT_NS = TimeUnit.HOURS.toNanos(1);
    /** TTL that never fires during a run. */
    public static final long LONG_TTL_NS = TimeUnit.HOURS.toNanos(2);

    /** Where the pending table lives. */
    public enum Store
    {
        /** Off-heap Chronicle Map in memory only. */
        memory,
        /** Chronicle Map persisted to a file in a scratch directory, records written in place. */
        persisted,
        /** Tables in memory, every command appended to the command journal in a scratch directory. */
        journal
    }

    private final AckTracker tracker;
    private final TrackerAgent agent;
    private final Path dataDir;
    private final int[] destinations = new int[3];
    private final long allDestinations;

    private TrackerFixture(final AckTracker tracker, final Path dataDir)
    {
        this.tracker = tracker;
        this.agent = tracker.agent();
        this.dataDir = dataDir;
        destinations[0] = tracker.destination("a");
        destinations[1] = tracker.destination("b");
        destinations[2] = tracker.destination("c");
        allDestinations = DestinationRegistry.mask(destinations);
    }

    /**
     * A configuration with the benchmark defaults.
     *
     * @param capacity most pending messages.
     * @return the configuration, to adjust further.
     */
    public static TrackerConfig config(final int capacity)
    {
        return new TrackerConfig()
            .name("bench")
            .capacity(capacity)
            .tombstoneCapacity(0)
            .tombstoneWindowNs(0)
            .defaultAckTimeoutNs(LONG_ACK_TIMEOUT_NS)
            .defaultTtlNs(LONG_TTL_NS)
            .destinations("a", "b", "c")
            .randomSeed(42)
            .errorHandler((ex) -> ex.printStackTrace(System.err));
    }

    /**
     * Open a tracker on a configuration; a persisted store gets a fresh scratch directory.
     *
     * @param store  memory, persisted or journal.
     * @param config configuration; its data directory is set here.
     * @return the fixture.
     */
    public static TrackerFixture open(final Store store, final TrackerConfig config)
    {
        final Path dir = Store.memory != store ? TempDirs.create("acktracker-bench-") : null;
        try
        {
            return new TrackerFixture(AckTracker.open(config.dataDir(dir).journal(Store.journal == store)), dir);
        }
        catch (final RuntimeException ex)
        {
            TempDirs.delete(dir);
            throw ex;
        }
    }

    /**
     * Reopen an existing data directory (recovery benchmarks); {@link #close()} deletes it.
     *
     * @param config  configuration whose data directory is set.
     * @return the fixture.
     */
    public static TrackerFixture reopen(final TrackerConfig config)
    {
        return new TrackerFixture(AckTracker.open(config), config.dataDir());
    }

    public AckTracker tracker()
    {
        return tracker;
    }

    public TrackerAgent agent()
    {
        return agent;
    }

    /**
     * Destination id of {@code a}, {@code b} or {@code c}.
     *
     * @param index 0, 1 or 2.
     * @return the registry id.
     */
    public int destination(final int index)
    {
        return destinations[index];
    }

    /**
     * Mask of the first {@code count} destinations.
     *
     * @param count 1 to 3.
     * @return the bitset.
     */
    public long mask(final int count)
    {
        return 3 == count ? allDestinations : DestinationRegistry.mask(java.util.Arrays.copyOf(destinations, count));
    }

    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * Track messages {@code firstId .. firstId + count - 1}, failing loudly on any refusal.
     *
     * @param firstId      first id.
     * @param count        how many.
     * @param mask         destinations.
     * @param requiredAcks quorum, 0 for all.
     */
    public void trackRange(final long firstId, final int count, final long mask, final int requiredAcks)
    {
        for (int i = 0; i < count; i++)
        {
            expect(Result.OK, agent.track(firstId + i, mask, requiredAcks, 0, 0), firstId + i);
            if ((i & 4095) == 0)
            {
                agent.doWork();
            }
        }
        agent.doWork();
    }

    /**
     * Close the tracker and delete its scratch directory (only for a persisted store).
     */
    public void close()
    {
        tracker.close();
        TempDirs.delete(dataDir);
    }

    /**
     * Close the tracker, keeping its data directory.
     */
    public void closeKeepingData()
    {
        tracker.close();
    }

    /**
     * Fail when a result is not the expected one: a benchmark that measures refusals is measuring the wrong thing.
     *
     * @param expected result.
     * @param actual   result.
     * @param id       message id, for the message.
     */
    public static void expect(final Result expected, final Result actual, final long id)
    {
        if (expected != actual)
        {
            throw new IllegalStateException("message " + id + ": expected " + expected + " but was " + actual);
        }
    }
}

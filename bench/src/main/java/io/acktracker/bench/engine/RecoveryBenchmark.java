package io.acktracker.bench.engine;

import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.store.StoreLayout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Time to reopen a persisted tracker holding {@code pending} pending messages, until it is ready to serve: open the
 * data directory, map the Chronicle Map file, rebuild the id index, the deadline index and counters from it.
 * <ul>
 *     <li>{@code clean}: the previous stop was clean (the marker is there): Chronicle opens the file as is;</li>
 *     <li>{@code crash}: the marker {@value DataDirectory#CLEAN_MARKER} is deleted first, as after a kill -9, so the
 *     tracker runs Chronicle's {@code recoverPersistedTo} over the whole file before rebuilding.</li>
 * </ul>
 * With {@code store=journal} the tables are in memory and the start replays the command journal from its first
 * frame: {@code pending} tracks and as many acks (run it with {@code -p stop=clean}; the stop makes no difference;
 * the closing checkpoint is turned off, so this is the replay of the whole journal: {@code CheckpointPauseMain}
 * measures a start from a checkpoint).
 * The files are in the page cache (just written): this is a warm reopen, not a cold read from disk. The data
 * set is built once per trial; each invocation reopens it and closes it again outside the measurement.
 * <p>
 * Single thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
public class RecoveryBenchmark
{
    /** Pending messages in the data directory. */
    @Param({ "1000000" })
    public int pending;

    /** Whether the last stop was clean or looks like a crash (the journal replays the same either way). */
    @Param({ "clean", "crash" })
    public String stop;

    /** Records in place in table files, or a command journal replayed from its first frame. */
    @Param({ "persisted", "journal" })
    public TrackerFixture.Store store;

    /** The order of the acks in the data set: by id, or shuffled (as acks arrive; the replay then misses per ack). */
    @Param({ "sequential" })
    public String ackOrder = "sequential";

    private TrackerConfig config;
    private Path dataDir;
    private TrackerFixture reopened;

    /**
     * Build the data set: track {@code pending} messages (three destinations, quorum two, one ack each recorded)
     * and close cleanly.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        if (!"clean".equals(stop) && !"crash".equals(stop))
        {
            throw new IllegalArgumentException("stop must be clean or crash: " + stop);
        }
        if (TrackerFixture.Store.memory == store)
        {
            throw new IllegalArgumentException("recovery needs a store on disk: persisted or journal");
        }
        final TrackerFixture fixture = TrackerFixture.open(store,
            TrackerFixture.config(pending).recordServiceTime(false).checkpointAtClose(false));
        dataDir = fixture.dataDir();
        fixture.trackRange(0, pending, fixture.mask(3), 2);
        final int[] order = new int[pending];
        for (int i = 0; i < pending; i++)
        {
            order[i] = i;
        }
        if ("random".equals(ackOrder))
        {
            final java.util.Random random = new java.util.Random(42);
            for (int i = pending - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
        }
        else if (!"sequential".equals(ackOrder))
        {
            throw new IllegalArgumentException("ackOrder must be sequential or random: " + ackOrder);
        }
        for (final int i : order)
        {
            fixture.agent().recordAck(i, fixture.destination(i % 3));
        }
        fixture.closeKeepingData();
        System.out.printf("data set: %,d pending, %s holds %,d MiB on disk%n", pending, dataDir,
            io.acktracker.bench.support.TempDirs.sizeOf(dataDir) >> 20);
    }

    /**
     * Simulate the crash when asked to.
     */
    @Setup(Level.Invocation)
    public void beforeReopen()
    {
        config = TrackerFixture.config(pending).recordServiceTime(false).checkpointAtClose(false).dataDir(dataDir)
            .journal(TrackerFixture.Store.journal == store);
        if ("crash".equals(stop) && TrackerFixture.Store.persisted == store)
        {
            try
            {
                Files.delete(dataDir.resolve(StoreLayout.CLEAN_MARKER));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    /**
     * Close the reopened tracker (writes the clean marker again) and check it recovered everything.
     */
    @TearDown(Level.Invocation)
    public void afterReopen()
    {
        final int recovered = reopened.agent().pendingCount();
        reopened.closeKeepingData();
        reopened = null;
        if (recovered != pending)
        {
            throw new IllegalStateException("recovered " + recovered + " of " + pending);
        }
    }

    /**
     * Delete the data set.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        io.acktracker.bench.support.TempDirs.delete(dataDir);
    }

    /**
     * Reopen the data directory.
     *
     * @return the pending count recovered.
     */
    @Benchmark
    public int reopen()
    {
        reopened = TrackerFixture.reopen(config);
        return reopened.agent().pendingCount();
    }
}

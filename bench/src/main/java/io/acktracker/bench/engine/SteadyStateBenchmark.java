package io.acktracker.bench.engine;

import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.Result;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Steady state on one thread: {@code pending} messages are tracked; each operation picks a pending message at random
 * (not oldest first, which would flatter the caches), acks it to completion and tracks a new id in its place, so the
 * table stays at {@code pending}.
 * <ul>
 *     <li>{@code 1}: one destination, one ack completes;</li>
 *     <li>{@code 3q2}: three destinations, quorum two: two acks (a random two of the three) complete.</li>
 * </ul>
 * One operation = the completing ack(s) + one track, plus one {@code doWork()} duty cycle every 128 operations (what
 * a host-driven agent does between commands). No deadline fires (1 h timeouts); finished entries are removed at
 * once ({@code tombstoneWindowNs(0)}). Service-time recording is off: JMH is the clock here.
 * <p>
 * Agent thread = the JMH thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
public class SteadyStateBenchmark
{
    /** Pending messages held throughout. */
    @Param({ "100000", "1000000" })
    public int pending;

    /** {@code 1} destination, or {@code 3q2}: three destinations with quorum two. */
    @Param({ "1", "3q2" })
    public String destinations;

    /** In-memory or persisted pending table, or tables in memory and a command journal. */
    @Param({ "memory", "persisted", "journal" })
    public TrackerFixture.Store store;

    private TrackerFixture fixture;
    private TrackerAgent agent;
    private long[] ids;
    private long nextId;
    private long mask;
    private int requiredAcks;
    private boolean quorum;
    private final int[] destinationIds = new int[3];
    private final SplittableRandom random = new SplittableRandom(42);
    private int operations;

    /**
     * Open the tracker and track {@code pending} messages.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        quorum = "3q2".equals(destinations);
        if (!quorum && !"1".equals(destinations))
        {
            throw new IllegalArgumentException("destinations must be 1 or 3q2: " + destinations);
        }
        fixture = TrackerFixture.open(store, TrackerFixture.config(pending + 1024).recordServiceTime(false));
        agent = fixture.agent();
        for (int i = 0; i < 3; i++)
        {
            destinationIds[i] = fixture.destination(i);
        }
        mask = fixture.mask(quorum ? 3 : 1);
        requiredAcks = quorum ? 2 : 1;

        ids = new long[pending];
        for (int i = 0; i < pending; i++)
        {
            ids[i] = i;
        }
        fixture.trackRange(0, pending, mask, requiredAcks);
        nextId = pending;
    }

    /**
     * Close the tracker and delete its files; check nothing leaked.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        final int stillPending = agent.pendingCount();
        fixture.close();
        if (stillPending != pending)
        {
            throw new IllegalStateException("pending drifted: " + stillPending + " != " + pending);
        }
    }

    /**
     * Ack a random pending message to completion and track a new one in its place.
     *
     * @return the new id (consumed by JMH).
     */
    @Benchmark
    public long ackToCompletionAndTrack()
    {
        final int i = random.nextInt(pending);
        final long id = ids[i];
        if (quorum)
        {
            final int skip = random.nextInt(3);
            TrackerFixture.expect(Result.OK, agent.recordAck(id, destinationIds[skip == 0 ? 1 : 0]), id);
            TrackerFixture.expect(Result.COMPLETED, agent.recordAck(id, destinationIds[skip == 2 ? 1 : 2]), id);
        }
        else
        {
            TrackerFixture.expect(Result.COMPLETED, agent.recordAck(id, destinationIds[0]), id);
        }

        final long fresh = nextId++;
        TrackerFixture.expect(Result.OK, agent.track(fresh, mask, requiredAcks, 0, 0), fresh);
        ids[i] = fresh;

        if ((++operations & 127) == 0)
        {
            agent.doWork();
        }
        return fresh;
    }
}

package io.acktracker.bench.engine;

import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.metrics.LatencySummary;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
 * Service time of one ack that does not complete its message, at {@value #PENDING} pending: three destinations,
 * quorum three, so the acks from {@code a} and {@code b} are both non-completing. Each invocation applies
 * {@value #ACKS} acks (both non-completing acks of every pending message) in a random order shuffled afresh for each
 * iteration; the iteration setup then completes every message and tracks a fresh set, outside the measurement.
 * JMH reports the time per ack ({@code @OperationsPerInvocation}).
 * <p>
 * {@code serviceTime=true} turns on the engine's own per-command service-time histogram (its default; two clock
 * reads per ack) and prints its percentiles at the end of the trial.
 * <p>
 * Agent thread = the JMH thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
public class AckOnlyBenchmark
{
    /** Pending messages. */
    public static final int PENDING = 1_000_000;
    /** Acks per invocation: two non-completing acks per pending message. */
    public static final int ACKS = 2 * PENDING;

    /** In-memory or persisted pending table, or tables in memory and a command journal. */
    @Param({ "memory", "persisted", "journal" })
    public TrackerFixture.Store store;

    /** Whether the engine records its own per-command service time (its default is on). */
    @Param({ "false", "true" })
    public boolean serviceTime;

    private TrackerFixture fixture;
    private TrackerAgent agent;
    private final int[] order = new int[ACKS];
    private final int[] destinationIds = new int[3];
    private final SplittableRandom random = new SplittableRandom(42);
    private long mask;
    private long firstId;
    private int invocations;
    private int recorded;

    /**
     * Open the tracker and track the first set.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        fixture = TrackerFixture.open(store, TrackerFixture.config(PENDING + 1024).recordServiceTime(serviceTime));
        agent = fixture.agent();
        for (int i = 0; i < 3; i++)
        {
            destinationIds[i] = fixture.destination(i);
        }
        mask = fixture.mask(3);
        for (int i = 0; i < ACKS; i++)
        {
            order[i] = i;
        }
        firstId = 0;
        fixture.trackRange(firstId, PENDING, mask, 3);
    }

    /**
     * Give every message a fresh, un-acked successor when the last invocation acked them, and shuffle the order.
     */
    @Setup(Level.Iteration)
    public void freshSet()
    {
        if (invocations > 0)
        {
            if (recorded != ACKS)
            {
                throw new IllegalStateException("only " + recorded + " of " + ACKS + " acks were recorded");
            }
            for (int i = 0; i < PENDING; i++)
            {
                TrackerFixture.expect(Result.COMPLETED, agent.recordAck(firstId + i, destinationIds[2]), firstId + i);
            }
            agent.doWork();
            firstId += PENDING;
            fixture.trackRange(firstId, PENDING, mask, 3);
        }

        for (int i = ACKS - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }

    /**
     * Print the engine's own service-time figures, close and delete.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (serviceTime)
        {
            final LatencySummary summary = fixture.tracker().metrics().serviceTime();
            System.out.println("engine service time per command (" + store + "): " + summary);
        }
        fixture.close();
    }

    /**
     * Apply every non-completing ack once, in random order.
     *
     * @return the number of acks recorded (consumed by JMH).
     */
    @Benchmark
    @OperationsPerInvocation(ACKS)
    public int ackWithoutCompleting()
    {
        final TrackerAgent agent = this.agent;
        final int[] order = this.order;
        final long firstId = this.firstId;
        final int destinationA = destinationIds[0];
        final int destinationB = destinationIds[1];
        int recorded = 0;
        for (int i = 0; i < ACKS; i++)
        {
            final int entry = order[i];
            if (Result.OK == agent.recordAck(firstId + (entry >>> 1), 0 == (entry & 1) ? destinationA : destinationB))
            {
                recorded++;
            }
        }
        this.recorded = recorded;
        invocations++;
        return recorded;
    }
}

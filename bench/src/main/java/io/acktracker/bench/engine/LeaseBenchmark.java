package io.acktracker.bench.engine;

import io.acktracker.bench.support.ManualClock;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.machine.Leases;
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
 * Consumer-style round trip at {@code pending} messages: lease a random pending message (a fresh nonce, a SipHash
 * tag, the lease deadline on the deadline index), receive its receipt handle, ack by that handle (the tag checked,
 * the lease settled, the message completed and removed), and track a new message in its place so the table stays at
 * {@code pending}. {@link #ackByIdAndTrack} is the same without the lease, acking by message id: the difference is
 * what the lease costs. One {@code doWork()} every 128 operations, as in {@link SteadyStateBenchmark}.
 * <p>
 * The tracker runs on an injected {@link ManualClock} that moves 1 µs per operation; no deadline fires (30 s
 * visibility timeout, 1 h ack timeout). One destination; finished messages removed at once (no tombstones);
 * service-time recording off. Agent thread = the JMH thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
public class LeaseBenchmark
{
    /** Visibility timeout of each lease: never reached during a run. */
    static final long VISIBILITY_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long CONSUMER = 7;
    private static final long START_NS = 1_700_000_000_000_000_000L;

    /** Pending messages held throughout. */
    @Param({ "1000000" })
    public int pending;

    /** In-memory or persisted pending table. */
    @Param({ "memory", "persisted" })
    public TrackerFixture.Store store;

    private final ReceiptHandle handle = new ReceiptHandle();
    private final SplittableRandom random = new SplittableRandom(42);
    private ManualClock clock;
    private TrackerFixture fixture;
    private TrackerAgent agent;
    private Leases leases;
    private long[] ids;
    private long nextId;
    private long mask;
    private int destination;
    private int operations;

    /**
     * Open the tracker and track {@code pending} messages.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        clock = new ManualClock(START_NS);
        fixture = TrackerFixture.open(store, TrackerFixture.config(pending + 1024)
            .epochClock(clock)
            .nanoClock(clock)
            .recordServiceTime(false));
        agent = fixture.agent();
        leases = agent.leases();
        mask = fixture.mask(1);
        destination = fixture.destination(0);
        ids = new long[pending];
        for (int i = 0; i < pending; i++)
        {
            ids[i] = i;
        }
        fixture.trackRange(0, pending, mask, 1);
        nextId = pending;
    }

    /**
     * Close the tracker and delete its files; check nothing leaked and no lease was left open.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        final int stillPending = agent.pendingCount();
        final long active = leases.active();
        fixture.close();
        if (stillPending != pending || 0 != active)
        {
            throw new IllegalStateException("pending " + stillPending + " of " + pending + ", leases open " + active);
        }
    }

    /**
     * Lease a random pending message, ack it by its receipt handle, and track a new one in its place.
     *
     * @return the new id.
     */
    @Benchmark
    public long leaseAckByHandleAndTrack()
    {
        final int i = random.nextInt(pending);
        final long id = ids[i];
        clock.advance(1_000);
        TrackerFixture.expect(Result.OK, agent.lease(id, CONSUMER, VISIBILITY_NS, handle), id);
        TrackerFixture.expect(Result.OK, agent.leaseAck(handle), id);
        return trackInPlaceOf(i);
    }

    /**
     * The same without a lease: ack a random pending message by id to completion and track a new one in its place.
     *
     * @return the new id.
     */
    @Benchmark
    public long ackByIdAndTrack()
    {
        final int i = random.nextInt(pending);
        final long id = ids[i];
        clock.advance(1_000);
        TrackerFixture.expect(Result.COMPLETED, agent.recordAck(id, destination), id);
        return trackInPlaceOf(i);
    }

    private long trackInPlaceOf(final int i)
    {
        final long fresh = nextId++;
        TrackerFixture.expect(Result.OK, agent.track(fresh, mask, 1, 0, 0), fresh);
        ids[i] = fresh;
        if ((++operations & 127) == 0)
        {
            agent.doWork();
        }
        return fresh;
    }
}

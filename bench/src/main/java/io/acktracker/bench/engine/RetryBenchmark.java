package io.acktracker.bench.engine;

import io.acktracker.bench.support.ManualClock;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.CircuitBreakerConfig;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.TrackerCounter;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.util.concurrent.TimeUnit;

/**
 * Retries at {@code pending} messages, none of them ever acked: each message's ack timeout fires, its backoff is
 * computed (fixed 50 ms with full jitter, from the tracker's seeded random), the redelivery is scheduled on the
 * deadline index, fires when due and goes to the {@link RedeliveryListener}, and a new round starts with a fresh
 * 30 s ack timeout. So every message cycles timeout -> backoff -> redelivery -> timeout, about every 30 s of
 * tracker time.
 * <p>
 * The tracker runs on an injected {@link ManualClock}: one operation moves it on by one deadline-index tick (2^20 ns)
 * and runs {@code doWork()} until that tick's deadlines are done. Tracks are spread evenly over one ack timeout (28,610
 * ticks), so in steady state a tick fires about {@code pending / 28,610} ack timeouts and as many redeliveries (35
 * at 1M). The primary score
 * is per tick; the {@code retries} secondary score (a JMH {@code OPERATIONS} aux counter, one per redelivery the
 * listener received) is the time per retry, i.e. per timeout + backoff + schedule + redelivery.
 * <p>
 * One tracker per trial (so its creation's allocation stays out of the measured iterations' {@code -prof gc}
 * figures). Before each iteration the previous messages are acked and {@code pending} fresh ones tracked, then one
 * round of tracker time (about a million retries, unmeasured) reaches the steady state: no message comes near its
 * 15 attempts within an iteration, and the teardown checks none failed. The
 * circuit breaker is configured never to open: with every message timing out it would open the destination's circuit
 * and park the redeliveries, a different path. Attempt history ({@code recordAttemptHistory}, a Chronicle write per
 * timeout and redelivery, the engine's default) is a parameter.
 * <p>
 * Agent thread = the JMH thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
public class RetryBenchmark implements RedeliveryListener
{
    /** Deadline-index tick: one operation moves the clock on by this much. */
    static final long TICK_NS = 1L << 20;
    /** Start of time, tick-aligned. */
    static final long START_NS = (1_700_000_000_000_000_000L >> 20) << 20;
    /** Ack timeout of every round. */
    static final long ACK_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    /** Ticks the tracks are spread over: one ack timeout, so every tick has its share of each round. */
    static final int SPREAD_TICKS = (int)(ACK_TIMEOUT_NS / TICK_NS);
    /** Backoff before a redelivery (before jitter). */
    static final long BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Ticks of tracker time run in the setup to reach the steady state. */
    static final int PRE_RUN_TICKS = SPREAD_TICKS + 100;

    /** Pending messages, all retrying. */
    @Param({ "1000000" })
    public int pending;

    /** In-memory or persisted pending table. */
    @Param({ "memory" })
    public TrackerFixture.Store store;

    /** Whether each timeout and redelivery is written to the message's attempt history (engine default: true). */
    @Param({ "true", "false" })
    public boolean history;

    private ManualClock clock;
    private TrackerFixture fixture;
    private TrackerAgent agent;
    private Counters counters;
    private long[] ids;
    private long nextId;
    private long mask;
    private int destination;
    private long tick;
    private long redeliveries;

    /** Redeliveries, one per retry: JMH reports the time per retry from it. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Retries
    {
        /** Redeliveries in this iteration. */
        public long retries;

        /**
         * Zero at the start of each iteration.
         */
        @Setup(Level.Iteration)
        public void reset()
        {
            retries = 0;
        }
    }

    /**
     * Open the tracker.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        clock = new ManualClock(START_NS);
        final TrackerConfig config = TrackerFixture.config(pending + 1024)
            .epochClock(clock)
            .nanoClock(clock)
            .recordServiceTime(false)
            .defaultAckTimeoutNs(ACK_TIMEOUT_NS)
            .defaultTtlNs(TrackRequest.NO_TIMEOUT)
            .defaultMaxAttempts(15)
            .defaultBackoff(Backoff.fixed(BACKOFF_NS).withJitter(Backoff.Jitter.FULL))
            .circuitBreaker(new CircuitBreakerConfig(
                Integer.MAX_VALUE, 1.0, 1, Integer.MAX_VALUE, TimeUnit.SECONDS.toNanos(5), 1, 1, 0.2))
            .recordAttemptHistory(history)
            .redeliveryListener(this);
        fixture = TrackerFixture.open(store, config);
        agent = fixture.agent();
        counters = fixture.tracker().counters();
        mask = fixture.mask(1);
        destination = fixture.destination(0);
        ids = new long[pending];
        tick = 0;
    }

    /**
     * Before each iteration: ack the previous iteration's messages (so none comes near its attempt limit, however
     * fast the machine), track {@code pending} fresh ones spread over one ack timeout, and run one round of tracker
     * time (about {@code pending} retries) into the steady state. Acking and tracking allocate nothing, so the
     * iteration's {@code -prof gc} figure is the retries'.
     */
    @Setup(Level.Iteration)
    public void startRound()
    {
        checkNoneFailed();
        if (nextId > 0)
        {
            for (int i = 0; i < pending; i++)
            {
                TrackerFixture.expect(Result.COMPLETED, agent.recordAck(ids[i], destination), ids[i]);
            }
        }
        final long firstTick = tick + 1;
        for (int i = 0; i < pending; i++)
        {
            final long id = nextId++;
            clock.set(START_NS + (firstTick + (long)i * SPREAD_TICKS / pending) * TICK_NS + 1 + (i & 1023));
            // a duty cycle reads the clock: the track that follows is stamped with this time
            agent.doWork();
            TrackerFixture.expect(Result.OK, agent.track(id, mask), id);
            ids[i] = id;
        }
        tick = (clock.nanoTime() - START_NS) >> 20;
        for (int i = 0; i < PRE_RUN_TICKS; i++)
        {
            nextTick();
        }
    }

    private void checkNoneFailed()
    {
        final long failed = counters.value(TrackerCounter.FAILED);
        if (0 != failed || agent.pendingCount() != (nextId > 0 ? pending : 0))
        {
            throw new IllegalStateException("failed " + failed + ", pending " + agent.pendingCount());
        }
    }

    /**
     * Close and delete; fail when a message ran out of attempts (the figures would then mix in failures).
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        try
        {
            checkNoneFailed();
        }
        finally
        {
            fixture.close();
        }
    }

    /**
     * Move the tracker's clock on by one tick and run its duty cycle until that tick's ack timeouts and
     * redeliveries are done.
     *
     * @param retries counts the redeliveries.
     * @return duty-cycle work done.
     */
    @Benchmark
    public int retryTick(final Retries retries)
    {
        final long before = redeliveries;
        final int work = nextTick();
        retries.retries += redeliveries - before;
        return work;
    }

    int nextTick()
    {
        tick++;
        clock.set(START_NS + tick * TICK_NS);
        int work = 0;
        for (int i = 0; i < 16; i++)
        {
            final int cycle = agent.doWork();
            if (0 == cycle)
            {
                break;
            }
            work += cycle;
        }
        return work;
    }

    long redeliveries()
    {
        return redeliveries;
    }

    long timeouts()
    {
        return counters.value(TrackerCounter.TIMEOUTS);
    }

    public void onRedeliver(final long messageId, final int destination, final int attempt)
    {
        redeliveries++;
    }
}

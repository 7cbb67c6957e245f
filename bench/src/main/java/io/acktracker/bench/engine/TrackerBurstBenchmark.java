package io.acktracker.bench.engine;

import io.acktracker.bench.support.ManualClock;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.OutcomeListener;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
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

import java.util.concurrent.TimeUnit;

/**
 * The burst case on the whole tracker: {@value #BURST} tracks with the same 100 ms deadline inside one timer tick
 * (an injected clock moves 1 ns per track), then the clock jumps past the deadline and {@code doWork()} is called
 * until every message has timed out. The deadline is the TTL (ack timeout off, expired messages not dead-lettered):
 * a deadline that ends the message at once, as the pre-retry engine's ack timeout did; an ack timeout now starts a
 * retry round instead, which {@code RetryBenchmark} measures. {@code track} is the time per track (Chronicle insert, index, deadline);
 * {@code expire} is the time per timeout (deadline, outcome to the listener, Chronicle remove), both per message.
 * <p>
 * Agent thread = the JMH thread.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
public class TrackerBurstBenchmark
{
    /** Messages in the burst. */
    public static final int BURST = 1_000_000;

    /** A tracker over a manual clock, fresh for each invocation. */
    @State(Scope.Thread)
    public static class Fixture implements OutcomeListener
    {
        /** In-memory or persisted pending table. */
        @Param({ "memory", "persisted" })
        public TrackerFixture.Store store;

        ManualClock clock;
        TrackerFixture fixture;
        TrackerAgent agent;
        long mask;
        int timedOut;

        void open()
        {
            clock = new ManualClock(Burst.START_NS);
            final TrackerConfig config = TrackerFixture.config(BURST)
                .epochClock(clock)
                .nanoClock(clock)
                .recordServiceTime(false)
                .defaultAckTimeoutNs(TrackRequest.NO_TIMEOUT)
                .defaultTtlNs(Burst.TIMEOUT_NS)
                .deadLetterExpired(false)
                .outcomeListener(this);
            fixture = TrackerFixture.open(store, config);
            agent = fixture.agent();
            mask = fixture.mask(1);
            timedOut = 0;
        }

        void trackBurst()
        {
            for (int i = 0; i < BURST; i++)
            {
                clock.set(Burst.START_NS + i);
                TrackerFixture.expect(Result.OK, agent.track(i, mask), i);
            }
        }

        public void onOutcome(
            final long messageId,
            final Outcome outcome,
            final io.acktracker.engine.api.FailureReason reason,
            final long latencyNs,
            final int attempts,
            final boolean replay)
        {
            if (Outcome.EXPIRED == outcome)
            {
                timedOut++;
            }
        }

        /**
         * Close and delete.
         */
        @TearDown(Level.Invocation)
        public void tearDown()
        {
            fixture.close();
        }
    }

    /** An empty tracker. */
    @State(Scope.Thread)
    public static class Empty extends Fixture
    {
        /**
         * Open.
         */
        @Setup(Level.Invocation)
        public void setUp()
        {
            open();
        }
    }

    /** A tracker holding the burst. */
    @State(Scope.Thread)
    public static class Full extends Fixture
    {
        /**
         * Open and track the burst.
         */
        @Setup(Level.Invocation)
        public void setUp()
        {
            open();
            trackBurst();
        }
    }

    /**
     * Track the burst.
     *
     * @param state empty tracker.
     * @return pending count.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int track(final Empty state)
    {
        state.trackBurst();
        return state.agent.pendingCount();
    }

    /**
     * Move the clock past the deadline and run duty cycles until every message timed out.
     *
     * @param state tracker holding the burst.
     * @return messages timed out.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int expire(final Full state)
    {
        state.clock.set(Burst.FIRE_AT_NS);
        final TrackerAgent agent = state.agent;
        while (state.timedOut < BURST)
        {
            agent.doWork();
        }
        if (0 != agent.pendingCount())
        {
            throw new IllegalStateException("still pending: " + agent.pendingCount());
        }
        return state.timedOut;
    }
}

package io.acktracker.bench.engine;

import io.acktracker.engine.timer.DeadlineIndex;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The engine's {@link DeadlineIndex} alone (one wheel timer per tick bucket, records chained through slot arrays)
 * under a burst: {@code timers} deadlines inside one 2^20 ns tick. {@code schedule} times scheduling them all into an
 * empty index; {@code expire} times firing them all once the clock passes the deadline (polled with the engine's
 * default budget of 4096 per call). Scores are per burst: divide by {@code timers} for the time per timer.
 * <p>
 * Single thread.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
public class DeadlineIndexBurstBenchmark
{
    /** Poll budget per call, the engine's default timer budget. */
    static final int BUDGET = 4096;

    /** An empty index, fresh for each invocation. */
    @State(Scope.Thread)
    public static class Empty
    {
        /** Deadlines in the burst. */
        @Param({ "10000", "100000", "1000000" })
        public int timers;

        DeadlineIndex index;

        /**
         * A new index.
         */
        @Setup(Level.Invocation)
        public void setUp()
        {
            index = new DeadlineIndex(timers, Burst.START_NS);
        }
    }

    /** An index holding a whole burst, fresh for each invocation. */
    @State(Scope.Thread)
    public static class Full
    {
        /** Deadlines in the burst. */
        @Param({ "10000", "100000", "1000000" })
        public int timers;

        DeadlineIndex index;
        int fired;
        final DeadlineIndex.Handler handler = (slot, deadlineNs, nowNs) -> fired++;

        /**
         * A new index with the burst scheduled.
         */
        @Setup(Level.Invocation)
        public void setUp()
        {
            index = new DeadlineIndex(timers, Burst.START_NS);
            scheduleBurst(index, timers);
            fired = 0;
        }
    }

    /**
     * Schedule the burst.
     *
     * @param state empty index.
     * @return the index (consumed by JMH).
     */
    @Benchmark
    public DeadlineIndex schedule(final Empty state)
    {
        scheduleBurst(state.index, state.timers);
        return state.index;
    }

    /**
     * Fire the whole burst.
     *
     * @param state index holding the burst.
     * @return timers fired.
     */
    @Benchmark
    public int expire(final Full state)
    {
        final DeadlineIndex index = state.index;
        while (state.fired < state.timers)
        {
            index.poll(Burst.FIRE_AT_NS, state.handler, BUDGET);
        }
        if (0 != index.scheduledCount())
        {
            throw new IllegalStateException("still scheduled: " + index.scheduledCount());
        }
        return state.fired;
    }

    static void scheduleBurst(final DeadlineIndex index, final int timers)
    {
        for (int slot = 0; slot < timers; slot++)
        {
            index.schedule(slot, Burst.deadline(slot), Burst.START_NS + slot);
        }
    }
}

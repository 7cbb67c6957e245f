package io.acktracker.bench.engine;

import org.agrona.DeadlineTimerWheel;
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
 * The baseline for {@link DeadlineIndexBurstBenchmark}: a plain Agrona {@link DeadlineTimerWheel} with one timer per
 * message, same tick (2^20 ns), 1024 ticks per wheel, initial tick allocation 16. Every timer of the burst lands in
 * one tick, where the wheel scans linearly for a free entry and doubles the whole wheel each time the tick
 * overflows (100k timers in one tick grow it to 1024 x 131072 longs = 1 GiB). 1M is left out: it needs 8 GiB.
 * Scores are per burst: divide by {@code timers} for the time per timer. Ten warm-up invocations: at 10k the
 * schedule path runs interpreted or C1-compiled for the first seven or eight (over 1 s each against about 0.12 s
 * compiled), which is where a cold figure of ~150 µs per schedule comes from. Scheduling is quadratic in the burst:
 * at 100k one invocation takes 10-20 s, so run that size with {@code -wi 1 -i 2}.
 * <p>
 * Single thread.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = { "-Xms4g", "-Xmx4g" })
public class AgronaWheelBurstBenchmark
{
    static final int TICKS_PER_WHEEL = 1024;
    static final int INITIAL_TICK_ALLOCATION = 16;

    /** An empty wheel, fresh for each invocation. */
    @State(Scope.Thread)
    public static class Empty
    {
        /** Timers in the burst. */
        @Param({ "10000", "100000" })
        public int timers;

        DeadlineTimerWheel wheel;

        /**
         * A new wheel.
         */
        @Setup(Level.Invocation)
        public void setUp()
        {
            wheel = newWheel();
        }
    }

    /** A wheel holding a whole burst, fresh for each invocation. */
    @State(Scope.Thread)
    public static class Full
    {
        /** Timers in the burst. */
        @Param({ "10000", "100000" })
        public int timers;

        DeadlineTimerWheel wheel;
        int fired;
        final DeadlineTimerWheel.TimerHandler handler = (timeUnit, now, timerId) ->
        {
            fired++;
            return true;
        };

        /**
         * A new wheel with the burst scheduled.
         */
        @Setup(Level.Invocation)
        public void setUp()
        {
            wheel = newWheel();
            scheduleBurst(wheel, timers);
            fired = 0;
        }
    }

    /**
     * Schedule the burst.
     *
     * @param state empty wheel.
     * @return the wheel (consumed by JMH).
     */
    @Benchmark
    public DeadlineTimerWheel schedule(final Empty state)
    {
        scheduleBurst(state.wheel, state.timers);
        return state.wheel;
    }

    /**
     * Fire the whole burst.
     *
     * @param state wheel holding the burst.
     * @return timers fired.
     */
    @Benchmark
    public int expire(final Full state)
    {
        final DeadlineTimerWheel wheel = state.wheel;
        while (wheel.timerCount() > 0)
        {
            wheel.poll(Burst.FIRE_AT_NS, state.handler, Integer.MAX_VALUE);
        }
        if (state.fired != state.timers)
        {
            throw new IllegalStateException("fired " + state.fired + " of " + state.timers);
        }
        return state.fired;
    }

    static DeadlineTimerWheel newWheel()
    {
        return new DeadlineTimerWheel(
            TimeUnit.NANOSECONDS, Burst.START_NS, 1L << Burst.TICK_SHIFT, TICKS_PER_WHEEL, INITIAL_TICK_ALLOCATION);
    }

    static void scheduleBurst(final DeadlineTimerWheel wheel, final int timers)
    {
        for (int i = 0; i < timers; i++)
        {
            wheel.scheduleTimer(Burst.deadline(i));
        }
    }
}

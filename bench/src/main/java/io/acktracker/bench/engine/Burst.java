package io.acktracker.bench.engine;

import java.util.concurrent.TimeUnit;

/**
 * The shape of the burst-deadline benchmarks: every timer is scheduled with the same timeout inside one timer tick,
 * then the clock jumps past the deadline and everything fires.
 */
final class Burst
{
    /** Fine tick of the engine's deadline index and of the plain wheel compared with it: 2^20 ns, about 1 ms. */
    static final int TICK_SHIFT = 20;
    /** Start of time, aligned to a tick so the whole burst (one ns apart per timer, at most 2^20) stays in it. */
    static final long START_NS = (1_700_000_000_000_000_000L >> TICK_SHIFT) << TICK_SHIFT;
    /** The timeout every timer gets. */
    static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Far enough past the last deadline that every timer is due. */
    static final long FIRE_AT_NS = START_NS + TIMEOUT_NS + TimeUnit.MILLISECONDS.toNanos(5);

    private Burst()
    {
    }

    /**
     * Deadline of the {@code i}-th timer of a burst: the clock moves 1 ns per schedule, all inside one tick.
     *
     * @param i index in the burst, below 2^20.
     * @return its deadline.
     */
    static long deadline(final int i)
    {
        return START_NS + i + TIMEOUT_NS;
    }
}

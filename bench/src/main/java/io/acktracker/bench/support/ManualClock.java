package io.acktracker.bench.support;

import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.NanoClock;

/**
 * A clock the benchmark sets by hand, injected as the tracker's epoch clock and service-time clock, so deadline
 * benchmarks decide exactly when time passes.
 * <p>
 * Single thread: the benchmark thread that also drives the tracker.
 */
public final class ManualClock implements EpochNanoClock, NanoClock
{
    private long nowNs;

    /**
     * A clock standing at a time.
     *
     * @param startNs initial time in epoch nanoseconds.
     */
    public ManualClock(final long startNs)
    {
        this.nowNs = startNs;
    }

    public long nanoTime()
    {
        return nowNs;
    }

    /**
     * Move the clock to a time.
     *
     * @param nowNs new time.
     */
    public void set(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    /**
     * Move the clock forward.
     *
     * @param deltaNs nanoseconds to add.
     */
    public void advance(final long deltaNs)
    {
        nowNs += deltaNs;
    }
}

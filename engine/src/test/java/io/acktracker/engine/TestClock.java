package io.acktracker.engine;

import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.NanoClock;

/**
 * A settable clock for deterministic tests: both the tracker's epoch clock and its service-time clock.
 */
public final class TestClock implements EpochNanoClock, NanoClock
{
    private long nowNs;

    public TestClock(final long startNs)
    {
        this.nowNs = startNs;
    }

    public long nanoTime()
    {
        return nowNs;
    }

    public void advanceNs(final long deltaNs)
    {
        nowNs += deltaNs;
    }

    public void advanceMs(final long deltaMs)
    {
        nowNs += deltaMs * 1_000_000L;
    }

    public void set(final long nowNs)
    {
        this.nowNs = nowNs;
    }
}

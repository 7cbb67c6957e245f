package io.acktracker.transport;

import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;

/**
 * The tracker's clock under the test's control, so backoffs, lease timeouts and their expiry happen when the test
 * advances time, not when the machine gets round to it. Starts at the real time so epoch values look real. Read
 * by the tracker on the test thread only.
 */
final class ManualClock implements EpochNanoClock, NanoClock
{
    private long nowNs = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());

    public long nanoTime()
    {
        return nowNs;
    }

    void advanceMs(final long ms)
    {
        nowNs += TimeUnit.MILLISECONDS.toNanos(ms);
    }
}

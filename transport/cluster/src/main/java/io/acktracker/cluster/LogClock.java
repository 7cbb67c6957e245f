package io.acktracker.cluster;

import org.agrona.concurrent.EpochNanoClock;

/**
 * The replicated tracker's only clock: the timestamp of the log entry being applied, set before each one. Every
 * member applies the same entry at the same time, so the engine's deadlines, backoffs and expiries come out the same
 * on all of them (Aeron Cluster's first determinism rule: no wall clock in the service).
 * <p>
 * Service thread only.
 */
final class LogClock implements EpochNanoClock
{
    private long nowNs;

    /**
     * Move to a log entry's time; never back.
     *
     * @param timestampNs the entry's timestamp, in nanoseconds.
     */
    void set(final long timestampNs)
    {
        nowNs = Math.max(nowNs, timestampNs);
    }

    public long nanoTime()
    {
        return nowNs;
    }
}

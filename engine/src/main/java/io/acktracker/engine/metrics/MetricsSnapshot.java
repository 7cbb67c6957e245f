package io.acktracker.engine.metrics;


import java.util.EnumMap;

/**
 * A point-in-time view of the tracker's counters and latency percentiles.
 *
 * @param counters          value of every system counter.
 * @param completionLatency time from track to completion, for completed messages.
 * @param serviceTime       agent time spent per command.
 * @param leaseHoldTime     time from lease grant to settlement.
 */
public record MetricsSnapshot(
    EnumMap<TrackerCounter, Long> counters,
    LatencySummary completionLatency,
    LatencySummary serviceTime,
    LatencySummary leaseHoldTime)
{
    /**
     * One counter's value.
     *
     * @param counter which.
     * @return its value.
     */
    public long get(final TrackerCounter counter)
    {
        final Long value = counters.get(counter);
        return null == value ? 0 : value;
    }
}

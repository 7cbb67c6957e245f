package io.acktracker.engine.metrics;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of one latency distribution, in nanoseconds.
 *
 * @param count  values recorded.
 * @param p50    median.
 * @param p99    99th percentile.
 * @param p999   99.9th percentile.
 * @param p9999  99.99th percentile.
 * @param max    largest value.
 * @param meanNs mean.
 */
public record LatencySummary(long count, long p50, long p99, long p999, long p9999, long max, double meanNs)
{
    /**
     * Summarise a histogram.
     *
     * @param histogram source.
     * @return the summary.
     */
    public static LatencySummary of(final Histogram histogram)
    {
        if (0 == histogram.getTotalCount())
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(
            histogram.getTotalCount(),
            histogram.getValueAtPercentile(50),
            histogram.getValueAtPercentile(99),
            histogram.getValueAtPercentile(99.9),
            histogram.getValueAtPercentile(99.99),
            histogram.getMaxValue(),
            histogram.getMean());
    }

    public String toString()
    {
        return String.format("n=%d p50=%s p99=%s p99.9=%s p99.99=%s max=%s",
            count, format(p50), format(p99), format(p999), format(p9999), format(max));
    }

    /**
     * Human-readable duration.
     *
     * @param ns nanoseconds.
     * @return e.g. "850ns", "12.3us", "4.1ms".
     */
    public static String format(final long ns)
    {
        if (ns < 10_000)
        {
            return ns + "ns";
        }
        if (ns < 10_000_000)
        {
            return String.format("%.1fus", ns / 1e3);
        }
        if (ns < 10_000_000_000L)
        {
            return String.format("%.1fms", ns / 1e6);
        }
        return String.format("%.1fs", ns / 1e9);
    }
}

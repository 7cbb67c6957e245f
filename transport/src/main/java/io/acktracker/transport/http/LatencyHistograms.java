package io.acktracker.transport.http;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import org.HdrHistogram.Histogram;

/**
 * An HdrHistogram of nanoseconds as a Prometheus classic histogram in seconds: for each upper bound the count of
 * values at or below it ({@code getCountBetweenValues(0, le)}), then {@code +Inf} holding every value, and the sum
 * (mean times count). A bucket edge is as exact as the HdrHistogram's resolution: a value within its equivalent
 * range of an edge (0.1% for the tracker's own latencies, 1% per destination) may be counted on either side.
 * <p>
 * The histogram read is the recorder's running total, so the buckets only grow, as Prometheus expects of a
 * histogram; a tracker restart starts them again from zero, which {@code rate()} and {@code increase()} handle.
 * <p>
 * Threading: any thread; stateless.
 */
final class LatencyHistograms
{
    /** Ack and completion latency: 100 us to one minute. */
    static final double[] ACK_BOUNDS_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    /** The agent's time per command: 500 ns to 100 ms. */
    static final double[] SERVICE_BOUNDS_SECONDS = {
        0.0000005, 0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.0001, 0.001, 0.01, 0.1};
    /** How long a lease is held: 10 ms to one hour. */
    static final double[] LEASE_BOUNDS_SECONDS = {0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};

    private LatencyHistograms()
    {
    }

    /**
     * One data point.
     *
     * @param histogram    values in nanoseconds (a copy: read here only).
     * @param boundsSeconds upper bounds, ascending, without {@code +Inf}.
     * @param labels       the point's labels.
     * @return the data point.
     */
    static HistogramDataPointSnapshot dataPoint(
        final Histogram histogram, final double[] boundsSeconds, final Labels labels)
    {
        final double[] bounds = new double[boundsSeconds.length + 1];
        final long[] counts = new long[bounds.length];
        final long total = histogram.getTotalCount();
        long below = 0;
        for (int i = 0; i < boundsSeconds.length; i++)
        {
            bounds[i] = boundsSeconds[i];
            final long cumulative = 0 == total ? 0 :
                Math.min(total, histogram.getCountBetweenValues(0, Math.round(boundsSeconds[i] * 1e9)));
            counts[i] = cumulative - below;
            below = cumulative;
        }
        bounds[boundsSeconds.length] = Double.POSITIVE_INFINITY;
        counts[boundsSeconds.length] = total - below;
        return HistogramDataPointSnapshot.builder()
            .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
            .sum(0 == total ? 0 : histogram.getMean() * total / 1e9)
            .labels(labels)
            .build();
    }
}

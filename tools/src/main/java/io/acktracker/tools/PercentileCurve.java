package io.acktracker.tools;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;

/**
 * One series of a percentile chart: latency at each percentile, in nanoseconds, whatever file it came from.
 * <p>
 * Threading: any thread; immutable once made (the arrays are not handed out to be changed).
 *
 * @param label       the series' name.
 * @param percentiles percentile of each point, 0..1.
 * @param valuesNs    latency at each point, ns.
 * @param maxNs       the largest value, ns.
 * @param p99Ns       the 99th percentile, ns.
 * @param totalCount  values recorded.
 */
record PercentileCurve(String label, double[] percentiles, double[] valuesNs, double maxNs, double p99Ns,
    long totalCount)
{
    /** Points per halving of the distance to 100%, as HdrHistogram's {@code outputPercentileDistribution} uses. */
    static final int TICKS_PER_HALF_DISTANCE = 5;

    /**
     * The curve of a histogram, walked the way HdrHistogram writes a {@code .hgrm}.
     *
     * @param label     the series' name.
     * @param histogram the values.
     * @param unitNs    nanoseconds in one unit of the histogram's values.
     * @return the curve.
     */
    static PercentileCurve of(final String label, final AbstractHistogram histogram, final double unitNs)
    {
        final List<double[]> points = new ArrayList<>();
        for (final HistogramIterationValue value : histogram.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            points.add(new double[]{ value.getPercentileLevelIteratedTo() / 100.0,
                value.getValueIteratedTo() * unitNs });
        }
        final double[] percentiles = new double[points.size()];
        final double[] values = new double[points.size()];
        for (int i = 0; i < values.length; i++)
        {
            percentiles[i] = points.get(i)[0];
            values[i] = points.get(i)[1];
        }
        return new PercentileCurve(label, percentiles, values, histogram.getMaxValue() * unitNs,
            histogram.getValueAtPercentile(99) * unitNs, histogram.getTotalCount());
    }

    /**
     * The curve of a percentile distribution file.
     *
     * @param label  the series' name.
     * @param file   the file.
     * @param unitNs nanoseconds in one unit of its values.
     * @return the curve.
     */
    static PercentileCurve of(final String label, final HgrmFile file, final double unitNs)
    {
        final double[] values = new double[file.values().length];
        double p99 = Double.NaN;
        for (int i = 0; i < values.length; i++)
        {
            values[i] = file.values()[i] * unitNs;
            if (Double.isNaN(p99) && file.percentiles()[i] >= 0.99)
            {
                p99 = values[i];
            }
        }
        p99 = Double.isNaN(p99) ? file.max() * unitNs : p99;
        return new PercentileCurve(label, file.percentiles().clone(), values, file.max() * unitNs, p99,
            file.totalCount());
    }

    /**
     * The legend's text: the name and rounded figures, each in its own unit.
     *
     * @return e.g. "run-1 (n=200,000, p99 1.23 ms, max 2.6 s)".
     */
    String legend()
    {
        return String.format("%s (n=%,d, p99 %s, max %s)", label, totalCount, LatencyUnit.format(p99Ns),
            LatencyUnit.format(maxNs));
    }
}

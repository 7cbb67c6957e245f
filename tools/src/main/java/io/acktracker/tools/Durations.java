package io.acktracker.tools;

import org.HdrHistogram.Histogram;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Durations on the command line ({@code 5}, {@code 5s}, {@code 500ms}, {@code 2m}; a plain number is seconds) and
 * latency percentiles printed for people.
 * <p>
 * Threading: any thread; stateless.
 */
final class Durations implements ITypeConverter<Long>
{
    /** The percentiles every summary prints. */
    static final double[] PERCENTILES = { 50, 90, 99, 99.9, 99.99 };

    /**
     * Parse a duration to nanoseconds.
     *
     * @param value e.g. "5s".
     * @return nanoseconds.
     */
    public Long convert(final String value)
    {
        final String text = value.strip().toLowerCase(Locale.ROOT);
        final String[][] units = {{"ms", "1000000"}, {"us", "1000"}, {"ns", "1"}, {"s", "1000000000"},
            {"m", "60000000000"}, {"h", "3600000000000"}};
        for (final String[] unit : units)
        {
            if (text.endsWith(unit[0]))
            {
                return parse(value, text.substring(0, text.length() - unit[0].length()), Long.parseLong(unit[1]));
            }
        }
        return parse(value, text, TimeUnit.SECONDS.toNanos(1));
    }

    private static long parse(final String original, final String digits, final long multiplier)
    {
        try
        {
            final double amount = Double.parseDouble(digits);
            if (!(amount >= 0) || Double.isInfinite(amount))
            {
                throw new NumberFormatException();
            }
            return (long)(amount * multiplier);
        }
        catch (final NumberFormatException ex)
        {
            throw new TypeConversionException("'" + original + "' is not a duration (e.g. 5, 5s, 500ms, 2m)");
        }
    }

    /**
     * A duration for people.
     *
     * @param ns nanoseconds.
     * @return e.g. "4.1ms".
     */
    static String format(final long ns)
    {
        if (ns < 1_000)
        {
            return ns + "ns";
        }
        if (ns < 1_000_000)
        {
            return String.format(Locale.ROOT, "%.1fus", ns / 1e3);
        }
        if (ns < 1_000_000_000)
        {
            return String.format(Locale.ROOT, "%.1fms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.1fs", ns / 1e9);
    }

    /**
     * One line of percentiles of a nanosecond histogram.
     *
     * @param histogram values in ns.
     * @return e.g. "n=1,000  p50 12.0us  p90 ...  max 2.0ms".
     */
    static String percentiles(final Histogram histogram)
    {
        if (0 == histogram.getTotalCount())
        {
            return "n=0";
        }
        final StringBuilder line = new StringBuilder(String.format("n=%,d", histogram.getTotalCount()));
        for (final double percentile : PERCENTILES)
        {
            line.append(String.format(Locale.ROOT, "  p%s %s", trim(percentile),
                format(histogram.getValueAtPercentile(percentile))));
        }
        return line.append("  max ").append(format(histogram.getMaxValue())).toString();
    }

    private static String trim(final double percentile)
    {
        return percentile == Math.rint(percentile) ? Long.toString((long)percentile) : Double.toString(percentile);
    }
}

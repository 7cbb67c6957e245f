package io.acktracker.tools;

import java.util.Locale;

/**
 * A unit of latency for a chart or a summary, chosen by the data: the largest unit in which the largest value
 * still reads 1 or more, so an axis reads {@code 0 .. 2.6 s}, never {@code 2.6E6 us}.
 * <p>
 * Threading: any thread; immutable.
 */
enum LatencyUnit
{
    /** Nanoseconds. */
    NS("ns", 1),
    /** Microseconds. */
    US("us", 1_000),
    /** Milliseconds. */
    MS("ms", 1_000_000),
    /** Seconds. */
    S("s", 1_000_000_000);

    private final String symbol;
    private final long ns;

    LatencyUnit(final String symbol, final long ns)
    {
        this.symbol = symbol;
        this.ns = ns;
    }

    /**
     * How the unit is written ({@code ns}, {@code us}, {@code ms}, {@code s}).
     *
     * @return the symbol.
     */
    String symbol()
    {
        return symbol;
    }

    /**
     * Nanoseconds in one of this unit.
     *
     * @return the size.
     */
    long ns()
    {
        return ns;
    }

    /**
     * A value in this unit.
     *
     * @param valueNs nanoseconds.
     * @return the value in this unit.
     */
    double of(final double valueNs)
    {
        return valueNs / ns;
    }

    /**
     * The unit for values up to a largest one: the largest unit in which it reads at least 1.
     *
     * @param maxNs the largest value, ns.
     * @return the unit ({@link #NS} for 0 or less).
     */
    static LatencyUnit forMax(final double maxNs)
    {
        final LatencyUnit[] units = values();
        for (int i = units.length - 1; i > 0; i--)
        {
            if (maxNs >= units[i].ns)
            {
                return units[i];
            }
        }
        return NS;
    }

    /**
     * Parse a unit name as the command line takes it.
     *
     * @param name {@code ns}, {@code us} (or {@code µs}), {@code ms} or {@code s}.
     * @return the unit, or null when it is none of them.
     */
    static LatencyUnit parse(final String name)
    {
        final String text = name.strip().toLowerCase(Locale.ROOT).replace('\u00b5', 'u');
        for (final LatencyUnit unit : values())
        {
            if (unit.symbol.equals(text))
            {
                return unit;
            }
        }
        return null;
    }

    /**
     * A value rounded for people, in its own unit: three significant digits at most, no exponent.
     *
     * @param valueNs nanoseconds.
     * @return e.g. "412 us", "1.23 ms", "2.6 s".
     */
    static String format(final double valueNs)
    {
        final LatencyUnit unit = forMax(valueNs);
        return round3(unit.of(valueNs)) + " " + unit.symbol;
    }

    /**
     * A number to three significant digits, trailing zeros dropped, never in exponent form.
     *
     * @param value the number.
     * @return e.g. "412", "1.23", "2.6".
     */
    static String round3(final double value)
    {
        if (0 == value || !Double.isFinite(value))
        {
            return 0 == value ? "0" : Double.toString(value);
        }
        final int decimals = Math.max(0, 2 - (int)Math.floor(Math.log10(Math.abs(value))));
        String text = String.format(Locale.ROOT, "%." + decimals + "f", value);
        if (text.indexOf('.') >= 0)
        {
            text = text.replaceAll("0+$", "");
            text = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        }
        return text;
    }
}

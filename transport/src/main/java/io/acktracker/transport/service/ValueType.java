package io.acktracker.transport.service;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How a setting's text becomes a value and back: the parse refuses bad text with a short reason (the caller adds the
 * key and where the text came from), the format writes a value the parse reads again, so the defaults printed in the
 * reference are valid settings.
 * <p>
 * Threading: any thread; immutable.
 *
 * @param <V> the value's type.
 */
final class ValueType<V>
{
    private static final String[] DURATION_UNITS = {"h", "m", "s", "ms", "us", "ns"};
    private static final long[] DURATION_NS = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L,
        1_000L, 1L};

    static final ValueType<String> STRING = new ValueType<>("string", (text) -> text, (value) -> value);

    static final ValueType<Path> PATH = new ValueType<>("path", (text) -> text.isEmpty() ? null : Path.of(text),
        (value) -> null == value ? "" : value.toString());

    static final ValueType<Boolean> BOOLEAN = new ValueType<>("boolean", ValueType::parseBoolean, String::valueOf);

    static final ValueType<Integer> INT = new ValueType<>("int", (text) -> toInt(parseSize(text)), String::valueOf);

    static final ValueType<Long> LONG = new ValueType<>("long", ValueType::parseLong, String::valueOf);

    static final ValueType<Double> DOUBLE = new ValueType<>("decimal", ValueType::parseDouble, String::valueOf);

    static final ValueType<Integer> INT_BYTES = new ValueType<>("size", (text) -> toInt(parseSize(text)),
        (value) -> formatSize(value));

    static final ValueType<Long> BYTES = new ValueType<>("size", ValueType::parseSize, ValueType::formatSize);

    static final ValueType<Long> DURATION = new ValueType<>("duration", ValueType::parseDuration,
        ValueType::formatDuration);

    static final ValueType<List<String>> LIST = new ValueType<>("list", (text) -> text.isEmpty() ? List.of() :
        List.of(text.split("\\s*,\\s*")), (value) -> String.join(",", value));

    /**
     * The tombstone capacity: a number, or {@code capacity} for the engine's "as many as the capacity" (-1).
     *
     * @return the type.
     */
    static ValueType<Integer> tombstones()
    {
        return new ValueType<>("int or capacity", (text) -> "capacity".equalsIgnoreCase(text) ? -1 :
            toInt(parseSize(text)), (value) -> value < 0 ? "capacity" : String.valueOf(value));
    }

    private final String name;
    private final Function<String, V> parse;
    private final Function<V, String> format;

    private ValueType(final String name, final Function<String, V> parse, final Function<V, String> format)
    {
        this.name = name;
        this.parse = parse;
        this.format = format;
    }

    /**
     * A type whose values are an enum's constants, written lower case with {@code -} for {@code _}.
     *
     * @param type the enum.
     * @param <E>  its type.
     * @return the value type.
     */
    static <E extends Enum<E>> ValueType<E> oneOf(final Class<E> type)
    {
        final StringBuilder names = new StringBuilder();
        for (final E constant : type.getEnumConstants())
        {
            names.append(names.length() > 0 ? ", " : "").append(text(constant));
        }
        final String expected = "expected " + names;
        return new ValueType<>(names.toString(), (text) ->
        {
            for (final E constant : type.getEnumConstants())
            {
                if (text(constant).equalsIgnoreCase(text) || constant.name().equalsIgnoreCase(text))
                {
                    return constant;
                }
            }
            throw new IllegalArgumentException(expected);
        }, ValueType::text);
    }

    private static String text(final Enum<?> constant)
    {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The type's name in the reference: {@code duration}, {@code size}, {@code int}, or the choices.
     *
     * @return the name.
     */
    String name()
    {
        return name;
    }

    /**
     * Parse a setting.
     *
     * @param text the text, stripped.
     * @return the value.
     * @throws IllegalArgumentException with the reason only.
     */
    V parse(final String text)
    {
        return parse.apply(text);
    }

    /**
     * Write a value as a setting.
     *
     * @param value the value.
     * @return text that {@link #parse} reads back.
     */
    String format(final V value)
    {
        return format.apply(value);
    }

    private static boolean parseBoolean(final String text)
    {
        final String value = text.toLowerCase(Locale.ROOT);
        if (!"true".equals(value) && !"false".equals(value))
        {
            throw new IllegalArgumentException("expected true or false");
        }
        return "true".equals(value);
    }

    private static long parseLong(final String text)
    {
        try
        {
            return Long.parseLong(text.replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("expected a whole number");
        }
    }

    private static double parseDouble(final String text)
    {
        try
        {
            final double value = Double.parseDouble(text);
            if (!Double.isFinite(value))
            {
                throw new NumberFormatException();
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("expected a decimal number, e.g. 0.5");
        }
    }

    private static int toInt(final long value)
    {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("too large");
        }
        return (int)value;
    }

    /** A whole number, optionally ending in k, m or g (binary: 1k = 1024). */
    private static long parseSize(final String text)
    {
        final String value = text.toLowerCase(Locale.ROOT).replace("_", "");
        long multiplier = 1;
        String digits = value;
        if (value.endsWith("k") || value.endsWith("m") || value.endsWith("g"))
        {
            multiplier = value.endsWith("k") ? 1024 : value.endsWith("m") ? 1024 * 1024 : 1024 * 1024 * 1024;
            digits = value.substring(0, value.length() - 1);
        }
        try
        {
            return Math.multiplyExact(Long.parseLong(digits), multiplier);
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            throw new IllegalArgumentException("expected a whole number, optionally ending in k, m or g");
        }
    }

    private static String formatSize(final long value)
    {
        final String[] units = {"g", "m", "k"};
        final long[] bytes = {1024L * 1024 * 1024, 1024L * 1024, 1024L};
        for (int i = 0; i < units.length; i++)
        {
            if (value != 0 && value % bytes[i] == 0)
            {
                return value / bytes[i] + units[i];
            }
        }
        return Long.toString(value);
    }

    private static long parseDuration(final String text)
    {
        final String value = text.toLowerCase(Locale.ROOT).replace("_", "");
        if ("0".equals(value))
        {
            return 0;
        }
        // longest unit names first, so "5ms" is not read as 5 minutes and an "s"
        final String[] units = {"ns", "us", "ms", "h", "m", "s"};
        final long[] factors = {1L, 1_000L, 1_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L};
        for (int i = 0; i < units.length; i++)
        {
            if (value.endsWith(units[i]))
            {
                final String digits = value.substring(0, value.length() - units[i].length());
                if (!digits.isEmpty() && Character.isDigit(digits.charAt(digits.length() - 1)))
                {
                    try
                    {
                        return Math.multiplyExact(Long.parseLong(digits), factors[i]);
                    }
                    catch (final NumberFormatException | ArithmeticException ex)
                    {
                        throw new IllegalArgumentException("bad duration");
                    }
                }
            }
        }
        throw new IllegalArgumentException("expected a duration with a unit, e.g. 250ms or 5s");
    }

    private static String formatDuration(final long ns)
    {
        if (0 == ns)
        {
            return "0s";
        }
        for (int i = 0; i < DURATION_UNITS.length; i++)
        {
            if (ns % DURATION_NS[i] == 0)
            {
                return ns / DURATION_NS[i] + DURATION_UNITS[i];
            }
        }
        return ns + "ns";
    }
}

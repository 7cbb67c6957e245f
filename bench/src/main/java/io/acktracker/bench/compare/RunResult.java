package io.acktracker.bench.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one run as ordered {@code key=value} lines, written by the run's JVM and read by the report.
 * <p>
 * Single thread.
 */
public final class RunResult
{
    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * Set a value.
     *
     * @param key   name.
     * @param value any value; its string form is kept.
     * @return this.
     */
    public RunResult put(final String key, final Object value)
    {
        values.put(key, String.valueOf(value));
        return this;
    }

    /**
     * A value.
     *
     * @param key name.
     * @return the value or null.
     */
    public String get(final String key)
    {
        return values.get(key);
    }

    /**
     * A numeric value.
     *
     * @param key name.
     * @return the value, NaN when absent or not a number.
     */
    public double number(final String key)
    {
        final String value = values.get(key);
        if (null == value)
        {
            return Double.NaN;
        }
        try
        {
            return Double.parseDouble(value);
        }
        catch (final NumberFormatException ex)
        {
            return Double.NaN;
        }
    }

    public Map<String, String> values()
    {
        return values;
    }

    /**
     * Write as {@code key=value} lines.
     *
     * @param file target.
     */
    public void write(final Path file)
    {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
        {
            for (final Map.Entry<String, String> entry : values.entrySet())
            {
                writer.write(entry.getKey() + "=" + entry.getValue().replace("\n", " ") + "\n");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Read a file written by {@link #write}.
     *
     * @param file source.
     * @return the result.
     */
    public static RunResult read(final Path file)
    {
        final RunResult result = new RunResult();
        try
        {
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                final int at = line.indexOf('=');
                if (at > 0)
                {
                    result.values.put(line.substring(0, at), line.substring(at + 1));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return result;
    }
}

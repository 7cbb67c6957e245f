package io.acktracker.tools;

import io.acktracker.engine.api.TrackerException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A percentile distribution as HdrHistogram's {@code outputPercentileDistribution} writes it ({@code .hgrm}), in
 * its plain or CSV form. HdrHistogram has a reader for its interval logs ({@code HistogramLogReader}, used for
 * {@code .hlog} files by {@link HlogFile}) but none for this text, which it only writes; hence this strict parser
 * (every line a header, a footer or a row of numbers, else refused naming the line): rows of value, percentile, total count and {@code 1/(1-percentile)}, then a footer.
 * <pre>
 *        Value     Percentile TotalCount 1/(1-Percentile)
 *
 *       12.345 0.000000000000          1           1.00
 *       ...
 * #[Mean    =       20.123, StdDeviation   =        4.567]
 * #[Max     =      123.456, Total count    =       100000]
 * </pre>
 * The last row (percentile 1.0) has an infinite {@code 1/(1-percentile)}; it is kept as the maximum.
 * <p>
 * Threading: any thread; immutable once read.
 *
 * @param path        where it was read from.
 * @param values      latency value of each row, in the file's unit.
 * @param percentiles percentile of each row, 0..1.
 * @param max         the largest value.
 * @param totalCount  values recorded.
 */
record HgrmFile(Path path, double[] values, double[] percentiles, double max, long totalCount)
{
    /**
     * Read and check a file.
     *
     * @param path the file.
     * @return the distribution.
     * @throws TrackerException with one clear line when it is missing or not a percentile distribution.
     */
    static HgrmFile read(final Path path)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            throw new TrackerException("no such file: " + path);
        }
        catch (final IOException ex)
        {
            throw new TrackerException("cannot read " + path + ": " + ex.getMessage());
        }

        final List<double[]> rows = new ArrayList<>();
        long totalCount = 0;
        for (final String raw : lines)
        {
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("Value") || line.startsWith("\"Value\""))
            {
                continue;
            }
            if (line.startsWith("#"))
            {
                totalCount = Math.max(totalCount, footerCount(line));
                continue;
            }
            final String[] fields = line.split(line.indexOf(',') >= 0 ? "\\s*,\\s*" : "\\s+");
            if (fields.length < 3)
            {
                throw notHgrm(path, raw);
            }
            try
            {
                final double value = Double.parseDouble(fields[0]);
                final double percentile = Double.parseDouble(fields[1]);
                final long count = Long.parseLong(fields[2]);
                if (percentile < 0 || percentile > 1 || !Double.isFinite(value))
                {
                    throw notHgrm(path, raw);
                }
                rows.add(new double[]{ value, percentile });
                totalCount = Math.max(totalCount, count);
            }
            catch (final NumberFormatException ex)
            {
                throw notHgrm(path, raw);
            }
        }
        if (rows.isEmpty())
        {
            throw new TrackerException(path + " holds no percentile rows (expected HdrHistogram's " +
                "outputPercentileDistribution output, a .hgrm file)");
        }

        final double[] values = new double[rows.size()];
        final double[] percentiles = new double[rows.size()];
        double max = 0;
        for (int i = 0; i < rows.size(); i++)
        {
            values[i] = rows.get(i)[0];
            percentiles[i] = rows.get(i)[1];
            max = Math.max(max, values[i]);
        }
        return new HgrmFile(path, values, percentiles, max, totalCount);
    }

    /**
     * A short label for the file: its name without the extension.
     *
     * @return the label.
     */
    String label()
    {
        final String name = path.getFileName().toString();
        return name.endsWith(".hgrm") ? name.substring(0, name.length() - ".hgrm".length()) : name;
    }

    private static long footerCount(final String line)
    {
        final int at = line.indexOf("Total count");
        if (at < 0)
        {
            return 0;
        }
        final String rest = line.substring(line.indexOf('=', at) + 1).replace("]", "").strip();
        try
        {
            return Long.parseLong(rest);
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }

    private static TrackerException notHgrm(final Path path, final String line)
    {
        final String shown = line.length() > 60 ? line.substring(0, 60) + "..." : line;
        return new TrackerException(path + " is not a percentile distribution (.hgrm): unexpected line '" +
            shown.strip() + "'");
    }
}

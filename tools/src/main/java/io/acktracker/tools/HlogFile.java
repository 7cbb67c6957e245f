package io.acktracker.tools;

import io.acktracker.engine.api.TrackerException;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An HdrHistogram interval log ({@code .hlog}, as {@code acktracker load} and HdrHistogram's
 * {@code HistogramLogWriter} write it), read with HdrHistogram's own {@link HistogramLogReader}: every interval
 * histogram added into one.
 * <p>
 * Threading: the caller's thread; stateless.
 */
final class HlogFile
{
    private HlogFile()
    {
    }

    /**
     * Read a log and add its intervals up.
     *
     * @param path the log.
     * @return every interval's values in one histogram, in the log's unit.
     * @throws TrackerException with one clear line when it is missing, not a log, holds no interval or holds
     *                          floating-point histograms.
     */
    static Histogram read(final Path path)
    {
        if (!Files.isRegularFile(path))
        {
            throw new TrackerException("no such file: " + path);
        }
        final Histogram total = new Histogram(3);
        int intervals = 0;
        try
        {
            final HistogramLogReader reader = new HistogramLogReader(path.toFile());
            EncodableHistogram interval;
            while (null != (interval = reader.nextIntervalHistogram()))
            {
                if (!(interval instanceof AbstractHistogram histogram))
                {
                    throw new TrackerException(path + " holds floating-point (DoubleHistogram) intervals; plot " +
                        "takes integer histograms (as acktracker load writes)");
                }
                total.add(histogram);
                intervals++;
            }
        }
        catch (final FileNotFoundException ex)
        {
            throw new TrackerException("no such file: " + path);
        }
        catch (final TrackerException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new TrackerException(path + " is not an HdrHistogram interval log (.hlog): " +
                (null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage()));
        }
        if (0 == intervals)
        {
            throw new TrackerException(path + " holds no interval histograms (expected an HdrHistogram interval " +
                "log, .hlog, e.g. from acktracker load)");
        }
        return total;
    }
}

package io.acktracker.tools;

import io.acktracker.engine.api.TrackerException;
import io.acktracker.transport.ErrorLogFile;
import io.acktracker.transport.TransportErrors;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.agrona.concurrent.errors.DistinctErrorLog.ENCODED_ERROR_OFFSET;
import static org.agrona.concurrent.errors.DistinctErrorLog.FIRST_OBSERVATION_TIMESTAMP_OFFSET;
import static org.agrona.concurrent.errors.DistinctErrorLog.LAST_OBSERVATION_TIMESTAMP_OFFSET;
import static org.agrona.concurrent.errors.DistinctErrorLog.LENGTH_OFFSET;
import static org.agrona.concurrent.errors.DistinctErrorLog.OBSERVATION_COUNT_OFFSET;
import static org.agrona.concurrent.errors.DistinctErrorLog.RECORD_ALIGNMENT;

/**
 * The distinct errors a tracker service recorded, printed the way Aeron's ErrorStat prints a driver's: each error
 * once, with how often it was seen, when first and last (ISO-8601, UTC) and its stack trace. A service keeps two
 * Agrona distinct error logs beside its counters: the tracker's ({@code tracker-errors.dat}) and the transport's
 * ({@code transport-errors.dat}, malformed frames by kind and unexpected exceptions). Both are mapped read-only, so
 * this works while the service runs and after it stopped or died (the files stay until its next start).
 * <p>
 * Agrona's {@link ErrorLogReader} trusts the log: a negative record length would loop for ever. So each log is
 * walked and checked first (lengths, bounds, counts, time order), and a damaged one is refused in one line.
 * <p>
 * Threading: the command's thread.
 */
@Command(name = "errors", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The distinct errors a tracker service recorded (like Aeron's ErrorStat): each with its count, " +
        "first and last time seen (UTC) and its stack trace.",
        "Reads the tracker's and the transport's error logs (tracker-errors.dat, transport-errors.dat) read-only, " +
        "while the service runs or after it stopped; an in-memory service keeps them in its run directory."})
final class ErrorsCommand implements Callable<Integer>
{
    /** The logs a service keeps, in the order they are printed. */
    static final String[][] LOGS = {
        {"tracker", ErrorLogFile.TRACKER_FILE_NAME},
        {"transport", TransportErrors.FILE_NAME},
    };

    @Spec
    CommandSpec spec;

    @Option(names = "--aeron-dir", paramLabel = "DIR", description = "The Aeron directory of a service started " +
        "with 'acktracker run' (it prints it). Default: Aeron's default directory.")
    Path aeronDir;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "A service's data directory (or run directory).")
    Path dataDir;

    @Option(names = "--file", paramLabel = "FILE", description = "One error log file.")
    Path file;

    @Option(names = "--since", paramLabel = "TIME", converter = SinceConverter.class,
        description = "Only errors last seen at or after TIME: an ISO-8601 instant (2026-12-03T10:00:00Z) or a " +
        "duration back from now (10m, 2h).")
    Long sinceMs;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final List<String[]> logs = new ArrayList<>();
        if (null != file)
        {
            if (null != dataDir || null != aeronDir)
            {
                throw new TrackerException("--file names one log: give it alone, without --data-dir or --aeron-dir");
            }
            if (!Files.isRegularFile(file))
            {
                throw new TrackerException("no error log at " + file + " (no such file)");
            }
            logs.add(new String[]{ "", file.toString() });
        }
        else
        {
            final ServiceFiles.Location location = ServiceFiles.locate(dataDir, aeronDir, "error logs (" +
                LOGS[0][1] + ", " + LOGS[1][1] + ")", ErrorsCommand::holdsLog);
            if (null != location.service())
            {
                out.println(location.service().describe());
            }
            for (final String[] log : LOGS)
            {
                final Path path = location.dir().resolve(log[1]);
                if (Files.isRegularFile(path))
                {
                    logs.add(new String[]{ log[0], path.toString() });
                }
            }
        }

        int distinct = 0;
        for (final String[] log : logs)
        {
            distinct += print(out, log[0], Path.of(log[1]));
        }
        out.printf("%d distinct error%s observed%s.%n", distinct, 1 == distinct ? "" : "s",
            null == sinceMs ? "" : " since " + Instant.ofEpochMilli(sinceMs));
        out.flush();
        return 0;
    }

    private static boolean holdsLog(final Path dir)
    {
        for (final String[] log : LOGS)
        {
            if (Files.isRegularFile(dir.resolve(log[1])))
            {
                return true;
            }
        }
        return false;
    }

    private int print(final PrintWriter out, final String title, final Path path)
    {
        final long length = path.toFile().length();
        if (length < ENCODED_ERROR_OFFSET || length > Integer.MAX_VALUE || 0 != length % RECORD_ALIGNMENT)
        {
            throw new TrackerException(path + " is not an error log: damaged or truncated (" + length + " bytes, " +
                "not a positive multiple of " + RECORD_ALIGNMENT + ")");
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(path.toFile(), FileChannel.MapMode.READ_ONLY,
            "error log");
        try
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            final long since = null == sinceMs ? 0 : sinceMs;
            final int records = check(path, buffer);
            out.printf("%s%s (%d distinct in all)%n", title.isEmpty() ? "" : title + " errors: ", path, records);
            final int shown = ErrorLogReader.read(buffer, (count, firstMs, lastMs, encoded) ->
                out.printf("%n%,d observation%s from %s to %s for:%n %s%n", count, 1 == count ? "" : "s",
                Instant.ofEpochMilli(firstMs), Instant.ofEpochMilli(lastMs), encoded.stripTrailing()), since);
            if (0 == shown)
            {
                out.println(0 == records ? "  no errors recorded" : "  none since " + Instant.ofEpochMilli(since));
            }
            out.println();
            return shown;
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    /**
     * Walk the records the way {@link ErrorLogReader} will, checking each before it is trusted.
     *
     * @return the number of records.
     */
    static int check(final Path path, final UnsafeBuffer buffer)
    {
        final int capacity = buffer.capacity();
        int offset = 0;
        int records = 0;
        while (offset <= capacity - ENCODED_ERROR_OFFSET)
        {
            final int length = buffer.getIntVolatile(offset + LENGTH_OFFSET);
            if (0 == length)
            {
                break;
            }
            final int count = buffer.getInt(offset + OBSERVATION_COUNT_OFFSET);
            final long firstMs = buffer.getLong(offset + FIRST_OBSERVATION_TIMESTAMP_OFFSET);
            final long lastMs = buffer.getLong(offset + LAST_OBSERVATION_TIMESTAMP_OFFSET);
            final String why = length < ENCODED_ERROR_OFFSET || length > capacity - offset ?
                "length " + length + " outside the file" : count <= 0 ? "observation count " + count :
                firstMs <= 0 || lastMs < firstMs ? "times out of order (first " + firstMs + ", last " + lastMs + ")" :
                null;
            if (null != why)
            {
                throw new TrackerException(path + " is damaged: record " + (records + 1) + " at byte " + offset +
                    " has " + why + " (not an Agrona distinct error log, or overwritten)");
            }
            records++;
            offset += align(length);
        }
        return records;
    }

    private static int align(final int length)
    {
        return (length + RECORD_ALIGNMENT - 1) & -RECORD_ALIGNMENT;
    }

    /** {@code --since}: an ISO-8601 instant, or a duration back from now. */
    static final class SinceConverter implements ITypeConverter<Long>
    {
        public Long convert(final String value)
        {
            try
            {
                return Instant.parse(value.strip()).toEpochMilli();
            }
            catch (final DateTimeParseException ex)
            {
                try
                {
                    return System.currentTimeMillis() - new Durations().convert(value) / 1_000_000L;
                }
                catch (final TypeConversionException notDuration)
                {
                    throw new TypeConversionException("'" + value + "' is neither an ISO-8601 instant " +
                        "(2026-12-03T10:00:00Z) nor a duration back from now (10m, 2h)");
                }
            }
        }
    }
}

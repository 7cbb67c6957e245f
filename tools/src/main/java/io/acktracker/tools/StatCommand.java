package io.acktracker.tools;

import io.acktracker.cluster.ClusterCounter;
import io.acktracker.cluster.ClusterCounters;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.metrics.CountersFile;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.service.LatencyGauges;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Live view of a running tracker's counters from another process, the way AeronStat reads Aeron's: maps the
 * engine's counters file, the service's latency gauges ({@link LatencyGauges}) and the transport's counters
 * ({@code transport-counters.dat}) read-only, refreshed every second. By default a compact view that fits a
 * terminal (the heartbeat as an age, pending, the rates of tracks, acks, completions and expiries, completion
 * latency percentiles over the last second, circuits, dead letters, errors); {@code --all} for every counter;
 * {@code --type} and {@code --match} filter the way AeronStat's {@code type=} and identity filters do. Gauges
 * (levels) are shown without a rate; only counters of events get one. Like AeronStat, the value comes first and
 * the label last, so a long label never pushes a column.
 * <p>
 * A service is found through {@link ServiceFiles}: its data directory, or for a service that keeps its state in
 * memory its private run directory, named by the registration counter it keeps in its media driver. Files in a
 * directory rather than Aeron counters in the driver's {@code cnc.dat}: the counters outlive the process (read
 * after a crash), an embedded tracker without Aeron has them too, the engine stays free of Aeron, and the hot path
 * increments a counter in its own file, not in a buffer shared with every Aeron client of the driver.
 * <p>
 * Threading: the command's thread.
 */
@Command(name = "stat", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Live counters of a running tracker (like AeronStat): a compact view by default (with the " +
        "completion latency percentiles of the last second), --all for every counter; gauges have no rate.",
        "Reads the engine's, the latency and the transport's counters files read-only, from the service's data " +
        "directory or, for an in-memory service, from its private run directory (registered with its media " +
        "driver): files rather than Aeron counters in cnc.dat, so they are there after a crash and for an " +
        "embedded tracker without Aeron too."})
final class StatCommand implements Callable<Integer>
{
    /** File names a tracker keeps its counters under, in its data, run or Aeron directory. */
    static final String[] COUNTER_FILE_NAMES = { CountersFile.FILE_NAME, "acktracker-counters.dat" };

    @Spec
    CommandSpec spec;

    @Option(names = "--aeron-dir", paramLabel = "DIR", description = "The Aeron directory of a tracker service " +
        "(started with 'acktracker run'; it prints the directory). Default: Aeron's default directory.")
    Path aeronDir;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The tracker's data directory (or a service's " +
        "run directory).")
    Path dataDir;

    @Option(names = "--counters", paramLabel = "FILE", description = "A counters file.")
    Path countersFile;

    @Option(names = "--all", description = "Every counter, not the compact view.")
    boolean all;

    @Option(names = "--type", paramLabel = "TYPE", split = ",", description = "Only counters of these types: " +
        "engine, latency, transport, cluster, gauge, counter, or a counter type id (decimal or 0x hex); implies " +
        "--all.")
    List<String> types = new ArrayList<>();

    @Option(names = "--match", paramLabel = "REGEX", description = "Only counters whose label contains a match " +
        "of REGEX (case-insensitive); implies --all.")
    String match;

    @Option(names = "--once", description = "Print once and exit (for scripts); samples twice, --interval-ms " +
        "apart, for the rates.")
    boolean once;

    @Option(names = "--interval-ms", paramLabel = "MS", defaultValue = "1000",
        description = "Refresh interval (default ${DEFAULT-VALUE} ms).")
    long intervalMs;

    private ServiceRegistration.Service service;

    public Integer call() throws InterruptedException
    {
        if (intervalMs < 1 || intervalMs > 3_600_000)
        {
            throw new ParameterException(spec.commandLine(), "--interval-ms must be 1 to 3600000 (ms): " +
                intervalMs);
        }
        final Filter filter = filter();
        final boolean compact = !all && types.isEmpty() && null == match;
        final List<Source> sources = locate();
        final PrintWriter out = spec.commandLine().getOut();
        final List<CountersFile> files = new ArrayList<>();
        try
        {
            for (final Source source : sources)
            {
                files.add(openCounters(source.file()));
            }
            final List<CountersReader> readers = new ArrayList<>();
            files.forEach((file) -> readers.add(file.newReader()));
            Map<String, Long> previous = null;
            long previousMs = 0;
            if (once)
            {
                previous = sample(sources, readers);
                previousMs = System.currentTimeMillis();
                Thread.sleep(intervalMs);
            }
            do
            {
                final long nowMs = System.currentTimeMillis();
                final Map<String, Long> values = sample(sources, readers);
                if (!once)
                {
                    out.print("\033[H\033[2J");
                }
                if (null != service)
                {
                    out.println(service.describe());
                }
                final double seconds = Math.max(nowMs - previousMs, 1) / 1000.0;
                for (int i = 0; i < sources.size(); i++)
                {
                    final CountersFile counters = files.get(i);
                    out.printf("%s: %s - pid %d, started %s, %s%n", sources.get(i).title(), sources.get(i).file(),
                        counters.pid(), InspectCommand.time(counters.startTimeMs() * 1_000_000L),
                        alive(counters) ? "running" : "NOT RUNNING");
                }
                out.printf("%18s %12s  %s%n", "value", "per second", compact ? "counter (--all for every one)" :
                    "counter");
                for (final Row row : filter.rows(sources, readers))
                {
                    final long value = values.getOrDefault(row.key(), 0L);
                    final Long old = null == previous ? null : previous.get(row.key());
                    final String rate = row.gauge() || null == old ? "" :
                        String.format(Locale.ROOT, "%,.0f", (value - old) / seconds);
                    final String shown = row.heartbeat() ? age(nowMs, value) :
                        row.nanos() ? (0 == value ? "-" : Durations.format(value)) :
                        String.format(Locale.ROOT, "%,d", value);
                    out.printf("%18s %12s  %s%n", shown, rate, row.label());
                }
                out.flush();
                previous = values;
                previousMs = nowMs;
                if (!once)
                {
                    Thread.sleep(intervalMs);
                }
            }
            while (!once && !Thread.currentThread().isInterrupted());
        }
        finally
        {
            files.forEach(CountersFile::close);
        }
        return 0;
    }

    /**
     * How long ago a heartbeat was, for people.
     *
     * @param nowMs       now, epoch ms.
     * @param heartbeatMs the heartbeat, epoch ms (0: none yet).
     * @return e.g. "12 ms ago".
     */
    static String age(final long nowMs, final long heartbeatMs)
    {
        if (heartbeatMs <= 0)
        {
            return "never";
        }
        final long ageMs = Math.max(0, nowMs - heartbeatMs);
        return ageMs < 10_000 ? ageMs + " ms ago" : ageMs < 120_000 ? ageMs / 1000 + " s ago" :
            ageMs / 60_000 + " min ago";
    }

    private static Map<String, Long> sample(final List<Source> sources, final List<CountersReader> readers)
    {
        final Map<String, Long> values = new HashMap<>();
        for (int i = 0; i < sources.size(); i++)
        {
            final CountersReader reader = readers.get(i);
            final String title = sources.get(i).title();
            reader.forEach((counterId, typeId, keyBuffer, label) ->
                values.put(title + "/" + counterId, reader.getCounterValue(counterId)));
        }
        return values;
    }

    /**
     * One counter as shown.
     *
     * @param key       source title and counter id.
     * @param label     its label.
     * @param gauge     whether it is a level (no rate).
     * @param heartbeat whether it is an epoch-ms heartbeat (shown as an age).
     * @param nanos     whether it is a latency in nanoseconds (shown as a duration, "-" for none).
     */
    record Row(String key, String label, boolean gauge, boolean heartbeat, boolean nanos)
    {
    }

    /** The rows to show: the compact view, or every counter passing the filters. */
    private final class Filter
    {
        private final Pattern pattern;

        Filter(final Pattern pattern)
        {
            this.pattern = pattern;
        }

        List<Row> rows(final List<Source> sources, final List<CountersReader> readers)
        {
            final boolean compact = !all && types.isEmpty() && null == pattern;
            final List<Row> rows = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++)
            {
                final String title = sources.get(i).title();
                final List<Row> found = new ArrayList<>();
                final Map<Long, Row> byKey = new HashMap<>();
                readers.get(i).forEach((counterId, typeId, keyBuffer, label) ->
                {
                    final int keyId = keyBuffer.getInt(0);
                    final boolean gauge = isGauge(typeId, keyId);
                    final boolean heartbeat = TrackerCounter.TYPE_ID == typeId &&
                        TrackerCounter.HEARTBEAT_MS.id() == keyId;
                    final Row row = new Row(title + "/" + counterId, label, gauge, heartbeat,
                        LatencyGauges.TYPE_ID == typeId);
                    if (compact)
                    {
                        byKey.put(((long)typeId << 32) | (keyId & 0xFFFF_FFFFL), row);
                    }
                    else if (accepts(title, typeId, gauge, label))
                    {
                        found.add(row);
                    }
                });
                if (compact)
                {
                    for (final CompactView.Counter counter : CompactView.COUNTERS)
                    {
                        final Row row = byKey.get(((long)counter.typeId() << 32) | (counter.id() & 0xFFFF_FFFFL));
                        if (null != row)
                        {
                            found.add(new Row(row.key(), counter.title(), row.gauge(), row.heartbeat(),
                                row.nanos()));
                        }
                    }
                }
                rows.addAll(found);
            }
            return rows;
        }

        private boolean accepts(final String title, final int typeId, final boolean gauge, final String label)
        {
            if (!types.isEmpty())
            {
                boolean any = false;
                for (final String type : types)
                {
                    any |= type.equalsIgnoreCase(title) || "gauge".equalsIgnoreCase(type) && gauge ||
                        "counter".equalsIgnoreCase(type) && !gauge || isTypeId(type, typeId);
                }
                if (!any)
                {
                    return false;
                }
            }
            return null == pattern || pattern.matcher(label).find();
        }
    }

    private static boolean isTypeId(final String type, final int typeId)
    {
        try
        {
            return Long.decode(type) == (typeId & 0xFFFF_FFFFL) || Long.decode(type) == typeId;
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    private static boolean isGauge(final int typeId, final int keyId)
    {
        if (LatencyGauges.TYPE_ID == typeId)
        {
            return true;
        }
        if (TrackerCounter.TYPE_ID == typeId)
        {
            for (final TrackerCounter counter : TrackerCounter.values())
            {
                if (counter.id() == keyId)
                {
                    return counter.isGauge();
                }
            }
        }
        else if (TransportCounter.TYPE_ID == typeId)
        {
            for (final TransportCounter counter : TransportCounter.values())
            {
                if (counter.id() == keyId)
                {
                    return counter.isGauge();
                }
            }
        }
        else if (ClusterCounter.TYPE_ID == typeId)
        {
            for (final ClusterCounter counter : ClusterCounter.values())
            {
                if (counter.id() == keyId)
                {
                    return counter.isGauge();
                }
            }
        }
        return false;
    }

    private Filter filter()
    {
        for (final String type : types)
        {
            if (!type.matches("(?i)engine|latency|transport|cluster|gauge|counter") && !isNumber(type))
            {
                throw new ParameterException(spec.commandLine(), "--type takes engine, latency, transport, cluster, " +
                    "gauge, counter or a counter type id: '" + type + "'");
            }
        }
        try
        {
            return new Filter(null == match ? null : Pattern.compile(match, Pattern.CASE_INSENSITIVE));
        }
        catch (final PatternSyntaxException ex)
        {
            throw new ParameterException(spec.commandLine(), "--match is not a regular expression: " +
                ex.getDescription() + " in '" + match + "'");
        }
    }

    private static boolean isNumber(final String text)
    {
        try
        {
            Long.decode(text);
            return true;
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    private static boolean alive(final CountersFile counters)
    {
        return ProcessHandle.of(counters.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    private static CountersFile openCounters(final File file)
    {
        try
        {
            return CountersFile.openReadOnly(file);
        }
        catch (final IllegalStateException ex)
        {
            throw new TrackerException(ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            throw new TrackerException(file + " is not an acktracker counters file (truncated or corrupt: " +
                ex.getMessage() + ")");
        }
    }

    /**
     * A counters file and what it holds.
     *
     * @param title "engine" or "transport".
     * @param file  the file.
     */
    record Source(String title, File file)
    {
    }

    private List<Source> locate()
    {
        if (null != countersFile)
        {
            if (!Files.isRegularFile(countersFile))
            {
                throw new TrackerException("no counters file at " + countersFile);
            }
            return List.of(new Source(TransportCounters.FILE_NAME.equals(String.valueOf(countersFile.getFileName())) ?
                "transport" : "engine", countersFile.toFile()));
        }
        final ServiceFiles.Location location = ServiceFiles.locate(dataDir, aeronDir, "counters files",
            (dir) -> !inDirectory(dir).isEmpty());
        service = location.service();
        return inDirectory(location.dir());
    }

    private static List<Source> inDirectory(final Path dir)
    {
        final List<Source> sources = new ArrayList<>();
        if (Files.isRegularFile(dir.resolve(ClusterCounters.FILE_NAME)))
        {
            // a cluster member's files directory (acktracker cluster node --dir DIR: DIR/tracker): its place first
            sources.add(new Source("cluster", dir.resolve(ClusterCounters.FILE_NAME).toFile()));
        }
        for (final String name : COUNTER_FILE_NAMES)
        {
            if (Files.isRegularFile(dir.resolve(name)))
            {
                sources.add(new Source("engine", dir.resolve(name).toFile()));
                break;
            }
        }
        if (Files.isRegularFile(dir.resolve(LatencyGauges.FILE_NAME)))
        {
            sources.add(new Source("latency", dir.resolve(LatencyGauges.FILE_NAME).toFile()));
        }
        if (Files.isRegularFile(dir.resolve(TransportCounters.FILE_NAME)))
        {
            sources.add(new Source("transport", dir.resolve(TransportCounters.FILE_NAME).toFile()));
        }
        return sources;
    }
}

package io.acktracker.tools;

import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.metrics.CountersFile;
import io.acktracker.transport.TransportCounters;
import io.aeron.CommonContext;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Live view of a running tracker's counters from another process, the way AeronStat reads Aeron's: maps the
 * engine's counters file and, beside it, the transport's ({@code transport-counters.dat}) read-only and prints every
 * counter with its rate, once a second. A service is found from its Aeron directory through the registration
 * counter it keeps in its media driver ({@link ServiceRegistration}), which names its data directory.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Live counters of a running tracker: engine and transport (reads their counters files read-only).")
final class StatCommand implements Callable<Integer>
{
    /** File name a tracker service keeps its counters under, in its data or Aeron directory. */
    static final String[] COUNTER_FILE_NAMES = { CountersFile.FILE_NAME, "acktracker-counters.dat" };

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", description = "The tracker's data directory.")
    Path dataDir;

    @Option(names = "--aeron-dir", description = "The Aeron directory of a tracker service (started with " +
        "'acktracker run'; it prints the directory). Default: Aeron's default directory.")
    Path aeronDir;

    @Option(names = "--counters", description = "A counters file.")
    Path countersFile;

    @Option(names = "--once", description = "Print once and exit (for scripts).")
    boolean once;

    @Option(names = "--interval-ms", defaultValue = "1000", description = "Refresh interval (default 1000 ms).")
    long intervalMs;

    private ServiceRegistration.Service service;

    public Integer call() throws InterruptedException
    {
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
            do
            {
                final long nowMs = System.currentTimeMillis();
                final Map<String, Long> values = new LinkedHashMap<>();
                if (!once)
                {
                    out.print("\033[H\033[2J");
                }
                if (null != service)
                {
                    out.println(service.describe());
                }
                for (int i = 0; i < sources.size(); i++)
                {
                    final CountersFile counters = files.get(i);
                    final CountersReader reader = readers.get(i);
                    final String prefix = sources.get(i).title() + "/";
                    out.printf("%s: %s - pid %d, started %s, %s%n", sources.get(i).title(), sources.get(i).file(),
                        counters.pid(), InspectCommand.time(counters.startTimeMs() * 1_000_000L),
                        alive(counters) ? "running" : "NOT RUNNING");
                    out.printf("  %-70s %18s %14s%n", "counter", "value", "per second");
                    final Map<String, Long> before = previous;
                    final double seconds = (nowMs - previousMs) / 1000.0;
                    reader.forEach((counterId, typeId, keyBuffer, label) ->
                    {
                        final long value = reader.getCounterValue(counterId);
                        values.put(prefix + label, value);
                        final Long old = null == before ? null : before.get(prefix + label);
                        out.printf("  %-70s %,18d %14s%n", label, value, null == old ? "" :
                            String.format("%,.0f", (value - old) / Math.max(seconds, 0.001)));
                    });
                    out.println();
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
            return List.of(new Source("counters", countersFile.toFile()));
        }
        if (null == dataDir && null == aeronDir)
        {
            final Path defaultDir = Path.of(CommonContext.getAeronDirectoryName());
            try
            {
                return inAeronDir(defaultDir);
            }
            catch (final TrackerException ex)
            {
                final String prefix = "no tracker at " + defaultDir + ": ";
                final String why = ex.getMessage().startsWith(prefix) ? ex.getMessage().substring(prefix.length()) :
                    ex.getMessage();
                throw new TrackerException("no tracker in Aeron's default directory (" + why + "); say where the " +
                    "tracker is: --data-dir DIR, --aeron-dir DIR or --counters FILE");
            }
        }
        if (null != dataDir)
        {
            final List<Source> sources = inDirectory(dataDir);
            if (sources.isEmpty())
            {
                throw new TrackerException("no tracker at " + dataDir + " (no counters file there); is the tracker " +
                    "running with that data directory?");
            }
            return sources;
        }

        return inAeronDir(aeronDir);
    }

    private List<Source> inAeronDir(final Path aeronDir)
    {
        final List<Source> direct = inDirectory(aeronDir);
        if (!direct.isEmpty())
        {
            return direct;
        }
        try
        {
            service = ServiceRegistration.findOne(aeronDir);
        }
        catch (final TrackerException ex)
        {
            throw new TrackerException("no tracker at " + aeronDir + ": " + ex.getMessage());
        }
        if (null == service.dataDir())
        {
            throw new TrackerException(service.describe() + " keeps its counters in memory, where no other process " +
                "can read them; give it a data.dir");
        }
        final List<Source> sources = inDirectory(service.dataDir());
        if (sources.isEmpty())
        {
            throw new TrackerException("no counters files in " + service.dataDir() + ", the data directory of " +
                service.describe());
        }
        return sources;
    }

    private static List<Source> inDirectory(final Path dir)
    {
        final List<Source> sources = new ArrayList<>();
        for (final String name : COUNTER_FILE_NAMES)
        {
            if (Files.isRegularFile(dir.resolve(name)))
            {
                sources.add(new Source("engine", dir.resolve(name).toFile()));
                break;
            }
        }
        if (Files.isRegularFile(dir.resolve(TransportCounters.FILE_NAME)))
        {
            sources.add(new Source("transport", dir.resolve(TransportCounters.FILE_NAME).toFile()));
        }
        return sources;
    }
}

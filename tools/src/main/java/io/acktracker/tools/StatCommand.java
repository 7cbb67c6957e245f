package io.acktracker.tools;

import io.acktracker.engine.TrackerException;
import io.acktracker.engine.metrics.CountersFile;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Live view of a running tracker's counters from another process, the way AeronStat reads Aeron's: maps the
 * counters file read-only and prints every counter with its rate, once a second.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Live counters of a running tracker (reads its counters file read-only).")
final class StatCommand implements Callable<Integer>
{
    /** File name a tracker service keeps its counters under, in its data or Aeron directory. */
    static final String[] COUNTER_FILE_NAMES = { CountersFile.FILE_NAME, "acktracker-counters.dat" };

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", description = "The tracker's data directory.")
    Path dataDir;

    @Option(names = "--aeron-dir", description = "The Aeron directory of a tracker service.")
    Path aeronDir;

    @Option(names = "--counters", description = "A counters file.")
    Path countersFile;

    @Option(names = "--once", description = "Print once and exit (for scripts).")
    boolean once;

    @Option(names = "--interval-ms", defaultValue = "1000", description = "Refresh interval (default 1000 ms).")
    long intervalMs;

    public Integer call() throws InterruptedException
    {
        final File file = locate();
        final PrintWriter out = spec.commandLine().getOut();
        try (CountersFile counters = openCounters(file))
        {
            final CountersReader reader = counters.newReader();
            Map<String, Long> previous = null;
            long previousMs = 0;
            do
            {
                final Map<String, Long> values = new LinkedHashMap<>();
                reader.forEach((counterId, typeId, keyBuffer, label) ->
                    values.put(label, reader.getCounterValue(counterId)));
                final long nowMs = System.currentTimeMillis();
                if (!once)
                {
                    out.print("\033[H\033[2J");
                }
                out.printf("%s - pid %d, started %s, %s%n", file, counters.pid(),
                    InspectCommand.time(counters.startTimeMs() * 1_000_000L), alive(counters) ? "running" :
                    "NOT RUNNING");
                out.printf("%-72s %18s %14s%n", "counter", "value", "per second");
                final Map<String, Long> before = previous;
                final double seconds = (nowMs - previousMs) / 1000.0;
                values.forEach((label, value) -> out.printf("%-72s %,18d %14s%n", label, value,
                    null == before || !before.containsKey(label) ? "" :
                    String.format("%,.0f", (value - before.get(label)) / Math.max(seconds, 0.001))));
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
    }

    private File locate()
    {
        if (null != countersFile)
        {
            if (!Files.isRegularFile(countersFile))
            {
                throw new TrackerException("no counters file at " + countersFile);
            }
            return countersFile.toFile();
        }
        final Path dir = null != dataDir ? dataDir : aeronDir;
        if (null == dir)
        {
            throw new TrackerException("say where the tracker is: --data-dir DIR, --aeron-dir DIR or --counters FILE");
        }
        for (final String name : COUNTER_FILE_NAMES)
        {
            if (Files.isRegularFile(dir.resolve(name)))
            {
                return dir.resolve(name).toFile();
            }
        }
        throw new TrackerException("no tracker at " + dir + " (no counters file there); is the tracker running " +
            "with that directory?");
    }
}

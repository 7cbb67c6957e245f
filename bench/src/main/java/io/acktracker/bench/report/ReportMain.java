package io.acktracker.bench.report;

import io.acktracker.bench.compare.Peers;
import io.acktracker.bench.compare.RunResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Markdown tables from a compare results directory: one table per workload configuration with every peer side by
 * side and its ratio to {@value Peers#REFERENCE}; writes {@code report.md} into the directory and prints it.
 * <pre>
 *   java -jar acktracker-bench.jar report results/compare-full-...
 * </pre>
 */
public final class ReportMain
{
    private ReportMain()
    {
    }

    /**
     * Write the report.
     *
     * @param args the results directory.
     * @throws IOException when files cannot be read or written.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 1)
        {
            throw new IllegalArgumentException("usage: report <results-dir>");
        }
        final Path dir = Paths.get(args[0]);
        final String report = render(dir);
        Files.writeString(dir.resolve("report.md"), report);
        System.out.println(report);
    }

    /**
     * Render the report of a directory.
     *
     * @param dir results directory.
     * @return markdown.
     * @throws IOException when files cannot be read.
     */
    public static String render(final Path dir) throws IOException
    {
        final List<RunResult> results = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.filter((f) -> f.toString().endsWith(".properties")).sorted().forEach((f) -> results.add(
                RunResult.read(f)));
        }
        final Map<String, List<RunResult>> groups = new TreeMap<>(ReportMain::byGroup);
        for (final RunResult result : results)
        {
            groups.computeIfAbsent(result.get("group"), (g) -> new ArrayList<>()).add(result);
        }
        groups.values().forEach((list) -> list.sort(Comparator.comparingInt((r) -> Peers.order(r.get("peer")))));

        final StringBuilder out = new StringBuilder();
        out.append("# Peers side by side: ").append(dir.getFileName()).append("\n\n");
        if (!results.isEmpty())
        {
            final RunResult first = results.get(0);
            out.append("Every run in its own JVM: ").append(first.get("java")).append(", ")
                .append(first.get("cores")).append(" cores visible, max heap ").append(first.get("maxHeapMiB"))
                .append(" MiB, same flags for every peer:\n`").append(first.get("jvmArgs").replaceAll(
                    "-Xlog:gc:file=\\S+", "-Xlog:gc:file=<run>.gc.log")).append("`\n\n");
        }
        final Path notRun = dir.resolve("not-run.txt");
        if (Files.exists(notRun) && !Files.readString(notRun).isBlank())
        {
            out.append("Not run: ").append(Files.readString(notRun).trim().replace("\n", "; ")).append("\n\n");
        }
        out.append("Ratios are the peer's figure divided by ").append(Peers.REFERENCE)
            .append("'s in the same table (acks/s: below 1 is slower; latency, CPU, time: above 1 is worse). ")
            .append("harness-floor is not a tracker: the driver alone, the floor of what the harness and the ")
            .append("machine allow. Load avg: the machine's 1-minute load average at the start and end of the ")
            .append("run (2 cores; other work shares them).\n\n");

        section(out, groups, "throughput", "Throughput: one driver thread, steady state, acks in random order");
        section(out, groups, "latency", "Latency at a fixed ack rate, ack issued to outcome observed");
        memory(out, groups);
        section(out, groups, "burst", "Burst: every message tracked with the same deadline, none acked");
        threading(out, results);
        return out.toString();
    }

    private static void section(
        final StringBuilder out, final Map<String, List<RunResult>> groups, final String workload,
        final String title)
    {
        boolean any = false;
        for (final Map.Entry<String, List<RunResult>> group : groups.entrySet())
        {
            final List<RunResult> runs = group.getValue();
            if (!workload.equals(runs.get(0).get("workload")))
            {
                continue;
            }
            if (!any)
            {
                out.append("## ").append(title).append("\n\n");
                any = true;
            }
            final RunResult reference = reference(runs);
            switch (workload)
            {
                case "throughput":
                    throughputTable(out, runs, reference);
                    break;

                case "latency":
                    latencyTable(out, group.getKey(), runs, reference);
                    break;

                default:
                    burstTable(out, runs, reference);
            }
        }
    }

    private static void throughputTable(final StringBuilder out, final List<RunResult> runs, final RunResult ref)
    {
        final RunResult first = runs.get(0);
        out.append(String.format(Locale.ROOT, "### %s pending, %s destinations, %s%% never acked, 1%% duplicate " +
            "and 1%% late acks\n\n", grouped(first.number("pending")), first.get("destinations"),
            plain(first.number("neverAckedPercent"))));
        out.append("| peer | acks/s | ratio | CPU ms per 1M acks (all threads) | ratio | of which not the driver " +
            "| timeouts/s | GC pauses (n, total ms, max ms) | load avg | checks |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---|---|---|\n");
        for (final RunResult run : runs)
        {
            out.append("| ").append(run.get("peer"))
                .append(" | ").append(grouped(run.number("acksPerSecond")))
                .append(" | ").append(ratio(run, ref, "acksPerSecond"))
                .append(" | ").append(decimal(run.number("cpuMsPerMillionAcks")))
                .append(" | ").append(ratio(run, ref, "cpuMsPerMillionAcks"))
                .append(" | ").append(decimal(run.number("otherThreadsCpuMsPerMillionAcks")))
                .append(" | ").append(grouped(run.number("timeoutsPerSecond")))
                .append(" | ").append(pauses(run, "gcPauses", "gcPauseTotalMs", "gcPauseMaxMs"))
                .append(" | ").append(load(run))
                .append(" | ").append(run.get("errors"))
                .append(" |\n");
        }
        out.append('\n');
    }

    private static void latencyTable(
        final StringBuilder out, final String group, final List<RunResult> runs, final RunResult ref)
    {
        final RunResult first = runs.get(0);
        out.append(String.format(Locale.ROOT, "### %s acks/s, %s pending, %s destinations, %s%% never acked\n\n",
            grouped(first.number("targetAcksPerSecond")), grouped(first.number("pending")),
            first.get("destinations"), plain(first.number("neverAckedPercent"))));
        out.append("| peer | achieved acks/s | p50 µs | p99 µs | p99.9 µs | p99.99 µs | max µs | p99 ratio " +
            "| p99.99 ratio | CPU ms per 1M acks | GC pauses (n, total ms, max ms) | load avg | checks |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n");
        for (final RunResult run : runs)
        {
            out.append("| ").append(run.get("peer"))
                .append(" | ").append(grouped(run.number("achievedAcksPerSecond")))
                .append("true".equals(run.get("saturated")) ? " (saturated)" : "")
                .append(" | ").append(decimal(run.number("p50Us")))
                .append(" | ").append(decimal(run.number("p99Us")))
                .append(" | ").append(decimal(run.number("p999Us")))
                .append(" | ").append(decimal(run.number("p9999Us")))
                .append(" | ").append(decimal(run.number("maxUs")))
                .append(" | ").append(ratio(run, ref, "p99Us"))
                .append(" | ").append(ratio(run, ref, "p9999Us"))
                .append(" | ").append(decimal(run.number("cpuMsPerMillionAcks")))
                .append(" | ").append(pauses(run, "gcPauses", "gcPauseTotalMs", "gcPauseMaxMs"))
                .append(" | ").append(load(run))
                .append(" | ").append(run.get("errors"))
                .append(" |\n");
        }
        out.append("\n![").append(group).append("](").append(group).append(".png)\n\n");
    }

    private static void burstTable(final StringBuilder out, final List<RunResult> runs, final RunResult ref)
    {
        out.append(String.format(Locale.ROOT, "### %s messages, one deadline\n\n",
            grouped(runs.get(0).number("burst"))));
        out.append("| peer | track ns/msg | ratio | expiry ns/msg (deadline to last timeout) | ratio " +
            "| first timeout late ms | last timeout late ms | CPU ns/msg during expiry | GC pause ms during expiry " +
            "| checks |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (final RunResult run : runs)
        {
            out.append("| ").append(run.get("peer"))
                .append(" | ").append(decimal(run.number("trackNsPerMessage")))
                .append(" | ").append(ratio(run, ref, "trackNsPerMessage"))
                .append(" | ").append(decimal(run.number("expiryNsPerMessage")))
                .append(" | ").append(ratio(run, ref, "expiryNsPerMessage"))
                .append(" | ").append(decimal(run.number("firstTimeoutLateMs")))
                .append(" | ").append(decimal(run.number("lastTimeoutLateMs")))
                .append(" | ").append(decimal(run.number("expiryCpuNsPerMessage")))
                .append(" | ").append(decimal(run.number("gcPauseTotalMsDuringExpiry")))
                .append(" | ").append(run.get("errors"))
                .append(" |\n");
        }
        out.append('\n');
    }

    private static void memory(final StringBuilder out, final Map<String, List<RunResult>> groups)
    {
        final Map<String, List<RunResult>> byPending = new TreeMap<>();
        final Map<String, Boolean> seen = new LinkedHashMap<>();
        for (final List<RunResult> runs : groups.values())
        {
            for (final RunResult run : runs)
            {
                if (!"throughput".equals(run.get("workload")))
                {
                    continue;
                }
                final String key = String.format(Locale.ROOT, "%012d %s", (long)run.number("pending"),
                    run.get("destinations"));
                if (null == seen.putIfAbsent(key + " " + run.get("peer"), Boolean.TRUE))
                {
                    byPending.computeIfAbsent(key, (k) -> new ArrayList<>()).add(run);
                }
            }
        }
        if (byPending.isEmpty())
        {
            return;
        }
        out.append("## Memory per pending message (after filling, full GC; from the throughput runs)\n\n");
        out.append("Heap: heap in use after full collections, filled minus empty, per pending message. Off-heap: " +
            "what the peer's own off-heap structures hold (Chronicle Map for acktracker). RSS: growth of the " +
            "process's resident set (the heap is pre-touched, so this is mostly off-heap and native memory). " +
            "acktracker preallocates its tables for the configured capacity, which is larger than the pending " +
            "count (room for never-acked messages in flight). The harness floor tracks nothing.\n\n");
        out.append("| pending | destinations | peer | heap B/msg | off-heap B/msg | RSS growth B/msg |\n" +
            "|---:|---|---|---:|---:|---:|\n");
        for (final List<RunResult> runs : byPending.values())
        {
            runs.sort(Comparator.comparingInt((r) -> Peers.order(r.get("peer"))));
            for (final RunResult run : runs)
            {
                out.append("| ").append(grouped(run.number("pending")))
                    .append(" | ").append(run.get("destinations"))
                    .append(" | ").append(run.get("peer"))
                    .append(" | ").append(grouped(run.number("heapBytesPerPending")))
                    .append(" | ").append(grouped(run.number("offHeapBytesPerPending")))
                    .append(" | ").append(grouped(run.number("rssBytesPerPending")))
                    .append(" |\n");
            }
        }
        out.append('\n');
    }

    private static void threading(final StringBuilder out, final List<RunResult> results)
    {
        final Map<String, String> threading = new TreeMap<>(Comparator.comparingInt(Peers::order));
        results.forEach((r) -> threading.putIfAbsent(r.get("peer"), r.get("threading")));
        out.append("## Threads each peer uses\n\n| peer | threads |\n|---|---|\n");
        threading.forEach((peer, text) -> out.append("| ").append(peer).append(" | ").append(text).append(" |\n"));
        out.append('\n');
    }

    private static RunResult reference(final List<RunResult> runs)
    {
        for (final RunResult run : runs)
        {
            if (Peers.REFERENCE.equals(run.get("peer")))
            {
                return run;
            }
        }
        return null;
    }

    private static int byGroup(final String a, final String b)
    {
        return a.compareTo(b);
    }

    private static String ratio(final RunResult run, final RunResult reference, final String key)
    {
        if (null == reference)
        {
            return "n/a";
        }
        final double value = run.number(key);
        final double base = reference.number(key);
        if (Double.isNaN(value) || Double.isNaN(base) || 0 == base)
        {
            return "n/a";
        }
        final double ratio = value / base;
        return String.format(Locale.ROOT, ratio >= 10 ? "%.0f×" : ratio >= 1 ? "%.2f×" : "%.3f×", ratio);
    }

    private static String load(final RunResult run)
    {
        return String.format(Locale.ROOT, "%.1f → %.1f", run.number("loadAverageAtStart"),
            run.number("loadAverageAtEnd"));
    }

    private static String pauses(final RunResult run, final String count, final String total, final String max)
    {
        return String.format(Locale.ROOT, "%s, %s, %s", grouped(run.number(count)), decimal(run.number(total)),
            decimal(run.number(max)));
    }

    private static String grouped(final double value)
    {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String plain(final double value)
    {
        return Double.isNaN(value) ? "n/a" : value == Math.rint(value) ? Long.toString((long)value) :
            Double.toString(value);
    }

    private static String decimal(final double value)
    {
        if (Double.isNaN(value))
        {
            return "n/a";
        }
        final double magnitude = Math.abs(value);
        return String.format(Locale.ROOT, magnitude >= 1000 ? "%,.0f" : magnitude >= 100 ? "%.0f" :
            magnitude >= 10 ? "%.1f" : "%.2f", value);
    }
}

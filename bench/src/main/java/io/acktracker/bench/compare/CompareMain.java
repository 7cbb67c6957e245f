package io.acktracker.bench.compare;

import io.acktracker.bench.BenchMain;
import io.acktracker.bench.plot.PercentilePlot;
import io.acktracker.bench.report.ReportMain;
import io.acktracker.bench.support.JvmFlags;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the peers side by side: each run in a fresh JVM started from this jar with the same JVM, the same flags
 * (the parent pom's {@code acktracker.jvm.flags}) and the same fixed, pre-touched heap, one after another (never
 * two at once), with a GC log per run. Then writes {@code report.md} and one percentile plot per latency workload.
 * <pre>
 *   java -jar acktracker-bench.jar compare [--mode short|medium|full|10m] [--out DIR] [--peers a,b] [--workloads
 *       throughput,latency,burst] [--groups REGEX] [--heap 6g] [--jvm-opts "-XX:+UseParallelGC"] [--dry-run]
 * </pre>
 */
public final class CompareMain
{
    private static final long RUN_TIMEOUT_MINUTES = 15;

    private CompareMain()
    {
    }

    /**
     * Run the comparison.
     *
     * @param args options, see the class comment.
     * @throws Exception when a run cannot be started.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = options(args);
        final String mode = options.getOrDefault("mode", "short");
        final List<String> peers = new ArrayList<>();
        final List<String> notRun = new ArrayList<>();
        for (final Peers.Entry entry : Peers.ALL)
        {
            if (!options.containsKey("peers") || Arrays.asList(options.get("peers").split(",")).contains(entry.name()))
            {
                if (entry.available())
                {
                    peers.add(entry.name());
                }
                else
                {
                    notRun.add(entry.name() + ": " + entry.unavailableReason());
                }
            }
        }
        final List<String> workloads = Arrays.asList(
            options.getOrDefault("workloads", "throughput,latency,burst").split(","));
        final RunPlan.Settings all = RunPlan.of(mode, peers, workloads);
        final String groups = options.getOrDefault("groups", ".*");
        final RunPlan.Settings plan = new RunPlan.Settings(all.heap(),
            all.runs().stream().filter((run) -> run.group().matches(groups)).toList());
        final String heap = options.getOrDefault("heap", plan.heap());
        final Path out = Paths.get(options.getOrDefault("out", "bench/target/results/compare-" + mode + "-" +
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())));
        Files.createDirectories(out);

        final String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> jvm = new ArrayList<>();
        jvm.add(java);
        jvm.addAll(JvmFlags.forThisJava());
        jvm.add("-Xms" + heap);
        jvm.add("-Xmx" + heap);
        jvm.add("-XX:+AlwaysPreTouch");
        if (options.containsKey("jvm-opts"))
        {
            jvm.addAll(Arrays.asList(options.get("jvm-opts").trim().split("\\s+")));
        }

        Files.writeString(out.resolve("not-run.txt"), String.join("\n", notRun) + "\n");
        System.out.println("compare " + mode + ": " + plan.runs().size() + " runs, heap " + heap + ", out " + out);
        for (final String line : notRun)
        {
            System.out.println("not run: " + line);
        }

        int failures = 0;
        for (final RunPlan.Run run : plan.runs())
        {
            final List<String> command = new ArrayList<>(jvm);
            command.add("-Xlog:gc:file=" + out.resolve(run.id() + ".gc.log") + ":uptime,level,tags");
            command.add("-cp");
            command.add(jarPath());
            command.add(BenchMain.class.getName());
            command.add(PeerRun.COMMAND);
            command.add("peer=" + run.peer());
            command.add("id=" + run.id());
            command.add("out=" + out);
            command.add("group=" + run.group());
            run.options().forEach((key, value) -> command.add(key + "=" + value));

            System.out.println("== " + run.id());
            if (options.containsKey("dry-run"))
            {
                System.out.println(String.join(" ", command));
                continue;
            }
            final Process process = new ProcessBuilder(command).inheritIO().start();
            if (!process.waitFor(RUN_TIMEOUT_MINUTES, TimeUnit.MINUTES))
            {
                process.destroyForcibly().waitFor();
                System.out.println("!! " + run.id() + " timed out after " + RUN_TIMEOUT_MINUTES + " minutes");
                failures++;
            }
            else if (0 != process.exitValue())
            {
                System.out.println("!! " + run.id() + " exited with " + process.exitValue());
                failures++;
            }
        }

        if (!options.containsKey("dry-run"))
        {
            ReportMain.main(new String[]{ out.toString() });
            PercentilePlot.plotLatencyGroups(out);
        }
        System.out.println("results in " + out + (failures > 0 ? " (" + failures + " runs failed)" : ""));
        if (failures > 0)
        {
            System.exit(4);
        }
    }

    private static Map<String, String> options(final String[] args)
    {
        final Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            if (!args[i].startsWith("--"))
            {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            final String key = args[i].substring(2);
            if ("dry-run".equals(key))
            {
                options.put(key, "true");
            }
            else if (i + 1 < args.length)
            {
                options.put(key, args[++i]);
            }
            else
            {
                throw new IllegalArgumentException("missing value for " + args[i]);
            }
        }
        return options;
    }

    private static String jarPath() throws URISyntaxException, IOException
    {
        final File location = new File(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!location.isFile())
        {
            throw new IOException("compare must run from the shaded jar (java -jar acktracker-bench.jar compare), " +
                "not from " + location);
        }
        return location.getPath();
    }
}

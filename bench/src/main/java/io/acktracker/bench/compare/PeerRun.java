package io.acktracker.bench.compare;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of one peer on one workload, in a JVM of its own (started by {@link CompareMain} with the same flags and
 * heap for every peer); writes {@code <out>/<id>.properties}.
 * <pre>
 *   peer=kafka-purgatory workload=throughput|latency|burst id=... out=dir
 *   pending=1000000 destinations=3 neverAckedPercent=1 warmupSeconds=10 measureSeconds=20 rate=100000 burst=1000000
 *   memory=true|false leadMs=... neverAckedTimeoutMinMs=... neverAckedTimeoutMaxMs=... group=...
 *   workloads=throughput,latency,burst group.throughput=... group.latency=... group.burst=...  (several in one JVM)
 * </pre>
 */
public final class PeerRun
{
    /** The {@code BenchMain} command that runs this. */
    public static final String COMMAND = "_peer-run";

    private PeerRun()
    {
    }

    /**
     * Run and write the results; exits non-zero when a run found errors.
     *
     * @param args {@code key=value} arguments.
     * @throws Exception when the run fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = parse(args);
        final Path out = Paths.get(options.getOrDefault("out", "."));
        Files.createDirectories(out);
        boolean failed = false;
        for (final Map<String, String> single : split(options))
        {
            final RunResult result = run(single);
            result.put("loadAverageAtEnd", loadAverage());
            result.write(out.resolve(single.get("id") + ".properties"));
            System.out.println(single.get("id") + ": " + summary(result));
            failed |= !"none".equals(result.get("errors"));
        }
        if (failed)
        {
            System.exit(3);
        }
    }

    /**
     * One set of options per run: several workloads in one JVM ({@code workloads=throughput,latency,burst} with
     * {@code group.<workload>=...}, the short mode) become one run each, named after their group.
     *
     * @param options as given.
     * @return options of each run.
     */
    static List<Map<String, String>> split(final Map<String, String> options)
    {
        final String workloads = options.get("workloads");
        if (null == workloads)
        {
            return List.of(options);
        }
        final List<Map<String, String>> runs = new ArrayList<>();
        final String peer = require(options, "peer");
        for (final String workload : workloads.split(","))
        {
            if ("burst".equals(workload) && !Peers.byName(peer).timeouts())
            {
                continue;
            }
            final Map<String, String> single = new LinkedHashMap<>(options);
            single.remove("workloads");
            final String group = require(options, "group." + workload);
            single.put("workload", workload);
            single.put("group", group);
            single.put("id", group + "-" + peer);
            runs.add(single);
        }
        return runs;
    }

    /**
     * Run in this JVM (also used by tests with tiny sizes).
     *
     * @param options {@code key=value} options.
     * @return the result.
     */
    public static RunResult run(final Map<String, String> options)
    {
        final String peerName = require(options, "peer");
        final String workload = require(options, "workload");
        final String id = require(options, "id");
        final Peers.Entry entry = Peers.byName(peerName);
        final RunResult result = new RunResult()
            .put("id", id)
            .put("peer", peerName)
            .put("workload", workload)
            .put("group", options.getOrDefault("group", id));
        environment(result);
        final Peer peer = entry.factory().get();
        result.put("threading", peer.threading());

        final long warmupNs = seconds(options, "warmupSeconds", 5);
        final long measureNs = seconds(options, "measureSeconds", 10);
        switch (workload)
        {
            case "throughput":
            {
                final WorkloadSpec spec = WorkloadSpec.from(options);
                describe(spec, result);
                return ThroughputRun.run(spec, peer, warmupNs, measureNs,
                    Boolean.parseBoolean(options.getOrDefault("memory", "true")), result);
            }

            case "latency":
            {
                final WorkloadSpec spec = WorkloadSpec.from(options);
                describe(spec, result);
                final Path out = Paths.get(options.getOrDefault("out", "."));
                return LatencyRun.run(spec, peer, Double.parseDouble(require(options, "rate")), warmupNs, measureNs,
                    out, id, result);
            }

            case "burst":
            {
                final int count = Integer.parseInt(options.getOrDefault("burst", "1000000"));
                final long leadNs = options.containsKey("leadMs") ?
                    Long.parseLong(options.get("leadMs")) * 1_000_000L : Math.max(2_000_000_000L, count * 10_000L);
                return BurstRun.run(peer, count, leadNs, result);
            }

            default:
                throw new IllegalArgumentException("unknown workload " + workload);
        }
    }

    static Map<String, String> parse(final String[] args)
    {
        final Map<String, String> options = new LinkedHashMap<>();
        for (final String arg : args)
        {
            final int at = arg.indexOf('=');
            if (at <= 0)
            {
                throw new IllegalArgumentException("expected key=value: " + arg);
            }
            options.put(arg.substring(0, at), arg.substring(at + 1));
        }
        return options;
    }

    private static void describe(final WorkloadSpec spec, final RunResult result)
    {
        result.put("pending", spec.pending())
            .put("destinations", spec.destinationsLabel())
            .put("neverAckedPercent", spec.neverAckedPercent())
            .put("duplicatePercent", spec.duplicatePercent())
            .put("latePercent", spec.latePercent());
    }

    private static void environment(final RunResult result)
    {
        final Runtime runtime = Runtime.getRuntime();
        result.put("loadAverageAtStart", loadAverage())
            .put("cores", runtime.availableProcessors())
            .put("maxHeapMiB", runtime.maxMemory() >> 20)
            .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
            .put("jvmArgs", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    }

    /**
     * The machine's one-minute load average (Linux), NaN where unknown: how busy the shared cores were.
     *
     * @return the load average.
     */
    static double loadAverage()
    {
        try
        {
            return Double.parseDouble(Files.readString(Paths.get("/proc/loadavg")).split(" ")[0]);
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return Double.NaN;
        }
    }

    private static long seconds(final Map<String, String> options, final String key, final double defaultSeconds)
    {
        return (long)(Double.parseDouble(options.getOrDefault(key, Double.toString(defaultSeconds))) * 1e9);
    }

    private static String require(final Map<String, String> options, final String key)
    {
        final String value = options.get(key);
        if (null == value)
        {
            throw new IllegalArgumentException("missing " + key + "=...");
        }
        return value;
    }

    static String summary(final RunResult result)
    {
        final StringBuilder builder = new StringBuilder();
        for (final String key : new String[]{ "acksPerSecond", "cpuMsPerMillionAcks", "p50Us", "p99Us", "p9999Us",
            "maxUs", "achievedAcksPerSecond", "trackNsPerMessage", "expiryNsPerMessage", "heapBytesPerPending",
            "offHeapBytesPerPending", "gcPauseTotalMs", "errors" })
        {
            final String value = result.get(key);
            if (null != value)
            {
                builder.append(key).append('=').append(value).append(' ');
            }
        }
        return builder.toString().trim();
    }
}

package io.acktracker.bench.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The runs of a comparison: every workload configuration crossed with every available peer. {@code short} checks
 * the harness in about a minute (not for figures); {@code full} (10 s warm-up, 20 s measured; latency 10 + 30 s) and
 * {@code medium} (5 + 10 s; latency 5 + 15 s) run the same workloads for figures; {@code 10m} runs throughput
 * (10 + 20 s) and latency at 100k acks/s (10 + 30 s) with 10M pending, three destinations, quorum two.
 */
final class RunPlan
{
    /** One run: its id, its peer and its arguments for {@link PeerRun}. */
    record Run(String id, String peer, String group, Map<String, String> options)
    {
    }

    /** Settings of a plan. */
    record Settings(String heap, List<Run> runs)
    {
    }

    private RunPlan()
    {
    }

    static Settings of(final String mode, final List<String> peers, final List<String> workloads)
    {
        final List<Run> runs = new ArrayList<>();
        switch (mode)
        {
            case "short":
                smoke(runs, peers, workloads);
                return new Settings("1g", runs);

            case "full":
                steadyStateGroups(runs, peers, workloads, 10, 20, 10, 30);
                return new Settings("6g", runs);

            case "medium":
                steadyStateGroups(runs, peers, workloads, 5, 10, 5, 15);
                return new Settings("6g", runs);

            case "10m":
                throughput(runs, peers, workloads, 10_000_000, 3, 1, 10, 20);
                latency(runs, peers, workloads, 10_000_000, 3, 1, 100_000, 10, 30);
                return new Settings("14g", runs);

            default:
                throw new IllegalArgumentException("mode must be short, medium, full or 10m: " + mode);
        }
    }

    /**
     * Every workload of the published tables: throughput at 100k and 1M pending, one destination and three with
     * quorum two, 0/1/10% never acked; fixed-rate latency at 100k and 500k acks/s; a 1M burst. {@code full} and
     * {@code medium} differ only in the warm-up and measured windows.
     */
    private static void steadyStateGroups(
        final List<Run> runs,
        final List<String> peers,
        final List<String> workloads,
        final int throughputWarmupSeconds,
        final int throughputSeconds,
        final int latencyWarmupSeconds,
        final int latencySeconds)
    {
        final int w = throughputWarmupSeconds;
        final int m = throughputSeconds;
        throughput(runs, peers, workloads, 100_000, 1, 1, w, m);
        throughput(runs, peers, workloads, 100_000, 3, 1, w, m);
        throughput(runs, peers, workloads, 1_000_000, 1, 1, w, m);
        throughput(runs, peers, workloads, 1_000_000, 3, 0, w, m);
        throughput(runs, peers, workloads, 1_000_000, 3, 1, w, m);
        throughput(runs, peers, workloads, 1_000_000, 3, 10, w, m);
        latency(runs, peers, workloads, 1_000_000, 3, 1, 100_000, latencyWarmupSeconds, latencySeconds);
        latency(runs, peers, workloads, 1_000_000, 3, 1, 500_000, latencyWarmupSeconds, latencySeconds);
        burst(runs, peers, workloads, 1_000_000, 10_000);
    }

    /**
     * Short mode: every workload of a peer in one JVM (JVM and Chronicle start-up would otherwise dominate), tiny
     * sizes and one-second windows. Checks the harness end to end; not for figures.
     */
    private static void smoke(final List<Run> runs, final List<String> peers, final List<String> workloads)
    {
        for (final String peer : peers)
        {
            final Map<String, String> options = new java.util.LinkedHashMap<>();
            options.put("workloads", String.join(",", workloads));
            options.put("group.throughput", "throughput-n100000-d3q2-never1");
            options.put("group.latency", "latency-n100000-d3q2-never1-r100000");
            options.put("group.burst", "burst-n20000");
            options.put("pending", "100000");
            options.put("destinations", "3");
            options.put("neverAckedPercent", "1");
            options.put("rate", "100000");
            options.put("burst", "20000");
            options.put("leadMs", "500");
            options.put("warmupSeconds", "1");
            options.put("measureSeconds", "1");
            runs.add(new Run("short-" + peer, peer, "short", options));
        }
    }

    private static void throughput(
        final List<Run> runs,
        final List<String> peers,
        final List<String> workloads,
        final int pending,
        final int destinations,
        final int neverAckedPercent,
        final int warmupSeconds,
        final int measureSeconds)
    {
        if (!workloads.contains("throughput"))
        {
            return;
        }
        final String group = "throughput-n" + pending + "-d" + label(destinations) + "-never" + neverAckedPercent;
        forEachPeer(runs, peers, group, Map.of(
            "workload", "throughput",
            "pending", Integer.toString(pending),
            "destinations", Integer.toString(destinations),
            "neverAckedPercent", Integer.toString(neverAckedPercent),
            "warmupSeconds", Integer.toString(warmupSeconds),
            "measureSeconds", Integer.toString(measureSeconds)));
    }

    private static void latency(
        final List<Run> runs,
        final List<String> peers,
        final List<String> workloads,
        final int pending,
        final int destinations,
        final int neverAckedPercent,
        final int rate,
        final int warmupSeconds,
        final int measureSeconds)
    {
        if (!workloads.contains("latency"))
        {
            return;
        }
        final String group = "latency-n" + pending + "-d" + label(destinations) + "-never" + neverAckedPercent +
            "-r" + rate;
        forEachPeer(runs, peers, group, Map.of(
            "workload", "latency",
            "pending", Integer.toString(pending),
            "destinations", Integer.toString(destinations),
            "neverAckedPercent", Integer.toString(neverAckedPercent),
            "rate", Integer.toString(rate),
            "warmupSeconds", Integer.toString(warmupSeconds),
            "measureSeconds", Integer.toString(measureSeconds)));
    }

    private static void burst(
        final List<Run> runs,
        final List<String> peers,
        final List<String> workloads,
        final int count,
        final int leadMs)
    {
        if (!workloads.contains("burst"))
        {
            return;
        }
        final List<String> withTimeouts = peers.stream().filter((peer) -> Peers.byName(peer).timeouts()).toList();
        forEachPeer(runs, withTimeouts, "burst-n" + count, Map.of(
            "workload", "burst",
            "burst", Integer.toString(count),
            "leadMs", Integer.toString(leadMs)));
    }

    /** One run of the group per peer, each with the same options. */
    private static void forEachPeer(
        final List<Run> runs, final List<String> peers, final String group, final Map<String, String> options)
    {
        for (final String peer : peers)
        {
            runs.add(new Run(group + "-" + peer, peer, group, options));
        }
    }

    private static String label(final int destinations)
    {
        return 1 == destinations ? "1" : destinations + "q2";
    }
}

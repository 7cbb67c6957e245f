package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.DestinationRegistry;
import io.acktracker.engine.FailureReason;
import io.acktracker.engine.Outcome;
import io.acktracker.engine.OutcomeListener;
import io.acktracker.engine.Result;
import io.acktracker.engine.TrackRequest;
import io.acktracker.engine.TrackerConfig;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.metrics.LatencySummary;
import io.acktracker.engine.metrics.MetricsSnapshot;
import io.acktracker.engine.metrics.TrackerCounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The demo: one tracker driven in-process by a simulated sender and destinations with their own ack latencies and
 * loss, live progress, then a summary of outcomes, counters and latency percentiles.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a tracker against simulated destinations and print what it saw.")
final class DemoCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--rate", defaultValue = "20000", description = "Messages per second (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "5", description = "Seconds to run (default ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--destinations", defaultValue = "3", description = "Destinations (default ${DEFAULT-VALUE}).")
    int destinations;

    @Option(names = "--quorum", defaultValue = "2", description = "Acks needed per message (default ${DEFAULT-VALUE}).")
    int quorum;

    @Option(names = "--loss", defaultValue = "0.05",
        description = "Fraction of acks the flaky (last) destination loses (default ${DEFAULT-VALUE}).")
    double loss;

    @Option(names = "--ack-timeout-ms", defaultValue = "50",
        description = "Ack timeout per message (default ${DEFAULT-VALUE} ms).")
    long ackTimeoutMs;

    @Option(names = "--data-dir", description = "Persist to this directory (default: a new temp directory).")
    Path dataDir;

    @Option(names = "--in-memory", description = "Keep the pending table off-heap in memory, no files.")
    boolean inMemory;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--warmup", defaultValue = "1",
        description = "Seconds of JIT warm-up on a throwaway tracker first (default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    private final long[] outcomeCounts = new long[Outcome.values().length];

    private record AckEvent(long dueNs, long messageId, int destination)
    {
    }

    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (destinations < 1 || destinations > DestinationRegistry.MAX_DESTINATIONS)
        {
            throw new IllegalArgumentException("--destinations must be 1.." + DestinationRegistry.MAX_DESTINATIONS);
        }
        if (quorum < 1 || quorum > destinations)
        {
            throw new IllegalArgumentException("--quorum must be 1..--destinations");
        }
        if (rate <= 0 || durationSeconds <= 0)
        {
            throw new IllegalArgumentException("--rate and --duration must be positive");
        }
        final Path dir = inMemory ? null : null != dataDir ? dataDir : Files.createTempDirectory("acktracker-demo");

        final OutcomeListener listener =
            (id, outcome, reason, latencyNs, attempts, replay) -> outcomeCounts[outcome.ordinal()]++;
        final TrackerConfig config = new TrackerConfig()
            .name("demo")
            .dataDir(dir)
            .capacity(Math.max(10_000, rate * 2))
            .tombstoneWindowNs(TimeUnit.SECONDS.toNanos(1))
            .defaultAckTimeoutNs(TimeUnit.MILLISECONDS.toNanos(ackTimeoutMs))
            .defaultTtlNs(TimeUnit.SECONDS.toNanos(30))
            .outcomeListener(listener);
        for (int i = 0; i < destinations; i++)
        {
            config.destinations(destinationName(i));
        }

        out.printf("acktracker demo: %,d msg/s for %ds, %d destinations, quorum %d, flaky '%s' loses %.1f%% of acks%n",
            rate, durationSeconds, destinations, quorum, destinationName(destinations - 1), loss * 100);
        out.println(null == dir ? "pending table: off-heap, in memory" : "pending table: persisted in " + dir);
        out.flush();

        if (warmupSeconds > 0)
        {
            out.printf("warming up the JIT for %ds on a throwaway in-memory tracker...%n", warmupSeconds);
            out.flush();
            final TrackerConfig warmup = new TrackerConfig().name("demo-warmup").capacity(Math.max(10_000, rate * 2))
                .tombstoneWindowNs(TimeUnit.SECONDS.toNanos(1))
                .defaultAckTimeoutNs(TimeUnit.MILLISECONDS.toNanos(ackTimeoutMs));
            for (int i = 0; i < destinations; i++)
            {
                warmup.destinations(destinationName(i));
            }
            try (AckTracker tracker = AckTracker.open(warmup))
            {
                simulate(tracker, null, warmupSeconds);
            }
            java.util.Arrays.fill(outcomeCounts, 0);
        }

        try (AckTracker tracker = AckTracker.open(config))
        {
            simulate(tracker, out, durationSeconds);
            printSummary(tracker, out, dir);
        }
        return 0;
    }

    private void simulate(final AckTracker tracker, final PrintWriter out, final int durationSeconds)
    {
        final TrackerAgent agent = tracker.agent();
        final SplittableRandom random = new SplittableRandom(seed);
        final PriorityQueue<AckEvent> acks = new PriorityQueue<>(Comparator.comparingLong(AckEvent::dueNs));
        final TrackRequest request = new TrackRequest();
        final long allDestinations = destinations == 64 ? -1L : (1L << destinations) - 1;
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final long startNs = System.nanoTime();
        final long endNs = startNs + TimeUnit.SECONDS.toNanos(durationSeconds);
        long nextSendNs = startNs;
        long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(1);
        long messageId = 0;
        long refused = 0;

        while (true)
        {
            final long now = System.nanoTime();
            if (now - endNs >= 0 && acks.isEmpty() && agent.pendingCount() == 0)
            {
                break;
            }
            if (now - endNs >= 0 && now - endNs > TimeUnit.MILLISECONDS.toNanos(ackTimeoutMs * 4 + 1000))
            {
                break;
            }

            while (now - nextSendNs >= 0 && now - endNs < 0)
            {
                messageId++;
                final Result result = agent.track(request.reset().messageId(messageId)
                    .destinations(allDestinations).requiredAcks(quorum));
                if (Result.OK != result)
                {
                    refused++;
                }
                for (int d = 0; d < destinations; d++)
                {
                    if (d == destinations - 1 && destinations > 1 && random.nextDouble() < loss)
                    {
                        continue;
                    }
                    acks.add(new AckEvent(now + ackDelayNs(d, random), messageId, d));
                }
                nextSendNs += intervalNs;
            }

            while (!acks.isEmpty() && now - acks.peek().dueNs() >= 0)
            {
                final AckEvent ack = acks.poll();
                agent.recordAck(ack.messageId(), ack.destination());
            }

            agent.doWork();

            if (now - nextReportNs >= 0 && null != out)
            {
                final MetricsSnapshot metrics = tracker.metrics();
                out.printf("  %3ds  tracked %,10d  pending %,8d  completed %,10d  failed %,7d  late acks %,7d  p99 %s%n",
                    TimeUnit.NANOSECONDS.toSeconds(now - startNs),
                    metrics.get(TrackerCounter.TRACKED),
                    metrics.get(TrackerCounter.PENDING),
                    metrics.get(TrackerCounter.COMPLETED),
                    metrics.get(TrackerCounter.FAILED),
                    metrics.get(TrackerCounter.LATE_ACKS),
                    LatencySummary.format(metrics.completionLatency().p99()));
                out.flush();
                nextReportNs += TimeUnit.SECONDS.toNanos(1);
            }
        }

        if (refused > 0 && null != out)
        {
            out.printf("  %,d tracks refused (table full)%n", refused);
        }
    }

    private long ackDelayNs(final int destination, final SplittableRandom random)
    {
        // each destination has its own typical latency; a long tail on one in fifty acks
        final long baseNs = 20_000L * (1 + destination * 3);
        final long jitterNs = (long)(baseNs * random.nextDouble());
        final long tailNs = random.nextInt(50) == 0 ? baseNs * 20 : 0;
        return baseNs + jitterNs + tailNs;
    }

    private void printSummary(final AckTracker tracker, final PrintWriter out, final Path dir)
    {
        final MetricsSnapshot metrics = tracker.metrics();
        out.println();
        out.println("Outcomes");
        out.printf("  %-12s %,12d%n", "tracked", metrics.get(TrackerCounter.TRACKED));
        for (final Outcome outcome : Outcome.values())
        {
            out.printf("  %-12s %,12d%n", outcome.name().toLowerCase(), outcomeCounts[outcome.ordinal()]);
        }
        out.printf("  %-12s %,12d%n", "pending", metrics.get(TrackerCounter.PENDING));
        out.println("Acks");
        out.printf("  %-12s %,12d%n", "recorded", metrics.get(TrackerCounter.ACKS));
        out.printf("  %-12s %,12d   (after the quorum was met)%n", "late", metrics.get(TrackerCounter.LATE_ACKS));
        out.printf("  %-12s %,12d%n", "duplicate", metrics.get(TrackerCounter.DUPLICATE_ACKS));
        out.printf("  %-12s %,12d%n", "orphan", metrics.get(TrackerCounter.ORPHAN_ACKS));
        out.printf("  %-12s %,12d%n", "timeouts", metrics.get(TrackerCounter.TIMEOUTS));
        out.println("Latency");
        out.println("  track -> completed: " + metrics.completionLatency());
        out.println("  agent service time per command: " + metrics.serviceTime());
        if (null != dir)
        {
            out.println("Data directory: " + dir + " (reopen it and the tracker recovers what was pending)");
        }
        out.flush();
    }

    private static String destinationName(final int index)
    {
        return "dest-" + (char)('a' + index % 26) + (index >= 26 ? String.valueOf(index / 26) : "");
    }

    static String reasonName(final FailureReason reason)
    {
        return reason.name().toLowerCase();
    }
}

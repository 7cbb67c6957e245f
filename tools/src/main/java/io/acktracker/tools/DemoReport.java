package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.DestinationHealthView;
import io.acktracker.engine.api.DlqStats;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.metrics.LatencySummary;
import io.acktracker.engine.metrics.MetricsSnapshot;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.client.ClientSession;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The demo's summary: outcomes as the sender saw them, retries, dead letters, each destination's health, and
 * latency percentiles. Read once the simulation has stopped, while the tracker still runs.
 * <p>
 * Threading: the demo's main thread.
 */
final class DemoReport
{
    private final PrintWriter out;
    private final AckTracker tracker;
    private final DemoSimulation sim;
    private final AtomicIntegerArray circuitOpenings;
    private final Path dataDir;
    private final boolean kept;
    private final boolean drained;
    private final String redeliveryNote;

    DemoReport(
        final PrintWriter out,
        final AckTracker tracker,
        final DemoSimulation sim,
        final AtomicIntegerArray circuitOpenings,
        final Path dataDir,
        final boolean kept,
        final boolean drained,
        final String redeliveryNote)
    {
        this.out = out;
        this.tracker = tracker;
        this.sim = sim;
        this.circuitOpenings = circuitOpenings;
        this.dataDir = dataDir;
        this.kept = kept;
        this.drained = drained;
        this.redeliveryNote = redeliveryNote;
    }

    void print() throws InterruptedException
    {
        final MetricsSnapshot metrics = tracker.metrics();
        outcomes();
        retries(metrics);
        deadLetters();
        destinations();
        latency(metrics);
        acks(metrics);
        out.println();
        if (kept)
        {
            out.println("Data directory " + dataDir + " (reopening it recovers what was pending). Look inside:");
            out.println("  ./acktracker inspect " + dataDir);
            out.println("  ./acktracker dlq list " + dataDir);
        }
        else
        {
            out.println("The tables were " + (null == dataDir ? "in memory" : "in a temp directory, deleted now") +
                "; keep them with --data-dir DIR, then look inside: ./acktracker inspect DIR, ./acktracker dlq " +
                "list DIR");
        }
        out.flush();
    }

    private void outcomes()
    {
        final long sent = sim.stat(DemoSimulation.SENT);
        out.println();
        out.println("Outcomes (as the sender saw them, in Outcome frames over Aeron)");
        row("sent", sent, "");
        row("completed", sim.stat(DemoSimulation.COMPLETED), percent(sim.stat(DemoSimulation.COMPLETED), sent));
        row("failed", sim.stat(DemoSimulation.FAILED), reasons(Outcome.FAILED));
        row("expired", sim.stat(DemoSimulation.EXPIRED), reasons(Outcome.EXPIRED));
        if (sim.stat(DemoSimulation.REFUSED) > 0)
        {
            row("refused", sim.stat(DemoSimulation.REFUSED), "Refused frames (e.g. table full)");
        }
        row("no outcome", sim.outstanding(), drained ? "" :
            "still pending when the demo stopped");
        final ClientSession session = sim.session();
        row("session", session.appliedThrough(), String.format(
            "Tracks the tracker confirmed applied (numbered by the sender's session '%s'); %,d sent again, %,d " +
            "entries from its outbox (outcomes, redeliveries), %,d binds", DemoSimulation.SENDER_NAME,
            session.resends(), session.outboxReceived(), session.opens()));
    }

    private String reasons(final Outcome outcome)
    {
        final StringBuilder text = new StringBuilder();
        for (final FailureReason reason : FailureReason.values())
        {
            final long count = sim.reasons(outcome)[reason.ordinal()];
            if (count > 0)
            {
                text.append(text.length() == 0 ? "" : ", ").append(reason.name().toLowerCase()).append(' ')
                    .append(String.format("%,d", count));
            }
        }
        return text.toString();
    }

    private void retries(final MetricsSnapshot metrics)
    {
        out.println();
        out.println("Retries (the tracker's counters; redeliveries go out as Redeliver frames: " + redeliveryNote + ")");
        row("ack timeouts", metrics.get(TrackerCounter.TIMEOUTS), "messages whose ack timeout passed");
        row("redeliveries", metrics.get(TrackerCounter.REDELIVERIES), String.format(
            "asked for; the sender got %,d Redeliver frames and sent %,d again to their destination",
            sim.stat(DemoSimulation.REDELIVERS_RECEIVED), sim.stat(DemoSimulation.REDELIVERED)));
        row("parked", metrics.get(TrackerCounter.PARKED), String.format(
            "held back by an open circuit (%,d resumed)", metrics.get(TrackerCounter.RESUMED)));
        row("gave up", metrics.get(TrackerCounter.DESTINATIONS_GAVE_UP), "destinations out of attempts");
    }

    private void deadLetters() throws InterruptedException
    {
        out.println();
        out.println("Dead letters");
        try
        {
            final DlqStats stats = tracker.deadLetters().stats().get(5, TimeUnit.SECONDS);
            row("held", stats.count(), String.format("added %,d, replayed %,d, deleted %,d, refused (full) %,d",
                stats.totalMoved(), stats.totalReplayed(), stats.totalDeleted(), stats.refusedFull()));
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            out.println("  (the tracker did not answer: " + ex + ")");
        }
    }

    private void destinations()
    {
        out.println();
        out.println("Destinations (the tracker's view)");
        out.printf("  %-8s %-10s %6s %9s %9s %10s %9s %8s %10s  %s%n", "name", "circuit", "opened", "failures",
            "fail rate", "ewma ack", "in flight", "parked", "acks", "simulated as");
        for (int i = 0; i < sim.destinations().size(); i++)
        {
            final DemoSimulation.Destination destination = sim.destinations().get(i);
            final DestinationHealthView health = tracker.destinationHealth(destination.name());
            out.printf("  %-8s %-10s %,6d %,9d %8.1f%% %10s %,9d %,8d %,10d  %s%n", destination.name(),
                health.circuit(), circuitOpenings.get(health.destination()), health.failures(),
                health.failureRate() * 100, Durations.format((long)health.ewmaAckLatencyNs()), health.inFlight(),
                health.parked(), health.acks(), destination.role());
        }
    }

    private void latency(final MetricsSnapshot metrics)
    {
        latency(out, sim.firstAttemptLatency(), sim.retriedLatency(), sim.allLatency(), metrics.completionLatency());
    }

    /**
     * The latency table: completions on the first attempt apart from those that needed a redelivery (the
     * sub-millisecond path and the ack-timeout path are different distributions; one set of percentiles over both
     * describes neither), every outcome, and the tracker's own figure, all in the same columns and units.
     *
     * @param out          where to print.
     * @param firstAttempt completed on the first attempt, ns, as the sender saw it.
     * @param retried      completed after a redelivery, ns, as the sender saw it.
     * @param all          every outcome, ns, as the sender saw it.
     * @param tracker      the tracker's own track -> completed latency.
     */
    static void latency(
        final PrintWriter out,
        final Histogram firstAttempt,
        final Histogram retried,
        final Histogram all,
        final LatencySummary tracker)
    {
        out.println();
        out.println("Latency, track -> outcome as the sender saw it (from each message's intended send time)");
        out.printf("  %-26s %10s %9s %9s %9s %9s%n", "", "count", "p50", "p99", "p99.9", "max");
        latencyRow(out, "completed, first attempt", firstAttempt);
        latencyRow(out, "completed, redelivered", retried);
        latencyRow(out, "all outcomes", all);
        latencyRow(out, "tracker's own, completed", tracker.count(), tracker.p50(), tracker.p99(), tracker.p999(),
            tracker.max());
    }

    private static void latencyRow(final PrintWriter out, final String label, final Histogram histogram)
    {
        latencyRow(out, label, histogram.getTotalCount(), histogram.getValueAtPercentile(50),
            histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
    }

    private static void latencyRow(
        final PrintWriter out, final String label, final long count, final long p50, final long p99,
        final long p999, final long max)
    {
        if (0 == count)
        {
            out.printf("  %-26s %,10d %9s %9s %9s %9s%n", label, 0, "-", "-", "-", "-");
            return;
        }
        out.printf("  %-26s %,10d %9s %9s %9s %9s%n", label, count, Durations.format(p50), Durations.format(p99),
            Durations.format(p999), Durations.format(max));
    }

    private void acks(final MetricsSnapshot metrics)
    {
        out.println();
        out.println("Acks");
        row("published", sim.stat(DemoSimulation.ACKS_SENT), String.format(
            "by the destinations (%,d lost by the flaky one, %,d deliveries unanswered by the dark one)",
            sim.stat(DemoSimulation.ACKS_LOST), sim.stat(DemoSimulation.DARK_DROPPED)));
        row("recorded", metrics.get(TrackerCounter.ACKS), "");
        row("late", metrics.get(TrackerCounter.LATE_ACKS), "after the quorum was met or the message ended");
        row("orphan", metrics.get(TrackerCounter.ORPHAN_ACKS),
            "for an id the tracker did not know (an ack can overtake its Track: another Aeron session)");
        row("duplicate", metrics.get(TrackerCounter.DUPLICATE_ACKS), "");
    }

    private void row(final String label, final long value, final String note)
    {
        out.printf("  %-14s %,10d   %s%n", label, value, note);
    }

    private static String percent(final long part, final long whole)
    {
        return 0 == whole ? "" : String.format("%.2f%%", 100.0 * part / whole);
    }
}

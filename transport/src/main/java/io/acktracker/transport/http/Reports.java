package io.acktracker.transport.http;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.DestinationHealthView;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.DlqStats;
import io.acktracker.engine.metrics.LatencySummary;
import io.acktracker.engine.metrics.MetricsSnapshot;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.AeronTransport;
import io.acktracker.transport.DestinationStats;
import io.acktracker.transport.TransportCounter;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;
import java.util.function.ToDoubleFunction;

/**
 * What {@code GET /metrics} (Prometheus text exposition format 0.0.4) and {@code GET /stats} (JSON) report: the
 * engine's counters and latency percentiles (completion, service time, lease hold time), the transport's counters,
 * per-destination health (the engine's circuit, failures, EWMA latency, in flight, parked; the transport's acks,
 * nacks, rejects, lease commands, refusals, connection), DLQ statistics and the distinct errors recorded. Every
 * engine and transport counter is listed by name, so counters added later appear without a change here.
 * <p>
 * The full DLQ statistics are computed on the agent thread ({@code deadLetters().stats()}); when the agent does not
 * answer within {@link #DLQ_STATS_TIMEOUT_MS}, {@code /stats} reports the DLQ counters instead, marked
 * {@code "complete":false}.
 * <p>
 * Threading: any thread; reads only what the tracker and transport publish for other threads.
 */
final class Reports
{
    static final long DLQ_STATS_TIMEOUT_MS = 1_000;

    private final AckTracker tracker;
    private final AeronTransport transport;
    private final String label;

    /**
     * Reports over a tracker and, when it has one, its transport.
     *
     * @param tracker   the tracker.
     * @param transport its Aeron transport, or null.
     */
    Reports(final AckTracker tracker, final AeronTransport transport)
    {
        this.tracker = tracker;
        this.transport = transport;
        this.label = "tracker=\"" + escapeLabel(tracker.config().name()) + "\"";
    }

    String prometheus()
    {
        final StringBuilder out = new StringBuilder(8192);
        final MetricsSnapshot metrics = tracker.metrics();
        for (final Map.Entry<TrackerCounter, Long> entry : metrics.counters().entrySet())
        {
            final TrackerCounter counter = entry.getKey();
            metric(out, "acktracker_" + lower(counter.name()), counter.label(), counter.isGauge(), entry.getValue());
        }
        summary(out, "acktracker_completion_latency_seconds", "time from track to completion",
            metrics.completionLatency());
        summary(out, "acktracker_service_time_seconds", "agent time per command", metrics.serviceTime());
        summary(out, "acktracker_lease_hold_time_seconds", "time from lease grant to settlement",
            metrics.leaseHoldTime());

        final List<String> names = tracker.destinations().names();
        final DestinationHealthView[] health = health(names);
        healthMetric(out, health, "acktracker_destination_circuit_state",
            "circuit state: 0 closed, 1 open, 2 half open", (view) -> view.circuit().ordinal());
        healthMetric(out, health, "acktracker_destination_consecutive_failures", "failures in a row",
            DestinationHealthView::consecutiveFailures);
        healthMetric(out, health, "acktracker_destination_failure_rate", "failures over the sliding window (0..1)",
            DestinationHealthView::failureRate);
        healthMetric(out, health, "acktracker_destination_ack_latency_ewma_seconds",
            "exponentially weighted ack latency", (view) -> view.ewmaAckLatencyNs() / 1e9);
        healthMetric(out, health, "acktracker_destination_in_flight", "messages awaiting the destination's answer",
            DestinationHealthView::inFlight);
        healthMetric(out, health, "acktracker_destination_parked", "redeliveries parked behind an open circuit",
            DestinationHealthView::parked);

        if (null != transport)
        {
            for (final Map.Entry<TransportCounter, Long> entry : transport.counters().values().entrySet())
            {
                final TransportCounter counter = entry.getKey();
                metric(out, "acktracker_transport_" + lower(counter.name()), counter.label(), counter.isGauge(),
                    entry.getValue());
            }
            final DestinationStats stats = transport.destinationStats();
            destinationMetric(out, names, "acktracker_destination_acks_total", "acks applied", "counter",
                stats::acks);
            destinationMetric(out, names, "acktracker_destination_nacks_total", "nacks applied", "counter",
                stats::nacks);
            destinationMetric(out, names, "acktracker_destination_rejects_total", "rejects applied", "counter",
                stats::rejects);
            destinationMetric(out, names, "acktracker_destination_lease_commands_total",
                "lease, extend and settle commands applied", "counter", stats::leaseCommands);
            destinationMetric(out, names, "acktracker_destination_refused_total", "commands refused", "counter",
                stats::refused);
            destinationMetric(out, names, "acktracker_destination_connected", "a bound publisher is connected",
                "gauge", (id) -> isConnected(stats, id) ? 1 : 0);
        }
        return out.toString();
    }

    String statsJson()
    {
        final MetricsSnapshot metrics = tracker.metrics();
        final StringBuilder out = new StringBuilder(8192);
        out.append("{\"tracker\":").append(Json.quote(tracker.config().name()));
        out.append(",\"counters\":");
        counters(out, metrics.counters());
        out.append(",\"completion_latency_ns\":");
        latency(out, metrics.completionLatency());
        out.append(",\"service_time_ns\":");
        latency(out, metrics.serviceTime());
        out.append(",\"lease_hold_time_ns\":");
        latency(out, metrics.leaseHoldTime());
        if (null != transport)
        {
            out.append(",\"transport\":");
            counters(out, transport.counters().values());
        }
        out.append(",\"destinations\":");
        destinations(out);
        out.append(",\"dlq\":");
        dlq(out, metrics);
        if (null != transport)
        {
            out.append(",\"errors\":[");
            final int[] count = {0};
            transport.errors().read((observations, firstMs, lastMs, text) ->
            {
                out.append(count[0]++ > 0 ? "," : "")
                    .append("{\"count\":").append(observations)
                    .append(",\"first_ms\":").append(firstMs)
                    .append(",\"last_ms\":").append(lastMs)
                    .append(",\"error\":").append(Json.quote(text.lines().findFirst().orElse("")))
                    .append('}');
            });
            out.append(']');
        }
        return out.append('}').toString();
    }

    private void destinations(final StringBuilder out)
    {
        final List<String> names = tracker.destinations().names();
        final DestinationHealthView[] health = health(names);
        out.append('[');
        for (int id = 0; id < names.size(); id++)
        {
            out.append(id > 0 ? "," : "").append("{\"id\":").append(id)
                .append(",\"name\":").append(Json.quote(names.get(id)));
            final DestinationHealthView view = health[id];
            if (null != view)
            {
                out.append(",\"circuit\":").append(Json.quote(view.circuit().name()))
                    .append(",\"consecutive_failures\":").append(view.consecutiveFailures())
                    .append(",\"failure_rate\":").append(String.format(Locale.ROOT, "%.4f", view.failureRate()))
                    .append(",\"window_samples\":").append(view.windowSamples())
                    .append(",\"ewma_ack_latency_ns\":").append(Math.round(view.ewmaAckLatencyNs()))
                    .append(",\"in_flight\":").append(view.inFlight())
                    .append(",\"parked\":").append(view.parked())
                    .append(",\"engine_acks\":").append(view.acks())
                    .append(",\"engine_failures\":").append(view.failures())
                    .append(",\"opened_at_ms\":").append(view.openedAtNs() / 1_000_000);
            }
            if (null != transport)
            {
                final DestinationStats stats = transport.destinationStats();
                final long sessionId = stats.sessionId(id);
                out.append(",\"acks\":").append(stats.acks(id))
                    .append(",\"nacks\":").append(stats.nacks(id))
                    .append(",\"rejects\":").append(stats.rejects(id))
                    .append(",\"lease_commands\":").append(stats.leaseCommands(id))
                    .append(",\"refused\":").append(stats.refused(id))
                    .append(",\"last_ack_ms\":").append(stats.lastAckMs(id))
                    .append(",\"hellos\":").append(stats.hellos(id))
                    .append(",\"session_id\":").append(DestinationStats.NO_SESSION == sessionId ? "null" : sessionId)
                    .append(",\"connected\":").append(isConnected(stats, id));
            }
            out.append('}');
        }
        out.append(']');
    }

    private void dlq(final StringBuilder out, final MetricsSnapshot metrics)
    {
        DlqStats stats = null;
        String unavailable = null;
        try
        {
            stats = tracker.deadLetters().stats().get(DLQ_STATS_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            unavailable = "the tracker did not answer within " + DLQ_STATS_TIMEOUT_MS + " ms";
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            unavailable = String.valueOf(ex.getCause().getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            unavailable = "interrupted";
        }

        if (null != stats)
        {
            out.append("{\"complete\":true")
                .append(",\"size\":").append(stats.count())
                .append(",\"total_moved\":").append(stats.totalMoved())
                .append(",\"total_replayed\":").append(stats.totalReplayed())
                .append(",\"total_deleted\":").append(stats.totalDeleted())
                .append(",\"refused_full\":").append(stats.refusedFull())
                .append(",\"evicted_oldest\":").append(stats.evictedOldest())
                .append(",\"held_for_room\":").append(stats.heldForRoom())
                .append(",\"retention_removed\":").append(stats.retentionRemoved())
                .append(",\"retention_violations\":").append(stats.retentionViolations())
                .append(",\"oldest_dead_ms\":").append(stats.oldestDeadNs() / 1_000_000)
                .append('}');
        }
        else
        {
            out.append("{\"complete\":false,\"note\":").append(Json.quote(unavailable + "; counters only"))
                .append(",\"size\":").append(metrics.get(TrackerCounter.DLQ_SIZE))
                .append(",\"total_moved\":").append(metrics.get(TrackerCounter.DLQ_MOVED))
                .append(",\"total_replayed\":").append(metrics.get(TrackerCounter.DLQ_REPLAYED))
                .append(",\"total_deleted\":").append(metrics.get(TrackerCounter.DLQ_DELETED))
                .append(",\"refused_full\":").append(metrics.get(TrackerCounter.DLQ_FULL))
                .append(",\"held_for_room\":").append(metrics.get(TrackerCounter.DLQ_HELD))
                .append('}');
        }
    }

    private DestinationHealthView[] health(final List<String> names)
    {
        final DestinationHealthView[] views = new DestinationHealthView[names.size()];
        for (int id = 0; id < views.length; id++)
        {
            views[id] = tracker.destinationHealth(names.get(id));
        }
        return views;
    }

    private boolean isConnected(final DestinationStats stats, final int id)
    {
        final long sessionId = stats.sessionId(id);
        return DestinationStats.NO_SESSION != sessionId && transport.isSessionConnected((int)sessionId);
    }

    private static <E extends Enum<E>> void counters(final StringBuilder out, final EnumMap<E, Long> values)
    {
        out.append('{');
        boolean first = true;
        for (final Map.Entry<E, Long> entry : values.entrySet())
        {
            out.append(first ? "" : ",").append(Json.quote(lower(entry.getKey().name()))).append(':')
                .append(entry.getValue());
            first = false;
        }
        out.append('}');
    }

    private static void latency(final StringBuilder out, final LatencySummary summary)
    {
        out.append("{\"count\":").append(summary.count())
            .append(",\"p50\":").append(summary.p50())
            .append(",\"p99\":").append(summary.p99())
            .append(",\"p999\":").append(summary.p999())
            .append(",\"p9999\":").append(summary.p9999())
            .append(",\"max\":").append(summary.max())
            .append(",\"mean\":").append(String.format(Locale.ROOT, "%.1f", summary.meanNs()))
            .append('}');
    }

    private void metric(
        final StringBuilder out, final String baseName, final String help, final boolean gauge, final long value)
    {
        final String name = gauge ? baseName : baseName + "_total";
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n')
            .append("# TYPE ").append(name).append(gauge ? " gauge" : " counter").append('\n')
            .append(name).append('{').append(label).append("} ").append(value).append('\n');
    }

    private void summary(final StringBuilder out, final String name, final String help, final LatencySummary summary)
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
            .append("# TYPE ").append(name).append(" summary\n");
        quantile(out, name, "0.5", summary.p50());
        quantile(out, name, "0.99", summary.p99());
        quantile(out, name, "0.999", summary.p999());
        quantile(out, name, "0.9999", summary.p9999());
        out.append(name).append("_sum{").append(label).append("} ")
            .append(seconds(Math.round(summary.meanNs() * summary.count()))).append('\n')
            .append(name).append("_count{").append(label).append("} ").append(summary.count()).append('\n');
    }

    private void quantile(final StringBuilder out, final String name, final String quantile, final long valueNs)
    {
        out.append(name).append('{').append(label).append(",quantile=\"").append(quantile).append("\"} ")
            .append(seconds(valueNs)).append('\n');
    }

    private void destinationMetric(
        final StringBuilder out,
        final List<String> names,
        final String name,
        final String help,
        final String type,
        final IntToLongFunction value)
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
            .append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (int id = 0; id < names.size() && id < DestinationRegistry.MAX_DESTINATIONS; id++)
        {
            out.append(name).append('{').append(label).append(",destination=\"").append(escapeLabel(names.get(id)))
                .append("\"} ").append(value.applyAsLong(id)).append('\n');
        }
    }

    private void healthMetric(
        final StringBuilder out,
        final DestinationHealthView[] health,
        final String name,
        final String help,
        final ToDoubleFunction<DestinationHealthView> value)
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
            .append("# TYPE ").append(name).append(" gauge\n");
        for (final DestinationHealthView view : health)
        {
            final double v = value.applyAsDouble(view);
            out.append(name).append('{').append(label).append(",destination=\"").append(escapeLabel(view.name()))
                .append("\"} ").append(v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long)v) :
                String.format(Locale.ROOT, "%.9g", v)).append('\n');
        }
    }

    private static String seconds(final long ns)
    {
        return String.format(Locale.ROOT, "%.9f", ns / 1e9);
    }

    private static String lower(final String name)
    {
        return name.toLowerCase(Locale.ROOT);
    }

    private static String escapeLabel(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(final String value)
    {
        return value.replace("\\", "\\\\").replace("\n", "\\n");
    }
}

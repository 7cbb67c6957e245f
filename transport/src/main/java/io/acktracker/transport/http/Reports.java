package io.acktracker.transport.http;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.DestinationRegistry;
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

/**
 * What {@code GET /metrics} (Prometheus text exposition format 0.0.4) and {@code GET /stats} (JSON) report: the
 * engine's counters and latency percentiles, the transport's counters, per-destination health, DLQ stats and the
 * distinct errors recorded. Every engine counter is listed by name, so counters the engine adds later appear
 * without a change here.
 * <p>
 * Threading: any thread; reads only what the tracker and transport publish for other threads.
 */
final class Reports
{
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

        if (null != transport)
        {
            for (final Map.Entry<TransportCounter, Long> entry : transport.counters().values().entrySet())
            {
                final TransportCounter counter = entry.getKey();
                metric(out, "acktracker_transport_" + lower(counter.name()), counter.label(), counter.isGauge(),
                    entry.getValue());
            }
            final DestinationStats stats = transport.destinationStats();
            final List<String> names = tracker.destinations().names();
            destinationMetric(out, names, "acktracker_destination_acks_total", "acks applied", "counter",
                stats::acks);
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
        if (null != transport)
        {
            out.append(",\"transport\":");
            counters(out, transport.counters().values());
        }
        out.append(",\"destinations\":");
        destinations(out);
        out.append(",\"dlq\":{\"supported\":false,\"size\":0,\"note\":")
            .append(Json.quote("this tracker version has no dead-letter queue yet; rejects are answered " +
                "'not supported'"))
            .append('}');
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
        out.append('[');
        for (int id = 0; id < names.size(); id++)
        {
            out.append(id > 0 ? "," : "").append("{\"id\":").append(id)
                .append(",\"name\":").append(Json.quote(names.get(id)));
            if (null != transport)
            {
                final DestinationStats stats = transport.destinationStats();
                final long sessionId = stats.sessionId(id);
                out.append(",\"acks\":").append(stats.acks(id))
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
        final java.util.function.IntToLongFunction value)
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
            .append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (int id = 0; id < names.size() && id < DestinationRegistry.MAX_DESTINATIONS; id++)
        {
            out.append(name).append('{').append(label).append(",destination=\"").append(escapeLabel(names.get(id)))
                .append("\"} ").append(value.applyAsLong(id)).append('\n');
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

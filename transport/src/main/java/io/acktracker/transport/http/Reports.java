package io.acktracker.transport.http;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.DestinationHealthView;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.DlqStats;
import io.acktracker.engine.metrics.LatencyRecorder;
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

/**
 * What {@code GET /stats} (JSON) reports: the engine's counters and latency percentiles (completion, service time,
 * lease hold time), the transport's counters, per-destination health (the engine's circuit, failures, EWMA latency,
 * in flight, parked, ack latency percentiles; the transport's acks, nacks, rejects, lease commands, refusals,
 * connection), DLQ statistics and the distinct errors recorded. Every engine and transport counter is listed by
 * name, so counters added later appear without a change here. Latency {@code count} is since the start; the
 * percentiles are over the recent window ({@link LatencyRecorder#RECENT_WINDOW_MS}, one to two of them), not all
 * time. {@code GET /metrics} is {@link MetricsExposition}'s.
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
    }

    String statsJson()
    {
        final MetricsSnapshot metrics = tracker.metrics();
        final StringBuilder out = new StringBuilder(8192);
        out.append("{\"tracker\":").append(Json.quote(tracker.config().name()));
        out.append(",\"counters\":");
        counters(out, metrics.counters());
        final long nowMs = System.currentTimeMillis();
        out.append(",\"completion_latency_ns\":");
        latency(out, tracker.completionLatency(), nowMs);
        out.append(",\"service_time_ns\":");
        latency(out, tracker.serviceTime(), nowMs);
        out.append(",\"lease_hold_time_ns\":");
        latency(out, tracker.leaseHoldTime(), nowMs);
        if (null != transport)
        {
            out.append(",\"transport\":");
            counters(out, transport.counters().values());
        }
        out.append(",\"destinations\":");
        destinations(out, nowMs);
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

    private void destinations(final StringBuilder out, final long nowMs)
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
            if (id < DestinationRegistry.MAX_DESTINATIONS)
            {
                out.append(",\"ack_latency_ns\":");
                latency(out, tracker.ackLatency().recorder(id), nowMs);
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

    /**
     * The count since the start, then percentiles over the recent window only (see
     * {@link LatencyRecorder#recentSummary(long)}), so a cold start's outliers do not stay in them.
     */
    private static void latency(final StringBuilder out, final LatencyRecorder recorder, final long nowMs)
    {
        final long total = recorder.summary().count();
        final LatencySummary summary = recorder.recentSummary(nowMs);
        out.append("{\"count\":").append(total)
            .append(",\"recent_count\":").append(summary.count())
            .append(",\"p50\":").append(summary.p50())
            .append(",\"p99\":").append(summary.p99())
            .append(",\"p999\":").append(summary.p999())
            .append(",\"p9999\":").append(summary.p9999())
            .append(",\"max\":").append(summary.max())
            .append(",\"mean\":").append(String.format(Locale.ROOT, "%.1f", summary.meanNs()))
            .append('}');
    }

    private static String lower(final String name)
    {
        return name.toLowerCase(Locale.ROOT);
    }

}

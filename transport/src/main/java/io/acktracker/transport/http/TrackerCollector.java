package io.acktracker.transport.http;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.CircuitState;
import io.acktracker.engine.api.DestinationHealthView;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.AeronTransport;
import io.acktracker.transport.DestinationStats;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntToLongFunction;
import java.util.function.ToDoubleFunction;

/**
 * The tracker's metrics for the Prometheus client's registry, read at scrape time from what the tracker and its
 * transport already publish for other threads (the counters, the destination health views, the latency recorders'
 * running totals): nothing is kept twice and nothing runs on the agent thread. Every series carries
 * {@code tracker="<name>"}; per-destination series add {@code destination}.
 * <p>
 * Naming, after the Prometheus conventions: counters end in {@code _total} (the client's writers add it); gauges
 * have no suffix; times are in seconds ({@code HEARTBEAT_MS} becomes {@code acktracker_agent_heartbeat_timestamp_seconds},
 * {@code CHECKPOINT_PAUSE_US} {@code acktracker_checkpoint_pause_seconds}); counters of one thing for several reasons
 * are one metric with a {@code reason} label ({@code acktracker_lease_refused_total},
 * {@code acktracker_transport_malformed_frames_total}, whose sum is the old all-reasons counter;
 * {@code acktracker_transport_admin_refused_total}; {@code acktracker_transport_hellos_refused_total} and
 * {@code acktracker_transport_session_opens_refused_total}, credential reasons and "other"); HTTP answers are
 * {@code acktracker_http_requests_total{code}}; the circuit is a StateSet; latencies are classic histograms
 * ({@link LatencyHistograms}). Every other engine counter is {@code acktracker_<name>}, every other transport
 * counter {@code acktracker_transport_<name>}, so counters added later appear without a change here.
 * <p>
 * Threading: any thread (the HTTP edge's workers).
 */
final class TrackerCollector implements MultiCollector
{
    private static final String LEASE_REFUSED_PREFIX = "LEASE_REFUSED_";
    private static final String MALFORMED_PREFIX = "MALFORMED_";

    /** Counters exported as reasons of one labelled metric each (see {@link #transportCounters}). */
    private static final java.util.EnumSet<TransportCounter> REFUSAL_FAMILIES = java.util.EnumSet.of(
        TransportCounter.ADMIN_REFUSED, TransportCounter.ADMIN_UNSIGNED, TransportCounter.ADMIN_BAD_SIGNATURE,
        TransportCounter.ADMIN_REPLAYED, TransportCounter.ADMIN_MALFORMED, TransportCounter.HELLOS_REFUSED,
        TransportCounter.HELLOS_NO_CREDENTIAL, TransportCounter.HELLOS_BAD_CREDENTIAL,
        TransportCounter.SESSION_OPENS_REFUSED, TransportCounter.SESSION_OPENS_NO_CREDENTIAL,
        TransportCounter.SESSION_OPENS_BAD_CREDENTIAL);

    private final long[] lastOther = new long[2];
    private final AckTracker tracker;
    private final AeronTransport transport;
    private final TransportCounters transportCounters;
    private final HttpStatusCounts statusCounts;
    private final ExtraMetrics extra;
    private final Labels trackerLabels;

    /**
     * A collector over a tracker and, when it has one, its transport.
     *
     * @param tracker      the tracker.
     * @param transport    its Aeron transport, or null.
     * @param statusCounts the HTTP edge's answers by status code.
     */
    TrackerCollector(final AckTracker tracker, final AeronTransport transport, final HttpStatusCounts statusCounts)
    {
        this(tracker, transport, null == transport ? null : transport.counters(), statusCounts, null);
    }

    /**
     * A collector over a tracker, its transport or only the protocol's counters (a host of the engine without an
     * {@link AeronTransport}, such as a cluster member), and what the host adds.
     *
     * @param tracker           the tracker.
     * @param transport         its Aeron transport, or null.
     * @param transportCounters the protocol's counters, or null.
     * @param statusCounts      the HTTP edge's answers by status code.
     * @param extra             the host's own metrics, or null.
     */
    TrackerCollector(
        final AckTracker tracker,
        final AeronTransport transport,
        final TransportCounters transportCounters,
        final HttpStatusCounts statusCounts,
        final ExtraMetrics extra)
    {
        this.tracker = tracker;
        this.transport = transport;
        this.transportCounters = transportCounters;
        this.statusCounts = statusCounts;
        this.extra = extra;
        this.trackerLabels = Labels.of("tracker", tracker.config().name());
    }

    /**
     * Every family, read now.
     *
     * @return the snapshots.
     */
    @Override
    public MetricSnapshots collect()
    {
        final MetricSnapshots.Builder out = MetricSnapshots.builder();
        engineCounters(out);
        out.metricSnapshot(histogram("acktracker_completion_latency_seconds",
            "time from track to completion, completed messages", LatencyHistograms.ACK_BOUNDS_SECONDS,
            tracker.completionLatency().totalHistogram()));
        out.metricSnapshot(histogram("acktracker_service_time_seconds", "agent time per command",
            LatencyHistograms.SERVICE_BOUNDS_SECONDS, tracker.serviceTime().totalHistogram()));
        out.metricSnapshot(histogram("acktracker_lease_hold_time_seconds", "time from lease grant to settlement",
            LatencyHistograms.LEASE_BOUNDS_SECONDS, tracker.leaseHoldTime().totalHistogram()));
        destinations(out);
        if (null != transportCounters)
        {
            transportCounters(out);
        }
        if (null != extra)
        {
            extra.collect(new ExtraMetrics.Sink()
            {
                public void gauge(final String name, final String help, final double value)
                {
                    out.metricSnapshot(TrackerCollector.this.gauge(name, help, null, value));
                }

                public void counter(final String name, final String help, final long value)
                {
                    out.metricSnapshot(TrackerCollector.this.counter(name, help, value));
                }
            });
        }
        final CounterSnapshot.Builder http = CounterSnapshot.builder().name("acktracker_http_requests")
            .help("HTTP requests answered by the edge, by status code");
        statusCounts.forEachSeen((code) -> http.dataPoint(CounterDataPointSnapshot.builder()
            .labels(trackerLabels.add("code", Integer.toString(code))).value(statusCounts.get(code)).build()));
        out.metricSnapshot(http.build());
        return out.build();
    }

    private void engineCounters(final MetricSnapshots.Builder out)
    {
        final CounterSnapshot.Builder leaseRefused = CounterSnapshot.builder().name("acktracker_lease_refused")
            .help("lease, extend and settle commands refused by the tracker, by reason");
        for (final Map.Entry<TrackerCounter, Long> entry : tracker.metrics().counters().entrySet())
        {
            final TrackerCounter counter = entry.getKey();
            final long value = entry.getValue();
            final String name = counter.name();
            if (TrackerCounter.HEARTBEAT_MS == counter)
            {
                out.metricSnapshot(gauge("acktracker_agent_heartbeat_timestamp_seconds",
                    "when the agent last ran a duty cycle (epoch seconds); its age is time() minus this",
                    Unit.SECONDS, value / 1e3));
            }
            else if (TrackerCounter.CHECKPOINT_PAUSE_US == counter)
            {
                out.metricSnapshot(gauge("acktracker_checkpoint_pause_seconds",
                    "the agent's pause for the last checkpoint", Unit.SECONDS, value / 1e6));
            }
            else if (name.startsWith(LEASE_REFUSED_PREFIX))
            {
                leaseRefused.dataPoint(reasonPoint(name.substring(LEASE_REFUSED_PREFIX.length()), value));
            }
            else if (counter.isGauge())
            {
                out.metricSnapshot(gauge("acktracker_" + lower(name), counter.label(), null, value));
            }
            else
            {
                out.metricSnapshot(counter("acktracker_" + lower(name), counter.label(), value));
            }
        }
        out.metricSnapshot(leaseRefused.build());
    }

    private void transportCounters(final MetricSnapshots.Builder out)
    {
        final Map<TransportCounter, Long> values = transportCounters.values();
        final CounterSnapshot.Builder malformed = CounterSnapshot.builder()
            .name("acktracker_transport_malformed_frames").help("inbound frames malformed, by reason");
        for (final Map.Entry<TransportCounter, Long> entry : values.entrySet())
        {
            final TransportCounter counter = entry.getKey();
            final long value = entry.getValue();
            final String name = counter.name();
            if (REFUSAL_FAMILIES.contains(counter))
            {
                continue;
            }
            switch (counter)
            {
                // the sum of the reasons; and the HTTP answers, counted by code instead
                case MALFORMED_FRAMES, HTTP_REQUESTS, HTTP_REFUSED, HTTP_UNAUTHORIZED, HTTP_FORBIDDEN -> { }
                default ->
                {
                    if (name.startsWith(MALFORMED_PREFIX))
                    {
                        malformed.dataPoint(reasonPoint(name.substring(MALFORMED_PREFIX.length()), value));
                    }
                    else if (counter.isGauge())
                    {
                        out.metricSnapshot(gauge("acktracker_transport_" + lower(name), counter.label(), null, value));
                    }
                    else
                    {
                        out.metricSnapshot(counter("acktracker_transport_" + lower(name), counter.label(), value));
                    }
                }
            }
        }
        out.metricSnapshot(malformed.build());
        out.metricSnapshot(CounterSnapshot.builder().name("acktracker_transport_admin_refused")
            .help("admin commands refused, by reason")
            .dataPoint(reasonPoint("unsigned", values.get(TransportCounter.ADMIN_UNSIGNED)))
            .dataPoint(reasonPoint("bad_signature", values.get(TransportCounter.ADMIN_BAD_SIGNATURE)))
            .dataPoint(reasonPoint("replayed", values.get(TransportCounter.ADMIN_REPLAYED)))
            .dataPoint(reasonPoint("malformed", values.get(TransportCounter.ADMIN_MALFORMED)))
            .build());
        out.metricSnapshot(withOther("acktracker_transport_hellos_refused", "destination hellos refused, by reason",
            values, TransportCounter.HELLOS_REFUSED, TransportCounter.HELLOS_NO_CREDENTIAL,
            TransportCounter.HELLOS_BAD_CREDENTIAL, 0));
        out.metricSnapshot(withOther("acktracker_transport_session_opens_refused",
            "client session opens refused, by reason", values, TransportCounter.SESSION_OPENS_REFUSED,
            TransportCounter.SESSION_OPENS_NO_CREDENTIAL, TransportCounter.SESSION_OPENS_BAD_CREDENTIAL, 1));
    }

    /**
     * A refusal family whose counters are a total and two of its reasons: the two, and "other" for the rest. The
     * counters are read one by one while the agent counts (a reason before its total), so the difference can dip
     * for a moment: "other" never goes below what it was last exported as, so it stays a counter.
     */
    private CounterSnapshot withOther(
        final String name,
        final String help,
        final Map<TransportCounter, Long> values,
        final TransportCounter total,
        final TransportCounter noCredential,
        final TransportCounter badCredential,
        final int family)
    {
        final long none = values.get(noCredential);
        final long bad = values.get(badCredential);
        final long other;
        synchronized (lastOther)
        {
            other = Math.max(lastOther[family], values.get(total) - none - bad);
            lastOther[family] = other;
        }
        return CounterSnapshot.builder().name(name).help(help)
            .dataPoint(reasonPoint("no_credential", none))
            .dataPoint(reasonPoint("bad_credential", bad))
            .dataPoint(reasonPoint("other", other))
            .build();
    }

    private void destinations(final MetricSnapshots.Builder out)
    {
        final List<String> names = tracker.destinations().names();
        final int count = Math.min(names.size(), DestinationRegistry.MAX_DESTINATIONS);
        final Labels[] labels = new Labels[count];
        final DestinationHealthView[] health = new DestinationHealthView[count];
        for (int id = 0; id < count; id++)
        {
            labels[id] = trackerLabels.add("destination", names.get(id));
            health[id] = tracker.destinationHealth(names.get(id));
        }

        final StateSetSnapshot.Builder circuit = StateSetSnapshot.builder()
            .name("acktracker_destination_circuit_state").help("the destination's circuit breaker");
        final HistogramSnapshot.Builder ackLatency = HistogramSnapshot.builder()
            .name("acktracker_destination_ack_latency_seconds").unit(Unit.SECONDS)
            .help("time from an attempt's send to the destination's ack");
        for (int id = 0; id < count; id++)
        {
            ackLatency.dataPoint(LatencyHistograms.dataPoint(tracker.ackLatency().recorder(id).totalHistogram(),
                LatencyHistograms.ACK_BOUNDS_SECONDS, labels[id]));
            if (null != health[id])
            {
                final StateSetDataPointSnapshot.Builder point = StateSetDataPointSnapshot.builder().labels(labels[id]);
                for (final CircuitState state : CircuitState.values())
                {
                    point.state(lower(state.name()), state == health[id].circuit());
                }
                circuit.dataPoint(point.build());
            }
        }
        out.metricSnapshot(circuit.build());
        out.metricSnapshot(ackLatency.build());

        healthGauge(out, labels, health, "acktracker_destination_consecutive_failures", "failures in a row", null,
            DestinationHealthView::consecutiveFailures);
        healthGauge(out, labels, health, "acktracker_destination_failure_ratio",
            "failures over the sliding window (0..1)", Unit.RATIO, DestinationHealthView::failureRate);
        healthGauge(out, labels, health, "acktracker_destination_ack_latency_ewma_seconds",
            "exponentially weighted ack latency", Unit.SECONDS, (view) -> view.ewmaAckLatencyNs() / 1e9);
        healthGauge(out, labels, health, "acktracker_destination_in_flight",
            "messages awaiting the destination's answer", null, DestinationHealthView::inFlight);
        healthGauge(out, labels, health, "acktracker_destination_parked",
            "redeliveries parked behind an open circuit", null, DestinationHealthView::parked);

        if (null != transport)
        {
            final DestinationStats stats = transport.destinationStats();
            destinationCounter(out, labels, "acktracker_destination_acks", "acks applied", stats::acks);
            destinationCounter(out, labels, "acktracker_destination_nacks", "nacks applied", stats::nacks);
            destinationCounter(out, labels, "acktracker_destination_rejects", "rejects applied", stats::rejects);
            destinationCounter(out, labels, "acktracker_destination_lease_commands",
                "lease, extend and settle commands applied", stats::leaseCommands);
            destinationCounter(out, labels, "acktracker_destination_refused", "commands refused", stats::refused);
            final GaugeSnapshot.Builder connected = GaugeSnapshot.builder().name("acktracker_destination_connected")
                .help("1 when a bound publisher is connected");
            for (int id = 0; id < count; id++)
            {
                final long sessionId = stats.sessionId(id);
                final boolean isConnected = DestinationStats.NO_SESSION != sessionId &&
                    transport.isSessionConnected((int)sessionId);
                connected.dataPoint(GaugeDataPointSnapshot.builder().labels(labels[id]).value(isConnected ? 1 : 0)
                    .build());
            }
            out.metricSnapshot(connected.build());
        }
    }

    private HistogramSnapshot histogram(
        final String name, final String help, final double[] boundsSeconds, final org.HdrHistogram.Histogram values)
    {
        return HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS)
            .dataPoint(LatencyHistograms.dataPoint(values, boundsSeconds, trackerLabels)).build();
    }

    private static void healthGauge(
        final MetricSnapshots.Builder out,
        final Labels[] labels,
        final DestinationHealthView[] health,
        final String name,
        final String help,
        final Unit unit,
        final ToDoubleFunction<DestinationHealthView> value)
    {
        final GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
        if (null != unit)
        {
            gauge.unit(unit);
        }
        for (int id = 0; id < labels.length; id++)
        {
            if (null != health[id])
            {
                gauge.dataPoint(GaugeDataPointSnapshot.builder().labels(labels[id])
                    .value(value.applyAsDouble(health[id])).build());
            }
        }
        out.metricSnapshot(gauge.build());
    }

    private static void destinationCounter(
        final MetricSnapshots.Builder out,
        final Labels[] labels,
        final String name,
        final String help,
        final IntToLongFunction value)
    {
        final CounterSnapshot.Builder counter = CounterSnapshot.builder().name(name).help(help);
        for (int id = 0; id < labels.length; id++)
        {
            counter.dataPoint(CounterDataPointSnapshot.builder().labels(labels[id]).value(value.applyAsLong(id))
                .build());
        }
        out.metricSnapshot(counter.build());
    }

    private GaugeSnapshot gauge(final String name, final String help, final Unit unit, final double value)
    {
        final GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help)
            .dataPoint(GaugeDataPointSnapshot.builder().labels(trackerLabels).value(value).build());
        if (null != unit)
        {
            gauge.unit(unit);
        }
        return gauge.build();
    }

    private CounterSnapshot counter(final String name, final String help, final double value)
    {
        return CounterSnapshot.builder().name(name).help(help)
            .dataPoint(CounterDataPointSnapshot.builder().labels(trackerLabels).value(value).build()).build();
    }

    private CounterDataPointSnapshot reasonPoint(final String reason, final long value)
    {
        return CounterDataPointSnapshot.builder().labels(trackerLabels.add("reason", lower(reason))).value(value)
            .build();
    }

    private static String lower(final String name)
    {
        return name.toLowerCase(Locale.ROOT);
    }
}

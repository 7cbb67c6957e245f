package io.acktracker.tools;

import io.acktracker.cluster.ClusterCounter;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.service.LatencyGauges;

/**
 * The counters {@code stat}'s compact view shows, in order, with their short titles.
 * <p>
 * Threading: constants; any thread.
 */
final class CompactView
{
    /** What the compact view shows, in order, with short titles: the tracker's flow and health, the transport's. */
    static final Counter[] COUNTERS = {
        cluster(ClusterCounter.ROLE, "cluster role (0 follower, 1 candidate, 2 leader)"),
        cluster(ClusterCounter.LEADER_MEMBER, "cluster leader member"),
        cluster(ClusterCounter.LEADERSHIP_TERM, "cluster leadership term"),
        cluster(ClusterCounter.LOG_POSITION, "cluster log position applied"),
        cluster(ClusterCounter.COMMIT_POSITION, "cluster commit position"),
        engine(TrackerCounter.HEARTBEAT_MS, "heartbeat"),
        engine(TrackerCounter.TRACKER_FAILED, "tracker failed (1: stopped on a fault)"),
        engine(TrackerCounter.PENDING, "pending"),
        engine(TrackerCounter.TRACKED, "tracked"),
        engine(TrackerCounter.ACKS, "acks"),
        engine(TrackerCounter.COMPLETED, "completed"),
        engine(TrackerCounter.FAILED, "failed"),
        engine(TrackerCounter.EXPIRED, "expired"),
        engine(TrackerCounter.TIMEOUTS, "ack timeouts"),
        engine(TrackerCounter.REDELIVERIES, "redeliveries"),
        engine(TrackerCounter.CIRCUITS_OPEN, "circuits not closed"),
        engine(TrackerCounter.CIRCUIT_TRANSITIONS, "circuit state changes"),
        engine(TrackerCounter.DLQ_SIZE, "dead letters held"),
        engine(TrackerCounter.DLQ_MOVED, "dead letters added"),
        engine(TrackerCounter.ACTIVE_LEASES, "active leases"),
        engine(TrackerCounter.BACK_PRESSURED, "refused: queue full"),
        engine(TrackerCounter.ERRORS, "tracker errors (acktracker errors)"),
        latency(LatencyGauges.Gauge.P50, "completion latency p50 (last second)"),
        latency(LatencyGauges.Gauge.P99, "completion latency p99 (last second)"),
        latency(LatencyGauges.Gauge.P99_9, "completion latency p99.9 (last second)"),
        latency(LatencyGauges.Gauge.MAX, "completion latency max (last second)"),
        transport(TransportCounter.FRAMES_RECEIVED, "frames received"),
        transport(TransportCounter.MALFORMED_FRAMES, "malformed frames"),
        transport(TransportCounter.BOUND_SESSIONS, "bound destination sessions"),
        transport(TransportCounter.OUTCOMES_SENT, "outcomes published"),
        transport(TransportCounter.BACKLOG_BYTES, "outbound backlog bytes"),
        transport(TransportCounter.OUTBOUND_STALLED, "outbound stalled (1) or not (0)"),
        transport(TransportCounter.HTTP_REQUESTS, "http requests"),
        transport(TransportCounter.ERRORS, "transport errors (acktracker errors)"),
    };

    /**
     * A counter of the compact view.
     *
     * @param typeId its counter type id.
     * @param id     its id, kept in its key.
     * @param title  its short title.
     */
    record Counter(int typeId, int id, String title)
    {
    }

    private static Counter engine(final TrackerCounter counter, final String title)
    {
        return new Counter(TrackerCounter.TYPE_ID, counter.id(), title);
    }

    private static Counter cluster(final ClusterCounter counter, final String title)
    {
        return new Counter(ClusterCounter.TYPE_ID, counter.id(), title);
    }

    private static Counter latency(final LatencyGauges.Gauge gauge, final String title)
    {
        return new Counter(LatencyGauges.TYPE_ID, gauge.id(), title);
    }

    private static Counter transport(final TransportCounter counter, final String title)
    {
        return new Counter(TransportCounter.TYPE_ID, counter.id(), title);
    }

    private CompactView()
    {
    }
}

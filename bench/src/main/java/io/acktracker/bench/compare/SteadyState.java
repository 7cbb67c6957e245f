package io.acktracker.bench.compare;

/**
 * A peer opened and filled with a workload's pending messages, with the memory that took.
 * <p>
 * Memory is measured as the heap in use after full collections (before opening the peer, after filling it) and
 * the resident set size around the same points, divided by the pending count; off-heap is what the peer reports
 * for its own structures (Chronicle Map for acktracker). The stream's own per-slot arrays are allocated before the
 * first measurement, so they are not counted.
 * <p>
 * Driver thread only.
 */
final class SteadyState implements AutoCloseable
{
    final WorkloadSpec spec;
    final Peer peer;
    final RunSink sink;
    final AckStream stream;

    private SteadyState(final WorkloadSpec spec, final Peer peer, final RunSink sink)
    {
        this.spec = spec;
        this.peer = peer;
        this.sink = sink;
        this.stream = new AckStream(spec, peer);
    }

    /**
     * Open the peer, fill it and record the memory figures.
     *
     * @param spec     workload.
     * @param peer     peer, not yet open.
     * @param sink     outcome sink.
     * @param extra    capacity beyond {@code pending} for never-acked messages in flight.
     * @param result   receives fill time and memory figures.
     * @param memory   whether to measure memory (full collections before and after the fill).
     * @return the state.
     */
    static SteadyState open(
        final WorkloadSpec spec,
        final Peer peer,
        final RunSink sink,
        final int extra,
        final RunResult result,
        final boolean memory)
    {
        final SteadyState state = new SteadyState(spec, peer, sink);
        final long heapBefore = memory ? JvmProbe.heapUsedAfterGc() : 0;
        final long rssBefore = JvmProbe.rssBytes();
        final long openNs = System.nanoTime();
        peer.open(spec.peerSpec(extra), sink);
        final long startNs = System.nanoTime();
        state.stream.fill();
        final long fillNs = System.nanoTime() - startNs;
        final double pending = spec.pending();
        result.put("openSeconds", (startNs - openNs) / 1e9)
            .put("fillSeconds", fillNs / 1e9)
            .put("trackNsDuringFill", fillNs / pending);
        if (memory)
        {
            final long heapAfter = JvmProbe.heapUsedAfterGc();
            final long rssAfter = JvmProbe.rssBytes();
            result.put("heapBytesPerPending", (heapAfter - heapBefore) / pending)
                .put("offHeapBytesPerPending", peer.offHeapBytes() / pending)
                .put("rssBytesPerPending", (rssAfter - rssBefore) / pending)
                .put("heapUsedAfterFillMiB", heapAfter >> 20);
        }
        return state;
    }

    /**
     * Wait (bounded) until every completion the stream caused has reached the sink, running duty cycles.
     *
     * @param timeoutNs most time to wait.
     */
    void drainCompletions(final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (sink.completed() < stream.completingAcks() && System.nanoTime() - deadline < 0)
        {
            if (0 == peer.doWork())
            {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Check the outcomes against what the stream did, and record the counts.
     *
     * @param result receives counts and an {@code errors} entry.
     */
    void check(final RunResult result)
    {
        final StringBuilder errors = new StringBuilder();
        if (sink.completed() != stream.completingAcks())
        {
            errors.append("completions ").append(sink.completed()).append(" != completing acks ")
                .append(stream.completingAcks()).append("; ");
        }
        if (sink.timedOut() > stream.neverAckedTracks())
        {
            errors.append("timeouts ").append(sink.timedOut()).append(" > never-acked tracks ")
                .append(stream.neverAckedTracks()).append(" (an acked message timed out); ");
        }
        result.put("acksTotal", stream.acks())
            .put("completingAcks", stream.completingAcks())
            .put("duplicateAcks", stream.duplicateAcks())
            .put("lateAcks", stream.lateAcks())
            .put("tracks", stream.tracks())
            .put("neverAckedTracks", stream.neverAckedTracks())
            .put("completedObserved", sink.completed())
            .put("timedOutObserved", sink.timedOut());
        peer.report(result);
        result.put("errors", errors.length() == 0 ? "none" : errors.toString());
    }

    public void close()
    {
        peer.close();
    }
}

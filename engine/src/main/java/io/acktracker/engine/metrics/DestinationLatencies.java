package io.acktracker.engine.metrics;

import io.acktracker.engine.api.DestinationRegistry;

/**
 * Ack latency per destination (from the attempt's send to the destination's ack), one {@link LatencyRecorder} per
 * destination id in a fixed array sized by {@link DestinationRegistry#MAX_DESTINATIONS}, all made up front so the
 * agent records into them without allocating. They keep two significant digits from one microsecond up (about
 * 28 KiB for each of a recorder's two agent-side histograms), so 64 destinations cost under 4 MiB; the reader-side
 * copies are made at the first read of each.
 * <p>
 * Threading: {@link #record} from the agent thread only; {@link #recorder} from any thread.
 */
public final class DestinationLatencies
{
    /** Values below this are told apart only as "under a microsecond". */
    public static final long LOWEST_DISCERNIBLE_NS = 1_000;
    /** Significant decimal digits kept: 1% resolution. */
    public static final int SIGNIFICANT_DIGITS = 2;

    private final LatencyRecorder[] recorders = new LatencyRecorder[DestinationRegistry.MAX_DESTINATIONS];

    /**
     * One recorder for every possible destination id.
     */
    public DestinationLatencies()
    {
        this(new RecordingPhase());
    }

    /**
     * One recorder for every possible destination id, recording in a tracker's batches.
     *
     * @param phase the tracker's recording phase.
     */
    public DestinationLatencies(final RecordingPhase phase)
    {
        for (int i = 0; i < recorders.length; i++)
        {
            recorders[i] = new LatencyRecorder(LOWEST_DISCERNIBLE_NS, SIGNIFICANT_DIGITS, phase);
        }
    }

    /**
     * An ack's latency. Agent thread only; allocation-free.
     *
     * @param destination the destination id, 0 to {@link DestinationRegistry#MAX_DESTINATIONS} - 1.
     * @param latencyNs   since the attempt was sent.
     */
    public void record(final int destination, final long latencyNs)
    {
        recorders[destination].record(latencyNs);
    }

    /**
     * The recorder of one destination, to read from any thread.
     *
     * @param destination the destination id.
     * @return its recorder.
     */
    public LatencyRecorder recorder(final int destination)
    {
        return recorders[destination];
    }
}

package io.acktracker.engine.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One latency distribution written by the agent thread and read from any thread without tearing: an HdrHistogram
 * {@link SingleWriterRecorder} whose intervals are folded, on the reader side, both into a running total (what
 * {@link #summary()} and {@link #totalHistogram()} read) and into the interval not yet taken by
 * {@link #intervalHistogram()}. The two readers are independent: a metrics scrape never takes values away from an
 * interval log, and an interval log never resets what a scrape sees.
 * <p>
 * Threading: {@link #record} from the agent thread only; every other method from any thread.
 */
public final class LatencyRecorder
{
    /** Highest value kept exactly; larger values are clamped to it (one hour in ns). */
    public static final long HIGHEST_TRACKABLE_NS = 3_600_000_000_000L;

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(HIGHEST_TRACKABLE_NS, 3);
    private final Histogram total = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private final Histogram untaken = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private Histogram interval;
    private long untakenStartMs = System.currentTimeMillis();

    /**
     * Record a value. Agent thread only; allocation-free.
     *
     * @param valueNs nanoseconds, clamped into range.
     */
    public void record(final long valueNs)
    {
        recorder.recordValue(Math.max(0, Math.min(valueNs, HIGHEST_TRACKABLE_NS)));
    }

    /**
     * Fold the latest interval into the running total and return a summary of the total. Any thread.
     *
     * @return the summary.
     */
    public synchronized LatencySummary summary()
    {
        drain();
        return LatencySummary.of(total);
    }

    /**
     * Take the values recorded since the last call of this method (whatever other readers did meanwhile). Any
     * thread. For interval logs ({@code .hlog}).
     *
     * @return a new histogram of the interval.
     */
    public synchronized Histogram intervalHistogram()
    {
        drain();
        final Histogram copy = untaken.copy();
        copy.setStartTimeStamp(untakenStartMs);
        copy.setEndTimeStamp(interval.getEndTimeStamp());
        untaken.reset();
        untakenStartMs = interval.getEndTimeStamp();
        return copy;
    }

    /**
     * A copy of everything recorded so far. Any thread.
     *
     * @return a new histogram.
     */
    public synchronized Histogram totalHistogram()
    {
        drain();
        return total.copy();
    }

    private void drain()
    {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        untaken.add(interval);
    }
}

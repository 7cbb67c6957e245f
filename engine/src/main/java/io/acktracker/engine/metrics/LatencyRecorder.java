package io.acktracker.engine.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * One latency distribution written by the agent thread and read from any thread without tearing: two HdrHistogram
 * {@link Histogram}s, the active one the agent writes plainly inside a {@link RecordingPhase} batch and the one a
 * reader took, swapped at each read (the interval recorder's algorithm, with the phaser shared by the tracker's
 * recorders and entered once per batch, not once per value). Each interval is folded, on the reader side, into a
 * running total (what
 * {@link #summary()} and {@link #totalHistogram()} read), into the interval not yet taken by
 * {@link #intervalHistogram()}, and into a recent window ({@link #recentSummary(long)}). The readers are independent:
 * a metrics scrape never takes values away from an interval log, and an interval log never resets what a scrape
 * sees.
 * <p>
 * The recent window is two histograms, the current and the previous, rotated every {@link #RECENT_WINDOW_MS} by the
 * time a reader passes to {@link #recentSummary(long)}: its percentiles cover the last one to two windows, so a
 * cold start's outliers leave them within two windows (the running total keeps them, as a Prometheus histogram
 * must). A value lands in the window of the read that drains it; with the service reading every second that is
 * within a second of when it was recorded.
 * <p>
 * The reader-side histograms are made at the first read, on the reading thread.
 * <p>
 * Threading: {@link #record} from the agent thread only; every other method from any thread.
 */
public final class LatencyRecorder
{
    /** Highest value kept exactly; larger values are clamped to it (one hour in ns). */
    public static final long HIGHEST_TRACKABLE_NS = 3_600_000_000_000L;
    /** Length of one recent window; the recent percentiles cover one to two of them. */
    public static final long RECENT_WINDOW_MS = 60_000;

    private final long lowestDiscernibleNs;
    private final int significantDigits;
    private final RecordingPhase phase;
    private volatile Histogram active;
    private Histogram taken;
    private long activeStartMs = System.currentTimeMillis();
    private Histogram total;
    private Histogram untaken;
    private Histogram recent;
    private Histogram previous;
    private Histogram interval;
    private long untakenStartMs = System.currentTimeMillis();
    private long recentStartMs = Long.MIN_VALUE;

    /**
     * A recorder exact to the nanosecond with three significant digits (the tracker's own latencies).
     */
    public LatencyRecorder()
    {
        this(1, 3);
    }

    /**
     * A recorder exact to the nanosecond with three significant digits, recording in a tracker's batches.
     *
     * @param phase the tracker's recording phase.
     */
    public LatencyRecorder(final RecordingPhase phase)
    {
        this(1, 3, phase);
    }

    /**
     * A recorder with a coarser resolution, for many of them side by side (per-destination latencies).
     *
     * @param lowestDiscernibleNs smallest value told apart from zero, in ns.
     * @param significantDigits   significant decimal digits kept (1 to 5).
     */
    public LatencyRecorder(final long lowestDiscernibleNs, final int significantDigits)
    {
        this(lowestDiscernibleNs, significantDigits, new RecordingPhase());
    }

    /**
     * A recorder with a given resolution, recording in a tracker's batches.
     *
     * @param lowestDiscernibleNs smallest value told apart from zero, in ns.
     * @param significantDigits   significant decimal digits kept (1 to 5).
     * @param phase               the tracker's recording phase, shared by its recorders.
     */
    public LatencyRecorder(final long lowestDiscernibleNs, final int significantDigits, final RecordingPhase phase)
    {
        this.lowestDiscernibleNs = lowestDiscernibleNs;
        this.significantDigits = significantDigits;
        this.phase = phase;
        this.active = newHistogram();
        this.taken = newHistogram();
    }

    /**
     * Record a value. Agent thread only; allocation-free.
     *
     * @param valueNs nanoseconds, clamped into range.
     */
    public void record(final long valueNs)
    {
        final long value = Math.max(0, Math.min(valueNs, HIGHEST_TRACKABLE_NS));
        if (phase.inBatch())
        {
            active.recordValue(value);
            return;
        }
        final WriterReaderPhaser phaser = phase.phaser();
        final long enterValue = phaser.writerCriticalSectionEnter();
        try
        {
            active.recordValue(value);
        }
        finally
        {
            phaser.writerCriticalSectionExit(enterValue);
        }
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
     * Percentiles over the recent window: the values drained in the current window and the one before it. Any
     * thread.
     *
     * @param nowMs the reader's clock (epoch ms), which rotates the windows.
     * @return the summary; count 0 when nothing was recorded recently.
     */
    public synchronized LatencySummary recentSummary(final long nowMs)
    {
        drain();
        rotate(nowMs);
        final Histogram both = recent.copy();
        both.add(previous);
        return LatencySummary.of(both);
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
        final long endMs = null != interval ? interval.getEndTimeStamp() : untakenStartMs;
        copy.setEndTimeStamp(endMs);
        untaken.reset();
        untakenStartMs = endMs;
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

    private void rotate(final long nowMs)
    {
        if (Long.MIN_VALUE == recentStartMs)
        {
            recentStartMs = nowMs;
            return;
        }
        final long elapsedMs = nowMs - recentStartMs;
        if (elapsedMs >= RECENT_WINDOW_MS)
        {
            // a window with no read at all in between is stale too: both go
            final Histogram emptied = previous;
            emptied.reset();
            if (elapsedMs < 2 * RECENT_WINDOW_MS)
            {
                previous = recent;
                recent = emptied;
            }
            else
            {
                recent.reset();
            }
            recentStartMs = nowMs;
        }
    }

    private void drain()
    {
        if (null == total)
        {
            total = newHistogram();
            untaken = newHistogram();
            recent = newHistogram();
            previous = newHistogram();
        }
        if (phase.isWritingOnThisThread())
        {
            // a read from inside the writer's own batch cannot wait for that batch to end (listeners run with the
            // batch suspended, so this is code the agent runs within one): it sees what earlier reads took, and the
            // next read takes the rest
            return;
        }
        interval = takeInterval();
        total.add(interval);
        untaken.add(interval);
        recent.add(interval);
    }

    /**
     * Swap the active histogram for the one taken last time (emptied), and wait until the writer can no longer be
     * writing into the one taken now: the batch in flight, if any, has ended.
     */
    private Histogram takeInterval()
    {
        final WriterReaderPhaser phaser = phase.phaser();
        phaser.readerLock();
        try
        {
            final long nowMs = System.currentTimeMillis();
            final Histogram emptied = taken;
            emptied.reset();
            final Histogram full = active;
            active = emptied;
            phaser.flipPhase();
            full.setStartTimeStamp(activeStartMs);
            full.setEndTimeStamp(nowMs);
            activeStartMs = nowMs;
            taken = full;
            return full;
        }
        finally
        {
            phaser.readerUnlock();
        }
    }

    private Histogram newHistogram()
    {
        return new Histogram(lowestDiscernibleNs, HIGHEST_TRACKABLE_NS, significantDigits);
    }
}

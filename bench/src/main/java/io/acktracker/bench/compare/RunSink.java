package io.acktracker.bench.compare;

import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts outcomes from any peer thread and, when latency is being measured, records for each completion the time
 * from the intended send time of its completing ack to the moment the outcome is observed here.
 * <p>
 * The intended time is stamped by the driver before it sends the ack ({@link #stamp}), in a ring indexed by message
 * id, so a peer that completes on another thread still finds it (the peer's own hand-off orders the write before
 * the read). Timing from the intended time rather than the actual send corrects for coordinated omission: when the
 * driver falls behind its schedule, the wait counts.
 * <p>
 * {@link #stamp}: driver thread. {@link #onCompleted}/{@link #onTimedOut}: any thread.
 */
public final class RunSink implements OutcomeSink
{
    private static final int STAMPS = 1 << 22;

    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final Recorder recorder;
    private final long[] intendedNs;

    private RunSink(final Recorder recorder)
    {
        this.recorder = recorder;
        this.intendedNs = null == recorder ? null : new long[STAMPS];
    }

    /**
     * A sink that only counts.
     *
     * @return the sink.
     */
    public static RunSink counting()
    {
        return new RunSink(null);
    }

    /**
     * A sink that records completion latency.
     *
     * @param recorder where latencies go, in ns.
     * @return the sink.
     */
    public static RunSink latency(final Recorder recorder)
    {
        return new RunSink(recorder);
    }

    /**
     * Note when a completing ack was meant to be sent. Driver thread.
     *
     * @param messageId  message it completes.
     * @param intendedNs System.nanoTime it was scheduled for.
     */
    public void stamp(final long messageId, final long intendedNs)
    {
        if (null != this.intendedNs)
        {
            this.intendedNs[(int)messageId & (STAMPS - 1)] = intendedNs;
        }
    }

    public void onCompleted(final long messageId)
    {
        completed.incrementAndGet();
        if (null != intendedNs)
        {
            final int index = (int)messageId & (STAMPS - 1);
            final long intended = intendedNs[index];
            if (0 != intended)
            {
                recorder.recordValue(Math.max(0, Math.min(LatencyRun.HIGHEST_NS, System.nanoTime() - intended)));
                intendedNs[index] = 0;
            }
        }
    }

    public void onTimedOut(final long messageId)
    {
        timedOut.incrementAndGet();
    }

    public long completed()
    {
        return completed.get();
    }

    public long timedOut()
    {
        return timedOut.get();
    }
}

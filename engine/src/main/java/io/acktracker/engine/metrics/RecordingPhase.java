package io.acktracker.engine.metrics;

import org.HdrHistogram.WriterReaderPhaser;

/**
 * The writer's side of a tracker's latency recorders: one {@link WriterReaderPhaser} shared by all of them, entered
 * once per batch of commands instead of once per recorded value.
 * <p>
 * Why: HdrHistogram's {@code SingleWriterRecorder} enters and leaves its phaser (two atomic adds) around every value,
 * and an ack records two or three values (service time, the destination's ack latency, the completion latency):
 * measured at about 6% of the agent's time at 1M pending. Here the agent calls {@link #begin()} before a batch
 * (a duty cycle's queued commands, or one command applied in its caller's call) and {@link #end()} after it, and
 * every value in between is a plain write into the recorder's active histogram. A reader swaps a recorder's
 * histograms and waits for the batch in flight to end ({@link WriterReaderPhaser#flipPhase()}): at most one batch,
 * as a batch never waits for another thread. A value recorded outside any batch enters the phaser on its own, so
 * nothing is ever written unprotected.
 * <p>
 * A reader on the writer's own thread inside a batch could wait for itself, or for a reader waiting for it: the
 * application's listeners run with the batch suspended ({@link #suspend()}), and a read that still comes from inside
 * a batch takes no interval and sees what earlier reads took ({@link #isWritingOnThisThread()}).
 * <p>
 * Threading: {@link #begin()}, {@link #end()} and recording from the agent thread (one thread at a time, the
 * tracker's); the readers' side from any thread through {@link LatencyRecorder}.
 */
public final class RecordingPhase
{
    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private int depth;
    private long enterValue;
    private Thread writer;

    /**
     * A batch of recording starts (nested calls are counted; only the outermost enters the phaser).
     */
    public void begin()
    {
        if (0 == depth++)
        {
            writer = Thread.currentThread();
            enterValue = phaser.writerCriticalSectionEnter();
        }
    }

    /**
     * The batch {@link #begin()} started ends: readers waiting for it may go on.
     */
    public void end()
    {
        if (0 == --depth)
        {
            phaser.writerCriticalSectionExit(enterValue);
            writer = null;
        }
    }

    /**
     * Leave the phaser for a while inside a batch (to run code that may read the recorders: the application's
     * listeners): values recorded until {@link #resume(int)} enter it on their own, as outside any batch.
     *
     * @return what to pass to {@link #resume(int)}.
     */
    public int suspend()
    {
        final int suspended = depth;
        if (suspended > 0)
        {
            depth = 0;
            writer = null;
            phaser.writerCriticalSectionExit(enterValue);
        }
        return suspended;
    }

    /**
     * Go back into the batch {@link #suspend()} left.
     *
     * @param suspended what {@link #suspend()} returned.
     */
    public void resume(final int suspended)
    {
        if (suspended > 0)
        {
            writer = Thread.currentThread();
            enterValue = phaser.writerCriticalSectionEnter();
            depth = suspended;
        }
    }

    /**
     * @return true inside a batch: the writer records without entering the phaser. Writer's thread only.
     */
    boolean inBatch()
    {
        return depth > 0;
    }

    /**
     * Whether the calling thread is the writer, inside a batch: a reader on it must not wait for the batch to end.
     * On any other thread this is false (the writer field only ever names the writer).
     *
     * @return true on the writer's thread inside a batch.
     */
    boolean isWritingOnThisThread()
    {
        return Thread.currentThread() == writer && depth > 0;
    }

    WriterReaderPhaser phaser()
    {
        return phaser;
    }
}

package io.acktracker.engine.agent;

import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.machine.TrackerStateMachine;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.state.ImageWriter;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;

/**
 * Stop-the-world checkpoints of a journaled machine, taken by the agent at a quiescent point (the start of a duty
 * cycle: the previous command's effects told, no journal claim open): the machine's exact image and its records go
 * to {@code checkpoints/cp-<P>/} ({@link io.acktracker.engine.checkpoint.CheckpointStore}) with the journal position P they correspond to, so a
 * start restores them and replays the journal from P only.
 * <p>
 * When: every {@link TrackerConfig#checkpointIntervalBytes()} of journal, every
 * {@link TrackerConfig#checkpointIntervalNs()} of time, on request, and at a clean close. After each: only the two
 * newest checkpoints are kept, and the journal's helper is asked to delete the segments wholly below the older kept
 * one (with group commit on, only once the journal is synced at or beyond the new checkpoint's position, so a power
 * loss cannot leave a checkpoint the journal does not reach). Two are kept so that a newest checkpoint found damaged
 * at a start still has an older one and the journal from there.
 * <p>
 * A checkpoint that cannot be written (a full disk) is reported to the error handler and counted; the tracker goes
 * on and the next interval tries again: the journal still holds everything.
 * <p>
 * Agent thread only (or the closing thread once the agent stopped).
 */
final class Checkpointer
{
    private static final int KEEP = 2;

    private final TrackerStateMachine machine;
    private final CommandJournal journal;
    private final Counters counters;
    private final ErrorHandler errorHandler;
    private final NanoClock nanoClock;
    private final long intervalBytes;
    private final long intervalNs;
    private final boolean groupCommit;
    private final ImageWriter image = new ImageWriter(1 << 16);
    private final Records slots;
    private long lastPosition = -1;
    private long lastTimeNs;
    private boolean requested;
    private long deleteBelow = -1;
    private long deleteOnceSyncedTo;

    Checkpointer(
        final TrackerConfig config,
        final TrackerStateMachine machine,
        final CommandJournal journal,
        final Counters counters)
    {
        this.machine = machine;
        this.journal = journal;
        this.counters = counters;
        this.errorHandler = config.errorHandler();
        this.nanoClock = config.nanoClock();
        this.intervalBytes = config.checkpointIntervalBytes();
        this.intervalNs = config.checkpointIntervalNs();
        this.groupCommit = config.syncIntervalNs() > 0;
        this.slots = machine.records();
    }

    /**
     * The journal was replayed: intervals count from here.
     *
     * @param nowNs the time.
     */
    void onStart(final long nowNs)
    {
        lastPosition = journal.position();
        lastTimeNs = nowNs;
    }

    /**
     * Take a checkpoint at the next quiescent point, whatever the intervals say.
     */
    void request()
    {
        requested = true;
    }

    /**
     * At the start of a duty cycle: take a checkpoint when one is due, and pass on a deletion waiting for the sync.
     *
     * @param nowNs the cycle's time.
     * @return 1 when a checkpoint was taken, else 0.
     */
    int doWork(final long nowNs)
    {
        final long position = journal.position();
        final boolean due = requested ||
            (intervalBytes > 0 && position - lastPosition >= intervalBytes) ||
            (intervalNs > 0 && nowNs - lastTimeNs >= intervalNs && position != lastPosition);
        int work = 0;
        if (due)
        {
            take(nowNs);
            work = 1;
        }
        requestDeletion();
        return work;
    }

    /**
     * Take a checkpoint now: the agent stopped or is at a quiescent point.
     *
     * @param nowNs the time.
     * @return whether one was written.
     */
    boolean take(final long nowNs)
    {
        requested = false;
        lastTimeNs = nowNs;
        final long position = journal.position();
        final long startNs = nanoClock.nanoTime();
        try
        {
            image.reset();
            machine.dump(image);
            journal.checkpoints().write(position, journal.seed(), journal.startNs(), journal.settings(),
                image.buffer(), image.length(), slots);
        }
        catch (final RuntimeException ex)
        {
            counters.increment(TrackerCounter.ERRORS);
            errorHandler.onError(new TrackerException("the checkpoint at journal position " + position +
                " could not be written (the journal still holds everything; the next one is tried at the next " +
                "interval): " + ex.getMessage(), ex));
            return false;
        }
        counters.set(TrackerCounter.CHECKPOINT_PAUSE_US, (nanoClock.nanoTime() - startNs) / 1000);
        counters.increment(TrackerCounter.CHECKPOINTS);
        lastPosition = position;
        try
        {
            final long oldestKept = journal.checkpoints().retain(KEEP);
            if (oldestKept > 0 && oldestKept < position)
            {
                deleteBelow = oldestKept;
                deleteOnceSyncedTo = position;
            }
        }
        catch (final RuntimeException ex)
        {
            counters.increment(TrackerCounter.ERRORS);
            errorHandler.onError(ex);
        }
        requestDeletion();
        return true;
    }

    private void requestDeletion()
    {
        if (deleteBelow > 0 && (!groupCommit || journal.status().syncedPosition() >= deleteOnceSyncedTo))
        {
            journal.deleteSegmentsBelow(deleteBelow);
            deleteBelow = -1;
        }
    }
}

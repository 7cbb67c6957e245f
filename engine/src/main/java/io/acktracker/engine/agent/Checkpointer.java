package io.acktracker.engine.agent;

import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.checkpoint.RecordsCopy;
import io.acktracker.engine.machine.TrackerStateMachine;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.pending.SlotSource;
import io.acktracker.engine.state.ImageWriter;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checkpoints of a journaled machine: at a quiescent point (the start of a duty cycle: the previous command's
 * effects told, no journal claim open) the agent stops only to copy the state, the machine's exact image and every
 * slot's record into a {@link RecordsCopy}, with the journal position P they correspond to; a helper thread
 * ({@code <name>-checkpoint}) then writes them to {@code checkpoints/cp-<P>/}
 * ({@link io.acktracker.engine.checkpoint.CheckpointStore}) while the agent goes on. A start restores the newest and
 * replays the journal from P only. One checkpoint is in flight at a time; one falling due meanwhile waits for it.
 * <p>
 * When: every {@link TrackerConfig#checkpointIntervalBytes()} of journal, every
 * {@link TrackerConfig#checkpointIntervalNs()} of time, on request, and at a clean close (written on the closing
 * thread, after the one in flight). After each: the helper keeps only the two newest checkpoints, and the agent asks
 * the journal's helper to delete the segments wholly below the older kept one (with group commit on, only once the
 * journal is synced at or beyond the new checkpoint's position, so a power loss cannot leave a checkpoint the
 * journal does not reach). Two are kept so that a newest checkpoint found damaged at a start still has an older one
 * and the journal from there.
 * <p>
 * A checkpoint that cannot be written (a full disk) is reported to the error handler and counted in {@code ERRORS};
 * the tracker goes on and the next interval tries again: the journal still holds everything.
 * <p>
 * Agent thread only (or the closing thread once the agent stopped); the helper thread only runs the writes handed
 * to it.
 */
final class Checkpointer
{
    private static final int KEEP = 2;
    private static final long CLOSE_WAIT_SECONDS = 300;

    private final TrackerStateMachine machine;
    private final CommandJournal journal;
    private final Counters counters;
    private final ErrorHandler errorHandler;
    private final NanoClock nanoClock;
    private final String threadName;
    private final long intervalBytes;
    private final long intervalNs;
    private final boolean groupCommit;
    private final ImageWriter image = new ImageWriter(1 << 16);
    private final RecordsCopy records = new RecordsCopy();
    private ExecutorService writer;
    private Future<Long> inFlight;
    private long inFlightPosition;
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
        this.threadName = config.name() + "-checkpoint";
        this.intervalBytes = config.checkpointIntervalBytes();
        this.intervalNs = config.checkpointIntervalNs();
        this.groupCommit = config.syncIntervalNs() > 0;
    }

    /**
     * The journal was replayed: the byte interval counts from the checkpoint the start restored (or the journal's
     * start), not from this start, so a tracker restarted often still takes checkpoints and its starts replay at
     * most about an interval; the time interval counts from now.
     *
     * @param nowNs the time.
     */
    void onStart(final long nowNs)
    {
        lastPosition = journal.replayedFrom();
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
     * @return whether a checkpoint's files are being written.
     */
    boolean inFlight()
    {
        return null != inFlight;
    }

    /**
     * At the start of a duty cycle: note a checkpoint the helper finished, start one when one is due and none is in
     * flight, and pass on a deletion waiting for the journal's sync.
     *
     * @param nowNs the cycle's time.
     * @return 0: checkpoints change no state, so they are not work an idle strategy should spin for.
     */
    int doWork(final long nowNs)
    {
        if (null != inFlight && inFlight.isDone())
        {
            finish();
        }
        if (null == inFlight)
        {
            final long position = journal.position();
            if (requested ||
                (intervalBytes > 0 && position - lastPosition >= intervalBytes) ||
                (intervalNs > 0 && nowNs - lastTimeNs >= intervalNs && position != lastPosition))
            {
                // not counted as work: a checkpoint changes no state, and an idle strategy need not spin for it
                begin(nowNs);
            }
        }
        requestDeletion();
        return 0;
    }

    /**
     * The closing checkpoint, once the agent stopped: wait for the one in flight, write this one on the calling
     * thread (no copy needed, nothing changes the records now), then stop the helper and free the copy.
     *
     * @param nowNs the time.
     * @param clean whether to take one (false after a failure, or when turned off): the helper is stopped anyway.
     */
    void close(final long nowNs, final boolean clean)
    {
        boolean take = clean;
        try
        {
            if (null != inFlight)
            {
                try
                {
                    inFlight.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
                    finish();
                }
                catch (final ExecutionException ex)
                {
                    finish();
                }
                catch (final TimeoutException | InterruptedException ex)
                {
                    if (ex instanceof InterruptedException)
                    {
                        Thread.currentThread().interrupt();
                    }
                    report(inFlightPosition, ex);
                    inFlight.cancel(true);
                    inFlight = null;
                    take = false;
                }
            }
            if (take)
            {
                lastTimeNs = nowNs;
                final long position = journal.position();
                final long startNs = nanoClock.nanoTime();
                try
                {
                    image.reset();
                    machine.dump(image);
                    completed(position, write(position, machine.records()));
                    counters.set(TrackerCounter.CHECKPOINT_PAUSE_US, (nanoClock.nanoTime() - startNs) / 1000);
                }
                catch (final RuntimeException ex)
                {
                    report(position, ex);
                }
                requestDeletion();
            }
        }
        finally
        {
            if (null != writer)
            {
                writer.shutdownNow();
                writer = null;
            }
            records.close();
        }
    }

    private void begin(final long nowNs)
    {
        requested = false;
        lastTimeNs = nowNs;
        final long position = journal.position();
        lastPosition = position;
        final long startNs = nanoClock.nanoTime();
        try
        {
            // the pause: the small structures and every record copied; the files are the helper's
            image.reset();
            machine.dump(image);
            records.copyFrom(machine.records());
        }
        catch (final RuntimeException ex)
        {
            report(position, ex);
            return;
        }
        counters.set(TrackerCounter.CHECKPOINT_PAUSE_US, (nanoClock.nanoTime() - startNs) / 1000);
        if (null == writer)
        {
            writer = Executors.newSingleThreadExecutor((task) ->
            {
                final Thread thread = new Thread(task, threadName);
                thread.setDaemon(true);
                return thread;
            });
        }
        inFlightPosition = position;
        inFlight = writer.submit(() -> write(position, records));
    }

    /**
     * Write the checkpoint and keep the two newest (helper thread, or the closing thread).
     *
     * @return the position of the oldest checkpoint kept.
     */
    private long write(final long position, final SlotSource slots)
    {
        journal.checkpoints().write(position, journal.seed(), journal.startNs(), journal.settings(),
            image.buffer(), image.length(), slots);
        return journal.checkpoints().retain(KEEP);
    }

    private void finish()
    {
        final Future<Long> done = inFlight;
        inFlight = null;
        try
        {
            completed(inFlightPosition, done.get());
        }
        catch (final ExecutionException ex)
        {
            report(inFlightPosition, ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            report(inFlightPosition, ex);
        }
    }

    private void completed(final long position, final long oldestKept)
    {
        counters.increment(TrackerCounter.CHECKPOINTS);
        if (oldestKept > 0 && oldestKept < position)
        {
            deleteBelow = oldestKept;
            deleteOnceSyncedTo = position;
        }
    }

    private void report(final long position, final Throwable ex)
    {
        counters.increment(TrackerCounter.ERRORS);
        errorHandler.onError(new TrackerException("the checkpoint at journal position " + position +
            " could not be written (the journal still holds everything; the next one is tried at the next " +
            "interval): " + ex.getMessage(), ex));
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

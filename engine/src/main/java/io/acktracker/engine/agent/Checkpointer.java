package io.acktracker.engine.agent;

import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.checkpoint.RecordsCopy;
import io.acktracker.engine.machine.TrackerStateMachine;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.store.StoreLayout;
import io.acktracker.engine.timer.DeadlineIndex;
import io.acktracker.engine.timer.SlotArraysCopy;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checkpoints of a journaled machine: at a quiescent point (the start of a duty cycle: the previous command's
 * effects told, no journal claim open) the agent stops only to write the machine's exact image (the small
 * structures and the order-deciding arrays) and to note the journal position P; the records are copied by
 * copy-on-write ({@link RecordsCopy}): the helper thread ({@code <name>-checkpoint}) copies them chunk by chunk while
 * the agent goes on, and the agent, before it changes a record whose chunk is not copied yet, copies that chunk
 * itself; the deadline index's slot arrays likewise ({@link SlotArraysCopy}), and the message-keyed tables (extras,
 * dead letters) key by key ({@link KeyedTablesCopy}: a key's pre-image saved before its first change, the helper
 * walking the live table), their place in the image after the arrays, the small tables after them set aside in the
 * pause. Once every chunk is copied the agent drops the check; the helper writes {@code checkpoints/cp-<P>/}
 * ({@link CheckpointWriter}). A start restores the newest and replays the journal from P only. One checkpoint is in
 * flight at a time; one falling due meanwhile waits for it.
 * <p>
 * The copy block and the image's memory are sized and their pages touched by the helper between checkpoints, as the
 * created slots grow (to 1.5 times them, at most the slot capacity): neither the pause nor the agent's copies pay
 * for allocation or page faults, and a checkpoint that falls due before the block fits waits for its growth.
 * <p>
 * When: every {@link TrackerConfig#checkpointIntervalBytes()} of journal, every
 * {@link TrackerConfig#checkpointIntervalNs()} of time, on request, and at a clean close (written on the closing
 * thread from the live records, after the one in flight; with group commit on, after the journal is closed, which
 * msyncs it to its end). After each: the helper keeps only the two newest
 * checkpoints, and the agent asks the journal's helper to delete the segments wholly below the older kept one (with
 * group commit on, only once the journal is synced at or beyond the new checkpoint's position; the manifest itself
 * waits for that sync, see {@link CheckpointWriter}).
 * <p>
 * A checkpoint that cannot be written (a full disk) is reported to the error handler and counted in {@code ERRORS};
 * the tracker goes on and the next interval tries again: the journal still holds everything.
 * <p>
 * Agent thread only (or the closing thread once the agent stopped); the helper thread only runs the tasks handed
 * to it.
 */
final class Checkpointer
{
    private static final long CLOSE_WAIT_SECONDS = 300;
    /** The helper's copy is handed over as this many tasks, so a test's executor can run it in steps. */
    private static final int COPY_TASKS = 16;
    /** Image bytes reserved per slot before the first image's length is known: deadline arrays 20, free stack 4. */
    private static final int IMAGE_BYTES_PER_SLOT = 24;

    private final TrackerStateMachine machine;
    private final Records live;
    private final CommandJournal journal;
    private final CheckpointWriter writer;
    private final Counters counters;
    private final ErrorHandler errorHandler;
    private final NanoClock nanoClock;
    private final String threadName;
    private final long intervalBytes;
    private final long intervalNs;
    private final boolean groupCommit;
    private final ImageWriter image = new ImageWriter(1 << 16);
    private final KeyedTablesCopy tables;
    private final RecordsCopy copy = new RecordsCopy();
    private SlotArraysCopy arrays;
    private Executor helper;
    private ExecutorService ownHelper;
    private FutureTask<Long> inFlight;
    private FutureTask<Void> growing;
    private boolean copyOnWrite;
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
        this.live = machine.records();
        this.tables = new KeyedTablesCopy(machine);
        this.journal = journal;
        this.writer = new CheckpointWriter(journal, config.syncIntervalNs(), StoreLayout.pendingEntries(config));
        this.counters = counters;
        this.errorHandler = config.errorHandler();
        this.nanoClock = config.nanoClock();
        this.threadName = config.name() + "-checkpoint";
        this.intervalBytes = config.checkpointIntervalBytes();
        this.intervalNs = config.checkpointIntervalNs();
        this.groupCommit = config.syncIntervalNs() > 0;
    }

    /**
     * Run the helper's tasks on an executor instead of the {@code <name>-checkpoint} thread (tests step them). Before
     * the first task.
     *
     * @param executor runs each task once, in the order given, one at a time.
     */
    void executor(final Executor executor)
    {
        if (null != helper)
        {
            throw new IllegalStateException("the checkpoint helper is already running");
        }
        helper = executor;
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
     * @return whether the helper has work under way: a checkpoint being copied or written, or the copy block growing.
     */
    boolean inFlight()
    {
        return null != inFlight || null != growing;
    }

    /**
     * At the start of a duty cycle: drop the copy-on-write check once the copy is complete, note a checkpoint the
     * helper finished or a growth it did, start a checkpoint when one is due and none is in flight (or the growth it
     * needs), and pass on a deletion waiting for the journal's sync.
     *
     * @param nowNs the cycle's time.
     * @return 0: checkpoints change no state, so they are not work an idle strategy should spin for.
     */
    int doWork(final long nowNs)
    {
        if (null != growing && growing.isDone())
        {
            grown(nowNs);
        }
        if (null != inFlight)
        {
            if (copyOnWrite && copy.isComplete() && arrays.isComplete() && tables.isComplete())
            {
                endCopyOnWrite();
            }
            if (inFlight.isDone())
            {
                finish();
            }
        }
        if (null == inFlight && null == growing)
        {
            final long position = journal.position();
            if (requested ||
                (intervalBytes > 0 && position - lastPosition >= intervalBytes) ||
                (intervalNs > 0 && nowNs - lastTimeNs >= intervalNs && position != lastPosition))
            {
                begin(nowNs, position);
            }
            else if ((live.createdSlots() > copy.capacitySlots() - (copy.capacitySlots() >> 3) &&
                copy.capacitySlots() < live.slotCapacity()) || tables.needsReserve())
            {
                grow();
            }
        }
        requestDeletion();
        return 0;
    }

    /**
     * The closing checkpoint, once the agent stopped: wait for the helper's work under way, write this one on the
     * calling thread from the live records (nothing changes them now), then stop the helper and free the copy.
     *
     * @param nowNs the time.
     * @param clean whether to take one (false after a failure, or when turned off): the helper is stopped anyway.
     */
    void close(final long nowNs, final boolean clean)
    {
        boolean take = clean;
        boolean helperIdle = true;
        try
        {
            if (null != growing)
            {
                helperIdle = await(growing);
                growing = null;
            }
            if (null != inFlight)
            {
                if (await(inFlight))
                {
                    finish();
                }
                else
                {
                    report(inFlightPosition, new IllegalStateException("the helper did not finish in " +
                        CLOSE_WAIT_SECONDS + " s"));
                    inFlight.cancel(true);
                    inFlight = null;
                    helperIdle = false;
                }
            }
            take &= helperIdle;
            if (take && groupCommit)
            {
                // closed (and so msynced to its end) first: the closing checkpoint's manifest needs the journal
                // synced to its position, and waiting for the helper's next interval would hold the close
                journal.close();
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
                    completed(position, writer.write(position, image.buffer(), image.length(), live));
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
            if (null != ownHelper)
            {
                ownHelper.shutdownNow();
                ownHelper = null;
            }
            if (helperIdle)
            {
                // a helper still running may still read the block: leaked then, never freed under it
                copy.close();
            }
        }
    }

    private void begin(final long nowNs, final long position)
    {
        if (copy.capacitySlots() < live.createdSlots())
        {
            // it waits for the block to grow (on the helper): a due checkpoint stays due
            grow();
            return;
        }
        requested = false;
        lastTimeNs = nowNs;
        lastPosition = position;
        final long startNs = nanoClock.nanoTime();
        final DeadlineIndex deadlines = machine.deadlines();
        final SlotArraysCopy arrays = deadlines.copyOnWrite(true, false);
        this.arrays = arrays;
        try
        {
            // the pause: the exact image of everything but the records' content and the deadline slot arrays,
            // whose places it only reserves, and the message-keyed tables: all copied on write
            image.reset();
            machine.dumpParts(image);
            tables.dumpTail();
        }
        catch (final RuntimeException ex)
        {
            deadlines.copyOnWrite(false, false);
            report(position, ex);
            return;
        }
        arrays.begin(image);
        deadlines.copyOnWrite(false, true);
        copy.begin(live);
        live.copyOnWrite(copy, copy.createdSlots());
        tables.begin();
        copyOnWrite = true;
        counters.set(TrackerCounter.CHECKPOINT_PAUSE_US, (nanoClock.nanoTime() - startNs) / 1000);
        inFlightPosition = position;
        inFlight = new FutureTask<>(() ->
        {
            copy.awaitCopied();
            arrays.awaitCopied();
            // the arrays are in place: the image may grow (move) now
            tables.write(image);
            return writer.write(position, image.buffer(), image.length(), copy);
        });
        final int chunks = copy.chunks();
        final int perTask = Math.max(1, (chunks + COPY_TASKS - 1) / COPY_TASKS);
        final int arrayChunksPerTask = Math.max(1, (arrays.chunks() + COPY_TASKS - 1) / COPY_TASKS);
        for (int task = 0; task < COPY_TASKS; task++)
        {
            final int first = task * perTask;
            final int firstArrayChunk = task * arrayChunksPerTask;
            helper().execute(() ->
            {
                copy.copyChunks(first, first + perTask);
                arrays.copyChunks(firstArrayChunk, firstArrayChunk + arrayChunksPerTask);
            });
        }
        tables.submit(helper());
        helper().execute(inFlight);
    }

    private void grow()
    {
        final int created = live.createdSlots();
        final int slots = (int)Math.min(live.slotCapacity(), created + (created >> 1) + 1024L);
        final int imageBytes = (int)Math.min(1 << 30, Math.max(image.length() + (image.length() >> 2),
            (long)IMAGE_BYTES_PER_SLOT * live.slotCapacity() + 65536));
        growing = new FutureTask<>(() ->
        {
            copy.grow(slots);
            image.reserve(imageBytes);
            tables.reserve();
            return null;
        });
        helper().execute(growing);
    }

    private void grown(final long nowNs)
    {
        final FutureTask<Void> done = growing;
        growing = null;
        try
        {
            done.get();
        }
        catch (final ExecutionException | InterruptedException ex)
        {
            if (ex instanceof InterruptedException)
            {
                Thread.currentThread().interrupt();
            }
            // as a checkpoint that failed: the next interval tries again
            requested = false;
            lastTimeNs = nowNs;
            lastPosition = journal.position();
            report(lastPosition, ex instanceof ExecutionException ? ex.getCause() : ex);
        }
    }

    private Executor helper()
    {
        if (null == helper)
        {
            ownHelper = Executors.newSingleThreadExecutor((task) ->
            {
                final Thread thread = new Thread(task, threadName);
                thread.setDaemon(true);
                return thread;
            });
            helper = ownHelper;
        }
        return helper;
    }

    private void endCopyOnWrite()
    {
        live.copyOnWrite(null, 0);
        tables.end();
        machine.deadlines().copyOnWrite(false, false);
        copyOnWrite = false;
        counters.set(TrackerCounter.CHECKPOINT_AGENT_COPIES, copy.copiedByAgent());
    }

    private void finish()
    {
        final FutureTask<Long> done = inFlight;
        inFlight = null;
        if (copyOnWrite)
        {
            // the task ended (failed before the copy was complete, say): the helper no longer copies
            endCopyOnWrite();
        }
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

    private static boolean await(final FutureTask<?> task)
    {
        try
        {
            task.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            return true;
        }
        catch (final ExecutionException ex)
        {
            return true;
        }
        catch (final TimeoutException | InterruptedException ex)
        {
            if (ex instanceof InterruptedException)
            {
                Thread.currentThread().interrupt();
            }
            return false;
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

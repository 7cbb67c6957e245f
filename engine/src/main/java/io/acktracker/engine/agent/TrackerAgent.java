package io.acktracker.engine.agent;

import io.acktracker.engine.api.ClientOutboxes;
import io.acktracker.engine.api.ConfirmationListener;
import io.acktracker.engine.api.DestinationHealthView;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.OutcomeListener;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.ReplayMode;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerCommands;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.api.TrackerExtension;
import io.acktracker.engine.command.CommandEncoder;
import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.command.CommandValidator;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.machine.ClientSessions;
import io.acktracker.engine.machine.DeadLetters;
import io.acktracker.engine.machine.Leases;
import io.acktracker.engine.machine.TrackerStateMachine;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.LatencyRecorder;
import io.acktracker.engine.metrics.RecordingPhase;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.pending.SlotFiller;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.timer.DeadlineIndex;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * The tracker's agent: owns the {@link TrackerStateMachine} and feeds it commands, one at a time, each applied with
 * the duty cycle's time (one clock read per {@link #doWork()}), then tells the listeners the effects of each command
 * before the next. Every state change is a command in the {@link CommandLayout}: those other threads queued in the
 * ring buffer, those the host's synchronous calls below encode (including calls from the transport and from admin
 * tasks), and the tick that lets time pass.
 * <p>
 * A duty cycle: read the clock; apply queued commands (bounded); run admin tasks; let the extensions read their
 * inbound streams (the Aeron transport), whose acks arrive through the synchronous API; then one tick: due deadlines,
 * due redeliveries within the retry budget, housekeeping slices. It returns the work done so any
 * {@code IdleStrategy} fits.
 * <p>
 * The synchronous methods ({@code track}, {@code recordAck}, ..., {@code lease}, ...) are for hosts that drive the
 * agent themselves and for code already on the agent thread: they use the time of the current duty cycle and return
 * the final {@link Result} after the command's effects have been told.
 * <p>
 * Threading: agent thread only (the thread calling {@code doWork()}), except where a method says otherwise.
 * Listeners are only ever called from {@code doWork()} and the synchronous methods, never from another thread and
 * never during recovery.
 * <p>
 * Why this file is long: the synchronous API (one short method per command, each with its Javadoc) beside the duty
 * cycle that feeds the same commands; the rules themselves are in the machine's parts.
 */
public final class TrackerAgent implements Agent, TrackerCommands
{
    private final TrackerConfig config;
    private final TrackerStateMachine machine;
    private final CommandValidator validator;
    private final DestinationRegistry registry;
    private final Counters counters;
    private final LatencyRecorder serviceTime;
    private final RecordingPhase recordingPhase;
    private final ManyToOneRingBuffer commandBuffer;
    private final ManyToOneConcurrentArrayQueue<Consumer<TrackerAgent>> adminQueue;
    private final Effects effects;
    private final Listeners listeners;
    private final EpochNanoClock epochClock;
    private final NanoClock nanoClock;
    private final TrackerExtension[] extensions;
    private final boolean recordServiceTime;
    private final int commandLimit;
    private final MutableDirectBuffer command;
    private final TrackRequest defaults = new TrackRequest();
    private final ControlledMessageHandler queuedCommand = this::onQueuedCommand;
    private final Consumer<Consumer<TrackerAgent>> adminRunner = this::runAdmin;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private long nowNs;
    private long serviceStartNs;
    private boolean recovered;
    private boolean failed;
    private final BatchPrefetch prefetch;
    private final OutcomeWaiters waiters;
    private final TrackerFailure failure;
    private final CommandJournal journal;
    private final CommandApplier applier;
    private final ConfirmationListener confirmationListener;
    private final Checkpointer checkpointer;
    private boolean restartPending;
    private boolean numbering;
    private long numberedClient;
    private long numberedSequence;

    /**
     * An agent over a state machine; nothing is recovered until {@link #onStart()}.
     *
     * @param config        concluded configuration.
     * @param machine       the state machine it owns.
     * @param validator     the argument checks shared with the edges.
     * @param registry      destination registry.
     * @param counters      system counters.
     * @param effects       the machine's effects.
     * @param serviceTime   per-command service time.
     * @param recordingPhase the latency recorders' writer side, entered once per batch of commands.
     * @param commandBuffer queue of commands from other threads.
     * @param adminQueue    queue of administrative tasks from other threads.
     * @param waiters       futures waiting on outcomes.
     * @param failure       where a fault that stops the agent is recorded.
     * @param journal       the command journal, or null when the state is not journaled.
     */
    public TrackerAgent(
        final TrackerConfig config,
        final TrackerStateMachine machine,
        final CommandValidator validator,
        final DestinationRegistry registry,
        final Counters counters,
        final Effects effects,
        final LatencyRecorder serviceTime,
        final RecordingPhase recordingPhase,
        final ManyToOneRingBuffer commandBuffer,
        final ManyToOneConcurrentArrayQueue<Consumer<TrackerAgent>> adminQueue,
        final OutcomeWaiters waiters,
        final TrackerFailure failure,
        final CommandJournal journal)
    {
        this.journal = journal;
        this.waiters = waiters;
        this.failure = failure;
        this.config = config;
        this.machine = machine;
        this.validator = validator;
        this.registry = registry;
        this.counters = counters;
        this.effects = effects;
        this.serviceTime = serviceTime;
        this.recordingPhase = recordingPhase;
        this.commandBuffer = commandBuffer;
        this.adminQueue = adminQueue;
        this.epochClock = config.epochClock();
        this.nanoClock = config.nanoClock();
        this.extensions = config.extensions().toArray(new TrackerExtension[0]);
        this.recordServiceTime = config.recordServiceTime();
        this.commandLimit = config.commandLimit();
        this.prefetch = config.prefetchCommands() ?
            new BatchPrefetch(commandBuffer, machine, config.commandLimit()) : null;
        this.applier = new CommandApplier(machine, journal, registry, counters);
        this.confirmationListener = confirmationListener(config);
        this.listeners = new Listeners(config, this::applyOutcomeTold, waiters, counters);
        this.command = new UnsafeBuffer(ByteBuffer.allocateDirect(
            Math.max(4096, CommandLayout.TRACK_LENGTH + config.maxMetadataLength() +
            CommandLayout.SEQUENCE_TRAILER_LENGTH)));
        this.nowNs = machine.nowNs();
        this.checkpointer = null == journal ? null : new Checkpointer(config, machine, journal, counters);
    }

    /**
     * Recover the state from the tables (once), then start the extensions. On the agent thread: the tracker's own
     * thread, or the host's thread that starts a host-driven tracker. Nothing is told during recovery; outcomes found
     * untold are told by the first duty cycles.
     */
    public void onStart()
    {
        try
        {
            nowNs = Math.max(nowNs, epochClock.nanoTime());
            if (!recovered)
            {
                recovered = true;
                machine.recover();
                if (null != journal)
                {
                    journal.replayInto(machine, effects);
                    requireJournaledDestinations();
                    restartPending = true;
                    // commands are never stamped before the last one replayed
                    nowNs = Math.max(nowNs, machine.nowNs());
                    checkpointer.onStart(nowNs);
                }
            }
            for (final TrackerExtension extension : extensions)
            {
                extension.onStart(this);
            }
            started.complete(null);
        }
        catch (final RuntimeException | Error ex)
        {
            started.completeExceptionally(ex);
            throw ex;
        }
    }

    /**
     * The journal may know destinations registered before a crash; the registry file must still hold each of them
     * (it is written before an id is handed out, but without a sync a power loss can take its tail).
     */
    private void requireJournaledDestinations()
    {
        final long missing = machine.knownDestinations() & ~registry.knownMask();
        if (0 != missing)
        {
            final StringBuilder ids = new StringBuilder();
            for (long bits = missing; bits != 0; bits &= bits - 1)
            {
                ids.append(ids.length() == 0 ? "" : ", ").append(Long.numberOfTrailingZeros(bits));
            }
            throw new TrackerException("the journal knows destination ids the registry file does not (" + ids +
                "): the destinations file lost registrations the journal holds; restore it");
        }
    }

    /**
     * Completes when {@link #onStart()} has recovered the state and started the extensions, exceptionally when it
     * failed. Any thread.
     *
     * @return the future.
     */
    public CompletableFuture<Void> started()
    {
        return started;
    }

    /**
     * Closes what the agent owns; called once by its runner or invoker.
     */
    public void onClose()
    {
        for (final TrackerExtension extension : extensions)
        {
            try
            {
                extension.onClose();
            }
            catch (final Throwable ex)
            {
                onError(ex);
            }
        }
    }

    /**
     * The agent's role name, used for its thread.
     *
     * @return the tracker's name.
     */
    public String roleName()
    {
        return config.name();
    }

    /**
     * One duty cycle. A fault it cannot go on from (a Throwable out of the state machine, an Error anywhere) fails
     * the tracker ({@link TrackerFailure}) and ends the agent with an {@link AgentTerminationException}; a failed
     * agent's later cycles end at once the same way.
     *
     * @return work done, 0 when idle.
     */
    public int doWork()
    {
        if (failed)
        {
            throw new AgentTerminationException(failure.describe());
        }
        try
        {
            return dutyCycle();
        }
        catch (final AgentTerminationException ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw fail(ex);
        }
    }

    private int dutyCycle()
    {
        // the machine's time never goes back, even when the wall clock steps back (NTP, a VM resumed): a command
        // applied later is never stamped earlier than one applied before it
        nowNs = Math.max(nowNs, epochClock.nanoTime());
        int workCount = 0;

        if (!applier.applyToldBacklog(nowNs) || restartPending && !applyRestarted())
        {
            // the journal cannot take the commands that must come first yet: nothing else this cycle
            return 0;
        }
        if (null != checkpointer)
        {
            // the quiescent point: the last cycle's effects are told and no journal claim is open
            workCount += checkpointer.doWork(nowNs);
        }
        serviceStartNs = recordServiceTime ? nanoClock.nanoTime() : 0;
        // the latency recorders' writer side is entered once for the queued batch, not once per recorded value;
        // the listeners each command's effects are told to run outside it (onQueuedCommand)
        recordingPhase.begin();
        applier.beginToldBatch();
        try
        {
            if (null != prefetch)
            {
                prefetch.run();
            }
            workCount += commandBuffer.controlledRead(queuedCommand, commandLimit);
        }
        finally
        {
            recordingPhase.end();
        }
        // the outcomes told in the batch, as one command
        applier.endToldBatch(nowNs);
        workCount += adminQueue.drain(adminRunner, 16);
        // inbound first: acks already waiting (in an Aeron image, say) must count before their deadlines fire
        for (final TrackerExtension extension : extensions)
        {
            try
            {
                workCount += extension.doWork(nowNs);
            }
            catch (final Exception ex)
            {
                onError(ex);
            }
        }
        execute(CommandLayout.TICK, CommandLayout.BARE_LENGTH, false);
        if (failed)
        {
            throw new AgentTerminationException(failure.describe());
        }
        workCount += machine.lastTickWork();
        // one confirmation per client that had numbered commands this cycle, never one per command
        if (null != confirmationListener)
        {
            machine.sessions().drainConfirmations(confirmationListener);
        }
        else
        {
            machine.sessions().discardConfirmations();
        }

        counters.increment(DUTY_CYCLES);
        counters.set(HEARTBEAT_MS, nowNs / 1_000_000);
        return workCount;
    }

    /**
     * Take a checkpoint of the journaled state at the start of the next duty cycle (or of the first one after the
     * checkpoint in flight), whatever the intervals say (tests, operators); its files are written by a helper
     * thread. Agent thread; nothing without a journal.
     */
    public void requestCheckpoint()
    {
        if (null != checkpointer)
        {
            checkpointer.request();
        }
    }

    /**
     * Tests: run the checkpoint helper's tasks (the copy in steps, the files, the copy block's growth) on an
     * executor the test controls instead of the {@code <name>-checkpoint} thread. Before the first checkpoint.
     *
     * @param executor runs each task once, in order, one at a time.
     */
    public void checkpointExecutor(final java.util.concurrent.Executor executor)
    {
        checkpointer.executor(executor);
    }

    /**
     * Whether the checkpoint helper has work under way: a checkpoint being copied or written, or its copy block
     * growing (tests wait for it). Agent thread.
     *
     * @return true while one is in flight.
     */
    public boolean checkpointInFlight()
    {
        return null != checkpointer && checkpointer.inFlight();
    }

    /**
     * At close, once the agent stopped, on the closing thread: wait for the checkpoint in flight, take the last one
     * (after a clean stop, when {@code checkpointAtClose} is on), so the next start restores it and replays nothing,
     * and stop the checkpoints' helper thread. Nothing without a journal.
     *
     * @param clean whether the tracker stops cleanly (no failure): only then is a checkpoint taken.
     */
    public void closeCheckpoints(final boolean clean)
    {
        if (null != checkpointer)
        {
            checkpointer.close(nowNs, clean && !failed && config.checkpointAtClose());
        }
    }

    /**
     * What the agent's runner (or invoker) caught from a duty cycle. An Error fails the tracker even when it surfaced
     * outside {@link #doWork()}: the JVM raises a SIGBUS in a mapped file as an asynchronous InternalError, delivered
     * wherever compiled code next polls, which may be the runner's loop or the idle strategy. Anything else is
     * reported to the configured error handler. Agent thread.
     *
     * @param ex what was caught.
     */
    public void onRunnerError(final Throwable ex)
    {
        if (ex instanceof Error && !failed)
        {
            fail(ex);
            return;
        }
        if (failed && ex instanceof AgentTerminationException)
        {
            return;
        }
        config.errorHandler().onError(ex);
    }

    /**
     * An outcome was told to the listeners: apply OUTCOME_TOLD, so this change of state (the record may leave the
     * table) is a command like every other. Called by {@link Listeners} while effects are drained; changes nothing
     * the telling depends on and tells nothing itself.
     */
    private void applyOutcomeTold(final long messageId, final int slot)
    {
        applier.outcomeTold(nowNs, messageId, slot);
    }

    /**
     * The first command after a replay of the journal: RESTARTED, which tells again the outcomes not known to be
     * told before the stop.
     *
     * @return false when the journal cannot take it yet.
     */
    private boolean applyRestarted()
    {
        if (Result.BACK_PRESSURED == execute(CommandLayout.RESTARTED, CommandLayout.BARE_LENGTH, false))
        {
            return false;
        }
        restartPending = false;
        return true;
    }

    /**
     * Fail the tracker: record the fault, report it, fail every caller waiting on an outcome. Agent thread.
     *
     * @param fault what stopped the agent.
     * @return the exception that ends the agent.
     */
    private AgentTerminationException fail(final Throwable fault)
    {
        failed = true;
        if (failure.fail(fault))
        {
            try
            {
                counters.set(TRACKER_FAILED, 1);
                onError(fault);
                waiters.failAll(new TrackerException(failure.describe(), fault));
            }
            catch (final Throwable secondary)
            {
                fault.addSuppressed(secondary);
            }
        }
        return new AgentTerminationException(failure.describe());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Synchronous API (agent thread)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Track a message with the tracker's defaults: every destination must ack.
     *
     * @param messageId    id, unique among live and recently finished messages.
     * @param destinations bitset of destination ids.
     * @return OK or a refusal.
     */
    public Result track(final long messageId, final long destinations)
    {
        return execute(CommandLayout.TRACK, CommandEncoder.track(command, 0, messageId, destinations), true);
    }

    /**
     * Track a message.
     *
     * @param messageId    id, unique among live and recently finished messages.
     * @param destinations bitset of destination ids.
     * @param requiredAcks k of n; {@link TrackRequest#ALL_DESTINATIONS} for n.
     * @param ackTimeoutNs per-attempt ack timeout; {@link TrackRequest#DEFAULT_TIMEOUT} for the default.
     * @param ttlNs        time to live; {@link TrackRequest#DEFAULT_TIMEOUT} for the default.
     * @return OK or a refusal.
     */
    public Result track(
        final long messageId,
        final long destinations,
        final int requiredAcks,
        final long ackTimeoutNs,
        final long ttlNs)
    {
        return track(defaults.reset().messageId(messageId).destinations(destinations).requiredAcks(requiredAcks)
            .ackTimeoutNs(ackTimeoutNs).ttlNs(ttlNs));
    }

    /**
     * Track a message.
     *
     * @param request arguments; not kept.
     * @return OK or a refusal.
     */
    public Result track(final TrackRequest request)
    {
        if (request.metadataLength() > config.maxMetadataLength())
        {
            return refusedOversized(request);
        }
        return execute(CommandLayout.TRACK, CommandEncoder.track(command, 0, request, false), true);
    }

    /**
     * Track a message and tell a listener of its outcome (besides the tracker's listeners). Allocates an entry per
     * message: for callers who need it, not for the hot path.
     *
     * @param request  arguments; not kept.
     * @param listener told of this message's outcome.
     * @return OK or a refusal (the listener is then never called).
     */
    public Result track(final TrackRequest request, final OutcomeListener listener)
    {
        if (request.metadataLength() > config.maxMetadataLength())
        {
            return refusedOversized(request);
        }
        final long messageId = request.messageId();
        final boolean registered = listeners.register(messageId, listener);
        final Result result = execute(CommandLayout.TRACK, CommandEncoder.track(command, 0, request, true), true);
        if (registered && result.isRefusal())
        {
            listeners.unregister(messageId);
        }
        return result;
    }

    /**
     * Record that a destination acked a message.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @return OK, COMPLETED, HELD, or a refusal.
     */
    public Result recordAck(final long messageId, final int destination)
    {
        return execute(CommandLayout.ACK, CommandEncoder.ack(command, 0, messageId, destination), true);
    }

    /**
     * Record that a destination could not process a message: it is retried to that destination after its backoff,
     * without waiting for the ack timeout (or given up on when its attempts are spent).
     *
     * @param messageId   message.
     * @param destination destination id.
     * @return OK or a refusal.
     */
    public Result recordNack(final long messageId, final int destination)
    {
        return recordNack(messageId, destination, 0, 0);
    }

    /**
     * Record a nack with an explicit retry delay and an error code.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @param delayNs     retry delay; 0 for the message's backoff.
     * @param code        error code kept in the attempt history.
     * @return OK or a refusal.
     */
    public Result recordNack(final long messageId, final int destination, final long delayNs, final int code)
    {
        return execute(
            CommandLayout.NACK, CommandEncoder.nack(command, 0, messageId, destination, delayNs, code), true);
    }

    /**
     * Record that a destination rejected a message as poison: it fails at once and goes to the dead-letter queue.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @param code        error code kept with the dead letter.
     * @return OK or a refusal.
     */
    public Result recordReject(final long messageId, final int destination, final int code)
    {
        return execute(CommandLayout.REJECT, CommandEncoder.reject(command, 0, messageId, destination, code), true);
    }

    /**
     * Record a cumulative ack: the destination confirms every message of the stream with sequence up to and
     * including {@code offset}. The first slice is applied now, the rest in housekeeping slices.
     *
     * @param streamId    stream.
     * @param destination destination id.
     * @param offset      highest confirmed sequence.
     * @return OK, or DUPLICATE_ACK when the offset does not move forward, or a refusal.
     */
    public Result recordCumulativeAck(final int streamId, final int destination, final long offset)
    {
        return execute(
            CommandLayout.CUMULATIVE_ACK,
            CommandEncoder.cumulativeAck(command, 0, streamId, destination, offset),
            true);
    }

    /**
     * Lease a pending message to a consumer.
     *
     * @param messageId    message.
     * @param consumerId   who holds it (opaque to the tracker).
     * @param visibilityNs how long before it becomes available again unless settled or extended.
     * @param handle       filled with the receipt handle on success.
     * @return OK, or UNKNOWN_MESSAGE, LATE_ACK (finished), ALREADY_LEASED, INVALID_TIMEOUT.
     */
    public Result lease(
        final long messageId, final long consumerId, final long visibilityNs, final ReceiptHandle handle)
    {
        final Result result = execute(
            CommandLayout.LEASE, CommandEncoder.lease(command, 0, messageId, consumerId, visibilityNs), true);
        if (Result.OK == result)
        {
            handle.copyFrom(machine.grantedHandle());
        }
        return result;
    }

    /**
     * Settle a lease by completing the message.
     *
     * @param handle receipt handle of the current lease.
     * @return OK or a refusal.
     */
    public Result leaseAck(final ReceiptHandle handle)
    {
        return execute(CommandLayout.LEASE_ACK, CommandEncoder.settle(command, 0, handle, 0, 0), true);
    }

    /**
     * Release a lease: the message becomes available again after the delay, or its backoff when 0.
     *
     * @param handle  receipt handle of the current lease.
     * @param delayNs how long before it may be leased again; 0 for the message's backoff.
     * @return OK or a refusal.
     */
    public Result leaseNack(final ReceiptHandle handle, final long delayNs)
    {
        return execute(CommandLayout.LEASE_NACK, CommandEncoder.settle(command, 0, handle, delayNs, 0), true);
    }

    /**
     * Extend a lease: the consumer is still working.
     *
     * @param handle  receipt handle of the current lease.
     * @param extraNs added to the lease deadline, at most the configured single extension.
     * @return OK, or MAX_EXTENSIONS, INVALID_TIMEOUT, or a handle refusal.
     */
    public Result leaseExtend(final ReceiptHandle handle, final long extraNs)
    {
        return execute(CommandLayout.LEASE_EXTEND, CommandEncoder.settle(command, 0, handle, extraNs, 0), true);
    }

    /**
     * Settle a lease by rejecting the message as poison: it fails and is dead-lettered.
     *
     * @param handle receipt handle of the current lease.
     * @param code   error code kept with the dead letter.
     * @return OK or a refusal.
     */
    public Result leaseReject(final ReceiptHandle handle, final int code)
    {
        return execute(CommandLayout.LEASE_REJECT, CommandEncoder.settle(command, 0, handle, 0, code), true);
    }

    /**
     * Queue dead letters for replay into tracking: they go at the replay rate, a few per duty cycle.
     *
     * @param mode       all destinations, or only those that never acked.
     * @param messageIds dead letters.
     * @return OK.
     */
    public Result replayDeadLetters(final ReplayMode mode, final long... messageIds)
    {
        return deadLetterCommand(CommandLayout.DEAD_LETTER_REPLAY, mode.ordinal(), messageIds);
    }

    /**
     * Replay one dead letter into tracking now.
     *
     * @param mode      all destinations, or only those that never acked.
     * @param messageId the dead letter.
     * @return OK, UNKNOWN_MESSAGE (not a dead letter), DUPLICATE_TRACK (the id is pending), CAPACITY_EXCEEDED, or
     * NO_DESTINATIONS (every destination acked).
     */
    public Result replayDeadLetterNow(final ReplayMode mode, final long messageId)
    {
        return execute(
            CommandLayout.DEAD_LETTER_REPLAY, CommandEncoder.replayNow(command, 0, mode.ordinal(), messageId), true);
    }

    /**
     * Delete dead letters.
     *
     * @param messageIds ids.
     * @return how many existed.
     */
    public int deleteDeadLetters(final long... messageIds)
    {
        int deleted = 0;
        final int perCommand = (command.capacity() - CommandLayout.DEAD_LETTER_IDS_OFFSET) / Long.BYTES;
        for (int from = 0; from < messageIds.length; from += perCommand)
        {
            final int count = Math.min(perCommand, messageIds.length - from);
            execute(CommandLayout.DEAD_LETTER_DELETE,
                CommandEncoder.deadLetters(command, 0, 0, messageIds, from, count), true);
            deleted += machine.lastDeleted();
        }
        return deleted;
    }

    /**
     * Start an orphan sweep on the next duty cycle, whatever the interval says. For tests and operators.
     */
    public void requestOrphanSweep()
    {
        execute(CommandLayout.ORPHAN_SWEEP, CommandLayout.BARE_LENGTH, true);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Reads
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Health and circuit state of a destination. Any thread: a view of plain fields, possibly a moment stale.
     *
     * @param destination id.
     * @return a snapshot.
     */
    public DestinationHealthView destinationHealth(final int destination)
    {
        return machine.destinationHealth(destination);
    }

    /**
     * Messages tracked and not finished.
     *
     * @return the count.
     */
    public int pendingCount()
    {
        return machine.pendingCount();
    }

    /**
     * Finished messages still remembered as tombstones.
     *
     * @return the count.
     */
    public int tombstoneCount()
    {
        return machine.tombstoneCount();
    }

    /**
     * Due redeliveries waiting for the retry budget.
     *
     * @return the count.
     */
    public int queuedRetries()
    {
        return machine.queuedRetries();
    }

    /**
     * The time of the current duty cycle: what the synchronous calls are stamped with.
     *
     * @return epoch ns.
     */
    public long nowNs()
    {
        return nowNs;
    }

    /**
     * The deadline index, for tests and diagnostics.
     *
     * @return the index.
     */
    public DeadlineIndex deadlines()
    {
        return machine.deadlines();
    }

    /**
     * The records (id index and table), for tools and tests that read a record in place.
     *
     * @return the records.
     */
    public Records records()
    {
        return machine.records();
    }

    /**
     * The destination registry.
     *
     * @return the registry.
     */
    public DestinationRegistry registry()
    {
        return registry;
    }

    /**
     * The tracker's counters.
     *
     * @return the counters.
     */
    public Counters counters()
    {
        return counters;
    }

    /**
     * The argument checks every way in shares. Any thread.
     *
     * @return the validator.
     */
    public CommandValidator validator()
    {
        return validator;
    }

    /**
     * The client sessions and their outboxes: a transport on the agent thread reads the outboxes (changes go
     * through commands). Agent thread.
     *
     * @return the sessions.
     */
    public ClientSessions sessions()
    {
        return machine.sessions();
    }

    /**
     * Dead-letter queries, on the agent thread (replay and delete go through the methods above).
     *
     * @return the dead letters.
     */
    public DeadLetters deadLetters()
    {
        return machine.deadLetters();
    }

    /**
     * Lease queries (handle authenticity, active leases), on the agent thread.
     *
     * @return the leases.
     */
    public Leases leases()
    {
        return machine.leases();
    }

    /**
     * Append the engine's whole state to an image (determinism checks, diagnostics). Allocates.
     *
     * @param image the image.
     */
    public void appendState(final StateImage image)
    {
        machine.appendState(image);
    }

    /**
     * Append the machine's exact image (what a checkpoint holds besides the records) to a writer: tests and
     * diagnostics. Between duty cycles.
     *
     * @param out the writer.
     */
    public void dumpState(final ImageWriter out)
    {
        machine.dump(out);
    }

    /**
     * Bring the agent's time to its clock's without a duty cycle: a host that applies commands through the
     * synchronous API between duty cycles (a replica applying log entries, each at its entry's time) stamps them with
     * the clock's time, and the next duty cycle's deadlines come after them, as inbound frames come before the tick
     * in a duty cycle. Never goes back. Agent (host) thread.
     */
    public void syncClock()
    {
        nowNs = Math.max(nowNs, epochClock.nanoTime());
    }

    /**
     * Restore the whole state from an image of {@link #dumpState} and the records that go with it, into a
     * host-driven tracker with the in-memory store that has applied no command yet: a replica loading a snapshot
     * ({@link StateSnapshot}). Afterwards the same commands give the same results, state and effects as on the
     * tracker the image was taken from. Agent (host) thread, before the first duty cycle.
     *
     * @param in      the machine's image.
     * @param created slots the records hold.
     * @param filler  writes each slot's record.
     * @throws TrackerException when commands were applied already, or the image does not fit this machine.
     */
    public void restoreState(final ImageReader in, final int created, final SlotFiller filler)
    {
        if (null != journal || counters.value(COMMANDS) != 0)
        {
            throw new TrackerException("a snapshot is restored only into a fresh tracker with the in-memory store");
        }
        machine.restore(in, created, filler);
        nowNs = Math.max(nowNs, machine.nowNs());
    }

    /**
     * Held messages the dead-letter part looked at in the last duty cycle.
     *
     * @return the count.
     */
    public int lastHeldVisits()
    {
        return machine.lastHeldVisits();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Applying commands
    // ------------------------------------------------------------------------------------------------------------

    private Result deadLetterCommand(final int type, final int mode, final long[] messageIds)
    {
        final int perCommand = (command.capacity() - CommandLayout.DEAD_LETTER_IDS_OFFSET) / Long.BYTES;
        Result result = Result.OK;
        for (int from = 0; from < messageIds.length; from += perCommand)
        {
            final int count = Math.min(perCommand, messageIds.length - from);
            result = execute(type, CommandEncoder.deadLetters(command, 0, mode, messageIds, from, count), true);
        }
        return result;
    }

    /**
     * The configured confirmation listener, else the first extension that is one (a transport).
     */
    private static ConfirmationListener confirmationListener(final TrackerConfig config)
    {
        if (null != config.confirmationListener())
        {
            return config.confirmationListener();
        }
        for (final TrackerExtension extension : config.extensions())
        {
            if (extension instanceof ConfirmationListener)
            {
                return (ConfirmationListener)extension;
            }
        }
        return null;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Agent thread.
     */
    @Override
    public TrackerCommands numbered(final long clientId, final long sequence)
    {
        numbering = true;
        numberedClient = clientId;
        numberedSequence = sequence;
        return this;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Agent thread.
     */
    @Override
    public long touch(final long messageId)
    {
        return machine.touch(messageId);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Agent thread.
     */
    @Override
    public ClientOutboxes clientOutboxes()
    {
        return machine.sessions();
    }

    /**
     * {@inheritDoc}
     * <p>
     * Agent thread.
     */
    @Override
    public Result apply(final int type, final DirectBuffer body, final int offset, final int length)
    {
        if (CommandLayout.isAgentOnly(type & ~CommandLayout.SEQUENCED) || length < 0 ||
            length + CommandLayout.SEQUENCE_TRAILER_LENGTH > command.capacity())
        {
            numbering = false;
            return refusedAgentOnly();
        }
        command.putBytes(0, body, offset, length);
        return execute(type, length, true);
    }

    /**
     * Apply the command whose body is in the scratch buffer with the cycle's time, then tell its effects.
     */
    private Result execute(final int commandType, final int commandLength, final boolean countAsCommand)
    {
        int type = commandType;
        int length = commandLength;
        if (numbering && countAsCommand)
        {
            // the host numbered this command for a client: its trailer follows the body
            numbering = false;
            if ((type & CommandLayout.SEQUENCED) == 0)
            {
                length = CommandEncoder.numbered(command, 0, length, numberedClient, numberedSequence);
                type |= CommandLayout.SEQUENCED;
            }
        }
        if (failed)
        {
            counters.increment(REFUSED_TRACKER_FAILED);
            return Result.TRACKER_FAILED;
        }
        final long startNs = recordServiceTime && countAsCommand ? nanoClock.nanoTime() : 0;
        final Result result;
        recordingPhase.begin();
        try
        {
            result = applier.apply(nowNs, type, command, 0, length);
            if (null != result && countAsCommand && recordServiceTime)
            {
                serviceTime.record(nanoClock.nanoTime() - startNs);
            }
        }
        catch (final Throwable ex)
        {
            // the machine may be half way through the command: nothing may be applied after it
            fail(ex);
            return Result.TRACKER_FAILED;
        }
        finally
        {
            recordingPhase.end();
        }
        if (null == result)
        {
            counters.increment(BACK_PRESSURED);
            return Result.BACK_PRESSURED;
        }
        if (countAsCommand)
        {
            counters.increment(COMMANDS);
        }
        try
        {
            effects.drain(listeners);
        }
        catch (final Error ex)
        {
            fail(ex);
            return Result.TRACKER_FAILED;
        }
        return result;
    }

    private ControlledMessageHandler.Action onQueuedCommand(
        final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        try
        {
            if (applier.hasToldBatched() && CommandLayout.TRACK == (type & ~CommandLayout.SEQUENCED) &&
                !machine.records().hasFreeSlot())
            {
                // a record whose outcome was told leaves the table when its telling is applied: before a Track that
                // needs its slot, not at the batch's end
                applier.flushTold(nowNs);
            }
            final Result result = CommandLayout.isAgentOnly(type) ? refusedAgentOnly() :
                applier.apply(nowNs, type, buffer, index, length);
            if (null == result)
            {
                // the journal cannot take it now: it stays in the queue, first in line for the next cycle
                counters.increment(BACK_PRESSURED);
                return ControlledMessageHandler.Action.ABORT;
            }
            if (result.isRefusal())
            {
                // a numbered command's refusal is told as its command type's (the machine also keeps it in the
                // client's outbox when the command used its sequence)
                final int commandType = type & ~CommandLayout.SEQUENCED;
                final boolean hasWaiter = CommandLayout.TRACK == commandType &&
                    (buffer.getInt(index + CommandLayout.TRACK_FLAGS_OFFSET) &
                    CommandLayout.TRACK_FLAG_HAS_WAITER) != 0;
                effects.refusal(commandType, CommandLayout.subjectId(buffer, index, commandType), result.ordinal(),
                    hasWaiter ? Effects.FLAG_WAITER : 0);
            }
        }
        catch (final Throwable ex)
        {
            // the machine may be half way through the command: nothing may be applied after it
            throw fail(ex);
        }
        counters.increment(COMMANDS);
        if (recordServiceTime)
        {
            final long endNs = nanoClock.nanoTime();
            serviceTime.record(endNs - serviceStartNs);
            serviceStartNs = endNs;
        }
        if (effects.size() > 0)
        {
            // listeners are the application's code: a reader of the latency recorders there must not find the
            // batch it runs in still open (it would wait for itself, or for a reader waiting for it)
            final int suspended = recordingPhase.suspend();
            try
            {
                effects.drain(listeners);
            }
            finally
            {
                recordingPhase.resume(suspended);
            }
        }
        return ControlledMessageHandler.Action.CONTINUE;
    }

    /** A queued command of a type only the agent applies (OUTCOME_TOLD and the like): refused, state unchanged. */
    private Result refusedAgentOnly()
    {
        counters.increment(INVALID_REQUESTS);
        return Result.INVALID_ARGUMENT;
    }

    /**
     * A track whose metadata would not fit the command buffer is refused before it is encoded, with the answer the
     * validator gives on every other path (an earlier check may refuse it first).
     */
    private Result refusedOversized(final TrackRequest request)
    {
        counters.increment(INVALID_REQUESTS);
        return validator.track(request);
    }

    private void runAdmin(final Consumer<TrackerAgent> task)
    {
        try
        {
            task.accept(this);
        }
        catch (final Exception ex)
        {
            onError(ex);
        }
    }

    private void onError(final Throwable ex)
    {
        counters.increment(ERRORS);
        config.errorHandler().onError(ex);
    }
}

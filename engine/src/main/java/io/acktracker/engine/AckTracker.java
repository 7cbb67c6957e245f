package io.acktracker.engine;

import io.acktracker.engine.agent.OutcomeWaiters;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.agent.TrackerFailure;
import io.acktracker.engine.agent.TrackerRuntime;
import io.acktracker.engine.api.CompletionHandle;
import io.acktracker.engine.api.DestinationHealthView;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.LeaseRefusedException;
import io.acktracker.engine.api.MessageStatus;
import io.acktracker.engine.api.OutcomeEvent;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRefusedException;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.command.CommandProxy;
import io.acktracker.engine.command.CommandValidator;
import io.acktracker.engine.journal.JournalCounters;
import io.acktracker.engine.journal.JournalStatus;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.DestinationLatencies;
import io.acktracker.engine.metrics.LatencyRecorder;
import io.acktracker.engine.metrics.MetricsSnapshot;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.store.DataDirectory;
import io.acktracker.engine.store.RecordBytes;
import io.acktracker.engine.store.SnapshotInfo;
import io.acktracker.engine.store.Snapshots;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * An embeddable ACK tracker: tracks messages that need acknowledgment from one or more destinations, records acks
 * as they arrive, times out, expires and notifies outcomes, and keeps its state in an off-heap Chronicle Map that
 * survives a crash when a data directory is configured.
 * <p>
 * One agent thread owns all state. Choose how it runs:
 * <ul>
 *     <li>{@link #launch(TrackerConfig)}: the tracker runs its own thread with the configured idle strategy;</li>
 *     <li>{@link #open(TrackerConfig)}: the host drives it, either calling {@link #invoker()}{@code .invoke()} from
 *     its own duty cycle or composing {@link #agent()} into its own agent (then it calls the agent's synchronous
 *     API directly on that thread).</li>
 * </ul>
 * The {@code offer*} methods may be called from any thread: they queue a command for the agent without blocking or
 * allocating and answer {@link Result#QUEUED} or {@link Result#BACK_PRESSURED} at once.
 * <p>
 * Threading: any thread, except {@link #agent()}'s methods and {@link #close()} (call it once, from one thread).
 * <p>
 * Why this file is long: the tracker's whole any-thread API, one short method per command or query, each with the
 * Javadoc a user reads; assembly and lifecycle are in {@code TrackerRuntime}.
 */
public final class AckTracker implements AutoCloseable
{
    private final TrackerConfig config;
    private final TrackerRuntime runtime;
    private final TrackerAgent agent;
    private final CommandProxy proxy;
    private final CommandValidator validator;
    private final Counters counters;
    private final DestinationRegistry registry;
    private final OutcomeWaiters waiters;
    private final DeadLetterAdmin deadLetterAdmin = new DeadLetterAdmin(this);
    private final TrackerFailure failure;
    private volatile boolean closed;

    private AckTracker(final TrackerConfig config, final boolean ownThread, final DataDirectory held)
    {
        this.config = (null == held ? config : config.dataDir(held.dir())).conclude();
        this.runtime = new TrackerRuntime(this.config, ownThread, held);
        this.agent = runtime.agent();
        this.proxy = runtime.proxy();
        this.validator = runtime.validator();
        this.counters = runtime.counters();
        this.registry = runtime.registry();
        this.waiters = runtime.waiters();
        this.failure = runtime.failure();
    }

    /**
     * Start a tracker on its own agent thread.
     *
     * @param config configuration.
     * @return the running tracker.
     * @throws TrackerException when it cannot start.
     */
    public static AckTracker launch(final TrackerConfig config)
    {
        return new AckTracker(config, true, null);
    }

    /**
     * Start a tracker on its own agent thread in a data directory the caller has already opened
     * ({@link DataDirectory#open}: locked and checked), so the caller can put its own files beside the tracker's
     * (the transport's counters) only once the lock is held. The caller closes the directory after the tracker.
     *
     * @param config    configuration; its data directory becomes {@code directory}'s.
     * @param directory the held directory, for this one tracker.
     * @return the running tracker.
     * @throws TrackerException when it cannot start.
     */
    public static AckTracker launch(final TrackerConfig config, final DataDirectory directory)
    {
        return new AckTracker(config, true, directory);
    }

    /**
     * Open a tracker that the host drives: call {@link #invoker()}{@code .invoke()} from its duty cycle, or compose
     * {@link #agent()} into its own agent.
     *
     * @param config configuration.
     * @return the tracker, recovered and ready.
     * @throws TrackerException when it cannot start.
     */
    public static AckTracker open(final TrackerConfig config)
    {
        return new AckTracker(config, false, null);
    }

    /**
     * Open a host-driven tracker in a data directory the caller has already opened ({@link DataDirectory#open}:
     * locked and checked) and closes after the tracker.
     *
     * @param config    configuration; its data directory becomes {@code directory}'s.
     * @param directory the held directory, for this one tracker.
     * @return the tracker, recovered and ready.
     * @throws TrackerException when it cannot start.
     */
    public static AckTracker open(final TrackerConfig config, final DataDirectory directory)
    {
        return new AckTracker(config, false, directory);
    }

    /**
     * The agent: the synchronous API and {@code doWork()}, for the thread that drives it.
     *
     * @return the agent.
     */
    public TrackerAgent agent()
    {
        return agent;
    }

    /**
     * Invoker for a host-driven tracker, null when it runs its own thread.
     *
     * @return the invoker.
     */
    public AgentInvoker invoker()
    {
        return runtime.invoker();
    }

    /**
     * Destination registry (any thread).
     *
     * @return the registry.
     */
    public DestinationRegistry destinations()
    {
        return registry;
    }

    /**
     * Id of a destination, registering it when the registry is open.
     *
     * @param name destination name.
     * @return its id.
     * @throws TrackerException when unknown and the registry is closed or full, or the name is invalid.
     */
    public int destination(final String name)
    {
        final int id = registry.resolve(name);
        if (DestinationRegistry.UNKNOWN == id)
        {
            throw new TrackerException("unknown destination '" + name + "'" +
                (registry.isOpen() ? " (invalid name or registry full)" : " (the registry is closed)"));
        }
        return id;
    }

    /**
     * Queue a track from any thread.
     *
     * @param request arguments; copied into the queue.
     * @return QUEUED, BACK_PRESSURED, CLOSED, or an argument refusal.
     */
    public Result offerTrack(final TrackRequest request)
    {
        final Result stopped = stopped();
        if (null != stopped)
        {
            return stopped;
        }
        final Result invalid = validator.track(request);
        return Result.OK != invalid ? refused(invalid) : proxy.track(request, false);
    }

    /**
     * Queue a track from any thread with the defaults.
     *
     * @param messageId    id.
     * @param destinations bitset of destination ids.
     * @return QUEUED, BACK_PRESSURED, CLOSED, or an argument refusal.
     */
    public Result offerTrack(final long messageId, final long destinations)
    {
        final Result stopped = stopped();
        if (null != stopped)
        {
            return stopped;
        }
        final Result invalid = validator.track(messageId, destinations);
        return Result.OK != invalid ? refused(invalid) : proxy.track(messageId, destinations);
    }

    /**
     * Track by destination names (cold path: resolves names, allocates).
     *
     * @param messageId    id.
     * @param destinations destination names.
     * @return QUEUED, BACK_PRESSURED, or a refusal (TOO_MANY_DESTINATIONS, UNKNOWN_DESTINATION, ...).
     */
    public Result offerTrack(final long messageId, final String... destinations)
    {
        if (destinations.length > DestinationRegistry.MAX_DESTINATIONS)
        {
            counters.increment(TrackerCounter.INVALID_REQUESTS);
            return Result.TOO_MANY_DESTINATIONS;
        }
        long mask = 0;
        for (final String name : destinations)
        {
            final int id = registry.resolve(name);
            if (DestinationRegistry.UNKNOWN == id)
            {
                counters.increment(TrackerCounter.INVALID_REQUESTS);
                return Result.UNKNOWN_DESTINATION;
            }
            mask |= 1L << id;
        }
        return offerTrack(messageId, mask);
    }

    /**
     * Queue a track whose outcome completes the returned future. Allocates: for callers off the hot path.
     *
     * @param request arguments.
     * @return the future; completed exceptionally with {@link TrackRefusedException} when refused.
     */
    public CompletableFuture<OutcomeEvent> trackAsync(final TrackRequest request)
    {
        final CompletableFuture<OutcomeEvent> future = waiters.register(request.messageId());
        if (null == future)
        {
            return CompletableFuture.failedFuture(new TrackRefusedException(request.messageId(),
                Result.DUPLICATE_TRACK));
        }
        final Result stopped = stopped();
        final Result invalid = null != stopped ? stopped : validator.track(request);
        final Result result = Result.OK != invalid ? refused(invalid) : proxy.track(request, true);
        if (Result.QUEUED != result)
        {
            waiters.cancel(request.messageId());
            future.completeExceptionally(new TrackRefusedException(request.messageId(), result));
        }
        return future;
    }

    /**
     * Queue a track and return a handle to wait on, like the seed's {@code WaitForCompletion}.
     *
     * @param request arguments.
     * @return the handle.
     */
    public CompletionHandle trackForCompletion(final TrackRequest request)
    {
        return new CompletionHandle(request.messageId(), trackAsync(request));
    }

    /**
     * Queue an individual ack from any thread.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @return QUEUED, BACK_PRESSURED or CLOSED.
     */
    public Result offerAck(final long messageId, final int destination)
    {
        final Result stopped = stopped();
        if (null != stopped)
        {
            return stopped;
        }
        final Result invalid = validator.answer(destination);
        return Result.OK != invalid ? refused(invalid) : proxy.ack(messageId, destination);
    }

    /**
     * Queue a command already in the command layout from any thread: the session commands (SESSION_OPEN,
     * OUTBOX_CONFIRM) and commands numbered by a client (see {@link io.acktracker.engine.api.TrackerCommands#apply}). Only the machine checks
     * it, so a numbered command always reaches its client's session; its result, when a refusal, is told to the
     * refusal listener (and kept in the client's outbox when the command used its sequence).
     *
     * @param type   the command's type.
     * @param body   its body.
     * @param offset where the body starts.
     * @param length the body's length.
     * @return QUEUED, BACK_PRESSURED, CLOSED, or INVALID_ARGUMENT for a type only the agent applies or a body longer
     *         than the queue takes.
     */
    public Result offerCommand(final int type, final DirectBuffer body, final int offset, final int length)
    {
        final Result stopped = stopped();
        if (null != stopped)
        {
            return stopped;
        }
        final int baseType = type & ~CommandLayout.SEQUENCED;
        if (baseType < CommandLayout.TRACK || baseType > CommandLayout.MAX_TYPE || CommandLayout.isAgentOnly(baseType) ||
            length < 0 || length > proxy.maxLength())
        {
            return refused(Result.INVALID_ARGUMENT);
        }
        return proxy.command(type, body, offset, length);
    }

    /**
     * Queue a nack from any thread: the destination could not process the message; it is retried to that
     * destination after its backoff (or the given delay).
     *
     * @param messageId   message.
     * @param destination destination id.
     * @param delayNs     retry delay, 0 for the message's backoff.
     * @param code        error code kept in the attempt history.
     * @return QUEUED, BACK_PRESSURED or CLOSED.
     */
    public Result offerNack(final long messageId, final int destination, final long delayNs, final int code)
    {
        final Result stopped = stopped();
        if (null != stopped)
        {
            return stopped;
        }
        final Result invalid = validator.nack(destination, delayNs);
        return Result.OK != invalid ? refused(invalid) : proxy.nack(messageId, destination, delayNs, code);
    }

    /**
     * Queue a reject from any thread: the destination calls the message poison; it fails and is dead-lettered.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @param code        error code kept with the dead letter.
     * @return QUEUED, BACK_PRESSURED or CLOSED.
     */
    public Result offerReject(final long messageId, final int destination, final int code)
    {
        final Result stopped = stopped();
        if (null != stopped)
        {
            return stopped;
        }
        final Result invalid = validator.answer(destination);
        return Result.OK != invalid ? refused(invalid) : proxy.reject(messageId, destination, code);
    }

    /**
     * Health and circuit state of a destination. Any thread: a view of the agent's plain fields, possibly a moment
     * stale.
     *
     * @param destination destination name.
     * @return its health.
     * @throws TrackerException when the destination is not registered.
     */
    public DestinationHealthView destinationHealth(final String destination)
    {
        final int id = registry.id(destination);
        if (DestinationRegistry.UNKNOWN == id)
        {
            throw new TrackerException("unknown destination '" + destination + "'");
        }
        return agent.destinationHealth(id);
    }

    /**
     * Dead-letter administration from any thread: each call runs on the agent thread and completes a future.
     *
     * @return the administration interface.
     */
    public DeadLetterAdmin deadLetters()
    {
        return deadLetterAdmin;
    }

    /**
     * Queue a cumulative ack from any thread.
     *
     * @param streamId    stream.
     * @param destination destination id.
     * @param offset      confirms every sequence up to and including this.
     * @return QUEUED, BACK_PRESSURED or CLOSED.
     */
    public Result offerCumulativeAck(final int streamId, final int destination, final long offset)
    {
        final Result stopped = stopped();
        if (null != stopped)
        {
            return stopped;
        }
        final Result invalid = validator.cumulativeAck(destination);
        return Result.OK != invalid ? refused(invalid) : proxy.cumulativeAck(streamId, destination, offset);
    }

    /**
     * Where a message stands. Any thread: on the agent's thread (or a host-driven tracker's) it reads the record
     * directly; from another thread of a tracker on its own thread it asks the agent and waits for its answer (a
     * duty cycle or so).
     *
     * @param messageId message.
     * @return its status; UNKNOWN when not held or the tracker is closed.
     * @throws TrackerException when the agent does not answer within 10 s.
     */
    public MessageStatus status(final long messageId)
    {
        if (closed)
        {
            return MessageStatus.unknown(messageId);
        }
        if (runtime.onAgentThread() || failure.isFailed())
        {
            return readStatus(runtime.agent().records(), messageId);
        }
        // completed on the agent thread itself: only this caller waits on it, and the waiter executor may be the
        // very thread calling (a listener asking for a status), which must not wait on itself
        final CompletableFuture<MessageStatus> answer = new CompletableFuture<>();
        if (!runOnAgent((agent) -> answer.complete(readStatus(agent.records(), messageId))))
        {
            if (closed)
            {
                return MessageStatus.unknown(messageId);
            }
            throw new TrackerException("admin queue is full, try again");
        }
        try
        {
            return answer.get(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new TrackerException("interrupted waiting for the status of " + messageId);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            if (closed)
            {
                return MessageStatus.unknown(messageId);
            }
            throw new TrackerException("the agent did not answer the status of " + messageId + ": " + ex, ex);
        }
    }

    private static MessageStatus readStatus(final Records records, final long messageId)
    {
        final RecordBytes copy = new RecordBytes();
        return records.readCopy(messageId, copy) ? RecordStatus.toMessageStatus(copy.record()) :
            MessageStatus.unknown(messageId);
    }

    /**
     * Counters and latency percentiles. Any thread.
     *
     * @return a snapshot.
     */
    public MetricsSnapshot metrics()
    {
        return new MetricsSnapshot(counters.values(), runtime.completionLatency().summary(),
            runtime.serviceTime().summary(), runtime.leaseHoldTime().summary());
    }

    /**
     * Track-to-completion latency recorder, for interval logs. Any thread.
     *
     * @return the recorder.
     */
    public LatencyRecorder completionLatency()
    {
        return runtime.completionLatency();
    }

    /**
     * Per-command service time recorder, for interval logs. Any thread.
     *
     * @return the recorder.
     */
    public LatencyRecorder serviceTime()
    {
        return runtime.serviceTime();
    }

    /**
     * The command journal's positions and segment preparation health (a failing preparation is what turns into
     * BACK_PRESSURED answers), or null when the state is not journaled. Any thread.
     *
     * @return the status.
     */
    public JournalStatus journalStatus()
    {
        return null == runtime.journal() ? null : runtime.journal().status();
    }

    /**
     * The journal position of the checkpoint this start restored before replaying the journal after it, or -1 when
     * it replayed the whole journal (or the state is not journaled). Any thread.
     *
     * @return the position.
     */
    public long recoveredFromCheckpoint()
    {
        return null == runtime.journal() ? -1 : runtime.journal().recoveredFrom();
    }

    /**
     * The command journal's counters (refusals by reason, segments prepared, group commits), or null when the state
     * is not journaled. Any thread.
     *
     * @return the counters.
     */
    public JournalCounters journalCounters()
    {
        return null == runtime.journal() ? null : runtime.journal().counters();
    }

    /**
     * The system counters. Any thread.
     *
     * @return the counters.
     */
    public Counters counters()
    {
        return counters;
    }

    /**
     * Lease a pending message to a consumer, from any thread (allocates: the future and the handle).
     *
     * @param messageId    message.
     * @param consumerId   consumer.
     * @param visibilityNs visibility timeout.
     * @return completes with the receipt handle, or exceptionally with {@link LeaseRefusedException}.
     */
    public CompletableFuture<ReceiptHandle> lease(final long messageId, final long consumerId, final long visibilityNs)
    {
        return submit((agent) ->
        {
            final ReceiptHandle handle = new ReceiptHandle();
            final Result result = agent.lease(messageId, consumerId, visibilityNs, handle);
            if (Result.OK != result)
            {
                throw new LeaseRefusedException(messageId, result);
            }
            return handle;
        });
    }

    /**
     * Queue a lease ack (the consumer processed the message) from any thread. Refusals go to the refusal listener.
     *
     * @param handle receipt handle; copied.
     * @return QUEUED, BACK_PRESSURED or CLOSED.
     */
    public Result offerLeaseAck(final ReceiptHandle handle)
    {
        return offerSettle(CommandLayout.LEASE_ACK, handle, 0, 0);
    }

    /**
     * Queue a lease nack (release; available again after the delay or the backoff) from any thread.
     *
     * @param handle  receipt handle; copied.
     * @param delayNs delay, 0 for the backoff.
     * @return QUEUED, BACK_PRESSURED or CLOSED.
     */
    public Result offerLeaseNack(final ReceiptHandle handle, final long delayNs)
    {
        return offerSettle(CommandLayout.LEASE_NACK, handle, delayNs, 0);
    }

    /**
     * Queue a lease extension from any thread.
     *
     * @param handle  receipt handle; copied.
     * @param extraNs added to the lease deadline.
     * @return QUEUED, BACK_PRESSURED or CLOSED.
     */
    public Result offerLeaseExtend(final ReceiptHandle handle, final long extraNs)
    {
        return offerSettle(CommandLayout.LEASE_EXTEND, handle, extraNs, 0);
    }

    /**
     * Queue a lease reject (poison) from any thread.
     *
     * @param handle receipt handle; copied.
     * @param code   error code for the dead letter.
     * @return QUEUED, BACK_PRESSURED or CLOSED.
     */
    public Result offerLeaseReject(final ReceiptHandle handle, final int code)
    {
        return offerSettle(CommandLayout.LEASE_REJECT, handle, 0, code);
    }

    /**
     * Run a function on the agent thread and complete a future with its result (cold path: allocates). For callers
     * that need the agent's synchronous answer from another thread, such as an HTTP handler.
     *
     * @param function to run with the agent.
     * @param <T>      result type.
     * @return the future; completed exceptionally when the function throws or the admin queue is full.
     */
    public <T> CompletableFuture<T> submit(final java.util.function.Function<TrackerAgent, T> function)
    {
        final CompletableFuture<T> future = new CompletableFuture<>();
        final boolean queued = runOnAgent((agent) ->
        {
            try
            {
                final T value = function.apply(agent);
                completeOffAgent(() -> future.complete(value));
            }
            catch (final RuntimeException ex)
            {
                completeOffAgent(() -> future.completeExceptionally(ex));
            }
        });
        if (!queued)
        {
            future.completeExceptionally(new TrackerException(closed ? "tracker is closed" :
                failure.isFailed() ? failure.describe() : "admin queue is full, try again"));
        }
        return future;
    }

    /**
     * Lease hold time recorder (grant to settlement), for interval logs. Any thread.
     *
     * @return the recorder.
     */
    public LatencyRecorder leaseHoldTime()
    {
        return runtime.leaseHoldTime();
    }

    /**
     * Each destination's ack latency (an attempt's send to the destination's ack), one recorder per destination id.
     * Any thread.
     *
     * @return the recorders.
     */
    public DestinationLatencies ackLatency()
    {
        return runtime.ackLatency();
    }

    /**
     * Take a consistent snapshot of the tables into a new directory; runs on the agent thread. A journal store has
     * no table files: its snapshot fails (copy the stopped data directory; checkpoints will take this place).
     *
     * @param target directory to create.
     * @return a future completing with what was written.
     */
    public CompletableFuture<SnapshotInfo> snapshot(final Path target)
    {
        final CompletableFuture<SnapshotInfo> future = new CompletableFuture<>();
        if (null != runtime.journal())
        {
            future.completeExceptionally(new TrackerException("a journal store keeps its state in the journal, " +
                "not in table files: there is no table snapshot to take (copy the data directory while the " +
                "tracker is stopped)"));
            return future;
        }
        final boolean offered = !closed && !failure.isFailed() && runtime.adminQueue().offer((agent) ->
        {
            try
            {
                future.complete(Snapshots.take(target, runtime.tables(), agent.registry(), agent.nowNs()));
                agent.counters().increment(TrackerCounter.SNAPSHOTS);
            }
            catch (final RuntimeException ex)
            {
                future.completeExceptionally(ex);
            }
        });
        if (!offered)
        {
            future.completeExceptionally(new TrackerException(closed ? "tracker is closed" :
                failure.isFailed() ? failure.describe() : "admin queue is full"));
        }
        return future;
    }

    /**
     * Run a task on the agent thread (cold path: allocates).
     *
     * @param task to run with the agent.
     * @return false when the admin queue is full or the tracker closed.
     */
    public boolean runOnAgent(final Consumer<TrackerAgent> task)
    {
        return !closed && !failure.isFailed() && runtime.adminQueue().offer(task);
    }

    /**
     * Flush persisted tables to disk now (msync). Any thread; a no-op in memory. A journal store is synced by its
     * group commit ({@link TrackerConfig#syncIntervalNs(long)}) and refuses this call.
     *
     * @throws TrackerException for a journal store.
     */
    public void sync()
    {
        if (null != runtime.journal())
        {
            throw new TrackerException("a journal store is synced by its group commit (syncIntervalNs), not by " +
                "sync()");
        }
        runtime.tables().sync();
    }

    /**
     * The configuration, concluded (defaults filled in).
     *
     * @return the configuration; do not change it.
     */
    public TrackerConfig config()
    {
        return config;
    }

    /**
     * The data directory, or null in memory.
     *
     * @return the directory.
     */
    public Path dataDir()
    {
        return null == runtime.dataDirectory() ? null : runtime.dataDirectory().dir();
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closing started.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Stop the agent, process commands already queued, close the tables and mark a clean shutdown. A host-driven
     * tracker must not be invoked concurrently with close.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        runtime.close();
    }

    /**
     * Whether every command is refused, and how: CLOSED after close, TRACKER_FAILED (counted) once the agent stopped
     * on a fault.
     *
     * @return the refusal, or null while the tracker runs.
     */
    private Result stopped()
    {
        if (closed)
        {
            return Result.CLOSED;
        }
        if (failure.isFailed())
        {
            counters.increment(TrackerCounter.REFUSED_TRACKER_FAILED);
            return Result.TRACKER_FAILED;
        }
        return null;
    }

    /**
     * Whether the agent stopped on a fault it cannot go on from; the tracker then refuses every command with
     * TRACKER_FAILED until it is closed and opened again. Any thread.
     *
     * @return the fault, or null while the tracker runs.
     */
    public Throwable failure()
    {
        return failure.cause();
    }

    private Result offerSettle(final int type, final ReceiptHandle handle, final long argument, final int code)
    {
        final Result stopped = stopped();
        if (null != stopped)
        {
            return stopped;
        }
        final Result invalid = validator.settle(type, argument);
        return Result.OK != invalid ? refused(invalid) : proxy.settle(type, handle, argument, code);
    }

    /**
     * A command refused on the caller's thread by the validator: counted as the agent counts it (atomically: these
     * counters have shared writers).
     */
    private Result refused(final Result result)
    {
        counters.increment(Result.SPOOFED_DESTINATION == result ?
            TrackerCounter.SPOOFED_ACKS : TrackerCounter.INVALID_REQUESTS);
        return result;
    }

    /**
     * Complete a caller's future on the waiter executor, so its dependent stages do not run on the agent thread.
     */
    private void completeOffAgent(final Runnable completion)
    {
        try
        {
            config.waiterExecutor().execute(completion);
        }
        catch (final java.util.concurrent.RejectedExecutionException ex)
        {
            completion.run();
        }
    }
}

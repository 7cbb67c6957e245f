package io.acktracker.engine;

import io.acktracker.engine.agent.OutcomeWaiters;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.command.CommandProxy;
import io.acktracker.engine.command.CommandValidator;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.machine.TrackerStateMachine;
import io.acktracker.engine.store.TrackerTables;
import io.acktracker.engine.dlq.BlobTable;
import io.acktracker.engine.dlq.DeadLetterQueue;
import io.acktracker.engine.dlq.Extras;
import io.acktracker.engine.health.DestinationHealthView;
import io.acktracker.engine.lease.LeaseSecret;
import io.acktracker.engine.lease.ReceiptHandle;
import io.acktracker.engine.pending.PendingRecord;
import io.acktracker.engine.persistence.LongLongTable;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.CountersFile;
import io.acktracker.engine.metrics.LatencyRecorder;
import io.acktracker.engine.metrics.MetricsSnapshot;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.pending.PendingTable;
import io.acktracker.engine.pending.RecordBytes;
import io.acktracker.engine.persistence.DataDirectory;
import io.acktracker.engine.persistence.SnapshotInfo;
import io.acktracker.engine.persistence.Snapshots;
import io.acktracker.engine.stream.StreamOffsetTable;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
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
 */
public final class AckTracker implements AutoCloseable
{
    private final TrackerConfig config;
    private final DataDirectory dataDirectory;
    private final PendingTable table;
    private final StreamOffsetTable streamOffsets;
    private final TrackerTables tables;
    private final Counters counters;
    private final DestinationRegistry registry;
    private final LatencyRecorder completionLatency = new LatencyRecorder();
    private final LatencyRecorder serviceTime = new LatencyRecorder();
    private final LatencyRecorder leaseHoldTime = new LatencyRecorder();
    private final ManyToOneRingBuffer commandBuffer;
    private final ManyToOneConcurrentArrayQueue<Consumer<TrackerAgent>> adminQueue =
        new ManyToOneConcurrentArrayQueue<>(1024);
    private final OutcomeWaiters waiters;
    private final CommandProxy proxy;
    private final CommandValidator validator;
    private final DeadLetterAdmin deadLetterAdmin = new DeadLetterAdmin(this);
    private final TrackerAgent agent;
    private final AgentRunner runner;
    private final AgentInvoker invoker;
    private final Thread syncThread;
    private volatile boolean closed;

    private AckTracker(final TrackerConfig config, final boolean ownThread)
    {
        this.config = config.conclude();
        final Path dir = config.dataDir();
        DataDirectory dataDirectory = null;
        TrackerTables tables = null;
        Counters counters = null;
        long incarnation = 1;
        try
        {
            final long entries = (long)config.capacity() + config.tombstoneCapacity();
            if (null != dir)
            {
                dataDirectory = DataDirectory.open(dir);
                tables = openTables(dataDirectory, entries, config, !dataDirectory.wasCleanShutdown());
                dataDirectory.recordSizing(config.capacity(), config.tombstoneCapacity());
                incarnation = dataDirectory.nextIncarnation();
                dataDirectory.markRunning();
            }
            else
            {
                tables = openTables(null, entries, config, false);
            }

            final int maxCounters = TrackerCounter.values().length + 64;
            final CountersFile countersFile = null == config.countersFile() ?
                CountersFile.inMemory(maxCounters) : CountersFile.create(config.countersFile().toFile(), maxCounters);
            counters = new Counters(countersFile, config.name());
            registry = new DestinationRegistry(
                null == dataDirectory ? null : dataDirectory.file(DestinationRegistry.FILE_NAME),
                config.openRegistry(),
                config.destinations());
            if (null != dataDirectory)
            {
                dataDirectory.secureFiles();
            }

            commandBuffer = new ManyToOneRingBuffer(
                new UnsafeBuffer(ByteBuffer.allocateDirect(config.commandBufferTotalLength())));
            proxy = new CommandProxy(commandBuffer, counters);
            validator = new CommandValidator(registry, config.messageClasses().keySet(), config.maxMetadataLength(),
                config.leaseMaxVisibilityNs(), config.leaseMaxExtensionNs());
            waiters = new OutcomeWaiters(config.waiterExecutor());
            final Effects effects = new Effects();
            final TrackerStateMachine machine = new TrackerStateMachine(config, registry, tables, validator, counters,
                effects, completionLatency, leaseHoldTime,
                LeaseSecret.load(null == dataDirectory ? null : dataDirectory.dir(), config.leaseSecret()),
                incarnation, config.epochClock().nanoTime());
            agent = new TrackerAgent(config, machine, validator, registry, counters, effects, serviceTime,
                commandBuffer, adminQueue, waiters);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(counters, null == tables ? null : tables::close, dataDirectory);
            throw ex;
        }

        this.dataDirectory = dataDirectory;
        this.tables = tables;
        this.table = tables.pending();
        this.streamOffsets = tables.streamOffsets();
        this.counters = counters;

        // recovery runs in the agent's onStart, on the agent thread; a start that fails is thrown here, loudly
        if (ownThread)
        {
            runner = new AgentRunner(config.idleStrategy(), config.errorHandler(),
                counters.get(TrackerCounter.ERRORS), agent);
            invoker = null;
        }
        else
        {
            runner = null;
            invoker = new AgentInvoker(config.errorHandler(), counters.get(TrackerCounter.ERRORS), agent);
        }
        try
        {
            if (ownThread)
            {
                AgentRunner.startOnThread(runner);
            }
            else
            {
                invoker.start();
            }
            awaitStart();
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }

        if (config.syncIntervalNs() > 0 && null != dataDirectory)
        {
            syncThread = new Thread(this::syncLoop, config.name() + "-sync");
            syncThread.setDaemon(true);
            syncThread.start();
        }
        else
        {
            syncThread = null;
        }
    }

    private static TrackerTables openTables(
        final DataDirectory dir, final long entries, final TrackerConfig config, final boolean recover)
    {
        PendingTable pending = null;
        StreamOffsetTable streams = null;
        BlobTable extras = null;
        BlobTable deadLetters = null;
        LongLongTable state = null;
        String current = DataDirectory.PENDING_FILE;
        try
        {
            pending = null == dir ? PendingTable.inMemory(entries) :
                PendingTable.persisted(file(dir, current), entries, recover);
            current = DataDirectory.STREAMS_FILE;
            streams = StreamOffsetTable.open(null == dir ? null : file(dir, current), 4096, recover);
            current = DataDirectory.EXTRAS_FILE;
            extras = BlobTable.open("acktracker-extras", null == dir ? null : file(dir, current),
                Math.max(1024, entries / 4), Extras.EMPTY_LENGTH + 64 + config.maxMetadataLength() / 2, recover);
            current = DeadLetterQueue.FILE_NAME;
            // sized for a quarter of one queue's capacity: Chronicle adds tiers as dead letters accumulate (up to
            // eight times this), so a tracker that rarely dead-letters does not pay the whole file up front
            deadLetters = BlobTable.open("acktracker-dlq", null == dir ? null : file(dir, current),
                Math.min(Math.max(1024, config.dlqCapacity() / 4), 10_000_000),
                PendingRecord.LENGTH + Extras.EMPTY_LENGTH + 64 + config.maxMetadataLength() / 2, recover);
            current = DataDirectory.STATE_FILE;
            state = LongLongTable.open("acktracker-state", null == dir ? null : file(dir, current), 1024, recover);
            return new TrackerTables(pending, streams, extras, deadLetters, state);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(pending, streams, extras, deadLetters, state);
            if (null == dir)
            {
                throw ex;
            }
            throw new TrackerException("cannot open " + dir.file(current) + (recover ? " (recovering after an " +
                "unclean stop)" : "") + ": the file is corrupt, truncated or from another version (" +
                ex.getMessage() + "); restore a snapshot or move the data directory aside", ex);
        }
    }

    private static java.io.File file(final DataDirectory dir, final String name)
    {
        return dir.file(name).toFile();
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
        return new AckTracker(config, true);
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
        return new AckTracker(config, false);
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
        return invoker;
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
        if (closed)
        {
            return Result.CLOSED;
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
        if (closed)
        {
            return Result.CLOSED;
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
        final Result invalid = closed ? Result.CLOSED : validator.track(request);
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
        if (closed)
        {
            return Result.CLOSED;
        }
        final Result invalid = validator.answer(destination);
        return Result.OK != invalid ? refused(invalid) : proxy.ack(messageId, destination);
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
        if (closed)
        {
            return Result.CLOSED;
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
        if (closed)
        {
            return Result.CLOSED;
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
        if (closed)
        {
            return Result.CLOSED;
        }
        final Result invalid = validator.cumulativeAck(destination);
        return Result.OK != invalid ? refused(invalid) : proxy.cumulativeAck(streamId, destination, offset);
    }

    /**
     * Where a message stands. Any thread: reads a consistent copy of its record without involving the agent.
     *
     * @param messageId message.
     * @return its status; UNKNOWN when not held.
     */
    public MessageStatus status(final long messageId)
    {
        final RecordBytes copy = new RecordBytes();
        return table.readCopy(messageId, copy) ? MessageStatus.of(copy.record()) : MessageStatus.unknown(messageId);
    }

    /**
     * Counters and latency percentiles. Any thread.
     *
     * @return a snapshot.
     */
    public MetricsSnapshot metrics()
    {
        return new MetricsSnapshot(counters.values(), completionLatency.summary(), serviceTime.summary(),
            leaseHoldTime.summary());
    }

    /**
     * Track-to-completion latency recorder, for interval logs. Any thread.
     *
     * @return the recorder.
     */
    public LatencyRecorder completionLatency()
    {
        return completionLatency;
    }

    /**
     * Per-command service time recorder, for interval logs. Any thread.
     *
     * @return the recorder.
     */
    public LatencyRecorder serviceTime()
    {
        return serviceTime;
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
                "admin queue is full, try again"));
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
        return leaseHoldTime;
    }

    /**
     * Take a consistent snapshot of the tables into a new directory; runs on the agent thread.
     *
     * @param target directory to create.
     * @return a future completing with what was written.
     */
    public CompletableFuture<SnapshotInfo> snapshot(final Path target)
    {
        final CompletableFuture<SnapshotInfo> future = new CompletableFuture<>();
        final boolean offered = !closed && adminQueue.offer((agent) ->
        {
            try
            {
                future.complete(Snapshots.take(target, tables, agent.registry(), agent.nowNs()));
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
                "admin queue is full"));
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
        return !closed && adminQueue.offer(task);
    }

    /**
     * Flush persisted tables to disk now (msync). Any thread; a no-op in memory.
     */
    public void sync()
    {
        tables.sync();
    }

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
        return null == dataDirectory ? null : dataDirectory.dir();
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

        if (null != runner)
        {
            runner.close();
        }
        if (null != syncThread)
        {
            syncThread.interrupt();
            try
            {
                syncThread.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        final boolean started = agent.started().isDone() && !agent.started().isCompletedExceptionally();
        try
        {
            for (int i = 0; started && i < 10_000 && agent.doWork() > 0 && commandBuffer.size() > 0; i++)
            {
                Thread.onSpinWait();
            }
        }
        catch (final RuntimeException ex)
        {
            config.errorHandler().onError(ex);
        }
        if (null != invoker)
        {
            invoker.close();
        }

        waiters.failAll(new TrackerException("tracker closed before the outcome"));
        tables.close();
        if (null != dataDirectory && started)
        {
            dataDirectory.markCleanShutdown();
        }
        CloseHelper.quietCloseAll(counters, dataDirectory);
    }

    private void syncLoop()
    {
        final long intervalMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(config.syncIntervalNs()));
        while (!closed && !Thread.currentThread().isInterrupted())
        {
            try
            {
                Thread.sleep(intervalMs);
                sync();
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            catch (final RuntimeException ex)
            {
                if (!closed)
                {
                    config.errorHandler().onError(ex);
                }
            }
        }
    }

    private Result offerSettle(final int type, final ReceiptHandle handle, final long argument, final int code)
    {
        if (closed)
        {
            return Result.CLOSED;
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

    private void awaitStart()
    {
        try
        {
            agent.started().get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new TrackerException("interrupted while the tracker recovered", ex);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            throw cause instanceof TrackerException ? (TrackerException)cause :
                new TrackerException("the tracker could not start: " + cause, cause);
        }
    }

    /**
     * Waits for one message's outcome, from any thread.
     */
    public static final class CompletionHandle
    {
        private final long messageId;
        private final CompletableFuture<OutcomeEvent> future;

        CompletionHandle(final long messageId, final CompletableFuture<OutcomeEvent> future)
        {
            this.messageId = messageId;
            this.future = future;
        }

        public long messageId()
        {
            return messageId;
        }

        /**
         * The underlying future.
         *
         * @return the future.
         */
        public CompletableFuture<OutcomeEvent> future()
        {
            return future;
        }

        /**
         * Block until the outcome or the timeout.
         *
         * @param timeout longest wait.
         * @return the outcome.
         * @throws TimeoutException     when it did not come in time.
         * @throws InterruptedException when interrupted.
         * @throws TrackerException     when the track was refused or the tracker closed.
         */
        public OutcomeEvent await(final Duration timeout) throws TimeoutException, InterruptedException
        {
            try
            {
                return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
            catch (final ExecutionException ex)
            {
                if (ex.getCause() instanceof TrackerException)
                {
                    throw (TrackerException)ex.getCause();
                }
                throw new TrackerException("waiting for " + messageId + " failed", ex.getCause());
            }
        }
    }
}

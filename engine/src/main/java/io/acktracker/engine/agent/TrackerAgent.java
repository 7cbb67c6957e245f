package io.acktracker.engine.agent;

import io.acktracker.engine.DestinationRegistry;
import io.acktracker.engine.FailureReason;
import io.acktracker.engine.Outcome;
import io.acktracker.engine.OutcomeListener;
import io.acktracker.engine.RedeliveryListener;
import io.acktracker.engine.RefusalListener;
import io.acktracker.engine.Result;
import io.acktracker.engine.TrackRequest;
import io.acktracker.engine.TrackerConfig;
import io.acktracker.engine.TrackerExtension;
import io.acktracker.engine.dlq.AttemptEventType;
import io.acktracker.engine.dlq.BlobBytes;
import io.acktracker.engine.dlq.BlobTable;
import io.acktracker.engine.dlq.DeadLetterQueue;
import io.acktracker.engine.dlq.Extras;
import io.acktracker.engine.health.DestinationHealth;
import io.acktracker.engine.health.DestinationHealthView;
import io.acktracker.engine.lease.SipHash;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.LatencyRecorder;
import io.acktracker.engine.pending.PendingIndex;
import io.acktracker.engine.pending.PendingRecord;
import io.acktracker.engine.pending.PendingTable;
import io.acktracker.engine.pending.RecordBytes;
import io.acktracker.engine.pending.RecordStatus;
import io.acktracker.engine.retry.MessageClass;
import io.acktracker.engine.retry.RetryQueue;
import io.acktracker.engine.stream.StreamIndex;
import io.acktracker.engine.stream.StreamOffsetTable;
import io.acktracker.engine.timer.DeadlineIndex;
import org.agrona.ErrorHandler;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static io.acktracker.engine.agent.CommandLayout.*;
import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * The single writer of all tracker state: the pending table, the deadline index, retries, destination health,
 * stream indexes, dead letters and counters.
 * <p>
 * Each {@link #doWork()} reads the clock once, then does bounded slices of work: drain queued commands, let the
 * extensions read their inbound streams (the Aeron transport), fire due deadlines, issue due redeliveries within
 * the retry budget (highest priority first), resume parked redeliveries, then housekeeping. It returns the amount of work done so any {@code IdleStrategy} fits.
 * <p>
 * The public {@code track}/{@code recordAck}/{@code recordNack}/{@code recordReject}/{@code recordCumulativeAck}
 * methods are the synchronous API for hosts that drive the agent themselves: they return the final {@link Result}.
 * <p>
 * Threading: agent thread only (the thread calling {@code doWork()}), except where a method says otherwise.
 */
public final class TrackerAgent implements Agent, DeadlineIndex.Handler
{
    final TrackerConfig config;
    final DestinationRegistry registry;
    final PendingTable table;
    final StreamOffsetTable streamOffsets;
    final BlobTable extras;
    final DeadLetterQueue deadLetterQueue;
    final DestinationHealth health;
    final Counters counters;
    private final LatencyRecorder completionLatency;
    final LatencyRecorder serviceTime;
    private final ManyToOneRingBuffer commandBuffer;
    private final ManyToOneConcurrentArrayQueue<Consumer<TrackerAgent>> adminQueue;
    final OutcomeWaiters waiters;
    private final EpochNanoClock epochClock;
    final NanoClock nanoClock;
    private final OutcomeListener[] outcomeListeners;
    final RedeliveryListener[] redeliveryListeners;
    private final TrackerExtension[] extensions;
    final RefusalListener refusalListener;
    final ErrorHandler errorHandler;
    final boolean recordServiceTime;
    final boolean recordHistory;
    private final boolean deadLetterExpired;
    final Int2ObjectHashMap<MessageClass> messageClasses = new Int2ObjectHashMap<>();
    final SplittableRandom random;

    final PendingIndex index;
    final DeadlineIndex deadlines;
    final RetryQueue retryQueue = new RetryQueue();
    private final Long2ObjectHashMap<OutcomeListener> messageListeners = new Long2ObjectHashMap<>();
    final PendingRecord record = new PendingRecord();
    final PendingRecord other = new PendingRecord();
    final RecordBytes scratch = new RecordBytes();
    final BlobBytes extrasBlob = new BlobBytes(1024);
    private final TrackRequest queuedRequest = new TrackRequest();
    private final Consumer<Consumer<TrackerAgent>> adminRunner = this::runAdmin;
    private final Housekeeping housekeeping;
    final DeadLetters deadLetters;
    final Leases leases;
    final Retries retries = new Retries(this);
    final StreamAcks streamAcks = new StreamAcks(this);
    final EarlyAcks earlyAcks;
    final AttemptHistory history = new AttemptHistory(this);
    private final CommandAdapter commandAdapter = new CommandAdapter(this);

    final int capacity;
    final int tombstoneCapacity;
    final long tombstoneWindowNs;
    private final int commandLimit;
    private final int timerBudget;
    private final int retryBudget;

    long nowNs;
    int pendingCount;

    /**
     * An agent over opened resources; recovers the in-memory indexes from the tables before returning.
     *
     * @param config            concluded configuration.
     * @param registry          destination registry.
     * @param resources         the opened tables.
     * @param counters          system counters.
     * @param completionLatency track-to-completion latency.
     * @param serviceTime       per-command service time.
     * @param commandBuffer     queue of commands from other threads.
     * @param adminQueue        queue of administrative tasks from other threads.
     * @param waiters           futures waiting on outcomes.
     * @param leaseMac          keyed MAC of receipt handles.
     * @param leaseHoldTime     lease hold time recorder.
     */
    public TrackerAgent(
        final TrackerConfig config,
        final DestinationRegistry registry,
        final TrackerTables resources,
        final Counters counters,
        final LatencyRecorder completionLatency,
        final LatencyRecorder serviceTime,
        final ManyToOneRingBuffer commandBuffer,
        final ManyToOneConcurrentArrayQueue<Consumer<TrackerAgent>> adminQueue,
        final OutcomeWaiters waiters,
        final SipHash leaseMac,
        final LatencyRecorder leaseHoldTime)
    {
        this.config = config;
        this.registry = registry;
        this.table = resources.pending();
        this.streamOffsets = resources.streamOffsets();
        this.extras = resources.extras();
        this.counters = counters;
        this.completionLatency = completionLatency;
        this.serviceTime = serviceTime;
        this.commandBuffer = commandBuffer;
        this.adminQueue = adminQueue;
        this.waiters = waiters;
        this.epochClock = config.epochClock();
        this.nanoClock = config.nanoClock();
        this.extensions = config.extensions().toArray(new TrackerExtension[0]);
        this.outcomeListeners = collect(OutcomeListener.class, config.outcomeListener(), extensions);
        this.redeliveryListeners = collect(RedeliveryListener.class, config.redeliveryListener(), extensions);
        this.refusalListener = config.refusalListener();
        this.errorHandler = config.errorHandler();
        this.recordServiceTime = config.recordServiceTime();
        this.recordHistory = config.recordAttemptHistory();
        this.deadLetterExpired = config.deadLetterExpired();
        this.capacity = config.capacity();
        this.tombstoneCapacity = config.tombstoneCapacity();
        this.tombstoneWindowNs = config.tombstoneWindowNs();
        this.commandLimit = config.commandLimit();
        this.timerBudget = config.timerBudget();
        this.retryBudget = config.retryBudget();
        this.random = new SplittableRandom(config.randomSeed());
        config.messageClasses().forEach(messageClasses::put);

        nowNs = epochClock.nanoTime();
        final int slotCapacity = capacity + tombstoneCapacity;
        index = new PendingIndex(slotCapacity, tombstoneCapacity);
        deadlines = new DeadlineIndex(slotCapacity, nowNs);
        health = new DestinationHealth(config.circuitBreaker(), resources.state(), config.circuitListener(), registry,
            counters.get(CIRCUITS_OPEN), counters.get(CIRCUIT_TRANSITIONS), this::onError);
        deadLetterQueue = new DeadLetterQueue(resources.deadLetters(), resources.state(), config.dlqCapacity(),
            config.dlqRetentionNs());
        counters.set(DLQ_SIZE, deadLetterQueue.size());
        housekeeping = new Housekeeping(this, config.housekeepingBudget(), config.orphanCheckIntervalNs());
        deadLetters = new DeadLetters(this, config.dlqReplayBudget());
        leases = new Leases(this, config, leaseMac, random, leaseHoldTime);
        earlyAcks = new EarlyAcks(config.earlyAckCapacity(), config.earlyAckWindowNs());

        new Recovery(this).run();
    }

    public void onStart()
    {
        for (final TrackerExtension extension : extensions)
        {
            extension.onStart(this);
        }
    }

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

    public String roleName()
    {
        return config.name();
    }

    public int doWork()
    {
        nowNs = epochClock.nanoTime();
        int workCount = 0;

        commandAdapter.startCycle();
        workCount += commandBuffer.read(commandAdapter, commandLimit);
        workCount += adminQueue.drain(adminRunner, 16);
        // inbound first: acks already waiting (in an Aeron image, say) must count before their deadlines fire
        for (final TrackerExtension extension : extensions)
        {
            try
            {
                workCount += extension.doWork(nowNs);
            }
            catch (final Throwable ex)
            {
                onError(ex);
            }
        }
        workCount += deadlines.poll(nowNs, this, timerBudget);
        workCount += retries.redeliver(retryBudget);
        workCount += housekeeping.doWork(nowNs);

        counters.increment(DUTY_CYCLES);
        counters.set(HEARTBEAT_MS, nowNs / 1_000_000);
        return workCount;
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
        return track(queuedRequest.reset().messageId(messageId).destinations(destinations));
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
        final long messageId, final long destinations, final int requiredAcks, final long ackTimeoutNs, final long ttlNs)
    {
        return track(queuedRequest.reset().messageId(messageId).destinations(destinations).requiredAcks(requiredAcks)
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
        nowNs = epochClock.nanoTime();
        final long startNs = serviceStart();
        final Result result = onTrack(request, false);
        serviceEnd(startNs);
        return result;
    }

    /**
     * Track a message and tell a listener of its outcome (in addition to the tracker's listeners). Allocates an
     * entry per message: for callers who need it, not for the hot path.
     *
     * @param request  arguments; not kept.
     * @param listener told of this message's outcome.
     * @return OK or a refusal (the listener is then never called).
     */
    public Result track(final TrackRequest request, final OutcomeListener listener)
    {
        nowNs = epochClock.nanoTime();
        final long startNs = serviceStart();
        final long messageId = request.messageId();
        final boolean register = PendingIndex.MISSING == index.slotOf(messageId);
        if (register)
        {
            messageListeners.put(messageId, listener);
        }
        final Result result = onTrack(request, true);
        if (register && result.isRefusal())
        {
            messageListeners.remove(messageId);
        }
        serviceEnd(startNs);
        return result;
    }

    /**
     * Record that a destination acked a message.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @return OK, COMPLETED, or a refusal.
     */
    public Result recordAck(final long messageId, final int destination)
    {
        nowNs = epochClock.nanoTime();
        final long startNs = serviceStart();
        final Result result = onAck(messageId, destination);
        serviceEnd(startNs);
        return result;
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
        nowNs = epochClock.nanoTime();
        final long startNs = serviceStart();
        final Result result = onNack(messageId, destination, delayNs, code);
        serviceEnd(startNs);
        return result;
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
        nowNs = epochClock.nanoTime();
        final long startNs = serviceStart();
        final Result result = onReject(messageId, destination, code);
        serviceEnd(startNs);
        return result;
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
        nowNs = epochClock.nanoTime();
        final long startNs = serviceStart();
        final Result result = streamAcks.onCumulativeAck(streamId, destination, offset);
        serviceEnd(startNs);
        return result;
    }

    /**
     * Health and circuit state of a destination.
     *
     * @param destination id.
     * @return a snapshot.
     */
    public DestinationHealthView destinationHealth(final int destination)
    {
        return health.view(destination);
    }

    public int pendingCount()
    {
        return pendingCount;
    }

    public int tombstoneCount()
    {
        return index.tombstoneCount();
    }

    /**
     * Due redeliveries waiting for the retry budget.
     *
     * @return the count.
     */
    public int queuedRetries()
    {
        return retryQueue.size();
    }

    /**
     * The current time as the agent last read it.
     *
     * @return epoch ns.
     */
    public long nowNs()
    {
        return nowNs;
    }

    public DeadlineIndex deadlines()
    {
        return deadlines;
    }

    public DestinationRegistry registry()
    {
        return registry;
    }

    public PendingTable table()
    {
        return table;
    }

    public StreamOffsetTable streamOffsets()
    {
        return streamOffsets;
    }

    public Counters counters()
    {
        return counters;
    }

    /**
     * Dead-letter operations, on the agent thread.
     *
     * @return the dead letters.
     */
    public DeadLetters deadLetters()
    {
        return deadLetters;
    }

    /**
     * Lease operations (consumer-style delivery), on the agent thread.
     *
     * @return the leases.
     */
    public Leases leases()
    {
        return leases;
    }

    /**
     * Start an orphan sweep on the next duty cycle, whatever the interval says. For tests and operators.
     */
    public void requestOrphanSweep()
    {
        housekeeping.requestOrphanSweep();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Queued commands
    // ------------------------------------------------------------------------------------------------------------

    private void runAdmin(final Consumer<TrackerAgent> task)
    {
        try
        {
            task.accept(this);
        }
        catch (final Throwable ex)
        {
            onError(ex);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Tracking and acks
    // ------------------------------------------------------------------------------------------------------------

    Result onTrack(final TrackRequest request, final boolean hasListener)
    {
        final Result invalid = validate(request);
        if (null != invalid)
        {
            counters.increment(INVALID_REQUESTS);
            return invalid;
        }

        final long messageId = request.messageId();
        if (PendingIndex.MISSING != index.slotOf(messageId))
        {
            counters.increment(DUPLICATE_TRACKS);
            return Result.DUPLICATE_TRACK;
        }
        if (!hasRoomForPending())
        {
            counters.increment(CAPACITY_EXCEEDED);
            return Result.CAPACITY_EXCEEDED;
        }

        final MessageClass messageClass = messageClasses.get(request.messageClass());
        final long destinations = request.destinations();
        final int requiredAcks = 0 == request.requiredAcks() ? Long.bitCount(destinations) : request.requiredAcks();
        final long ackTimeoutNs = 0 != request.ackTimeoutNs() ? request.ackTimeoutNs() :
            null != messageClass ? messageClass.ackTimeoutNs() : config.defaultAckTimeoutNs();
        final long ttlNs = 0 != request.ttlNs() ? request.ttlNs() :
            null != messageClass ? messageClass.ttlNs() : config.defaultTtlNs();
        final int maxAttempts = 0 != request.maxAttempts() ? request.maxAttempts() :
            null != messageClass ? messageClass.maxAttempts() : config.defaultMaxAttempts();
        final int priority = 0 != request.priority() ? request.priority() :
            null != messageClass ? messageClass.priority() : config.defaultPriority();

        final PendingRecord fresh = scratch.record();
        fresh.clear();
        fresh.messageId(messageId)
            .destinations(destinations)
            .requiredAcks(requiredAcks)
            .createdNs(nowNs)
            .roundStartNs(nowNs)
            .ackTimeoutNs(ackTimeoutNs)
            .deadlineNs(deadlineAfter(nowNs, ackTimeoutNs))
            .ttlDeadlineNs(deadlineAfter(nowNs, ttlNs))
            .leaseDeadlineNs(PendingRecord.NO_DEADLINE)
            .retryAtNs(PendingRecord.NO_DEADLINE)
            .highestAttempt(1)
            .attemptsForAll(destinations, 1)
            .maxAttempts(maxAttempts)
            .rejector(-1)
            .priority(priority)
            .messageClass(request.messageClass())
            .status(RecordStatus.PENDING);
        if (hasListener)
        {
            fresh.setFlag(PendingRecord.FLAG_HAS_LISTENER);
        }

        StreamIndex stream = null;
        if (request.hasStream())
        {
            stream = streamAcks.streamFor(request.streamId());
            fresh.setFlag(PendingRecord.FLAG_HAS_STREAM)
                .streamId(request.streamId())
                .streamSequence(request.sequence())
                .acked(stream.destinationsCovering(request.sequence()) & destinations);
        }

        final long early = earlyAcks.take(messageId) & destinations;
        if (0 != early)
        {
            fresh.acked(fresh.acked() | early);
            counters.add(EARLY_ACKS_APPLIED, Long.bitCount(early));
        }

        final int metadataLength = request.metadataLength();
        if (metadataLength > 0)
        {
            Extras.init(extrasBlob, 0, request.metadata(), request.metadataOffset(), metadataLength);
            if (!extras.put(messageId, extrasBlob))
            {
                counters.increment(CAPACITY_EXCEEDED);
                return Result.CAPACITY_EXCEEDED;
            }
            fresh.setFlag2(PendingRecord.FLAG2_HAS_EXTRAS);
        }

        final int slot = insert(messageId);
        if (slot < 0)
        {
            if (metadataLength > 0)
            {
                extras.remove(messageId);
            }
            return PendingIndex.MISSING == slot ? Result.DUPLICATE_TRACK : Result.CAPACITY_EXCEEDED;
        }

        if (null != stream)
        {
            stream.add(request.sequence(), messageId);
        }
        health.inFlight(0, awaited(record));
        counters.increment(TRACKED);

        if (record.ackedCount() >= requiredAcks)
        {
            finish(slot, record, RecordStatus.COMPLETED, FailureReason.NONE);
        }
        return Result.OK;
    }

    /**
     * Insert the record built in {@link #scratch}, index it and schedule it; leaves {@link #record} on it.
     *
     * @return the slot, {@link PendingIndex#MISSING} for a duplicate, -2 when the table is full (both counted).
     */
    int insert(final long messageId)
    {
        final long address = table.insert(messageId, scratch);
        if (address <= 0)
        {
            if (0 == address)
            {
                counters.increment(DUPLICATE_TRACKS);
                return PendingIndex.MISSING;
            }
            counters.increment(CAPACITY_EXCEEDED);
            return -2;
        }

        final int slot = index.allocate(messageId, address);
        record.wrap(address);
        deadlines.schedule(slot, record.nextDeadlineNs(), nowNs);
        pendingCount++;
        counters.set(PENDING, pendingCount);
        return slot;
    }

    boolean hasRoomForPending()
    {
        return pendingCount < capacity && (index.hasFreeSlot() || housekeeping.evictOldestTombstone());
    }

    private Result validate(final TrackRequest request)
    {
        final long destinations = request.destinations();
        if (0 == destinations)
        {
            return Result.NO_DESTINATIONS;
        }
        if ((destinations & ~registry.knownMask()) != 0)
        {
            return Result.UNKNOWN_DESTINATION;
        }
        final int requiredAcks = request.requiredAcks();
        if (requiredAcks < 0 || requiredAcks > Long.bitCount(destinations))
        {
            return Result.INVALID_REQUIRED_ACKS;
        }
        if (request.ackTimeoutNs() < 0 || request.ttlNs() < 0)
        {
            return Result.INVALID_TIMEOUT;
        }
        if (request.priority() < Byte.MIN_VALUE || request.priority() > Byte.MAX_VALUE ||
            request.maxAttempts() < 0 || request.maxAttempts() > PendingRecord.MAX_ATTEMPTS_PER_DESTINATION)
        {
            return Result.INVALID_ARGUMENT;
        }
        if (0 != request.messageClass() && !messageClasses.containsKey(request.messageClass()))
        {
            return Result.UNKNOWN_MESSAGE_CLASS;
        }
        if (request.metadataLength() > config.maxMetadataLength() || request.metadataLength() < 0)
        {
            return Result.METADATA_TOO_LARGE;
        }
        return null;
    }

    /**
     * Find a live record for an answer from a destination, counting the refusals common to ack, nack and reject.
     *
     * @return the slot, or -1 with {@link #refusal} set.
     */
    private int answerSlot(final long messageId, final int destination)
    {
        final int slot = index.slotOf(messageId);
        if (PendingIndex.MISSING == slot)
        {
            counters.increment(ORPHAN_ACKS);
            refusal = Result.UNKNOWN_MESSAGE;
            return -1;
        }
        final PendingRecord record = this.record.wrap(index.address(slot));
        if (RecordStatus.PENDING != record.status())
        {
            counters.increment(LATE_ACKS);
            refusal = Result.LATE_ACK;
            return -1;
        }
        if (destination < 0 || destination >= DestinationRegistry.MAX_DESTINATIONS ||
            (record.destinations() & (1L << destination)) == 0)
        {
            counters.increment(SPOOFED_ACKS);
            refusal = Result.SPOOFED_DESTINATION;
            return -1;
        }
        return slot;
    }

    private Result refusal;

    Result onAck(final long messageId, final int destination)
    {
        if (earlyAcks.isEnabled() && PendingIndex.MISSING == index.slotOf(messageId) &&
            destination >= 0 && destination < DestinationRegistry.MAX_DESTINATIONS &&
            earlyAcks.hold(messageId, destination, nowNs))
        {
            counters.increment(EARLY_ACKS_HELD);
            return Result.HELD;
        }
        final int slot = answerSlot(messageId, destination);
        if (slot < 0)
        {
            return refusal;
        }

        final PendingRecord record = this.record;
        final long bit = 1L << destination;
        final long acked = record.acked();
        if ((acked & bit) != 0)
        {
            counters.increment(DUPLICATE_ACKS);
            return Result.DUPLICATE_ACK;
        }

        final long awaitedBefore = awaited(record);
        if ((record.nacked() | record.redeliver() | record.parked() | record.failed()) == 0)
        {
            record.beginWrite();
            record.acked(acked | bit);
            record.endWrite();
        }
        else
        {
            record.beginWrite();
            record.acked(acked | bit);
            record.nacked(record.nacked() & ~bit);
            record.redeliver(record.redeliver() & ~bit);
            record.parked(record.parked() & ~bit);
            record.failed(record.failed() & ~bit);
            record.endWrite();
        }
        health.inFlight(awaitedBefore & bit, 0);
        health.onSuccess(destination, nowNs - record.roundStartNs(), nowNs);
        counters.increment(ACKS);

        if (record.ackedCount() >= record.requiredAcks())
        {
            finish(slot, record, RecordStatus.COMPLETED, FailureReason.NONE);
            return Result.COMPLETED;
        }
        return Result.OK;
    }

    Result onNack(final long messageId, final int destination, final long delayNs, final int code)
    {
        final int slot = answerSlot(messageId, destination);
        if (slot < 0)
        {
            return refusal;
        }
        if (delayNs < 0)
        {
            counters.increment(INVALID_REQUESTS);
            return Result.INVALID_TIMEOUT;
        }

        final PendingRecord record = this.record;
        final long bit = 1L << destination;
        if ((record.acked() & bit) != 0)
        {
            counters.increment(DUPLICATE_ACKS);
            return Result.DUPLICATE_ACK;
        }
        if ((record.failed() & bit) != 0)
        {
            counters.increment(LATE_ACKS);
            return Result.LATE_ACK;
        }

        counters.increment(NACKS);
        health.onFailure(destination, nowNs);
        record.beginWrite();
        record.nacked(record.nacked() | bit);
        record.lastErrorCode(code);
        record.endWrite();
        history.record(record, bit, AttemptEventType.NACK, code);

        if (((record.redeliver() | record.parked()) & bit) != 0)
        {
            return Result.OK;
        }
        health.inFlight(bit, 0);
        retries.retryOrGiveUp(slot, record, bit, delayNs);
        return Result.OK;
    }

    Result onReject(final long messageId, final int destination, final int code)
    {
        final int slot = answerSlot(messageId, destination);
        if (slot < 0)
        {
            return refusal;
        }

        final PendingRecord record = this.record;
        final long bit = 1L << destination;
        counters.increment(REJECTS);
        health.onFailure(destination, nowNs);
        history.record(record, bit, AttemptEventType.REJECT, code);
        record.beginWrite();
        record.failed(record.failed() | bit);
        record.rejector(destination);
        record.lastErrorCode(code);
        record.endWrite();
        finish(slot, record, RecordStatus.FAILED, FailureReason.REJECTED);
        return Result.OK;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Deadlines, timeouts and retries
    // ------------------------------------------------------------------------------------------------------------

    public void onDeadline(final int slot, final long deadlineNs, final long nowNs)
    {
        final PendingRecord record = this.record.wrap(index.address(slot));
        if (RecordStatus.PENDING != record.status())
        {
            return;
        }

        if (record.ttlDeadlineNs() - nowNs <= 0)
        {
            finish(slot, record, RecordStatus.EXPIRED,
                0 != record.parked() ? FailureReason.CIRCUIT_OPEN : FailureReason.EXPIRED);
            return;
        }

        if (record.leaseDeadlineNs() - nowNs <= 0)
        {
            leases.onLeaseDeadline(slot, record);
            if (RecordStatus.PENDING != record.status())
            {
                return;
            }
        }

        if (record.retryAtNs() - nowNs <= 0)
        {
            record.beginWrite();
            record.retryAtNs(PendingRecord.NO_DEADLINE);
            record.setFlag2(PendingRecord.FLAG2_RETRY_QUEUED);
            record.endWrite();
            retryQueue.add(record.messageId(), record.priority());
        }

        if (record.deadlineNs() - nowNs <= 0)
        {
            retries.onAckTimeout(slot, record);
            if (RecordStatus.PENDING != record.status())
            {
                return;
            }
        }

        final long next = record.nextDeadlineNs();
        if (PendingRecord.NO_DEADLINE != next)
        {
            deadlines.schedule(slot, next, nowNs);
        }
    }

    void ensureDeadline(final int slot, final PendingRecord record)
    {
        final long next = record.nextDeadlineNs();
        if (PendingRecord.NO_DEADLINE != next && (!deadlines.isScheduled(slot) || next < deadlines.deadline(slot)))
        {
            deadlines.schedule(slot, next, nowNs);
        }
    }

    /**
     * Destinations sent to and awaiting an answer: not acked, not given up, not waiting for a redelivery, not
     * parked.
     *
     * @param record the message.
     * @return bitset of destination ids.
     */
    static long awaited(final PendingRecord record)
    {
        return record.outstanding() & ~record.redeliver() & ~record.parked();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Outcomes
    // ------------------------------------------------------------------------------------------------------------

    void finish(final int slot, final PendingRecord record, final byte status, final FailureReason reason)
    {
        final long address = record.buffer().addressOffset();
        health.inFlight(awaited(record), 0);
        deadlines.cancel(slot);
        if (record.hasFlag2(PendingRecord.FLAG2_LEASED))
        {
            leases.dropped(record);
        }
        final boolean deadLetter = RecordStatus.FAILED == status || (RecordStatus.EXPIRED == status && deadLetterExpired);
        record.beginWrite();
        if (deadLetter)
        {
            record.setFlag2(PendingRecord.FLAG2_DLQ_PENDING);
        }
        record.finishedNs(nowNs);
        record.reason(reason.ordinal());
        record.status(status);
        record.endWrite();

        pendingCount--;
        counters.set(PENDING, pendingCount);
        if (record.hasFlag(PendingRecord.FLAG_HAS_STREAM))
        {
            final StreamIndex stream = streamAcks.streams.get(record.streamId());
            if (null != stream)
            {
                stream.onFinished();
            }
        }

        final long latencyNs = nowNs - record.createdNs();
        switch (status)
        {
            case RecordStatus.COMPLETED:
                counters.increment(COMPLETED);
                completionLatency.record(latencyNs);
                break;
            case RecordStatus.FAILED:
                counters.increment(FAILED);
                break;
            default:
                counters.increment(EXPIRED);
        }

        notifyOutcome(record, latencyNs, false);
        record.wrap(address);
        if (deadLetter)
        {
            deadLetters.onDead(slot, record);
        }
        else
        {
            if (record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS))
            {
                extras.remove(record.messageId());
            }
            housekeeping.entombOrRemove(slot, record);
        }
    }

    /**
     * Tell the listeners. A listener may call back into the agent and move the shared flyweights, so the record is
     * re-pointed at its own address after each call.
     */
    void notifyOutcome(final PendingRecord record, final long latencyNs, final boolean replay)
    {
        final long address = record.buffer().addressOffset();
        final long messageId = record.messageId();
        final Outcome outcome = outcomeOf(record.status());
        final FailureReason reason = FailureReason.of(record.reason());
        final int attempts = record.highestAttempt();
        final boolean hasListener = record.hasFlag(PendingRecord.FLAG_HAS_LISTENER);
        for (final OutcomeListener listener : outcomeListeners)
        {
            try
            {
                listener.onOutcome(messageId, outcome, reason, latencyNs, attempts, replay);
            }
            catch (final Throwable ex)
            {
                counters.increment(LISTENER_ERRORS);
                errorHandler.onError(ex);
            }
        }

        if (hasListener)
        {
            final OutcomeListener listener = messageListeners.remove(messageId);
            if (null != listener)
            {
                try
                {
                    listener.onOutcome(messageId, outcome, reason, latencyNs, attempts, replay);
                }
                catch (final Throwable ex)
                {
                    counters.increment(LISTENER_ERRORS);
                    errorHandler.onError(ex);
                }
            }
            waiters.complete(messageId, outcome, reason, latencyNs, attempts, replay);
        }

        record.wrap(address).setFlag(PendingRecord.FLAG_NOTIFIED);
    }

    /**
     * Remove an entry from the table and free its slot.
     */
    void remove(final int slot, final long messageId)
    {
        table.remove(messageId);
        index.release(messageId, slot);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    void refreshTime()
    {
        nowNs = epochClock.nanoTime();
    }

    private long serviceStart()
    {
        return recordServiceTime ? nanoClock.nanoTime() : 0;
    }

    private void serviceEnd(final long startNs)
    {
        if (recordServiceTime)
        {
            serviceTime.record(nanoClock.nanoTime() - startNs);
        }
    }

    void onError(final Throwable ex)
    {
        counters.increment(ERRORS);
        errorHandler.onError(ex);
    }

    @SuppressWarnings("unchecked")
    private static <T> T[] collect(final Class<T> type, final T first, final TrackerExtension[] extensions)
    {
        final List<T> all = new ArrayList<>();
        all.add(first);
        for (final TrackerExtension extension : extensions)
        {
            if (type.isInstance(extension))
            {
                all.add(type.cast(extension));
            }
        }
        return all.toArray((T[])java.lang.reflect.Array.newInstance(type, 0));
    }

    static long deadlineAfter(final long nowNs, final long durationNs)
    {
        if (durationNs == TrackRequest.NO_TIMEOUT)
        {
            return PendingRecord.NO_DEADLINE;
        }
        final long deadline = nowNs + durationNs;
        return deadline < nowNs ? PendingRecord.NO_DEADLINE : deadline;
    }

    static Outcome outcomeOf(final byte status)
    {
        switch (status)
        {
            case RecordStatus.COMPLETED:
                return Outcome.COMPLETED;
            case RecordStatus.FAILED:
                return Outcome.FAILED;
            default:
                return Outcome.EXPIRED;
        }
    }

    Housekeeping housekeeping()
    {
        return housekeeping;
    }
}

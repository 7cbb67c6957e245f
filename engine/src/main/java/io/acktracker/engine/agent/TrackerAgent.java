package io.acktracker.engine.agent;

import io.acktracker.engine.CommandType;
import io.acktracker.engine.DestinationRegistry;
import io.acktracker.engine.FailureReason;
import io.acktracker.engine.Outcome;
import io.acktracker.engine.OutcomeListener;
import io.acktracker.engine.RefusalListener;
import io.acktracker.engine.Result;
import io.acktracker.engine.TrackRequest;
import io.acktracker.engine.TrackerConfig;
import io.acktracker.engine.TrackerExtension;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.LatencyRecorder;
import io.acktracker.engine.pending.PendingIndex;
import io.acktracker.engine.pending.PendingRecord;
import io.acktracker.engine.pending.PendingTable;
import io.acktracker.engine.pending.RecordBytes;
import io.acktracker.engine.pending.RecordStatus;
import io.acktracker.engine.stream.StreamIndex;
import io.acktracker.engine.stream.StreamOffsetTable;
import io.acktracker.engine.timer.DeadlineIndex;
import org.agrona.MutableDirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.util.ArrayList;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

import static io.acktracker.engine.agent.CommandLayout.*;
import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * The single writer of all tracker state: the pending table, the deadline index, stream indexes and counters.
 * <p>
 * Each {@link #doWork()} reads the clock once, then does bounded slices of work: drain queued commands, fire due
 * deadlines, then housekeeping (cumulative acks, tombstones, replayed outcomes, the orphan sweep). It returns the
 * amount of work done so any {@code IdleStrategy} fits.
 * <p>
 * The public {@code track}/{@code recordAck}/{@code recordCumulativeAck} methods are the synchronous API for hosts
 * that drive the agent themselves: they return the final {@link Result} at once.
 * <p>
 * Threading: agent thread only (the thread calling {@code doWork()}), except where a method says otherwise.
 */
public final class TrackerAgent implements Agent, MessageHandler, DeadlineIndex.Handler
{
    private final TrackerConfig config;
    private final DestinationRegistry registry;
    private final PendingTable table;
    private final StreamOffsetTable streamOffsets;
    private final Counters counters;
    private final LatencyRecorder completionLatency;
    private final LatencyRecorder serviceTime;
    private final ManyToOneRingBuffer commandBuffer;
    private final ManyToOneConcurrentArrayQueue<Consumer<TrackerAgent>> adminQueue;
    private final OutcomeWaiters waiters;
    private final EpochNanoClock epochClock;
    private final NanoClock nanoClock;
    private final OutcomeListener[] outcomeListeners;
    private final TrackerExtension[] extensions;
    private final RefusalListener refusalListener;
    private final ErrorHandler errorHandler;
    private final boolean recordServiceTime;

    private final PendingIndex index;
    private final DeadlineIndex deadlines;
    private final Int2ObjectHashMap<StreamIndex> streams = new Int2ObjectHashMap<>();
    private final ArrayList<StreamIndex> streamList = new ArrayList<>();
    private final Long2ObjectHashMap<OutcomeListener> messageListeners = new Long2ObjectHashMap<>();
    private final PendingRecord record = new PendingRecord();
    private final PendingRecord other = new PendingRecord();
    private final RecordBytes scratch = new RecordBytes();
    private final TrackRequest queuedRequest = new TrackRequest();
    private final LongPredicate isLiveInStream = this::isLivePending;
    private final Consumer<Consumer<TrackerAgent>> adminRunner = this::runAdmin;

    private final int capacity;
    private final int tombstoneCapacity;
    private final long tombstoneWindowNs;
    private final int commandLimit;
    private final int timerBudget;
    private final int housekeepingBudget;
    private final long orphanCheckIntervalNs;

    private long nowNs;
    private int pendingCount;
    private int streamCursor;
    private long[] replayIds = new long[0];
    private int replayCount;
    private int replayCursor;
    private boolean orphanSweepActive;
    private int orphanCursor;
    private long nextOrphanSweepNs;
    private long serviceStartNs;

    /**
     * An agent over opened resources; recovers the in-memory indexes from the tables before returning.
     *
     * @param config            concluded configuration.
     * @param registry          destination registry.
     * @param table             pending table.
     * @param streamOffsets     persisted cumulative offsets.
     * @param counters          system counters.
     * @param completionLatency track-to-completion latency.
     * @param serviceTime       per-command service time.
     * @param commandBuffer     queue of commands from other threads.
     * @param adminQueue        queue of administrative tasks from other threads.
     * @param waiters           futures waiting on outcomes.
     */
    public TrackerAgent(
        final TrackerConfig config,
        final DestinationRegistry registry,
        final PendingTable table,
        final StreamOffsetTable streamOffsets,
        final Counters counters,
        final LatencyRecorder completionLatency,
        final LatencyRecorder serviceTime,
        final ManyToOneRingBuffer commandBuffer,
        final ManyToOneConcurrentArrayQueue<Consumer<TrackerAgent>> adminQueue,
        final OutcomeWaiters waiters)
    {
        this.config = config;
        this.registry = registry;
        this.table = table;
        this.streamOffsets = streamOffsets;
        this.counters = counters;
        this.completionLatency = completionLatency;
        this.serviceTime = serviceTime;
        this.commandBuffer = commandBuffer;
        this.adminQueue = adminQueue;
        this.waiters = waiters;
        this.epochClock = config.epochClock();
        this.nanoClock = config.nanoClock();
        this.extensions = config.extensions().toArray(new TrackerExtension[0]);
        this.outcomeListeners = listeners(config.outcomeListener(), extensions);
        this.refusalListener = config.refusalListener();
        this.errorHandler = config.errorHandler();
        this.recordServiceTime = config.recordServiceTime();
        this.capacity = config.capacity();
        this.tombstoneCapacity = config.tombstoneCapacity();
        this.tombstoneWindowNs = config.tombstoneWindowNs();
        this.commandLimit = config.commandLimit();
        this.timerBudget = config.timerBudget();
        this.housekeepingBudget = config.housekeepingBudget();
        this.orphanCheckIntervalNs = config.orphanCheckIntervalNs();

        nowNs = epochClock.nanoTime();
        final int slotCapacity = capacity + tombstoneCapacity;
        index = new PendingIndex(slotCapacity, tombstoneCapacity);
        deadlines = new DeadlineIndex(slotCapacity, nowNs);
        nextOrphanSweepNs = nowNs + orphanCheckIntervalNs;

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

        serviceStartNs = recordServiceTime ? nanoClock.nanoTime() : 0;
        workCount += commandBuffer.read(this, commandLimit);
        workCount += adminQueue.drain(adminRunner, 16);
        workCount += deadlines.poll(nowNs, this, timerBudget);
        workCount += housekeeping();
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
     * Track a message and tell a listener of its outcome (in addition to the tracker's listener). Allocates an
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
        final Result result = onCumulativeAck(streamId, destination, offset);
        serviceEnd(startNs);
        return result;
    }

    /**
     * Number of pending messages.
     *
     * @return the count.
     */
    public int pendingCount()
    {
        return pendingCount;
    }

    /**
     * Number of tombstones held.
     *
     * @return the count.
     */
    public int tombstoneCount()
    {
        return index.tombstoneCount();
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

    /**
     * The deadline index, for tests and diagnostics.
     *
     * @return the index.
     */
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

    // ------------------------------------------------------------------------------------------------------------
    // Queued commands
    // ------------------------------------------------------------------------------------------------------------

    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        try
        {
            switch (msgTypeId)
            {
                case 1: // TRACK
                {
                    final int flags = buffer.getInt(index + TRACK_FLAGS_OFFSET);
                    final TrackRequest request = queuedRequest.reset()
                        .messageId(buffer.getLong(index + TRACK_MESSAGE_ID_OFFSET))
                        .destinations(buffer.getLong(index + TRACK_DESTINATIONS_OFFSET))
                        .ackTimeoutNs(buffer.getLong(index + TRACK_ACK_TIMEOUT_OFFSET))
                        .ttlNs(buffer.getLong(index + TRACK_TTL_OFFSET))
                        .requiredAcks(buffer.getInt(index + TRACK_REQUIRED_ACKS_OFFSET))
                        .priority(buffer.getInt(index + TRACK_PRIORITY_OFFSET))
                        .messageClass(buffer.getInt(index + TRACK_MESSAGE_CLASS_OFFSET));
                    if ((flags & TRACK_FLAG_HAS_STREAM) != 0)
                    {
                        request.stream(
                            buffer.getInt(index + TRACK_STREAM_ID_OFFSET),
                            buffer.getLong(index + TRACK_SEQUENCE_OFFSET));
                    }
                    final boolean hasWaiter = (flags & TRACK_FLAG_HAS_WAITER) != 0;
                    final Result result = onTrack(request, hasWaiter);
                    if (result.isRefusal())
                    {
                        refused(CommandType.TRACK, request.messageId(), result);
                        if (hasWaiter)
                        {
                            waiters.refuse(request.messageId(), result);
                        }
                    }
                    break;
                }

                case 2: // ACK
                {
                    final long messageId = buffer.getLong(index + ACK_MESSAGE_ID_OFFSET);
                    final Result result = onAck(messageId, buffer.getInt(index + ACK_DESTINATION_OFFSET));
                    if (result.isRefusal())
                    {
                        refused(CommandType.ACK, messageId, result);
                    }
                    break;
                }

                case 3: // CUMULATIVE_ACK
                {
                    final int streamId = buffer.getInt(index + CUMULATIVE_STREAM_ID_OFFSET);
                    final Result result = onCumulativeAck(
                        streamId,
                        buffer.getInt(index + CUMULATIVE_DESTINATION_OFFSET),
                        buffer.getLong(index + CUMULATIVE_OFFSET_OFFSET));
                    if (result.isRefusal())
                    {
                        refused(CommandType.CUMULATIVE_ACK, streamId, result);
                    }
                    break;
                }

                default:
                    counters.increment(INVALID_REQUESTS);
            }
        }
        catch (final Throwable ex)
        {
            onError(ex);
        }

        counters.increment(COMMANDS);
        if (recordServiceTime)
        {
            final long endNs = nanoClock.nanoTime();
            serviceTime.record(endNs - serviceStartNs);
            serviceStartNs = endNs;
        }
    }

    private void refused(final CommandType command, final long id, final Result result)
    {
        try
        {
            refusalListener.onRefused(command, id, result);
        }
        catch (final Throwable ex)
        {
            counters.increment(LISTENER_ERRORS);
            errorHandler.onError(ex);
        }
    }

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
    // Rules
    // ------------------------------------------------------------------------------------------------------------

    private Result onTrack(final TrackRequest request, final boolean hasListener)
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

        if (pendingCount >= capacity)
        {
            counters.increment(CAPACITY_EXCEEDED);
            return Result.CAPACITY_EXCEEDED;
        }

        if (!index.hasFreeSlot() && !evictOldestTombstone())
        {
            counters.increment(CAPACITY_EXCEEDED);
            return Result.CAPACITY_EXCEEDED;
        }

        final long destinations = request.destinations();
        final int requiredAcks = 0 == request.requiredAcks() ? Long.bitCount(destinations) : request.requiredAcks();
        final long ackTimeoutNs = 0 == request.ackTimeoutNs() ? config.defaultAckTimeoutNs() : request.ackTimeoutNs();
        final long ttlNs = 0 == request.ttlNs() ? config.defaultTtlNs() : request.ttlNs();

        final PendingRecord fresh = scratch.record();
        fresh.clear();
        fresh.messageId(messageId)
            .destinations(destinations)
            .requiredAcks(requiredAcks)
            .createdNs(nowNs)
            .ackTimeoutNs(ackTimeoutNs)
            .deadlineNs(deadlineAfter(nowNs, ackTimeoutNs))
            .ttlDeadlineNs(deadlineAfter(nowNs, ttlNs))
            .leaseDeadlineNs(PendingRecord.NO_DEADLINE)
            .attempts(1)
            .priority(request.priority())
            .messageClass(request.messageClass())
            .status(RecordStatus.PENDING);
        if (hasListener)
        {
            fresh.setFlag(PendingRecord.FLAG_HAS_LISTENER);
        }

        StreamIndex stream = null;
        if (request.hasStream())
        {
            stream = streamFor(request.streamId());
            fresh.setFlag(PendingRecord.FLAG_HAS_STREAM)
                .streamId(request.streamId())
                .streamSequence(request.sequence())
                .acked(stream.destinationsCovering(request.sequence()) & destinations);
        }

        final long address = table.insert(messageId, scratch);
        if (address <= 0)
        {
            if (0 == address)
            {
                counters.increment(DUPLICATE_TRACKS);
                return Result.DUPLICATE_TRACK;
            }
            counters.increment(CAPACITY_EXCEEDED);
            return Result.CAPACITY_EXCEEDED;
        }

        final int slot = index.allocate(messageId, address);
        record.wrap(address);
        deadlines.schedule(slot, record.nextDeadlineNs(), nowNs);
        if (null != stream)
        {
            stream.add(request.sequence(), messageId);
        }
        pendingCount++;
        counters.increment(TRACKED);
        counters.set(PENDING, pendingCount);

        if (record.ackedCount() >= requiredAcks)
        {
            finish(slot, record, RecordStatus.COMPLETED, FailureReason.NONE);
        }
        return Result.OK;
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
            request.messageClass() < 0 || request.messageClass() > 0xFFFF)
        {
            return Result.INVALID_ARGUMENT;
        }
        return null;
    }

    private Result onAck(final long messageId, final int destination)
    {
        final int slot = index.slotOf(messageId);
        if (PendingIndex.MISSING == slot)
        {
            counters.increment(ORPHAN_ACKS);
            return Result.UNKNOWN_MESSAGE;
        }

        final PendingRecord record = this.record.wrap(index.address(slot));
        if (RecordStatus.PENDING != record.status())
        {
            counters.increment(LATE_ACKS);
            return Result.LATE_ACK;
        }

        if (destination < 0 || destination >= DestinationRegistry.MAX_DESTINATIONS ||
            (record.destinations() & (1L << destination)) == 0)
        {
            counters.increment(SPOOFED_ACKS);
            return Result.SPOOFED_DESTINATION;
        }

        final long bit = 1L << destination;
        final long acked = record.acked();
        if ((acked & bit) != 0)
        {
            counters.increment(DUPLICATE_ACKS);
            return Result.DUPLICATE_ACK;
        }

        record.beginWrite();
        record.acked(acked | bit);
        record.endWrite();
        counters.increment(ACKS);

        if (record.ackedCount() >= record.requiredAcks())
        {
            finish(slot, record, RecordStatus.COMPLETED, FailureReason.NONE);
            return Result.COMPLETED;
        }
        return Result.OK;
    }

    private Result onCumulativeAck(final int streamId, final int destination, final long offset)
    {
        if (destination < 0 || destination >= DestinationRegistry.MAX_DESTINATIONS ||
            ((1L << destination) & registry.knownMask()) == 0)
        {
            counters.increment(SPOOFED_ACKS);
            return Result.SPOOFED_DESTINATION;
        }

        final StreamIndex stream = streamFor(streamId);
        if (!stream.raiseTarget(destination, offset))
        {
            counters.increment(DUPLICATE_ACKS);
            return Result.DUPLICATE_ACK;
        }

        streamOffsets.put(streamId, destination, offset);
        counters.increment(CUMULATIVE_ACKS);
        applyCumulative(stream, housekeepingBudget);
        return Result.OK;
    }

    /**
     * Apply a stream's outstanding cumulative offsets to its messages, at most {@code budget} entries.
     */
    private int applyCumulative(final StreamIndex stream, final int budget)
    {
        int work = 0;
        long dirty = stream.dirtyDestinations();
        while (0 != dirty && work < budget)
        {
            final int destination = Long.numberOfTrailingZeros(dirty);
            dirty &= dirty - 1;
            final long bit = 1L << destination;
            final long target = stream.targetOffset(destination);
            final int size = stream.size();
            int i = stream.firstIndexAbove(stream.appliedOffset(destination));
            long lastSequence = stream.appliedOffset(destination);

            while (i < size)
            {
                final long sequence = stream.sequenceAt(i);
                if (sequence > target || (work >= budget && sequence != lastSequence))
                {
                    break;
                }
                work++;
                lastSequence = sequence;
                final long messageId = stream.messageIdAt(i++);
                final int slot = index.slotOf(messageId);
                if (PendingIndex.MISSING == slot)
                {
                    continue;
                }
                final PendingRecord record = this.record.wrap(index.address(slot));
                if (RecordStatus.PENDING != record.status() || record.streamId() != stream.streamId() ||
                    (record.destinations() & bit) == 0 || (record.acked() & bit) != 0)
                {
                    continue;
                }
                record.beginWrite();
                record.acked(record.acked() | bit);
                record.endWrite();
                counters.increment(CUMULATIVE_MESSAGES_ACKED);
                if (record.ackedCount() >= record.requiredAcks())
                {
                    finish(slot, record, RecordStatus.COMPLETED, FailureReason.NONE);
                }
            }

            stream.applied(destination, i >= size || stream.sequenceAt(i) > target ? target : lastSequence);
        }
        return work;
    }

    public void onDeadline(final int slot, final long deadlineNs, final long nowNs)
    {
        final PendingRecord record = this.record.wrap(index.address(slot));
        if (RecordStatus.PENDING != record.status())
        {
            return;
        }

        if (record.ttlDeadlineNs() - nowNs <= 0)
        {
            finish(slot, record, RecordStatus.EXPIRED, FailureReason.EXPIRED);
        }
        else if (record.deadlineNs() - nowNs <= 0)
        {
            counters.increment(TIMEOUTS);
            finish(slot, record, RecordStatus.FAILED, FailureReason.TIMEOUT);
        }
        else
        {
            deadlines.schedule(slot, record.nextDeadlineNs(), nowNs);
        }
    }

    private void finish(final int slot, final PendingRecord record, final byte status, final FailureReason reason)
    {
        deadlines.cancel(slot);
        record.beginWrite();
        record.finishedNs(nowNs);
        record.reason(reason.ordinal());
        record.status(status);
        record.endWrite();

        pendingCount--;
        counters.set(PENDING, pendingCount);
        if (record.hasFlag(PendingRecord.FLAG_HAS_STREAM))
        {
            final StreamIndex stream = streams.get(record.streamId());
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
        entombOrRemove(slot, record);
    }

    /**
     * Tell the listeners. A listener may call back into the agent and move the shared flyweights, so the record is
     * re-pointed at its own address after each call.
     */
    private void notifyOutcome(final PendingRecord record, final long latencyNs, final boolean replay)
    {
        final long address = record.buffer().addressOffset();
        final long messageId = record.messageId();
        final Outcome outcome = outcomeOf(record.status());
        final FailureReason reason = FailureReason.of(record.reason());
        final int attempts = record.attempts();
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

    private void entombOrRemove(final int slot, final PendingRecord record)
    {
        if (0 == tombstoneCapacity || 0 == tombstoneWindowNs)
        {
            remove(slot, record.messageId());
            return;
        }
        if (index.isTombstoneQueueFull())
        {
            evictOldestTombstone();
            counters.increment(TOMBSTONES_EVICTED_EARLY);
        }
        index.pushTombstone(slot);
        counters.set(TOMBSTONES, index.tombstoneCount());
    }

    private boolean evictOldestTombstone()
    {
        final int slot = index.peekTombstone();
        if (PendingIndex.MISSING == slot)
        {
            return false;
        }
        index.popTombstone();
        final PendingRecord tombstone = other.wrap(index.address(slot));
        if (!tombstone.hasFlag(PendingRecord.FLAG_NOTIFIED))
        {
            notifyOutcome(tombstone, tombstone.finishedNs() - tombstone.createdNs(), true);
            counters.increment(OUTCOMES_REPLAYED);
        }
        remove(slot, tombstone.messageId());
        counters.set(TOMBSTONES, index.tombstoneCount());
        return true;
    }

    private void remove(final int slot, final long messageId)
    {
        table.remove(messageId);
        index.release(messageId, slot);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Housekeeping
    // ------------------------------------------------------------------------------------------------------------

    private int housekeeping()
    {
        int work = 0;
        work += expireTombstones(housekeepingBudget);
        work += replayOutcomes(housekeepingBudget);
        work += streamWork(housekeepingBudget);
        work += orphanSweep(housekeepingBudget);
        return work;
    }

    private int expireTombstones(final int budget)
    {
        int work = 0;
        while (work < budget)
        {
            final int slot = index.peekTombstone();
            if (PendingIndex.MISSING == slot)
            {
                break;
            }
            final PendingRecord tombstone = other.wrap(index.address(slot));
            if (nowNs - tombstone.finishedNs() < tombstoneWindowNs)
            {
                break;
            }
            index.popTombstone();
            remove(slot, tombstone.messageId());
            work++;
        }
        if (work > 0)
        {
            counters.set(TOMBSTONES, index.tombstoneCount());
        }
        return work;
    }

    private int replayOutcomes(final int budget)
    {
        int work = 0;
        while (replayCursor < replayCount && work < budget)
        {
            final int slot = index.slotOf(replayIds[replayCursor++]);
            work++;
            if (PendingIndex.MISSING == slot)
            {
                continue;
            }
            final PendingRecord record = this.record.wrap(index.address(slot));
            if (RecordStatus.isFinal(record.status()) && !record.hasFlag(PendingRecord.FLAG_NOTIFIED))
            {
                notifyOutcome(record, record.finishedNs() - record.createdNs(), true);
                counters.increment(OUTCOMES_REPLAYED);
            }
        }
        if (replayCursor == replayCount && replayCount > 0)
        {
            replayIds = new long[0];
            replayCount = 0;
            replayCursor = 0;
        }
        return work;
    }

    private int streamWork(final int budget)
    {
        final int streamCount = streamList.size();
        if (0 == streamCount)
        {
            return 0;
        }
        int work = 0;
        for (int i = 0; i < streamCount && work < budget; i++)
        {
            streamCursor = streamCursor + 1 >= streamCount ? 0 : streamCursor + 1;
            final StreamIndex stream = streamList.get(streamCursor);
            if (0 != stream.dirtyDestinations())
            {
                work += applyCumulative(stream, budget - work);
            }
            if (stream.needsCompaction())
            {
                stream.compact(isLiveInStream);
                work++;
            }
        }
        return work;
    }

    private int orphanSweep(final int budget)
    {
        if (!orphanSweepActive)
        {
            if (nowNs - nextOrphanSweepNs < 0)
            {
                return 0;
            }
            orphanSweepActive = true;
            orphanCursor = 0;
        }

        final int slotCapacity = index.slotCapacity();
        int work = 0;
        while (orphanCursor < slotCapacity && work < budget)
        {
            final int slot = orphanCursor++;
            work++;
            final long address = index.address(slot);
            if (0 == address)
            {
                continue;
            }
            final PendingRecord record = other.wrap(address);
            if (RecordStatus.PENDING == record.status() && !deadlines.isScheduled(slot))
            {
                deadlines.schedule(slot, record.nextDeadlineNs(), nowNs);
                counters.increment(ORPHANS_REPAIRED);
            }
        }

        if (orphanCursor >= slotCapacity)
        {
            orphanSweepActive = false;
            nextOrphanSweepNs = nowNs + orphanCheckIntervalNs;
        }
        return work;
    }

    /**
     * Start an orphan sweep on the next duty cycle, whatever the interval says. For tests and operators.
     */
    public void requestOrphanSweep()
    {
        nextOrphanSweepNs = nowNs;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    private boolean isLivePending(final long messageId)
    {
        final int slot = index.slotOf(messageId);
        return PendingIndex.MISSING != slot && RecordStatus.PENDING == other.wrap(index.address(slot)).status();
    }

    StreamIndex streamFor(final int streamId)
    {
        StreamIndex stream = streams.get(streamId);
        if (null == stream)
        {
            stream = new StreamIndex(streamId);
            streams.put(streamId, stream);
            streamList.add(stream);
        }
        return stream;
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

    private void onError(final Throwable ex)
    {
        counters.increment(ERRORS);
        errorHandler.onError(ex);
    }

    private static OutcomeListener[] listeners(final OutcomeListener listener, final TrackerExtension[] extensions)
    {
        final java.util.List<OutcomeListener> listeners = new java.util.ArrayList<>();
        listeners.add(listener);
        for (final TrackerExtension extension : extensions)
        {
            if (extension instanceof OutcomeListener)
            {
                listeners.add((OutcomeListener)extension);
            }
        }
        return listeners.toArray(new OutcomeListener[0]);
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

    // ------------------------------------------------------------------------------------------------------------
    // Recovery access (package)
    // ------------------------------------------------------------------------------------------------------------

    PendingIndex index()
    {
        return index;
    }

    void recoveredPending(final int slot, final PendingRecord record)
    {
        pendingCount++;
        deadlines.schedule(slot, record.nextDeadlineNs(), nowNs);
        if (record.hasFlag(PendingRecord.FLAG_HAS_STREAM))
        {
            streamFor(record.streamId()).addUnsorted(record.streamSequence(), record.messageId());
        }
    }

    void recoveredTombstone(final int slot)
    {
        if (0 == tombstoneCapacity)
        {
            index.pushTombstone(slot);
            evictOldestTombstone();
            return;
        }
        if (index.isTombstoneQueueFull())
        {
            evictOldestTombstone();
        }
        index.pushTombstone(slot);
    }

    void replayLater(final long[] messageIds, final int count)
    {
        replayIds = messageIds;
        replayCount = count;
        replayCursor = 0;
    }

    void recoveredCounts()
    {
        counters.set(PENDING, pendingCount);
        counters.set(TOMBSTONES, index.tombstoneCount());
    }

    Int2ObjectHashMap<StreamIndex> streams()
    {
        return streams;
    }

    long recoveryNowNs()
    {
        return nowNs;
    }
}

package io.acktracker.engine.agent;

import io.acktracker.engine.CommandType;
import io.acktracker.engine.Result;
import io.acktracker.engine.TrackRequest;
import io.acktracker.engine.lease.ReceiptHandle;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.metrics.Counters;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.acktracker.engine.agent.CommandLayout.*;

/**
 * Writes commands for the agent into its many-to-one ring buffer. Lock-free, allocation-free, never blocks: a full
 * buffer answers {@link Result#BACK_PRESSURED} at once (and counts it).
 * <p>
 * Threading: any thread, concurrently.
 */
public final class CommandProxy
{
    private final RingBuffer ringBuffer;
    private final Counters counters;

    /**
     * Proxy over a ring buffer.
     *
     * @param ringBuffer the agent's command queue.
     * @param counters   to count back pressure.
     */
    public CommandProxy(final ManyToOneRingBuffer ringBuffer, final Counters counters)
    {
        this.ringBuffer = ringBuffer;
        this.counters = counters;
    }

    /**
     * Queue a track.
     *
     * @param request   arguments.
     * @param hasWaiter whether a future waits on the outcome.
     * @return QUEUED or BACK_PRESSURED.
     */
    public Result track(final TrackRequest request, final boolean hasWaiter)
    {
        final int metadataLength = request.metadataLength();
        final int index = ringBuffer.tryClaim(CommandType.TRACK.id(), TRACK_LENGTH + metadataLength);
        if (index <= 0)
        {
            return backPressured();
        }
        final AtomicBuffer buffer = ringBuffer.buffer();
        if (metadataLength > 0)
        {
            buffer.putBytes(index + TRACK_METADATA_OFFSET, request.metadata(), request.metadataOffset(), metadataLength);
        }
        buffer.putInt(index + TRACK_METADATA_LENGTH_OFFSET, metadataLength);
        buffer.putByte(index + TRACK_MAX_ATTEMPTS_OFFSET, (byte)request.maxAttempts());
        buffer.putLong(index + TRACK_MESSAGE_ID_OFFSET, request.messageId());
        buffer.putLong(index + TRACK_DESTINATIONS_OFFSET, request.destinations());
        buffer.putLong(index + TRACK_ACK_TIMEOUT_OFFSET, request.ackTimeoutNs());
        buffer.putLong(index + TRACK_TTL_OFFSET, request.ttlNs());
        buffer.putLong(index + TRACK_SEQUENCE_OFFSET, request.sequence());
        buffer.putInt(index + TRACK_STREAM_ID_OFFSET, request.streamId());
        buffer.putInt(index + TRACK_REQUIRED_ACKS_OFFSET, request.requiredAcks());
        buffer.putInt(index + TRACK_PRIORITY_OFFSET, request.priority());
        buffer.putInt(index + TRACK_MESSAGE_CLASS_OFFSET, request.messageClass());
        buffer.putShort(index + TRACK_FLAGS_OFFSET,
            (short)((request.hasStream() ? TRACK_FLAG_HAS_STREAM : 0) | (hasWaiter ? TRACK_FLAG_HAS_WAITER : 0)));
        ringBuffer.commit(index);
        return Result.QUEUED;
    }

    /**
     * Queue an individual ack.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @return QUEUED or BACK_PRESSURED.
     */
    public Result ack(final long messageId, final int destination)
    {
        final int index = ringBuffer.tryClaim(CommandType.ACK.id(), ACK_LENGTH);
        if (index <= 0)
        {
            return backPressured();
        }
        final AtomicBuffer buffer = ringBuffer.buffer();
        buffer.putLong(index + ACK_MESSAGE_ID_OFFSET, messageId);
        buffer.putInt(index + ACK_DESTINATION_OFFSET, destination);
        ringBuffer.commit(index);
        return Result.QUEUED;
    }

    /**
     * Queue a cumulative ack.
     *
     * @param streamId    stream.
     * @param destination destination id.
     * @param offset      confirms every sequence up to and including this.
     * @return QUEUED or BACK_PRESSURED.
     */
    public Result cumulativeAck(final int streamId, final int destination, final long offset)
    {
        final int index = ringBuffer.tryClaim(CommandType.CUMULATIVE_ACK.id(), CUMULATIVE_LENGTH);
        if (index <= 0)
        {
            return backPressured();
        }
        final AtomicBuffer buffer = ringBuffer.buffer();
        buffer.putLong(index + CUMULATIVE_OFFSET_OFFSET, offset);
        buffer.putInt(index + CUMULATIVE_STREAM_ID_OFFSET, streamId);
        buffer.putInt(index + CUMULATIVE_DESTINATION_OFFSET, destination);
        ringBuffer.commit(index);
        return Result.QUEUED;
    }

    /**
     * Queue a nack: the destination could not process the message; retry it after the delay (or its backoff).
     *
     * @param messageId   message.
     * @param destination destination id.
     * @param delayNs     retry delay, 0 for the message's backoff.
     * @param code        error code for the history.
     * @return QUEUED or BACK_PRESSURED.
     */
    public Result nack(final long messageId, final int destination, final long delayNs, final int code)
    {
        final int index = ringBuffer.tryClaim(CommandType.NACK.id(), NACK_LENGTH);
        if (index <= 0)
        {
            return backPressured();
        }
        final AtomicBuffer buffer = ringBuffer.buffer();
        buffer.putLong(index + NACK_MESSAGE_ID_OFFSET, messageId);
        buffer.putLong(index + NACK_DELAY_OFFSET, delayNs);
        buffer.putInt(index + NACK_DESTINATION_OFFSET, destination);
        buffer.putInt(index + NACK_CODE_OFFSET, code);
        ringBuffer.commit(index);
        return Result.QUEUED;
    }

    /**
     * Queue a reject: the destination calls the message poison; it fails at once.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @param code        error code for the dead letter.
     * @return QUEUED or BACK_PRESSURED.
     */
    public Result reject(final long messageId, final int destination, final int code)
    {
        final int index = ringBuffer.tryClaim(CommandType.REJECT.id(), REJECT_LENGTH);
        if (index <= 0)
        {
            return backPressured();
        }
        final AtomicBuffer buffer = ringBuffer.buffer();
        buffer.putLong(index + REJECT_MESSAGE_ID_OFFSET, messageId);
        buffer.putInt(index + REJECT_DESTINATION_OFFSET, destination);
        buffer.putInt(index + REJECT_CODE_OFFSET, code);
        ringBuffer.commit(index);
        return Result.QUEUED;
    }

    /**
     * Queue a lease settlement (ack, nack, extend or reject) by receipt handle.
     *
     * @param command  LEASE_ACK, LEASE_NACK, LEASE_EXTEND or LEASE_REJECT.
     * @param handle   the receipt handle.
     * @param argument delay (nack) or extension (extend) in ns, else 0.
     * @param code     error code (reject), else 0.
     * @return QUEUED or BACK_PRESSURED.
     */
    public Result lease(final CommandType command, final ReceiptHandle handle, final long argument, final int code)
    {
        final int index = ringBuffer.tryClaim(command.id(), LEASE_LENGTH);
        if (index <= 0)
        {
            return backPressured();
        }
        final AtomicBuffer buffer = ringBuffer.buffer();
        handle.encode(buffer, index + LEASE_HANDLE_OFFSET);
        buffer.putLong(index + LEASE_ARGUMENT_OFFSET, argument);
        buffer.putInt(index + LEASE_CODE_OFFSET, code);
        ringBuffer.commit(index);
        return Result.QUEUED;
    }

    private Result backPressured()
    {
        counters.get(TrackerCounter.BACK_PRESSURED).increment();
        return Result.BACK_PRESSURED;
    }
}

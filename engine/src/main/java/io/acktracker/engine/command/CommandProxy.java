package io.acktracker.engine.command;

import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.TrackerCounter;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static io.acktracker.engine.command.CommandLayout.*;

/**
 * Queues commands for the agent in its many-to-one ring buffer, in the {@link CommandLayout} (the same bytes the
 * agent applies), written straight into the claimed space. Lock-free, allocation-free, never blocks: a full buffer
 * answers {@link Result#BACK_PRESSURED} at once (and counts it). Arguments are not validated here: callers check
 * them with {@link CommandValidator} first.
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
    public CommandProxy(final RingBuffer ringBuffer, final Counters counters)
    {
        this.ringBuffer = ringBuffer;
        this.counters = counters;
    }

    /**
     * Largest command the queue takes.
     *
     * @return bytes.
     */
    public int maxLength()
    {
        return ringBuffer.maxMsgLength();
    }

    /**
     * Queue a command already in the {@link CommandLayout}, numbered by a client or not.
     *
     * @param type   its type (with {@link CommandLayout#SEQUENCED} when numbered).
     * @param body   its body (with the trailer when numbered).
     * @param offset where the body starts.
     * @param length the body's length.
     * @return QUEUED or BACK_PRESSURED.
     */
    public Result command(final int type, final org.agrona.DirectBuffer body, final int offset, final int length)
    {
        final int index = ringBuffer.tryClaim(type, length);
        if (index <= 0)
        {
            return backPressured();
        }
        ringBuffer.buffer().putBytes(index, body, offset, length);
        ringBuffer.commit(index);
        return Result.QUEUED;
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
        final int index = ringBuffer.tryClaim(TRACK, CommandEncoder.trackLength(request));
        if (index <= 0)
        {
            return backPressured();
        }
        CommandEncoder.track(ringBuffer.buffer(), index, request, hasWaiter);
        ringBuffer.commit(index);
        return Result.QUEUED;
    }

    /**
     * Queue a track with the tracker's defaults.
     *
     * @param messageId    message.
     * @param destinations bitset of destination ids.
     * @return QUEUED or BACK_PRESSURED.
     */
    public Result track(final long messageId, final long destinations)
    {
        final int index = ringBuffer.tryClaim(TRACK, TRACK_LENGTH);
        if (index <= 0)
        {
            return backPressured();
        }
        CommandEncoder.track(ringBuffer.buffer(), index, messageId, destinations);
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
        final int index = ringBuffer.tryClaim(ACK, ACK_LENGTH);
        if (index <= 0)
        {
            return backPressured();
        }
        CommandEncoder.ack(ringBuffer.buffer(), index, messageId, destination);
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
        final int index = ringBuffer.tryClaim(CUMULATIVE_ACK, CUMULATIVE_LENGTH);
        if (index <= 0)
        {
            return backPressured();
        }
        CommandEncoder.cumulativeAck(ringBuffer.buffer(), index, streamId, destination, offset);
        ringBuffer.commit(index);
        return Result.QUEUED;
    }

    /**
     * Queue a nack.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @param delayNs     retry delay, 0 for the message's backoff.
     * @param code        error code for the history.
     * @return QUEUED or BACK_PRESSURED.
     */
    public Result nack(final long messageId, final int destination, final long delayNs, final int code)
    {
        final int index = ringBuffer.tryClaim(NACK, NACK_LENGTH);
        if (index <= 0)
        {
            return backPressured();
        }
        CommandEncoder.nack(ringBuffer.buffer(), index, messageId, destination, delayNs, code);
        ringBuffer.commit(index);
        return Result.QUEUED;
    }

    /**
     * Queue a reject.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @param code        error code for the dead letter.
     * @return QUEUED or BACK_PRESSURED.
     */
    public Result reject(final long messageId, final int destination, final int code)
    {
        final int index = ringBuffer.tryClaim(REJECT, REJECT_LENGTH);
        if (index <= 0)
        {
            return backPressured();
        }
        CommandEncoder.reject(ringBuffer.buffer(), index, messageId, destination, code);
        ringBuffer.commit(index);
        return Result.QUEUED;
    }

    /**
     * Queue a lease settlement or extension by receipt handle.
     *
     * @param type     LEASE_ACK, LEASE_NACK, LEASE_EXTEND or LEASE_REJECT.
     * @param handle   the receipt handle; copied.
     * @param argument delay (nack) or extension (extend) in ns, else 0.
     * @param code     error code (reject), else 0.
     * @return QUEUED or BACK_PRESSURED.
     */
    public Result settle(final int type, final ReceiptHandle handle, final long argument, final int code)
    {
        final int index = ringBuffer.tryClaim(type, SETTLE_LENGTH);
        if (index <= 0)
        {
            return backPressured();
        }
        CommandEncoder.settle(ringBuffer.buffer(), index, handle, argument, code);
        ringBuffer.commit(index);
        return Result.QUEUED;
    }

    /**
     * Queue a dead-letter replay or delete. Long lists go as several commands, in order.
     *
     * @param type       DEAD_LETTER_REPLAY or DEAD_LETTER_DELETE.
     * @param mode       replay mode ordinal.
     * @param messageIds ids.
     * @return QUEUED, or BACK_PRESSURED when not every part could be queued (the parts before it were).
     */
    public Result deadLetters(final int type, final int mode, final long[] messageIds)
    {
        final int perCommand = Math.max(1, (ringBuffer.maxMsgLength() - DEAD_LETTER_IDS_OFFSET) / Long.BYTES);
        for (int from = 0; from < messageIds.length; from += perCommand)
        {
            final int count = Math.min(perCommand, messageIds.length - from);
            final int index = ringBuffer.tryClaim(type, deadLetterLength(count));
            if (index <= 0)
            {
                return backPressured();
            }
            final AtomicBuffer buffer = ringBuffer.buffer();
            CommandEncoder.deadLetters(buffer, index, mode, messageIds, from, count);
            ringBuffer.commit(index);
        }
        return Result.QUEUED;
    }

    private Result backPressured()
    {
        counters.increment(TrackerCounter.BACK_PRESSURED);
        return Result.BACK_PRESSURED;
    }
}

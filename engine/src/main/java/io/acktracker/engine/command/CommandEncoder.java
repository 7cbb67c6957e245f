package io.acktracker.engine.command;

import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.TrackRequest;
import org.agrona.MutableDirectBuffer;

import static io.acktracker.engine.command.CommandLayout.*;

/**
 * Writes commands in the {@link CommandLayout} into a buffer: the command queue's claimed space, or the agent's
 * scratch buffer for a synchronous call. Stateless and allocation-free; each method returns the command's length.
 * <p>
 * Threading: any thread (it holds no state).
 */
public final class CommandEncoder
{
    private CommandEncoder()
    {
    }

    /**
     * Bytes a track of this request takes.
     *
     * @param request the track.
     * @return the length.
     */
    public static int trackLength(final TrackRequest request)
    {
        return TRACK_LENGTH + Math.max(0, request.metadataLength());
    }

    /**
     * Write a track.
     *
     * @param buffer    destination.
     * @param offset    where the command starts.
     * @param request   arguments.
     * @param hasWaiter a per-message listener or future waits for the outcome.
     * @return the length written.
     */
    public static int track(
        final MutableDirectBuffer buffer, final int offset, final TrackRequest request, final boolean hasWaiter)
    {
        final int flags = (request.hasStream() ? TRACK_FLAG_HAS_STREAM : 0) | (hasWaiter ? TRACK_FLAG_HAS_WAITER : 0);
        final int metadataLength = request.metadataLength();
        buffer.putLong(offset + TRACK_MESSAGE_ID_OFFSET, request.messageId());
        buffer.putLong(offset + TRACK_DESTINATIONS_OFFSET, request.destinations());
        buffer.putLong(offset + TRACK_ACK_TIMEOUT_OFFSET, request.ackTimeoutNs());
        buffer.putLong(offset + TRACK_TTL_OFFSET, request.ttlNs());
        buffer.putLong(offset + TRACK_SEQUENCE_OFFSET, request.sequence());
        buffer.putInt(offset + TRACK_STREAM_ID_OFFSET, request.streamId());
        buffer.putInt(offset + TRACK_REQUIRED_ACKS_OFFSET, request.requiredAcks());
        buffer.putShort(offset + TRACK_PRIORITY_OFFSET, saturated(request.priority()));
        buffer.putShort(offset + TRACK_MAX_ATTEMPTS_OFFSET, saturated(request.maxAttempts()));
        buffer.putInt(offset + TRACK_MESSAGE_CLASS_OFFSET, request.messageClass());
        buffer.putInt(offset + TRACK_FLAGS_OFFSET, flags);
        buffer.putInt(offset + TRACK_METADATA_LENGTH_OFFSET, metadataLength);
        if (metadataLength > 0)
        {
            buffer.putBytes(
                offset + TRACK_METADATA_OFFSET, request.metadata(), request.metadataOffset(), metadataLength);
        }
        return TRACK_LENGTH + Math.max(0, metadataLength);
    }

    /**
     * Write a track with the tracker's defaults.
     *
     * @param buffer       destination.
     * @param offset       where the command starts.
     * @param messageId    message.
     * @param destinations bitset of destination ids.
     * @return the length written.
     */
    public static int track(
        final MutableDirectBuffer buffer, final int offset, final long messageId, final long destinations)
    {
        buffer.putLong(offset + TRACK_MESSAGE_ID_OFFSET, messageId);
        buffer.putLong(offset + TRACK_DESTINATIONS_OFFSET, destinations);
        buffer.putLong(offset + TRACK_ACK_TIMEOUT_OFFSET, 0);
        buffer.putLong(offset + TRACK_TTL_OFFSET, 0);
        buffer.putLong(offset + TRACK_SEQUENCE_OFFSET, 0);
        buffer.putInt(offset + TRACK_STREAM_ID_OFFSET, 0);
        buffer.putInt(offset + TRACK_REQUIRED_ACKS_OFFSET, 0);
        buffer.putInt(offset + TRACK_PRIORITY_OFFSET, 0);
        buffer.putInt(offset + TRACK_MESSAGE_CLASS_OFFSET, 0);
        buffer.putInt(offset + TRACK_FLAGS_OFFSET, 0);
        buffer.putInt(offset + TRACK_METADATA_LENGTH_OFFSET, 0);
        return TRACK_LENGTH;
    }

    /**
     * Write an individual ack.
     *
     * @param buffer      destination.
     * @param offset      where the command starts.
     * @param messageId   message.
     * @param destination destination id.
     * @return the length written.
     */
    public static int ack(
        final MutableDirectBuffer buffer, final int offset, final long messageId, final int destination)
    {
        buffer.putLong(offset + ACK_MESSAGE_ID_OFFSET, messageId);
        buffer.putInt(offset + ACK_DESTINATION_OFFSET, destination);
        buffer.putInt(offset + ACK_DESTINATION_OFFSET + 4, 0);
        return ACK_LENGTH;
    }

    /**
     * Write a cumulative ack.
     *
     * @param buffer      destination.
     * @param offset      where the command starts.
     * @param streamId    stream.
     * @param destination destination id.
     * @param ackOffset   highest sequence confirmed.
     * @return the length written.
     */
    public static int cumulativeAck(
        final MutableDirectBuffer buffer,
        final int offset,
        final int streamId,
        final int destination,
        final long ackOffset)
    {
        buffer.putLong(offset + CUMULATIVE_OFFSET_OFFSET, ackOffset);
        buffer.putInt(offset + CUMULATIVE_STREAM_ID_OFFSET, streamId);
        buffer.putInt(offset + CUMULATIVE_DESTINATION_OFFSET, destination);
        return CUMULATIVE_LENGTH;
    }

    /**
     * Write a nack.
     *
     * @param buffer      destination.
     * @param offset      where the command starts.
     * @param messageId   message.
     * @param destination destination id.
     * @param delayNs     retry delay, 0 for the message's backoff.
     * @param code        error code.
     * @return the length written.
     */
    public static int nack(
        final MutableDirectBuffer buffer,
        final int offset,
        final long messageId,
        final int destination,
        final long delayNs,
        final int code)
    {
        buffer.putLong(offset + NACK_MESSAGE_ID_OFFSET, messageId);
        buffer.putLong(offset + NACK_DELAY_OFFSET, delayNs);
        buffer.putInt(offset + NACK_DESTINATION_OFFSET, destination);
        buffer.putInt(offset + NACK_CODE_OFFSET, code);
        return NACK_LENGTH;
    }

    /**
     * Write a reject.
     *
     * @param buffer      destination.
     * @param offset      where the command starts.
     * @param messageId   message.
     * @param destination destination id.
     * @param code        error code.
     * @return the length written.
     */
    public static int reject(
        final MutableDirectBuffer buffer, final int offset, final long messageId, final int destination, final int code)
    {
        buffer.putLong(offset + REJECT_MESSAGE_ID_OFFSET, messageId);
        buffer.putInt(offset + REJECT_DESTINATION_OFFSET, destination);
        buffer.putInt(offset + REJECT_CODE_OFFSET, code);
        return REJECT_LENGTH;
    }

    /**
     * Write a lease.
     *
     * @param buffer       destination.
     * @param offset       where the command starts.
     * @param messageId    message.
     * @param consumerId   consumer.
     * @param visibilityNs visibility timeout.
     * @return the length written.
     */
    public static int lease(
        final MutableDirectBuffer buffer,
        final int offset,
        final long messageId,
        final long consumerId,
        final long visibilityNs)
    {
        buffer.putLong(offset + LEASE_MESSAGE_ID_OFFSET, messageId);
        buffer.putLong(offset + LEASE_CONSUMER_OFFSET, consumerId);
        buffer.putLong(offset + LEASE_VISIBILITY_OFFSET, visibilityNs);
        return LEASE_LENGTH;
    }

    /**
     * Write a lease settlement or extension.
     *
     * @param buffer   destination.
     * @param offset   where the command starts.
     * @param handle   receipt handle.
     * @param argument delay (nack) or extension (extend), else 0.
     * @param code     error code (reject), else 0.
     * @return the length written.
     */
    public static int settle(
        final MutableDirectBuffer buffer,
        final int offset,
        final ReceiptHandle handle,
        final long argument,
        final int code)
    {
        handle.encode(buffer, offset + SETTLE_HANDLE_OFFSET);
        buffer.putLong(offset + SETTLE_ARGUMENT_OFFSET, argument);
        buffer.putInt(offset + SETTLE_CODE_OFFSET, code);
        buffer.putInt(offset + SETTLE_CODE_OFFSET + 4, 0);
        return SETTLE_LENGTH;
    }

    /**
     * Write a dead-letter replay or delete for a run of ids.
     *
     * @param buffer     destination.
     * @param offset     where the command starts.
     * @param mode       replay mode ordinal (0 for delete).
     * @param messageIds ids.
     * @param from       first index in {@code messageIds}.
     * @param count      ids to write.
     * @return the length written.
     */
    public static int deadLetters(
        final MutableDirectBuffer buffer,
        final int offset,
        final int mode,
        final long[] messageIds,
        final int from,
        final int count)
    {
        buffer.putInt(offset + DEAD_LETTER_MODE_OFFSET, mode);
        buffer.putInt(offset + DEAD_LETTER_COUNT_OFFSET, count);
        buffer.putLong(offset + DEAD_LETTER_FLAGS_OFFSET, 0L);
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(offset + DEAD_LETTER_IDS_OFFSET + i * Long.BYTES, messageIds[from + i]);
        }
        return deadLetterLength(count);
    }

    /**
     * Write a replay of one dead letter, at once.
     *
     * @param buffer    destination.
     * @param offset    where the command starts.
     * @param mode      replay mode ordinal.
     * @param messageId the dead letter.
     * @return the length written.
     */
    public static int replayNow(
        final MutableDirectBuffer buffer, final int offset, final int mode, final long messageId)
    {
        buffer.putInt(offset + DEAD_LETTER_MODE_OFFSET, mode);
        buffer.putInt(offset + DEAD_LETTER_COUNT_OFFSET, 1);
        buffer.putLong(offset + DEAD_LETTER_FLAGS_OFFSET, REPLAY_FLAG_NOW);
        buffer.putLong(offset + DEAD_LETTER_IDS_OFFSET, messageId);
        return deadLetterLength(1);
    }

    /**
     * Write a SESSION_OPEN.
     *
     * @param buffer          destination.
     * @param offset          where the command starts.
     * @param clientId        the client.
     * @param appliedThrough  the highest sequence a tracker confirmed to the client (0 for none).
     * @param outboxConfirmed the outbox entry through which the client received its outbox (0 for none).
     * @return the length written.
     */
    public static int sessionOpen(
        final MutableDirectBuffer buffer, final int offset, final long clientId, final long appliedThrough,
        final long outboxConfirmed)
    {
        buffer.putLong(offset + SESSION_CLIENT_OFFSET, clientId);
        buffer.putLong(offset + SESSION_APPLIED_OFFSET, appliedThrough);
        buffer.putLong(offset + SESSION_OUTBOX_CONFIRMED_OFFSET, outboxConfirmed);
        return SESSION_LENGTH;
    }

    /**
     * Write an OUTBOX_CONFIRM.
     *
     * @param buffer   destination.
     * @param offset   where the command starts.
     * @param clientId the client.
     * @param through  the outbox entry through which it received its outbox.
     * @return the length written.
     */
    public static int outboxConfirm(
        final MutableDirectBuffer buffer, final int offset, final long clientId, final long through)
    {
        buffer.putLong(offset + OUTBOX_CONFIRM_CLIENT_OFFSET, clientId);
        buffer.putLong(offset + OUTBOX_CONFIRM_THROUGH_OFFSET, through);
        return OUTBOX_CONFIRM_LENGTH;
    }

    /**
     * Number a command written at {@code offset} with {@code bodyLength} bytes: append the client's trailer. Apply
     * or queue it with its type plus {@link CommandLayout#SEQUENCED}.
     *
     * @param buffer     holding the command.
     * @param offset     where the command starts.
     * @param bodyLength its length so far.
     * @param clientId   the client.
     * @param sequence   the client's sequence of the command, from 1.
     * @return the numbered command's length.
     */
    public static int numbered(
        final MutableDirectBuffer buffer, final int offset, final int bodyLength, final long clientId,
        final long sequence)
    {
        buffer.putLong(offset + bodyLength + TRAILER_CLIENT_OFFSET, clientId);
        buffer.putLong(offset + bodyLength + TRAILER_SEQUENCE_OFFSET, sequence);
        return bodyLength + SEQUENCE_TRAILER_LENGTH;
    }

    /**
     * A value saturated to 16 bits: one out of a field's range stays out of it.
     */
    private static short saturated(final int value)
    {
        return (short)Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, value));
    }
}

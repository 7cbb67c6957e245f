package io.acktracker.engine.agent;

import io.acktracker.engine.CommandType;
import io.acktracker.engine.Result;
import io.acktracker.engine.TrackRequest;
import io.acktracker.engine.lease.ReceiptHandle;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

import static io.acktracker.engine.agent.CommandLayout.*;
import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * Decodes the commands other threads queued in the agent's ring buffer (see {@link CommandLayout}) and applies them
 * through the agent's rules. A refusal goes to the refusal listener (and fails the waiting future of a track); an
 * exception is counted and never escapes the duty cycle. Times each command when service time is recorded, one clock
 * read per command.
 * <p>
 * Agent thread only.
 */
final class CommandAdapter implements MessageHandler
{
    private final TrackerAgent agent;
    private final TrackRequest request = new TrackRequest();
    private final ReceiptHandle handle = new ReceiptHandle();
    private long serviceStartNs;

    CommandAdapter(final TrackerAgent agent)
    {
        this.agent = agent;
    }

    /** A duty cycle starts draining: the first command is timed from here. */
    void startCycle()
    {
        serviceStartNs = agent.recordServiceTime ? agent.nanoClock.nanoTime() : 0;
    }

    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        try
        {
            switch (msgTypeId)
            {
                case 1: // TRACK
                    onTrackCommand(buffer, index);
                    break;

                case 2: // ACK
                {
                    final long messageId = buffer.getLong(index + ACK_MESSAGE_ID_OFFSET);
                    refusedIf(CommandType.ACK, messageId, agent.onAck(messageId, buffer.getInt(index + ACK_DESTINATION_OFFSET)));
                    break;
                }

                case 3: // CUMULATIVE_ACK
                {
                    final int streamId = buffer.getInt(index + CUMULATIVE_STREAM_ID_OFFSET);
                    refusedIf(CommandType.CUMULATIVE_ACK, streamId, agent.streamAcks.onCumulativeAck(
                        streamId,
                        buffer.getInt(index + CUMULATIVE_DESTINATION_OFFSET),
                        buffer.getLong(index + CUMULATIVE_OFFSET_OFFSET)));
                    break;
                }

                case 4: // NACK
                {
                    final long messageId = buffer.getLong(index + NACK_MESSAGE_ID_OFFSET);
                    refusedIf(CommandType.NACK, messageId, agent.onNack(
                        messageId,
                        buffer.getInt(index + NACK_DESTINATION_OFFSET),
                        buffer.getLong(index + NACK_DELAY_OFFSET),
                        buffer.getInt(index + NACK_CODE_OFFSET)));
                    break;
                }

                case 5: // REJECT
                {
                    final long messageId = buffer.getLong(index + REJECT_MESSAGE_ID_OFFSET);
                    refusedIf(CommandType.REJECT, messageId, agent.onReject(
                        messageId,
                        buffer.getInt(index + REJECT_DESTINATION_OFFSET),
                        buffer.getInt(index + REJECT_CODE_OFFSET)));
                    break;
                }

                case 6: // LEASE_ACK
                    handle.decode(buffer, index + LEASE_HANDLE_OFFSET);
                    refusedIf(CommandType.LEASE_ACK, handle.messageId(), agent.leases.ack(handle));
                    break;

                case 7: // LEASE_NACK
                    handle.decode(buffer, index + LEASE_HANDLE_OFFSET);
                    refusedIf(CommandType.LEASE_NACK, handle.messageId(),
                        agent.leases.nack(handle, buffer.getLong(index + LEASE_ARGUMENT_OFFSET)));
                    break;

                case 8: // LEASE_EXTEND
                    handle.decode(buffer, index + LEASE_HANDLE_OFFSET);
                    refusedIf(CommandType.LEASE_EXTEND, handle.messageId(),
                        agent.leases.extend(handle, buffer.getLong(index + LEASE_ARGUMENT_OFFSET)));
                    break;

                case 9: // LEASE_REJECT
                    handle.decode(buffer, index + LEASE_HANDLE_OFFSET);
                    refusedIf(CommandType.LEASE_REJECT, handle.messageId(),
                        agent.leases.reject(handle, buffer.getInt(index + LEASE_CODE_OFFSET)));
                    break;

                default:
                    agent.counters.increment(INVALID_REQUESTS);
            }
        }
        catch (final Throwable ex)
        {
            agent.onError(ex);
        }

        agent.counters.increment(COMMANDS);
        if (agent.recordServiceTime)
        {
            final long endNs = agent.nanoClock.nanoTime();
            agent.serviceTime.record(endNs - serviceStartNs);
            serviceStartNs = endNs;
        }
    }

    private void onTrackCommand(final DirectBuffer buffer, final int index)
    {
        final int flags = buffer.getShort(index + TRACK_FLAGS_OFFSET);
        final TrackRequest track = request.reset()
            .messageId(buffer.getLong(index + TRACK_MESSAGE_ID_OFFSET))
            .destinations(buffer.getLong(index + TRACK_DESTINATIONS_OFFSET))
            .ackTimeoutNs(buffer.getLong(index + TRACK_ACK_TIMEOUT_OFFSET))
            .ttlNs(buffer.getLong(index + TRACK_TTL_OFFSET))
            .requiredAcks(buffer.getInt(index + TRACK_REQUIRED_ACKS_OFFSET))
            .priority(buffer.getInt(index + TRACK_PRIORITY_OFFSET))
            .messageClass(buffer.getInt(index + TRACK_MESSAGE_CLASS_OFFSET))
            .maxAttempts(buffer.getByte(index + TRACK_MAX_ATTEMPTS_OFFSET));
        final int metadataLength = buffer.getInt(index + TRACK_METADATA_LENGTH_OFFSET);
        if (metadataLength > 0)
        {
            track.metadata(buffer, index + TRACK_METADATA_OFFSET, metadataLength);
        }
        if ((flags & TRACK_FLAG_HAS_STREAM) != 0)
        {
            track.stream(buffer.getInt(index + TRACK_STREAM_ID_OFFSET), buffer.getLong(index + TRACK_SEQUENCE_OFFSET));
        }
        final boolean hasWaiter = (flags & TRACK_FLAG_HAS_WAITER) != 0;
        final Result result = agent.onTrack(track, hasWaiter);
        if (result.isRefusal())
        {
            refused(CommandType.TRACK, track.messageId(), result);
            if (hasWaiter)
            {
                agent.waiters.refuse(track.messageId(), result);
            }
        }
    }

    private void refusedIf(final CommandType command, final long id, final Result result)
    {
        if (result.isRefusal())
        {
            refused(command, id, result);
        }
    }

    private void refused(final CommandType command, final long id, final Result result)
    {
        try
        {
            agent.refusalListener.onRefused(command, id, result);
        }
        catch (final Throwable ex)
        {
            agent.counters.increment(LISTENER_ERRORS);
            agent.errorHandler.onError(ex);
        }
    }
}

package io.acktracker.transport.client;

import io.acktracker.engine.FailureReason;
import io.acktracker.engine.Outcome;
import io.acktracker.engine.TrackRequest;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.codecs.FailureReasonCode;
import io.acktracker.transport.codecs.LeaseGrantedDecoder;
import io.acktracker.transport.codecs.MessageHeaderDecoder;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.acktracker.transport.codecs.OutcomeCode;
import io.acktracker.transport.codecs.OutcomeDecoder;
import io.acktracker.transport.codecs.RedeliverDecoder;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.RefusedDecoder;
import io.acktracker.transport.codecs.TrackEncoder;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A sender's connection to a tracker: sends Track over Aeron and hands the tracker's Outcome, Redeliver and
 * Refused frames to a {@link TrackerClientHandler} from {@link #poll(int)}, called by the caller's own duty cycle.
 * <p>
 * Refused frames are delivered only when they answer this client's own commands (matched by its publication's
 * session id). Frames from a newer tracker that this client does not know are skipped and counted.
 * <p>
 * Zero allocation per track and per frame received. Threading: one thread (the publication is exclusive).
 */
public final class TrackerClient implements AutoCloseable
{
    private static final Outcome[] OUTCOMES = outcomes();
    private static final FailureReason[] REASONS = reasons();
    private static final RefusalCode[] REFUSAL_CODES = refusalCodes();

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Protocol.MAX_FRAME_LENGTH));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final TrackEncoder trackEncoder = new TrackEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final OutcomeDecoder outcomeDecoder = new OutcomeDecoder();
    private final RedeliverDecoder redeliverDecoder = new RedeliverDecoder();
    private final RefusedDecoder refusedDecoder = new RefusedDecoder();
    private final LeaseGrantedDecoder leaseGrantedDecoder = new LeaseGrantedDecoder();
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final FragmentHandler fragmentHandler = this::onFragment;

    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final TrackerClientHandler handler;
    private long unknownFrames;

    /**
     * A client over IPC on the default stream ids.
     *
     * @param aeron   connected client; not closed by this.
     * @param handler receives outcomes.
     */
    public TrackerClient(final Aeron aeron, final TrackerClientHandler handler)
    {
        this(aeron, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_INBOUND_STREAM_ID, Protocol.DEFAULT_CHANNEL,
            Protocol.DEFAULT_OUTBOUND_STREAM_ID, handler);
    }

    /**
     * A client on given channels.
     *
     * @param aeron            connected client; not closed by this.
     * @param trackerChannel   channel to send commands on, e.g. {@code aeron:udp?endpoint=tracker-host:40123}.
     * @param trackerStreamId  the tracker's inbound stream id.
     * @param outcomeChannel   channel the tracker publishes on, as seen from here.
     * @param outcomeStreamId  the tracker's outbound stream id.
     * @param handler          receives outcomes.
     */
    public TrackerClient(
        final Aeron aeron,
        final String trackerChannel,
        final int trackerStreamId,
        final String outcomeChannel,
        final int outcomeStreamId,
        final TrackerClientHandler handler)
    {
        this.handler = handler;
        this.subscription = aeron.addSubscription(outcomeChannel, outcomeStreamId);
        try
        {
            this.publication = aeron.addExclusivePublication(trackerChannel, trackerStreamId);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(subscription);
            throw ex;
        }
    }

    /**
     * Send a Track.
     *
     * @param request the track; destinations as a bitset of the tracker's destination ids.
     * @return the new stream position, or Aeron's NOT_CONNECTED, BACK_PRESSURED, ADMIN_ACTION, CLOSED or
     * MAX_POSITION_EXCEEDED: nothing was sent, try again.
     * @throws IllegalArgumentException when a field cannot be encoded (priority outside -128..127, required acks
     *                                  outside 0..255, message class outside 0..65535).
     */
    public long tryTrack(final TrackRequest request)
    {
        return tryTrack(request, null, 0, 0);
    }

    /**
     * Send a Track with metadata.
     *
     * @param request  the track.
     * @param metadata up to {@link Protocol#MAX_METADATA_LENGTH} bytes, or null.
     * @param offset   where the metadata starts.
     * @param length   its length.
     * @return the new stream position, or a negative Aeron offer result: nothing was sent.
     * @throws IllegalArgumentException when a field cannot be encoded.
     */
    public long tryTrack(final TrackRequest request, final DirectBuffer metadata, final int offset, final int length)
    {
        if (request.priority() < Byte.MIN_VALUE || request.priority() > Byte.MAX_VALUE ||
            request.requiredAcks() < 0 || request.requiredAcks() > 255 ||
            request.messageClass() < 0 || request.messageClass() > 0xFFFF ||
            length < 0 || length > Protocol.MAX_METADATA_LENGTH)
        {
            throw new IllegalArgumentException("cannot encode " + request + " with metadata length " + length);
        }

        trackEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .messageId(request.messageId())
            .ackTimeoutNs(request.ackTimeoutNs())
            .ttlNs(request.ttlNs())
            .sequence(request.hasStream() ? request.sequence() : 0)
            .streamId(request.hasStream() ? request.streamId() : TrackEncoder.streamIdNullValue())
            .messageClass(request.messageClass())
            .requiredAcks((short)request.requiredAcks())
            .priority((byte)request.priority())
            .maxAttempts((short)0);

        long destinations = request.destinations();
        final TrackEncoder.DestinationsEncoder entries = trackEncoder.destinationsCount(Long.bitCount(destinations));
        while (0 != destinations)
        {
            entries.next().destinationId((short)Long.numberOfTrailingZeros(destinations));
            destinations &= destinations - 1;
        }
        if (null == metadata || 0 == length)
        {
            trackEncoder.putMetadata(buffer, 0, 0);
        }
        else
        {
            trackEncoder.putMetadata(metadata, offset, length);
        }

        return publication.offer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + trackEncoder.encodedLength());
    }

    /**
     * Read what the tracker published and hand it to the handler.
     *
     * @param fragmentLimit most frames to read.
     * @return frames read.
     */
    public int poll(final int fragmentLimit)
    {
        return subscription.poll(fragmentHandler, fragmentLimit);
    }

    /**
     * Whether both directions are connected to a tracker.
     *
     * @return true when tracks can be sent and outcomes received.
     */
    public boolean isConnected()
    {
        return publication.isConnected() && subscription.isConnected();
    }

    /**
     * Session id of this client's commands, as the tracker sees it.
     *
     * @return the session id.
     */
    public int sessionId()
    {
        return publication.sessionId();
    }

    /**
     * Frames skipped because this client does not know them (newer tracker, or not acktracker's).
     *
     * @return the count.
     */
    public long unknownFrames()
    {
        return unknownFrames;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(publication, subscription);
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            unknownFrames++;
            return;
        }
        frame.wrap(buffer, offset, length);
        headerDecoder.wrap(frame, 0);
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        if (headerDecoder.schemaId() != Protocol.SCHEMA_ID || version < Protocol.MIN_SCHEMA_VERSION ||
            MessageHeaderDecoder.ENCODED_LENGTH + blockLength > length ||
            !dispatch(headerDecoder.templateId(), blockLength, version))
        {
            unknownFrames++;
        }
    }

    private boolean dispatch(final int templateId, final int blockLength, final int version)
    {
        final int bodyOffset = MessageHeaderDecoder.ENCODED_LENGTH;
        switch (templateId)
        {
            case OutcomeDecoder.TEMPLATE_ID:
            {
                if (blockLength < OutcomeDecoder.BLOCK_LENGTH)
                {
                    return false;
                }
                final OutcomeDecoder decoder = outcomeDecoder.wrap(frame, bodyOffset, blockLength, version);
                final Outcome outcome = OUTCOMES[decoder.outcomeRaw()];
                if (null == outcome)
                {
                    return false;
                }
                final int reason = decoder.reasonRaw();
                handler.onOutcome(decoder.messageId(), outcome, REASONS[reason], decoder.latencyNs(),
                    decoder.attempts(), 1 == decoder.replayRaw());
                return true;
            }
            case RedeliverDecoder.TEMPLATE_ID:
            {
                if (blockLength < RedeliverDecoder.BLOCK_LENGTH)
                {
                    return false;
                }
                final RedeliverDecoder decoder = redeliverDecoder.wrap(frame, bodyOffset, blockLength, version);
                handler.onRedeliver(decoder.messageId(), decoder.destinationId(), decoder.attempt());
                return true;
            }
            case RefusedDecoder.TEMPLATE_ID:
            {
                if (blockLength < RefusedDecoder.BLOCK_LENGTH)
                {
                    return false;
                }
                final RefusedDecoder decoder = refusedDecoder.wrap(frame, bodyOffset, blockLength, version);
                if (decoder.sessionId() == publication.sessionId())
                {
                    final int code = decoder.codeRaw();
                    handler.onRefused(decoder.refusedTemplateId(), decoder.correlationId(),
                        code < REFUSAL_CODES.length && null != REFUSAL_CODES[code] ? REFUSAL_CODES[code] :
                        RefusalCode.OTHER, decoder.destinationId());
                }
                return true;
            }
            case LeaseGrantedDecoder.TEMPLATE_ID:
            {
                if (blockLength < LeaseGrantedDecoder.BLOCK_LENGTH)
                {
                    return false;
                }
                final LeaseGrantedDecoder decoder = leaseGrantedDecoder.wrap(frame, bodyOffset, blockLength, version);
                handler.onLeaseGranted(decoder.correlationId(), decoder.receiptHandle().messageId(),
                    decoder.receiptHandle().leaseToken(), decoder.leaseDeadlineNs(), decoder.destinationId());
                return true;
            }
            default:
                return false;
        }
    }

    /** Wire outcome code (by value) to the engine's outcome, by name; null where the engine has none. */
    private static Outcome[] outcomes()
    {
        final Outcome[] outcomes = new Outcome[256];
        for (final OutcomeCode code : OutcomeCode.values())
        {
            for (final Outcome outcome : Outcome.values())
            {
                if (OutcomeCode.NULL_VAL != code && outcome.name().equals(code.name()))
                {
                    outcomes[code.value()] = outcome;
                }
            }
        }
        return outcomes;
    }

    /** Wire reason code (by value) to the engine's reason, by name; NONE where the engine has no such reason. */
    private static FailureReason[] reasons()
    {
        final FailureReason[] reasons = new FailureReason[256];
        for (final FailureReasonCode code : FailureReasonCode.values())
        {
            if (FailureReasonCode.NULL_VAL != code)
            {
                FailureReason match = FailureReason.NONE;
                for (final FailureReason reason : FailureReason.values())
                {
                    if (reason.name().equals(code.name()))
                    {
                        match = reason;
                    }
                }
                reasons[code.value()] = match;
            }
        }
        for (int i = 0; i < reasons.length; i++)
        {
            if (null == reasons[i])
            {
                reasons[i] = FailureReason.NONE;
            }
        }
        return reasons;
    }

    private static RefusalCode[] refusalCodes()
    {
        final RefusalCode[] codes = new RefusalCode[256];
        for (final RefusalCode code : RefusalCode.values())
        {
            if (RefusalCode.NULL_VAL != code)
            {
                codes[code.value()] = code;
            }
        }
        return codes;
    }
}

package io.acktracker.transport.inbound;

import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.ProtocolError;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.TransportErrors;
import io.acktracker.transport.codecs.AckDecoder;
import io.acktracker.transport.codecs.CumulativeAckDecoder;
import io.acktracker.transport.codecs.DestinationHelloDecoder;
import io.acktracker.transport.codecs.ExtendDecoder;
import io.acktracker.transport.codecs.HelloCredential;
import io.acktracker.transport.codecs.LeaseDecoder;
import io.acktracker.transport.codecs.MessageHeaderDecoder;
import io.acktracker.transport.codecs.NackDecoder;
import io.acktracker.transport.codecs.OutboxConfirmDecoder;
import io.acktracker.transport.codecs.SessionOpenDecoder;
import io.acktracker.transport.codecs.RejectDecoder;
import io.acktracker.transport.codecs.SettleAction;
import io.acktracker.transport.codecs.SettleDecoder;
import io.acktracker.transport.codecs.TrackDecoder;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

import static io.acktracker.transport.ProtocolError.*;

/**
 * Checks and decodes inbound frames with SBE flyweights and hands each command to a {@link CommandHandler}.
 * <p>
 * A frame is first bounded to its own length (a view over the fragment, so no read can stray past it), then
 * checked in order: unfragmented, at least a message header, acktracker's schema id, a version no older than
 * {@link Protocol#MIN_SCHEMA_VERSION}, a known inbound template, a block at least as long as this version's fields,
 * then every group count and text length within its bound and inside the frame. Only a frame that passes every
 * check reaches the handler, so a malformed frame changes no state: it is counted by kind and recorded once in the
 * distinct error log. Fields past this version's block and data past the last known field are skipped: newer
 * writers may append them. No exception escapes {@link #onFragment}.
 * <p>
 * Version 1's retired Extend and Settle (template ids 8 and 9) are handed to {@link CommandHandler#onRetired} with
 * the message id they begin with, so the sender can be told they are not supported.
 * <p>
 * Zero allocation per frame: decoders, the frame view, the track request and the receipt handle are reused.
 * <p>
 * Threading: agent thread only.
 */
public final class CommandAdapter implements FragmentHandler
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int VAR_LENGTH_HEADER = 2;
    private static final int GROUP_HEADER = 4;
    private static final int TOO_SHORT = -1;
    private static final int OUT_OF_BOUNDS = -2;
    /** A version 2 hello's block: the destination id alone. Its credential fields came in version 3. */
    private static final int HELLO_V2_BLOCK_LENGTH = 1;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final DestinationHelloDecoder helloDecoder = new DestinationHelloDecoder();
    private final TrackDecoder trackDecoder = new TrackDecoder();
    private final AckDecoder ackDecoder = new AckDecoder();
    private final NackDecoder nackDecoder = new NackDecoder();
    private final RejectDecoder rejectDecoder = new RejectDecoder();
    private final CumulativeAckDecoder cumulativeAckDecoder = new CumulativeAckDecoder();
    private final LeaseDecoder leaseDecoder = new LeaseDecoder();
    private final ExtendDecoder extendDecoder = new ExtendDecoder();
    private final SettleDecoder settleDecoder = new SettleDecoder();
    private final SessionOpenDecoder sessionOpenDecoder = new SessionOpenDecoder();
    private final OutboxConfirmDecoder outboxConfirmDecoder = new OutboxConfirmDecoder();
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer text = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer nonce = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer proof = new UnsafeBuffer(0, 0);
    private final TrackRequest trackRequest = new TrackRequest();
    private final ReceiptHandle receiptHandle = new ReceiptHandle();

    private final CommandHandler handler;
    private final TransportCounters counters;
    private final TransportErrors errors;

    /**
     * An adapter feeding one handler.
     *
     * @param handler  receives checked commands.
     * @param counters transport counters.
     * @param errors   where malformed frames and exceptions are counted and recorded.
     */
    public CommandAdapter(final CommandHandler handler, final TransportCounters counters, final TransportErrors errors)
    {
        this.handler = handler;
        this.counters = counters;
        this.errors = errors;
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        counters.increment(TransportCounter.FRAMES_RECEIVED);
        try
        {
            final ProtocolError error;
            if ((header.flags() & FrameDescriptor.UNFRAGMENTED) != FrameDescriptor.UNFRAGMENTED)
            {
                error = FRAGMENTED;
            }
            else
            {
                frame.wrap(buffer, offset, length);
                error = dispatch(length, header);
            }
            if (null != error)
            {
                errors.onMalformed(error);
            }
        }
        catch (final Throwable ex)
        {
            errors.onError(ex);
        }
    }

    private ProtocolError dispatch(final int length, final Header header)
    {
        if (length < HEADER_LENGTH)
        {
            return SHORT_FRAME;
        }
        headerDecoder.wrap(frame, 0);
        if (headerDecoder.schemaId() != Protocol.SCHEMA_ID)
        {
            return WRONG_SCHEMA;
        }
        final int version = headerDecoder.version();
        if (version < Protocol.MIN_SCHEMA_VERSION)
        {
            return WRONG_VERSION;
        }

        final int templateId = headerDecoder.templateId();
        final int minBlockLength = minBlockLength(templateId);
        if (minBlockLength < 0)
        {
            return UNKNOWN_TEMPLATE;
        }
        final int blockLength = headerDecoder.blockLength();
        if (blockLength < minBlockLength)
        {
            return BAD_BLOCK_LENGTH;
        }
        if (HEADER_LENGTH + blockLength > length)
        {
            return SHORT_FRAME;
        }

        switch (templateId)
        {
            case DestinationHelloDecoder.TEMPLATE_ID:
                return onHello(header, blockLength, version, length);
            case TrackDecoder.TEMPLATE_ID:
                return onTrack(header, blockLength, version, length);
            case AckDecoder.TEMPLATE_ID:
                return onAck(header, blockLength, version);
            case NackDecoder.TEMPLATE_ID:
                return onNack(header, blockLength, version, length);
            case RejectDecoder.TEMPLATE_ID:
                return onReject(header, blockLength, version, length);
            case CumulativeAckDecoder.TEMPLATE_ID:
                return onCumulativeAck(header, blockLength, version);
            case LeaseDecoder.TEMPLATE_ID:
                return onLease(header, blockLength, version);
            case ExtendDecoder.TEMPLATE_ID:
                return onExtend(header, blockLength, version);
            case SettleDecoder.TEMPLATE_ID:
                return onSettle(header, blockLength, version, length);
            case SessionOpenDecoder.TEMPLATE_ID:
                return onSessionOpen(header, blockLength, version, length);
            case OutboxConfirmDecoder.TEMPLATE_ID:
                outboxConfirmDecoder.wrap(frame, HEADER_LENGTH, blockLength, version);
                handler.onOutboxConfirm(header, outboxConfirmDecoder.clientId(), outboxConfirmDecoder.through());
                return null;
            case Protocol.RETIRED_EXTEND_TEMPLATE_ID:
            case Protocol.RETIRED_SETTLE_TEMPLATE_ID:
                handler.onRetired(header, templateId, frame.getLong(HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN));
                return null;
            default:
                return UNKNOWN_TEMPLATE;
        }
    }

    /**
     * The shortest root block of a template a reader accepts: version 2's for the messages version 3 numbered (their
     * block ended where the client id starts), so older writers are read.
     */
    private static int minBlockLength(final int templateId)
    {
        switch (templateId)
        {
            case DestinationHelloDecoder.TEMPLATE_ID:
                return HELLO_V2_BLOCK_LENGTH;
            case TrackDecoder.TEMPLATE_ID:
                return TrackDecoder.clientIdEncodingOffset();
            case AckDecoder.TEMPLATE_ID:
                return AckDecoder.clientIdEncodingOffset();
            case NackDecoder.TEMPLATE_ID:
                return NackDecoder.clientIdEncodingOffset();
            case RejectDecoder.TEMPLATE_ID:
                return RejectDecoder.clientIdEncodingOffset();
            case CumulativeAckDecoder.TEMPLATE_ID:
                return CumulativeAckDecoder.clientIdEncodingOffset();
            case LeaseDecoder.TEMPLATE_ID:
                return LeaseDecoder.BLOCK_LENGTH;
            case ExtendDecoder.TEMPLATE_ID:
                return ExtendDecoder.clientIdEncodingOffset();
            case SettleDecoder.TEMPLATE_ID:
                return SettleDecoder.clientIdEncodingOffset();
            case SessionOpenDecoder.TEMPLATE_ID:
                return SessionOpenDecoder.credentialEncodingOffset();
            case OutboxConfirmDecoder.TEMPLATE_ID:
                return OutboxConfirmDecoder.BLOCK_LENGTH;
            case Protocol.RETIRED_EXTEND_TEMPLATE_ID:
            case Protocol.RETIRED_SETTLE_TEMPLATE_ID:
                return Long.BYTES;
            default:
                return -1;
        }
    }

    private ProtocolError onHello(final Header header, final int blockLength, final int version, final int length)
    {
        final DestinationHelloDecoder decoder = helloDecoder.wrap(frame, HEADER_LENGTH, blockLength, version);
        final int destinationId = decoder.destinationId();
        if (!isDestinationId(destinationId))
        {
            return BAD_FIELD;
        }
        final int limit = decoder.limit();
        final int end = checkVarData(limit, length, 1, Protocol.MAX_NAME_LENGTH);
        if (end < 0)
        {
            return varDataError(end);
        }
        for (int i = limit + VAR_LENGTH_HEADER; i < end; i++)
        {
            final byte c = frame.getByte(i);
            if (c <= ' ' || c > '~')
            {
                return BAD_FIELD;
            }
        }
        // a hello from a version 2 writer (or any shorter block) carries no credential
        HelloCredential credential = HelloCredential.NONE;
        if (version >= DestinationHelloDecoder.credentialSinceVersion() &&
            blockLength >= DestinationHelloDecoder.BLOCK_LENGTH)
        {
            final short raw = decoder.credentialRaw();
            if (raw > HelloCredential.PROOF.value())
            {
                return BAD_FIELD;
            }
            credential = HelloCredential.get(raw);
            nonce.wrap(frame, HEADER_LENGTH + DestinationHelloDecoder.nonceEncodingOffset(),
                DestinationHelloDecoder.nonceEncodingLength());
            proof.wrap(frame, HEADER_LENGTH + DestinationHelloDecoder.proofEncodingOffset(),
                DestinationHelloDecoder.proofEncodingLength());
        }
        decoder.wrapName(text);
        handler.onHello(header, destinationId, text, credential, nonce, proof);
        return null;
    }

    private ProtocolError onTrack(final Header header, final int blockLength, final int version, final int length)
    {
        final TrackDecoder decoder = trackDecoder.wrap(frame, HEADER_LENGTH, blockLength, version);
        final int groupOffset = decoder.limit();
        if (groupOffset + GROUP_HEADER > length)
        {
            return SHORT_FRAME;
        }
        final int entryLength = frame.getShort(groupOffset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int count = frame.getShort(groupOffset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (count > Protocol.MAX_TRACK_DESTINATIONS || entryLength < TrackDecoder.DestinationsDecoder.sbeBlockLength())
        {
            return BAD_GROUP;
        }
        final int groupEnd = groupOffset + GROUP_HEADER + count * entryLength;
        if (groupEnd > length)
        {
            return SHORT_FRAME;
        }
        final int end = checkVarData(groupEnd, length, 0, Protocol.MAX_METADATA_LENGTH);
        if (end < 0)
        {
            return varDataError(end);
        }

        long destinations = 0;
        for (final TrackDecoder.DestinationsDecoder entry = decoder.destinations(); entry.hasNext(); )
        {
            final int destinationId = entry.next().destinationId();
            if (destinationId > Protocol.MAX_DESTINATION_ID)
            {
                return BAD_FIELD;
            }
            destinations |= 1L << destinationId;
        }

        final TrackRequest request = trackRequest.reset()
            .messageId(decoder.messageId())
            .destinations(destinations)
            .requiredAcks(decoder.requiredAcks())
            .ackTimeoutNs(decoder.ackTimeoutNs())
            .ttlNs(decoder.ttlNs())
            .priority(decoder.priority())
            .messageClass(decoder.messageClass())
            .maxAttempts(decoder.maxAttempts());
        final int streamId = decoder.streamId();
        if (TrackDecoder.streamIdNullValue() != streamId)
        {
            request.stream(streamId, decoder.sequence());
        }
        numbering(blockLength, TrackDecoder.clientIdEncodingOffset(), TrackDecoder.clientSequenceEncodingOffset());
        decoder.wrapMetadata(text);
        if (text.capacity() > 0)
        {
            request.metadata(text, 0, text.capacity());
        }
        handler.onTrack(header, request);
        return null;
    }

    private ProtocolError onAck(final Header header, final int blockLength, final int version)
    {
        final AckDecoder decoder = ackDecoder.wrap(frame, HEADER_LENGTH, blockLength, version);
        final int destinationId = decoder.destinationId();
        if (!isDestinationId(destinationId))
        {
            return BAD_FIELD;
        }
        numbering(blockLength, AckDecoder.clientIdEncodingOffset(), AckDecoder.clientSequenceEncodingOffset());
        handler.onAck(header, decoder.messageId(), destinationId);
        return null;
    }

    private ProtocolError onNack(final Header header, final int blockLength, final int version, final int length)
    {
        final NackDecoder decoder = nackDecoder.wrap(frame, HEADER_LENGTH, blockLength, version);
        final int destinationId = decoder.destinationId();
        if (!isDestinationId(destinationId))
        {
            return BAD_FIELD;
        }
        final int end = checkVarData(decoder.limit(), length, 0, Protocol.MAX_REASON_LENGTH);
        if (end < 0)
        {
            return varDataError(end);
        }
        final long messageId = decoder.messageId();
        final long redeliverDelayNs = decoder.redeliverDelayNs();
        final int errorCode = decoder.errorCode();
        numbering(blockLength, NackDecoder.clientIdEncodingOffset(), NackDecoder.clientSequenceEncodingOffset());
        decoder.wrapReason(text);
        handler.onNack(header, messageId, destinationId, redeliverDelayNs, errorCode, text);
        return null;
    }

    private ProtocolError onReject(final Header header, final int blockLength, final int version, final int length)
    {
        final RejectDecoder decoder = rejectDecoder.wrap(frame, HEADER_LENGTH, blockLength, version);
        final int destinationId = decoder.destinationId();
        if (!isDestinationId(destinationId))
        {
            return BAD_FIELD;
        }
        final int end = checkVarData(decoder.limit(), length, 0, Protocol.MAX_REASON_LENGTH);
        if (end < 0)
        {
            return varDataError(end);
        }
        final long messageId = decoder.messageId();
        final int errorCode = decoder.errorCode();
        numbering(blockLength, RejectDecoder.clientIdEncodingOffset(),
            RejectDecoder.clientSequenceEncodingOffset());
        decoder.wrapReason(text);
        handler.onReject(header, messageId, destinationId, errorCode, text);
        return null;
    }

    private ProtocolError onCumulativeAck(final Header header, final int blockLength, final int version)
    {
        final CumulativeAckDecoder decoder = cumulativeAckDecoder.wrap(frame, HEADER_LENGTH, blockLength, version);
        final int destinationId = decoder.destinationId();
        if (!isDestinationId(destinationId))
        {
            return BAD_FIELD;
        }
        numbering(blockLength, CumulativeAckDecoder.clientIdEncodingOffset(),
            CumulativeAckDecoder.clientSequenceEncodingOffset());
        handler.onCumulativeAck(header, decoder.streamId(), destinationId, decoder.streamOffset());
        return null;
    }

    private ProtocolError onLease(final Header header, final int blockLength, final int version)
    {
        final LeaseDecoder decoder = leaseDecoder.wrap(frame, HEADER_LENGTH, blockLength, version);
        final int destinationId = decoder.destinationId();
        if (!isDestinationId(destinationId))
        {
            return BAD_FIELD;
        }
        handler.onLease(header, decoder.correlationId(), decoder.messageId(), destinationId, decoder.leaseTimeoutNs());
        return null;
    }

    private ProtocolError onExtend(final Header header, final int blockLength, final int version)
    {
        final ExtendDecoder decoder = extendDecoder.wrap(frame, HEADER_LENGTH, blockLength, version);
        final int destinationId = decoder.destinationId();
        if (!isDestinationId(destinationId))
        {
            return BAD_FIELD;
        }
        receiptHandle.decode(frame, HEADER_LENGTH + ExtendDecoder.receiptHandleEncodingOffset());
        numbering(blockLength, ExtendDecoder.clientIdEncodingOffset(), ExtendDecoder.clientSequenceEncodingOffset());
        handler.onExtend(header, receiptHandle, destinationId, decoder.extensionNs());
        return null;
    }

    private ProtocolError onSettle(final Header header, final int blockLength, final int version, final int length)
    {
        final SettleDecoder decoder = settleDecoder.wrap(frame, HEADER_LENGTH, blockLength, version);
        final int destinationId = decoder.destinationId();
        final short actionRaw = decoder.actionRaw();
        if (!isDestinationId(destinationId) || actionRaw < 0 || actionRaw > SettleAction.REJECT.value())
        {
            return BAD_FIELD;
        }
        final int end = checkVarData(decoder.limit(), length, 0, Protocol.MAX_REASON_LENGTH);
        if (end < 0)
        {
            return varDataError(end);
        }
        receiptHandle.decode(frame, HEADER_LENGTH + SettleDecoder.receiptHandleEncodingOffset());
        final long redeliverDelayNs = decoder.redeliverDelayNs();
        final int errorCode = decoder.errorCode();
        decoder.wrapReason(text);
        numbering(blockLength, SettleDecoder.clientIdEncodingOffset(), SettleDecoder.clientSequenceEncodingOffset());
        handler.onSettle(header, SettleAction.get(actionRaw), receiptHandle, destinationId, redeliverDelayNs,
            errorCode, text);
        return null;
    }

    private ProtocolError onSessionOpen(
        final Header header, final int blockLength, final int version, final int length)
    {
        final SessionOpenDecoder decoder = sessionOpenDecoder.wrap(frame, HEADER_LENGTH, blockLength, version);
        final int limit = decoder.limit();
        final int end = checkVarData(limit, length, 0, Protocol.MAX_NAME_LENGTH);
        if (end < 0)
        {
            return varDataError(end);
        }
        final long clientId = decoder.clientId();
        final long appliedThrough = decoder.appliedThrough();
        final long outboxConfirmed = decoder.outboxConfirmed();
        if (appliedThrough < 0 || outboxConfirmed < 0)
        {
            return BAD_FIELD;
        }
        // a version 3 open (or any shorter block) carries no credential
        HelloCredential credential = HelloCredential.NONE;
        if (version >= SessionOpenDecoder.credentialSinceVersion() && blockLength >= SessionOpenDecoder.BLOCK_LENGTH)
        {
            final short raw = decoder.credentialRaw();
            if (raw > HelloCredential.PROOF.value())
            {
                return BAD_FIELD;
            }
            credential = HelloCredential.get(raw);
            nonce.wrap(frame, HEADER_LENGTH + SessionOpenDecoder.nonceEncodingOffset(),
                SessionOpenDecoder.nonceEncodingLength());
            proof.wrap(frame, HEADER_LENGTH + SessionOpenDecoder.proofEncodingOffset(),
                SessionOpenDecoder.proofEncodingLength());
        }
        decoder.wrapClientName(text);
        handler.onSessionOpen(header, clientId, appliedThrough, outboxConfirmed, text, credential, nonce, proof);
        return null;
    }

    /**
     * Tell the handler the frame's client numbering: a version 3 frame whose block holds the fields and whose
     * sequence is above 0 is numbered; anything else (older writers, sequence 0) is not.
     */
    private void numbering(final int blockLength, final int clientIdOffset, final int sequenceOffset)
    {
        // read from the frame only when the sender's block holds the fields (the frame holds the block: checked)
        final long sequence = blockLength >= sequenceOffset + Long.BYTES ?
            frame.getLong(HEADER_LENGTH + sequenceOffset, ByteOrder.LITTLE_ENDIAN) : 0;
        final boolean numbered = sequence > 0 && blockLength >= clientIdOffset + Long.BYTES;
        handler.onNumbering(numbered ? frame.getLong(HEADER_LENGTH + clientIdOffset, ByteOrder.LITTLE_ENDIAN) : 0,
            numbered ? sequence : 0);
    }

    /**
     * Check the var-data field at {@code offset}: its length header and its bytes inside the frame, its length
     * within bounds.
     *
     * @return the offset just past it, or {@link #TOO_SHORT} / {@link #OUT_OF_BOUNDS}.
     */
    private int checkVarData(final int offset, final int frameLength, final int minLength, final int maxLength)
    {
        if (offset + VAR_LENGTH_HEADER > frameLength)
        {
            return TOO_SHORT;
        }
        final int dataLength = frame.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (dataLength < minLength || dataLength > maxLength)
        {
            return OUT_OF_BOUNDS;
        }
        final int end = offset + VAR_LENGTH_HEADER + dataLength;
        return end > frameLength ? TOO_SHORT : end;
    }

    private static ProtocolError varDataError(final int code)
    {
        return TOO_SHORT == code ? SHORT_FRAME : STRING_OUT_OF_BOUNDS;
    }

    private static boolean isDestinationId(final int destinationId)
    {
        return destinationId <= Protocol.MAX_DESTINATION_ID || Protocol.BOUND_DESTINATION == destinationId;
    }
}

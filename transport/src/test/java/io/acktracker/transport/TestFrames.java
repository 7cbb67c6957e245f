package io.acktracker.transport;

import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.transport.codecs.AckEncoder;
import io.acktracker.transport.codecs.CumulativeAckEncoder;
import io.acktracker.transport.codecs.DestinationHelloEncoder;
import io.acktracker.transport.codecs.ExtendEncoder;
import io.acktracker.transport.codecs.HelloCredential;
import io.acktracker.transport.codecs.LeaseEncoder;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.acktracker.transport.codecs.NackEncoder;
import io.acktracker.transport.codecs.OutboxConfirmEncoder;
import io.acktracker.transport.codecs.RejectEncoder;
import io.acktracker.transport.codecs.SessionOpenEncoder;
import io.acktracker.transport.codecs.SettleAction;
import io.acktracker.transport.codecs.SettleEncoder;
import io.acktracker.transport.codecs.TrackEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes valid frames into a buffer for tests, to be sent as they are or tampered with.
 */
public final class TestFrames
{
    public static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    public static final int BLOCK_LENGTH_OFFSET = 0;
    public static final int TEMPLATE_ID_OFFSET = 2;
    public static final int SCHEMA_ID_OFFSET = 4;
    public static final int VERSION_OFFSET = 6;

    public final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();

    public int hello(final int destinationId, final String name)
    {
        return HEADER + new DestinationHelloEncoder().wrapAndApplyHeader(buffer, 0, header)
            .destinationId((short)destinationId).name(name).encodedLength();
    }

    public int track(final long messageId, final int[] destinations, final int metadataLength)
    {
        return track(messageId, destinations, metadataLength, 0);
    }

    public int track(final long messageId, final int[] destinations, final int metadataLength, final int maxAttempts)
    {
        final TrackEncoder encoder = new TrackEncoder().wrapAndApplyHeader(buffer, 0, header)
            .messageId(messageId).ackTimeoutNs(0).ttlNs(0).sequence(0).streamId(TrackEncoder.streamIdNullValue())
            .messageClass(0).requiredAcks((short)0).priority((byte)0).maxAttempts((short)maxAttempts)
            .clientId(0).clientSequence(0);
        final TrackEncoder.DestinationsEncoder entries = encoder.destinationsCount(destinations.length);
        for (final int destination : destinations)
        {
            entries.next().destinationId((short)destination);
        }
        encoder.putMetadata(new byte[metadataLength], 0, metadataLength);
        return HEADER + encoder.encodedLength();
    }

    public int ack(final long messageId, final int destinationId)
    {
        return HEADER + new AckEncoder().wrapAndApplyHeader(buffer, 0, header)
            .messageId(messageId).destinationId((short)destinationId).clientId(0).clientSequence(0).encodedLength();
    }

    public int nack(final long messageId, final int destinationId, final String reason)
    {
        return HEADER + new NackEncoder().wrapAndApplyHeader(buffer, 0, header)
            .messageId(messageId).redeliverDelayNs(0).errorCode(7).destinationId((short)destinationId).clientId(0)
            .clientSequence(0).reason(reason)
            .encodedLength();
    }

    public int reject(final long messageId, final int destinationId, final String reason)
    {
        return HEADER + new RejectEncoder().wrapAndApplyHeader(buffer, 0, header)
            .messageId(messageId).errorCode(9).destinationId((short)destinationId).clientId(0).clientSequence(0)
            .reason(reason).encodedLength();
    }

    public int cumulativeAck(final int streamId, final int destinationId, final long offset)
    {
        return HEADER + new CumulativeAckEncoder().wrapAndApplyHeader(buffer, 0, header)
            .streamOffset(offset).streamId(streamId).destinationId((short)destinationId).clientId(0).clientSequence(0)
            .encodedLength();
    }

    public int lease(final long correlationId, final long messageId, final int destinationId)
    {
        return HEADER + new LeaseEncoder().wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId).messageId(messageId).leaseTimeoutNs(0)
            .destinationId((short)destinationId).encodedLength();
    }

    public int extend(final ReceiptHandle handle, final int destinationId)
    {
        final ExtendEncoder encoder = new ExtendEncoder().wrapAndApplyHeader(buffer, 0, header)
            .extensionNs(1_000).destinationId((short)destinationId);
        handle.encode(buffer, HEADER + ExtendEncoder.receiptHandleEncodingOffset());
        return HEADER + encoder.encodedLength();
    }

    public int settle(final ReceiptHandle handle, final int destinationId, final SettleAction action)
    {
        final SettleEncoder encoder = new SettleEncoder().wrapAndApplyHeader(buffer, 0, header)
            .redeliverDelayNs(0).errorCode(0).action(action).destinationId((short)destinationId).reason("");
        handle.encode(buffer, HEADER + SettleEncoder.receiptHandleEncodingOffset());
        return HEADER + encoder.encodedLength();
    }

    public int sessionOpen(final long clientId, final long appliedThrough, final long outboxConfirmed,
        final String name)
    {
        return HEADER + new SessionOpenEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId).appliedThrough(appliedThrough).outboxConfirmed(outboxConfirmed)
            .credential(HelloCredential.NONE).putNonce(new byte[16], 0, 16).putProof(new byte[32], 0, 32)
            .clientName(name).encodedLength();
    }

    public int numberedTrack(final long messageId, final int destination, final long clientId, final long sequence)
    {
        final TrackEncoder encoder = new TrackEncoder().wrapAndApplyHeader(buffer, 0, header)
            .messageId(messageId).ackTimeoutNs(0).ttlNs(0).sequence(0).streamId(TrackEncoder.streamIdNullValue())
            .messageClass(0).requiredAcks((short)0).priority((byte)0).maxAttempts((short)0)
            .clientId(clientId).clientSequence(sequence);
        encoder.destinationsCount(1).next().destinationId((short)destination);
        encoder.putMetadata(new byte[0], 0, 0);
        return HEADER + encoder.encodedLength();
    }

    public int outboxConfirm(final long clientId, final long through)
    {
        return HEADER + new OutboxConfirmEncoder().wrapAndApplyHeader(buffer, 0, header)
            .clientId(clientId).through(through).encodedLength();
    }

    /**
     * A frame of a retired version 1 template (Extend 8 or Settle 9): its 16-byte handle, then version 1's fields.
     */
    public int retired(final int templateId, final long messageId)
    {
        header.wrap(buffer, 0).blockLength(25).templateId(templateId).schemaId(MessageHeaderEncoder.SCHEMA_ID)
            .version(1);
        buffer.setMemory(HEADER, 25, (byte)0);
        buffer.putLong(HEADER, messageId, ByteOrder.LITTLE_ENDIAN);
        return HEADER + 25;
    }

    public void putShort(final int offset, final int value)
    {
        buffer.putShort(offset, (short)value, ByteOrder.LITTLE_ENDIAN);
    }

    public int getShort(final int offset)
    {
        return buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }
}

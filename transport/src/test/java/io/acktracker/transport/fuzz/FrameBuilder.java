package io.acktracker.transport.fuzz;

import io.acktracker.transport.codecs.AckEncoder;
import io.acktracker.transport.codecs.CumulativeAckEncoder;
import io.acktracker.transport.codecs.DestinationHelloEncoder;
import io.acktracker.transport.codecs.HelloCredential;
import io.acktracker.transport.codecs.ExtendEncoder;
import io.acktracker.transport.codecs.LeaseEncoder;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.acktracker.transport.codecs.NackEncoder;
import io.acktracker.transport.codecs.OutboxConfirmEncoder;
import io.acktracker.transport.codecs.RejectEncoder;
import io.acktracker.transport.codecs.SessionOpenEncoder;
import io.acktracker.transport.codecs.SettleEncoder;
import io.acktracker.transport.codecs.TrackEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static io.acktracker.transport.fuzz.Wire.HEADER;

/**
 * Encodes valid inbound frames of every template with the generated SBE encoders. Every method returns a fresh
 * {@link WireFrame}; the builder itself keeps only a scratch buffer, so one per thread.
 */
final class FrameBuilder
{
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[4096]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final DestinationHelloEncoder hello = new DestinationHelloEncoder();
    private final TrackEncoder track = new TrackEncoder();
    private final AckEncoder ack = new AckEncoder();
    private final NackEncoder nack = new NackEncoder();
    private final RejectEncoder reject = new RejectEncoder();
    private final CumulativeAckEncoder cumulativeAck = new CumulativeAckEncoder();
    private final LeaseEncoder lease = new LeaseEncoder();
    private final ExtendEncoder extend = new ExtendEncoder();
    private final SettleEncoder settle = new SettleEncoder();
    private final SessionOpenEncoder sessionOpen = new SessionOpenEncoder();
    private final OutboxConfirmEncoder outboxConfirm = new OutboxConfirmEncoder();

    WireFrame hello(final int destinationId, final byte[] name)
    {
        return hello(destinationId, name, HelloCredential.NONE.value());
    }

    /**
     * A hello; {@code credential} is written as a raw byte (0 NONE, 1 CHALLENGE, 2 PROOF are valid), the nonce and
     * proof as zeros (the harness's tracker has no keys, so they are not checked).
     */
    WireFrame hello(final int destinationId, final byte[] name, final int credential)
    {
        hello.wrapAndApplyHeader(scratch, 0, header).destinationId((short)destinationId);
        scratch.putByte(HEADER + DestinationHelloEncoder.credentialEncodingOffset(), (byte)credential);
        scratch.setMemory(HEADER + DestinationHelloEncoder.nonceEncodingOffset(),
            DestinationHelloEncoder.nonceEncodingLength() + DestinationHelloEncoder.proofEncodingLength(), (byte)0);
        hello.putName(name, 0, name.length);
        return frame(DestinationHelloEncoder.TEMPLATE_ID, hello.encodedLength());
    }

    WireFrame track(
        final long messageId,
        final long ackTimeoutNs,
        final long ttlNs,
        final int streamId,
        final long sequence,
        final int messageClass,
        final int requiredAcks,
        final int priority,
        final int maxAttempts,
        final int[] destinations,
        final byte[] metadata)
    {
        track.wrapAndApplyHeader(scratch, 0, header)
            .messageId(messageId).ackTimeoutNs(ackTimeoutNs).ttlNs(ttlNs).sequence(sequence).streamId(streamId)
            .messageClass(messageClass).requiredAcks((short)requiredAcks).priority((byte)priority)
            .maxAttempts((short)maxAttempts).clientId(0).clientSequence(0);
        final TrackEncoder.DestinationsEncoder entries = track.destinationsCount(destinations.length);
        for (final int destination : destinations)
        {
            entries.next().destinationId((short)destination);
        }
        track.putMetadata(metadata, 0, metadata.length);
        return frame(TrackEncoder.TEMPLATE_ID, track.encodedLength());
    }

    WireFrame ack(final long messageId, final int destinationId)
    {
        ack.wrapAndApplyHeader(scratch, 0, header).messageId(messageId).destinationId((short)destinationId)
            .clientId(0).clientSequence(0);
        return frame(AckEncoder.TEMPLATE_ID, ack.encodedLength());
    }

    WireFrame nack(
        final long messageId, final long redeliverDelayNs, final int errorCode, final int destinationId,
        final byte[] reason)
    {
        nack.wrapAndApplyHeader(scratch, 0, header).messageId(messageId).redeliverDelayNs(redeliverDelayNs)
            .errorCode(errorCode).destinationId((short)destinationId).clientId(0).clientSequence(0)
            .putReason(reason, 0, reason.length);
        return frame(NackEncoder.TEMPLATE_ID, nack.encodedLength());
    }

    WireFrame reject(final long messageId, final int errorCode, final int destinationId, final byte[] reason)
    {
        reject.wrapAndApplyHeader(scratch, 0, header).messageId(messageId).errorCode(errorCode)
            .destinationId((short)destinationId).clientId(0).clientSequence(0).putReason(reason, 0, reason.length);
        return frame(RejectEncoder.TEMPLATE_ID, reject.encodedLength());
    }

    WireFrame cumulativeAck(final long streamOffset, final int streamId, final int destinationId)
    {
        cumulativeAck.wrapAndApplyHeader(scratch, 0, header).streamOffset(streamOffset).streamId(streamId)
            .destinationId((short)destinationId).clientId(0).clientSequence(0);
        return frame(CumulativeAckEncoder.TEMPLATE_ID, cumulativeAck.encodedLength());
    }

    WireFrame lease(final long correlationId, final long messageId, final long leaseTimeoutNs, final int destinationId)
    {
        lease.wrapAndApplyHeader(scratch, 0, header).correlationId(correlationId).messageId(messageId)
            .leaseTimeoutNs(leaseTimeoutNs).destinationId((short)destinationId);
        return frame(LeaseEncoder.TEMPLATE_ID, lease.encodedLength());
    }

    WireFrame extend(final byte[] receiptHandle, final long extensionNs, final int destinationId)
    {
        extend.wrapAndApplyHeader(scratch, 0, header).putReceiptHandle(receiptHandle, 0, receiptHandle.length)
            .extensionNs(extensionNs).destinationId((short)destinationId);
        return frame(ExtendEncoder.TEMPLATE_ID, extend.encodedLength());
    }

    /**
     * A Settle; {@code action} is written as a raw byte (0 ACK, 1 NACK, 2 REJECT are valid).
     */
    WireFrame settle(
        final byte[] receiptHandle,
        final long redeliverDelayNs,
        final int errorCode,
        final int action,
        final int destinationId,
        final byte[] reason)
    {
        settle.wrapAndApplyHeader(scratch, 0, header).putReceiptHandle(receiptHandle, 0, receiptHandle.length)
            .redeliverDelayNs(redeliverDelayNs).errorCode(errorCode).destinationId((short)destinationId);
        scratch.putByte(HEADER + SettleEncoder.actionEncodingOffset(), (byte)action);
        settle.putReason(reason, 0, reason.length);
        return frame(SettleEncoder.TEMPLATE_ID, settle.encodedLength());
    }

    WireFrame sessionOpen(final long clientId, final long appliedThrough, final long outboxConfirmed,
        final byte[] name)
    {
        sessionOpen.wrapAndApplyHeader(scratch, 0, header).clientId(clientId).appliedThrough(appliedThrough)
            .outboxConfirmed(outboxConfirmed).credential(HelloCredential.NONE)
            .putNonce(new byte[SessionOpenEncoder.nonceLength()], 0, SessionOpenEncoder.nonceLength())
            .putProof(new byte[SessionOpenEncoder.proofLength()], 0, SessionOpenEncoder.proofLength())
            .putClientName(name, 0, name.length);
        return frame(SessionOpenEncoder.TEMPLATE_ID, sessionOpen.encodedLength());
    }

    WireFrame outboxConfirm(final long clientId, final long through)
    {
        outboxConfirm.wrapAndApplyHeader(scratch, 0, header).clientId(clientId).through(through);
        return frame(OutboxConfirmEncoder.TEMPLATE_ID, outboxConfirm.encodedLength());
    }

    /** An Ack numbered by a client (version 3). */
    WireFrame numberedAck(final long messageId, final int destinationId, final long clientId, final long sequence)
    {
        ack.wrapAndApplyHeader(scratch, 0, header).messageId(messageId).destinationId((short)destinationId)
            .clientId(clientId).clientSequence(sequence);
        return frame(AckEncoder.TEMPLATE_ID, ack.encodedLength());
    }

    /**
     * A frame of a retired version 1 template (Extend 8, Settle 9): a root block beginning with a message id.
     */
    WireFrame retired(final int templateId, final long messageId, final int blockLength)
    {
        header.wrap(scratch, 0).blockLength(blockLength).templateId(templateId)
            .schemaId(MessageHeaderEncoder.SCHEMA_ID).version(1);
        scratch.setMemory(HEADER, blockLength, (byte)0);
        scratch.putLong(HEADER, messageId, java.nio.ByteOrder.LITTLE_ENDIAN);
        return new WireFrame(templateId, Arrays.copyOf(scratch.byteArray(), HEADER + blockLength));
    }

    /**
     * The same frame as an older or newer writer would send it: {@code version} in the header, {@code extraBlock}
     * bytes of fields this reader does not know appended to the root block (the header's block length grows), and
     * {@code trailing} bytes after the last field. A reader must skip both.
     */
    static WireFrame asVersion(final WireFrame frame, final int version, final byte[] extraBlock, final byte[] trailing)
    {
        final byte[] in = frame.bytes();
        final int blockEnd = HEADER + frame.blockLength();
        final byte[] out = new byte[in.length + extraBlock.length + trailing.length];
        System.arraycopy(in, 0, out, 0, blockEnd);
        System.arraycopy(extraBlock, 0, out, blockEnd, extraBlock.length);
        System.arraycopy(in, blockEnd, out, blockEnd + extraBlock.length, in.length - blockEnd);
        System.arraycopy(trailing, 0, out, in.length + extraBlock.length, trailing.length);
        Wire.putU16(out, Wire.BLOCK_LENGTH_OFFSET, frame.blockLength() + extraBlock.length);
        Wire.putU16(out, Wire.VERSION_OFFSET, version);
        return new WireFrame(frame.templateId(), out);
    }

    private WireFrame frame(final int templateId, final int encodedLength)
    {
        return new WireFrame(templateId, Arrays.copyOf(scratch.byteArray(), HEADER + encodedLength));
    }
}

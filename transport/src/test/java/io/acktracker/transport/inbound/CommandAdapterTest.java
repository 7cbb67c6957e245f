package io.acktracker.transport.inbound;

import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.ProtocolError;
import io.acktracker.transport.TestFrames;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.TransportErrors;
import io.acktracker.transport.codecs.HelloCredential;
import io.acktracker.transport.codecs.AckDecoder;
import io.acktracker.transport.codecs.OutcomeEncoder;
import io.acktracker.transport.codecs.SessionOpenDecoder;
import io.acktracker.transport.codecs.SettleAction;
import io.acktracker.transport.codecs.SettleDecoder;
import io.acktracker.transport.codecs.TrackDecoder;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static io.acktracker.transport.TransportCounter.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decoding and checking inbound frames, without a media driver: the adapter is fed frames directly.
 */
class CommandAdapterTest
{
    private static final int SESSION_ID = 42;

    private final TransportCounters counters = new TransportCounters(null, "test");
    private final TransportErrors errors = new TransportErrors(counters, null, 64 * 1024);
    private final List<String> calls = new ArrayList<>();
    private final TestFrames frames = new TestFrames();
    private final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
    private final Header header = new Header(0, 16);
    private final CommandAdapter adapter = new CommandAdapter(new Recorder(), counters, errors);

    CommandAdapterTest()
    {
        headerBuffer.putByte(DataHeaderFlyweight.FLAGS_FIELD_OFFSET, FrameDescriptor.UNFRAGMENTED);
        headerBuffer.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, SESSION_ID, ByteOrder.LITTLE_ENDIAN);
        header.buffer(headerBuffer);
        header.offset(0);
    }

    @AfterEach
    void close()
    {
        errors.close();
        counters.close();
    }

    @Test
    void shouldDecodeEveryInboundCommand()
    {
        feed(frames.hello(Protocol.BOUND_DESTINATION, "venue-A"));
        feed(frames.track(7, new int[]{0, 3, 63}, 5));
        feed(frames.ack(7, 3));
        feed(frames.nack(7, 255, "busy"));
        feed(frames.reject(7, 3, "poison"));
        feed(frames.cumulativeAck(5, 3, 99));
        feed(frames.lease(11, 7, 3));
        final ReceiptHandle handle = new ReceiptHandle().set(7, 2, 13, 0x5EAL);
        feed(frames.extend(handle, 3));
        feed(frames.settle(handle, 3, SettleAction.REJECT));
        feed(frames.retired(Protocol.RETIRED_SETTLE_TEMPLATE_ID, 7));
        feed(frames.track(8, new int[]{1}, 0, 4));

        assertThat(calls).containsExactly(
            "hello 42 255 venue-A",
            "track 42 id=7 destinations=8000000000000009 attempts=0 metadata=5",
            "ack 42 7 3",
            "nack 42 7 255 code=7 busy",
            "reject 42 7 3 code=9 poison",
            "cumulative 42 5 3 99",
            "lease 42 11 7 3",
            "extend 42 " + handle + " 3 1000",
            "settle 42 REJECT " + handle + " 3",
            "retired 42 9 7",
            "track 42 id=8 destinations=2 attempts=4 metadata=0");
        assertThat(counters.value(FRAMES_RECEIVED)).isEqualTo(11);
        assertThat(counters.value(MALFORMED_FRAMES)).isZero();
    }

    @Test
    void shouldDecodeTrackOnAStream()
    {
        final int length = frames.track(8, new int[]{1}, 0);
        frames.buffer.putInt(TestFrames.HEADER + TrackDecoder.streamIdEncodingOffset(), 6, ByteOrder.LITTLE_ENDIAN);
        frames.buffer.putLong(TestFrames.HEADER + TrackDecoder.sequenceEncodingOffset(), 77, ByteOrder.LITTLE_ENDIAN);
        feed(length);
        assertThat(calls).containsExactly("track 42 id=8 destinations=2 attempts=0 metadata=0 stream=6:77");
    }

    @Test
    void shouldReadFramesFromANewerVersionSkippingFieldsItDoesNotKnow()
    {
        final int length = frames.ack(9, 1);
        final int extra = 8;
        frames.putShort(TestFrames.BLOCK_LENGTH_OFFSET, AckDecoder.BLOCK_LENGTH + extra);
        frames.putShort(TestFrames.VERSION_OFFSET, Protocol.SCHEMA_VERSION + 1);
        frames.buffer.putLong(length, -1L);
        frames.buffer.putInt(length + extra, 0xCAFE);

        feed(length + extra + 4);

        assertThat(calls).containsExactly("ack 42 9 1");
        assertThat(counters.value(MALFORMED_FRAMES)).isZero();
    }

    @Test
    void shouldCountShortFramesAndChangeNothing()
    {
        feed(4);
        final int length = frames.ack(1, 1);
        feed(length - 1);
        final int trackLength = frames.track(1, new int[]{1, 2}, 3);
        feed(trackLength - 1);
        frames.track(1, new int[]{1, 2}, 0);
        frames.putShort(TestFrames.HEADER + TrackDecoder.BLOCK_LENGTH + 2, 40);
        feed(trackLength);

        assertMalformed(ProtocolError.SHORT_FRAME, MALFORMED_SHORT, 4);
    }

    @Test
    void shouldCountWrongSchemaVersionAndTemplate()
    {
        int length = frames.ack(1, 1);
        frames.putShort(TestFrames.SCHEMA_ID_OFFSET, Protocol.SCHEMA_ID + 1);
        feed(length);
        length = frames.ack(1, 1);
        frames.putShort(TestFrames.VERSION_OFFSET, 0);
        feed(length);
        length = frames.ack(1, 1);
        frames.putShort(TestFrames.TEMPLATE_ID_OFFSET, 99);
        feed(length);
        length = frames.ack(1, 1);
        frames.putShort(TestFrames.TEMPLATE_ID_OFFSET, OutcomeEncoder.TEMPLATE_ID);
        feed(length);
        length = frames.ack(1, 1);
        // shorter than version 2's block (version 3 appended the client numbering after it)
        frames.putShort(TestFrames.BLOCK_LENGTH_OFFSET, AckDecoder.clientIdEncodingOffset() - 1);
        feed(length);

        assertThat(calls).isEmpty();
        assertThat(counters.value(MALFORMED_SCHEMA)).isEqualTo(1);
        assertThat(counters.value(MALFORMED_VERSION)).isEqualTo(1);
        assertThat(counters.value(MALFORMED_TEMPLATE)).isEqualTo(2);
        assertThat(counters.value(MALFORMED_SHORT)).isEqualTo(1);
        assertThat(counters.value(MALFORMED_FRAMES)).isEqualTo(5);
    }

    @Test
    void shouldCountBadGroups()
    {
        final int[] many = new int[65];
        feed(frames.track(1, many, 0));
        final int length = frames.track(1, new int[]{1}, 0);
        frames.putShort(TestFrames.HEADER + TrackDecoder.BLOCK_LENGTH, 0);
        feed(length);

        assertMalformed(ProtocolError.BAD_GROUP, MALFORMED_GROUP, 2);
    }

    @Test
    void shouldCountTextOverItsBound()
    {
        feed(frames.hello(255, "x".repeat(Protocol.MAX_NAME_LENGTH + 1)));
        feed(frames.hello(255, ""));
        feed(frames.nack(1, 1, "r".repeat(Protocol.MAX_REASON_LENGTH + 1)));
        feed(frames.reject(1, 1, "r".repeat(Protocol.MAX_REASON_LENGTH + 1)));
        feed(frames.track(1, new int[]{1}, Protocol.MAX_METADATA_LENGTH + 1));

        assertMalformed(ProtocolError.STRING_OUT_OF_BOUNDS, MALFORMED_STRING, 5);
    }

    @Test
    void shouldCountFieldsOutOfRange()
    {
        feed(frames.ack(1, 64));
        feed(frames.hello(255, "has space"));
        feed(frames.track(1, new int[]{64}, 0));
        final int length = frames.settle(new ReceiptHandle().set(1, 1, 2, 3), 1, SettleAction.ACK);
        frames.buffer.putByte(TestFrames.HEADER + SettleDecoder.actionEncodingOffset(), (byte)3);
        feed(length);

        assertMalformed(ProtocolError.BAD_FIELD, MALFORMED_FIELD, 4);
    }

    @Test
    void shouldCountFragmentedFrames()
    {
        headerBuffer.putByte(DataHeaderFlyweight.FLAGS_FIELD_OFFSET, FrameDescriptor.BEGIN_FRAG_FLAG);
        feed(frames.ack(1, 1));

        assertMalformed(ProtocolError.FRAGMENTED, MALFORMED_FRAGMENTED, 1);
    }

    @Test
    void shouldRecordEachDistinctErrorOnceAndCountRepeats()
    {
        feed(3);
        feed(3);
        feed(3);
        final int length = frames.ack(1, 1);
        frames.putShort(TestFrames.SCHEMA_ID_OFFSET, 1);
        feed(length);

        final List<String> logged = new ArrayList<>();
        final int distinct = errors.read((count, first, last, text) -> logged.add(count + " " + text.lines()
            .findFirst().orElse("")));
        assertThat(distinct).isEqualTo(2);
        assertThat(logged).anyMatch((line) -> line.startsWith("3 ") && line.contains("SHORT_FRAME"));
        assertThat(logged).anyMatch((line) -> line.startsWith("1 ") && line.contains("WRONG_SCHEMA"));
    }

    @Test
    void shouldCountAHandlerExceptionAndCarryOn()
    {
        final CommandAdapter throwing = new CommandAdapter(new Recorder()
        {
            public void onAck(final Header header, final long messageId, final int destinationId)
            {
                throw new IllegalStateException("boom");
            }
        }, counters, errors);
        final int length = frames.ack(1, 1);
        for (int i = 0; i < 2; i++)
        {
            throwing.onFragment(frames.buffer, 0, length, header);
        }

        assertThat(counters.value(ERRORS)).isEqualTo(2);
        assertThat(errors.read((count, first, last, text) -> assertThat(count).isEqualTo(2))).isEqualTo(1);
    }

    private void feed(final int length)
    {
        final UnsafeBuffer term = new UnsafeBuffer(new byte[8192]);
        term.putBytes(64, frames.buffer, 0, Math.min(length, 4096));
        adapter.onFragment(term, 64, length, header);
    }

    private void assertMalformed(final ProtocolError error, final TransportCounter counter, final int count)
    {
        assertThat(calls).isEmpty();
        assertThat(error.counter()).isEqualTo(counter);
        assertThat(counters.value(counter)).isEqualTo(count);
        assertThat(counters.value(MALFORMED_FRAMES)).isEqualTo(count);
    }

    @Test
    void shouldTellTheNumberingOfVersion3FramesAndReadOlderOnesAsUnnumbered()
    {
        final List<String> numbering = new ArrayList<>();
        final CommandAdapter numbered = new CommandAdapter(new Recorder()
        {
            public void onNumbering(final long clientId, final long sequence)
            {
                numbering.add(clientId + "#" + sequence);
            }

            public void onSessionOpen(
                final Header header, final long clientId, final long appliedThrough, final long outboxConfirmed,
                final DirectBuffer name, final HelloCredential credential, final DirectBuffer nonce,
                final DirectBuffer proof)
            {
                calls.add("open " + clientId + " " + appliedThrough + " " + outboxConfirmed + " " +
                    name.getStringWithoutLengthAscii(0, name.capacity()) +
                    (HelloCredential.NONE == credential ? "" : " " + credential + " " + nonce.getByte(0) + " " +
                    proof.getByte(31)));
            }

            public void onOutboxConfirm(final Header header, final long clientId, final long through)
            {
                calls.add("outbox " + clientId + " " + through);
            }
        }, counters, errors);
        final UnsafeBuffer term = new UnsafeBuffer(new byte[8192]);
        final java.util.function.IntConsumer feedNumbered = (length) ->
        {
            term.putBytes(64, frames.buffer, 0, length);
            numbered.onFragment(term, 64, length, header);
        };

        int length = frames.ack(1, 1);
        frames.buffer.putLong(TestFrames.HEADER + AckDecoder.clientIdEncodingOffset(), 77, ByteOrder.LITTLE_ENDIAN);
        frames.buffer.putLong(TestFrames.HEADER + AckDecoder.clientSequenceEncodingOffset(), 5,
            ByteOrder.LITTLE_ENDIAN);
        feedNumbered.accept(length);
        // a version 2 writer: its block ends before the numbering, whatever bytes follow
        frames.putShort(TestFrames.BLOCK_LENGTH_OFFSET, AckDecoder.clientIdEncodingOffset());
        frames.putShort(TestFrames.VERSION_OFFSET, 2);
        feedNumbered.accept(length);
        // a block holding the client id but not the sequence: unnumbered
        length = frames.ack(1, 1);
        frames.buffer.putLong(TestFrames.HEADER + AckDecoder.clientSequenceEncodingOffset(), 5,
            ByteOrder.LITTLE_ENDIAN);
        frames.putShort(TestFrames.BLOCK_LENGTH_OFFSET, AckDecoder.clientSequenceEncodingOffset());
        feedNumbered.accept(length);
        feedNumbered.accept(frames.sessionOpen(77, 4, 2, "sender-1"));
        feedNumbered.accept(frames.outboxConfirm(77, 3));
        length = frames.sessionOpen(77, -1, 0, "x");
        feedNumbered.accept(length);

        assertThat(numbering).containsExactly("77#5", "0#0", "0#0");
        assertThat(calls).containsExactly("ack 42 1 1", "ack 42 1 1", "ack 42 1 1", "open 77 4 2 sender-1",
            "outbox 77 3");
        assertThat(counters.value(MALFORMED_FRAMES)).as("a negative sequence in SessionOpen").isEqualTo(1);

        // version 4: the open's credential, nonce and proof; a credential above PROOF is malformed
        calls.clear();
        length = frames.sessionOpen(77, 4, 2, "s");
        frames.buffer.putByte(TestFrames.HEADER + SessionOpenDecoder.credentialEncodingOffset(),
            (byte)HelloCredential.PROOF.value());
        frames.buffer.putByte(TestFrames.HEADER + SessionOpenDecoder.nonceEncodingOffset(), (byte)7);
        frames.buffer.putByte(TestFrames.HEADER + SessionOpenDecoder.proofEncodingOffset() + 31, (byte)9);
        feedNumbered.accept(length);
        frames.buffer.putByte(TestFrames.HEADER + SessionOpenDecoder.credentialEncodingOffset(), (byte)3);
        feedNumbered.accept(length);
        // a version 3 writer: a block of 24, the name right after it, read as credential NONE
        frames.buffer.putShort(0, (short)24, ByteOrder.LITTLE_ENDIAN);
        frames.buffer.putShort(2, (short)SessionOpenDecoder.TEMPLATE_ID, ByteOrder.LITTLE_ENDIAN);
        frames.buffer.putShort(4, (short)Protocol.SCHEMA_ID, ByteOrder.LITTLE_ENDIAN);
        frames.buffer.putShort(6, (short)3, ByteOrder.LITTLE_ENDIAN);
        frames.buffer.putLong(TestFrames.HEADER, 78, ByteOrder.LITTLE_ENDIAN);
        frames.buffer.putLong(TestFrames.HEADER + 8, 0, ByteOrder.LITTLE_ENDIAN);
        frames.buffer.putLong(TestFrames.HEADER + 16, 0, ByteOrder.LITTLE_ENDIAN);
        frames.buffer.putShort(TestFrames.HEADER + 24, (short)2, ByteOrder.LITTLE_ENDIAN);
        frames.buffer.putByte(TestFrames.HEADER + 26, (byte)'v');
        frames.buffer.putByte(TestFrames.HEADER + 27, (byte)'3');
        feedNumbered.accept(TestFrames.HEADER + 28);

        assertThat(calls).containsExactly("open 77 4 2 s PROOF 7 9", "open 78 0 0 v3");
        assertThat(counters.value(MALFORMED_FIELD)).as("credential 3").isEqualTo(2);
    }

    private class Recorder implements CommandHandler
    {
        public void onHello(
            final Header header,
            final int destinationId,
            final DirectBuffer name,
            final HelloCredential credential,
            final DirectBuffer nonce,
            final DirectBuffer proof)
        {
            calls.add("hello " + header.sessionId() + " " + destinationId + " " + text(name) +
                (HelloCredential.NONE == credential ? "" : " " + credential));
        }

        public void onTrack(final Header header, final TrackRequest request)
        {
            calls.add("track " + header.sessionId() + " id=" + request.messageId() + " destinations=" +
                Long.toHexString(request.destinations()) + " attempts=" + request.maxAttempts() + " metadata=" +
                request.metadataLength() +
                (request.hasStream() ? " stream=" + request.streamId() + ":" + request.sequence() : ""));
        }

        public void onAck(final Header header, final long messageId, final int destinationId)
        {
            calls.add("ack " + header.sessionId() + " " + messageId + " " + destinationId);
        }

        public void onNack(final Header header, final long messageId, final int destinationId,
            final long redeliverDelayNs, final int errorCode, final DirectBuffer reason)
        {
            calls.add("nack " + header.sessionId() + " " + messageId + " " + destinationId + " code=" + errorCode +
                " " + text(reason));
        }

        public void onReject(final Header header, final long messageId, final int destinationId,
            final int errorCode, final DirectBuffer reason)
        {
            calls.add("reject " + header.sessionId() + " " + messageId + " " + destinationId + " code=" + errorCode +
                " " + text(reason));
        }

        public void onCumulativeAck(final Header header, final int streamId, final int destinationId,
            final long offset)
        {
            calls.add("cumulative " + header.sessionId() + " " + streamId + " " + destinationId + " " + offset);
        }

        public void onLease(final Header header, final long correlationId, final long messageId,
            final int destinationId, final long leaseTimeoutNs)
        {
            calls.add("lease " + header.sessionId() + " " + correlationId + " " + messageId + " " + destinationId);
        }

        public void onExtend(final Header header, final ReceiptHandle handle, final int destinationId,
            final long extensionNs)
        {
            calls.add("extend " + header.sessionId() + " " + handle + " " + destinationId + " " + extensionNs);
        }

        public void onSettle(final Header header, final SettleAction action, final ReceiptHandle handle,
            final int destinationId, final long redeliverDelayNs, final int errorCode, final DirectBuffer reason)
        {
            calls.add("settle " + header.sessionId() + " " + action + " " + handle + " " + destinationId);
        }

        public void onRetired(final Header header, final int templateId, final long correlationId)
        {
            calls.add("retired " + header.sessionId() + " " + templateId + " " + correlationId);
        }

        private String text(final DirectBuffer buffer)
        {
            return buffer.getStringWithoutLengthAscii(0, buffer.capacity());
        }
    }
}

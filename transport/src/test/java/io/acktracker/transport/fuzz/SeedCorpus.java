package io.acktracker.transport.fuzz;

import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.codecs.TrackEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Jazzer seed corpus of {@link InboundFrameFuzzTest}: one valid frame of every inbound template, a sequence that
 * builds state and then acts on it, a few classic malformed frames, and regression inputs, in the input format that
 * test reads. {@code InboundFramePropertiesTest} checks that the files under {@link #DIRECTORY} hold these as built
 * today, and rewrites them when run with {@code -Dacktracker.fuzz.writeSeeds=true} (after a protocol change); any
 * other file there is a Jazzer finding kept as a regression input.
 */
final class SeedCorpus
{
    /** Where Jazzer looks for the inputs of {@code fuzzInboundFrame}, relative to the transport module. */
    static final String DIRECTORY =
        "src/test/resources/io/acktracker/transport/fuzz/InboundFrameFuzzTestInputs/fuzzInboundFrame";

    private static final int SESSION_A = 0;
    private static final int SESSION_C = 2;
    private static final int BEGIN = 1 << 2;

    private SeedCorpus()
    {
    }

    static Map<String, byte[]> seeds()
    {
        final FrameBuilder frames = new FrameBuilder();
        final byte[] reason = "busy".getBytes(StandardCharsets.US_ASCII);
        final byte[] handle = new byte[ReceiptHandle.LENGTH];
        new ReceiptHandle().set(7, 1, 0x1234_5678L, 0x0BAD_F00DL).encode(new UnsafeBuffer(handle), 0);
        final int noStream = TrackEncoder.streamIdNullValue();

        final Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("valid-01-hello", input(SESSION_A, frames.hello(Protocol.BOUND_DESTINATION, ascii("a"))));
        seeds.put("valid-02-track", input(SESSION_A, frames.track(100, 0, 0, 5, 100, 0, 0, 0, 3,
            new int[]{0, 1}, ascii("order-100"))));
        seeds.put("valid-03-ack", input(SESSION_A, frames.ack(1, Protocol.BOUND_DESTINATION)));
        seeds.put("valid-04-nack", input(SESSION_A, frames.nack(2, 1_000_000, 7, 0, reason)));
        seeds.put("valid-05-reject", input(SESSION_A, frames.reject(3, 9, Protocol.BOUND_DESTINATION, reason)));
        seeds.put("valid-06-cumulative-ack", input(SESSION_A, frames.cumulativeAck(4, 5, 0)));
        seeds.put("valid-07-lease", input(SESSION_A, frames.lease(77, 8, 0, Protocol.BOUND_DESTINATION)));
        seeds.put("valid-08-extend", input(SESSION_A, frames.extend(handle, 1_000_000, Protocol.BOUND_DESTINATION)));
        seeds.put("valid-09-settle", input(SESSION_A, frames.settle(handle, 0, 0, 1, 0, reason)));
        seeds.put("valid-10-retired-extend", input(SESSION_A,
            frames.retired(Protocol.RETIRED_EXTEND_TEMPLATE_ID, 9, 25)));
        seeds.put("valid-11-retired-settle", input(SESSION_A,
            frames.retired(Protocol.RETIRED_SETTLE_TEMPLATE_ID, 9, 25)));
        seeds.put("valid-12-session-open", input(SESSION_A, frames.sessionOpen(42, 0, 0, ascii("sender-1"))));
        seeds.put("valid-13-outbox-confirm", input(SESSION_A, frames.outboxConfirm(42, 0)));
        seeds.put("sequence-session-numbered-acks", concat(
            input(SESSION_C, frames.sessionOpen(43, 0, 0, ascii("c"))),
            input(SESSION_C, frames.hello(2, ascii("c"))),
            input(SESSION_C, frames.numberedAck(200, 2, 43, 1)),
            input(SESSION_C, frames.numberedAck(200, 2, 43, 1)),
            input(SESSION_C, frames.numberedAck(201, 2, 43, 3))));
        seeds.put("sequence-hello-track-lease-ack", concat(
            input(SESSION_C, frames.hello(2, ascii("c"))),
            input(SESSION_C, frames.track(200, 0, 0, noStream, 0, 0, 1, 0, 0, new int[]{2, 3}, new byte[0])),
            input(SESSION_C, frames.lease(1, 200, 0, Protocol.BOUND_DESTINATION)),
            input(SESSION_C, frames.ack(200, 2))));

        final WireFrame ack = frames.ack(1, 0);
        seeds.put("malformed-short", input(SESSION_A, new WireFrame(ack.templateId(),
            java.util.Arrays.copyOf(ack.bytes(), 5))));
        final byte[] schema = ack.bytes().clone();
        Wire.putU16(schema, Wire.SCHEMA_ID_OFFSET, 1702);
        seeds.put("malformed-schema", input(SESSION_A, new WireFrame(ack.templateId(), schema)));
        final WireFrame track = frames.track(5, 0, 0, noStream, 0, 0, 0, 0, 0, new int[]{0}, new byte[0]);
        final byte[] count = track.bytes().clone();
        Wire.putU16(count, track.groupOffset() + 2, 0xFFFF);
        seeds.put("malformed-group-count", input(SESSION_A, new WireFrame(track.templateId(), count)));
        final WireFrame nack = frames.nack(1, 0, 0, 0, reason);
        final byte[] text = nack.bytes().clone();
        Wire.putU16(text, nack.varOffset(), 0x8000);
        seeds.put("malformed-var-length", input(SESSION_A, new WireFrame(nack.templateId(), text)));
        seeds.put("malformed-fragment", record(SESSION_A | BEGIN, frames.ack(1, 0).bytes()));

        // The engine took -2^63 as a message id, then threw out of its dead-letter index when the message failed.
        seeds.put("regression-reserved-message-id", concat(
            input(SESSION_A, frames.track(Long.MIN_VALUE, 0, 0, noStream, 0, 0, 0, 0, 0, new int[]{0},
                new byte[0])),
            input(SESSION_A, frames.reject(Long.MIN_VALUE, 9, Protocol.BOUND_DESTINATION, reason))));
        return seeds;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] input(final int control, final WireFrame frame)
    {
        return record(control, frame.bytes());
    }

    private static byte[] record(final int control, final byte[] frame)
    {
        final byte[] record = new byte[3 + frame.length];
        record[0] = (byte)control;
        Wire.putU16(record, 1, frame.length);
        System.arraycopy(frame, 0, record, 3, frame.length);
        return record;
    }

    private static byte[] concat(final byte[]... records)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] record : records)
        {
            out.writeBytes(record);
        }
        return out.toByteArray();
    }
}

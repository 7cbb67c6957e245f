package io.acktracker.transport.fuzz;

import io.acktracker.engine.lease.ReceiptHandle;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.codecs.TrackEncoder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.acktracker.transport.fuzz.Wire.HEADER;

/**
 * jqwik generators of inbound inputs: a valid frame of every inbound template (encoded with the SBE encoders, with
 * field values biased towards the harness's live state and towards edge values), then mutations of it (bit flips,
 * truncation, appended garbage, header fields, group counts and entry lengths, var-data lengths set to boundary,
 * huge or "negative" (top bit set) values, range-checked fields, fragment flags, spliced garbage), and plain random
 * frames.
 */
final class FrameArbitraries
{
    private static final ThreadLocal<FrameBuilder> BUILDER = ThreadLocal.withInitial(FrameBuilder::new);

    /** u16 values worth trying anywhere a length, count or header field lives. */
    private static final List<Integer> U16_BOUNDARIES = List.of(
        0, 1, 2, 7, 8, 9, 13, 21, 25, 40, 41, 42, 45, 46, 47, 63, 64, 65, 255, 256, 257, 1024, 1700, 1701, 1702,
        0x7FFF, 0x8000, 0x8001, 0xFFFE, 0xFFFF);
    private static final List<Integer> U16_DELTAS = List.of(-2, -1, 1, 2, 0x8000);
    private static final List<Long> LONG_EDGES = List.of(
        Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L, 0L, 1L, Long.MAX_VALUE - 1, Long.MAX_VALUE,
        (long)Integer.MAX_VALUE, (long)Integer.MIN_VALUE);

    private FrameArbitraries()
    {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Field values of valid frames
    // ---------------------------------------------------------------------------------------------------------------

    static Arbitrary<Integer> sessions()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.just(InboundHarness.SESSION_A)),
            Tuple.of(2, Arbitraries.just(InboundHarness.SESSION_B)),
            Tuple.of(1, Arbitraries.just(InboundHarness.SESSION_C)));
    }

    /** A destination id a valid command may carry: 0..63, or 255 for "bound to my session". */
    static Arbitrary<Integer> destinationIds()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(5, Arbitraries.just(Protocol.BOUND_DESTINATION)),
            Tuple.of(4, Arbitraries.integers().between(0, 3)),
            Tuple.of(1, Arbitraries.integers().between(0, Protocol.MAX_DESTINATION_ID)));
    }

    static Arbitrary<Long> messageIds()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.longs().between(1, InboundHarness.TRACKED + 8)),
            Tuple.of(1, Arbitraries.of(LONG_EDGES)),
            Tuple.of(2, Arbitraries.longs()));
    }

    static Arbitrary<Long> durations()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.just(0L)),
            Tuple.of(3, Arbitraries.longs().between(1, TimeUnit.SECONDS.toNanos(60))),
            Tuple.of(2, Arbitraries.of(LONG_EDGES)),
            Tuple.of(1, Arbitraries.longs()));
    }

    static Arbitrary<Integer> ints()
    {
        return Arbitraries.oneOf(Arbitraries.integers().between(-2, 16), Arbitraries.integers(),
            Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    static Arbitrary<byte[]> names()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.of("a", "b", "c", "d", "e")),
            Tuple.of(1, Combinators.combine(Arbitraries.integers().between(1, Protocol.MAX_NAME_LENGTH),
                Arbitraries.longs()).as((length, seed) -> new SplittableRandom(seed).ints(length, '!', '~' + 1)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString())))
            .map((name) -> name.getBytes(StandardCharsets.US_ASCII));
    }

    static Arbitrary<byte[]> bytes(final int maxLength)
    {
        return Arbitraries.frequencyOf(
            Tuple.of(3, noise(0, 16)),
            Tuple.of(1, noise(0, maxLength)),
            Tuple.of(1, noise(maxLength, maxLength)));
    }

    /**
     * Random bytes, cheaply: a length and a seed rather than one generated (and shrinkable) value per byte, which
     * would make generation cost far more than feeding the frame. Shrinking still shortens them.
     */
    static Arbitrary<byte[]> noise(final int minLength, final int maxLength)
    {
        return Combinators.combine(Arbitraries.integers().between(minLength, maxLength), Arbitraries.longs())
            .as((length, seed) ->
            {
                final byte[] bytes = new byte[length];
                new SplittableRandom(seed).nextBytes(bytes);
                return bytes;
            });
    }

    /** A receipt handle: forged (random fields) for a live message or any bytes at all. */
    static Arbitrary<byte[]> handles()
    {
        final Arbitrary<byte[]> forged = Combinators.combine(messageIds(), Arbitraries.integers().between(0, 4),
            Arbitraries.longs(), Arbitraries.longs()).as((id, delivery, nonce, mac) ->
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ReceiptHandle.LENGTH]);
                new ReceiptHandle().set(id, delivery, nonce, mac).encode(buffer, 0);
                return buffer.byteArray();
            });
        return Arbitraries.oneOf(forged, noise(ReceiptHandle.LENGTH, ReceiptHandle.LENGTH));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Valid frames of every inbound template
    // ---------------------------------------------------------------------------------------------------------------

    static Arbitrary<WireFrame> hello()
    {
        return Combinators.combine(destinationIds(), names()).as((id, name) -> BUILDER.get().hello(id, name));
    }

    private record TrackHead(long messageId, long ackTimeoutNs, long ttlNs, int streamId, long sequence,
        int messageClass, int requiredAcks, int priority)
    {
    }

    static Arbitrary<WireFrame> track()
    {
        final Arbitrary<TrackHead> head = Combinators.combine(
            messageIds(),
            durations(),
            durations(),
            Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(TrackEncoder.streamIdNullValue())),
                Tuple.of(2, Arbitraries.just(5)),
                Tuple.of(1, Arbitraries.integers())),
            Arbitraries.oneOf(Arbitraries.longs().between(0, 64), Arbitraries.longs()),
            Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(0, 0xFFFF))),
            Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(0)),
                Tuple.of(2, Arbitraries.integers().between(1, 4)),
                Tuple.of(1, Arbitraries.integers().between(0, 255))),
            Arbitraries.integers().between(-128, 127))
            .as(TrackHead::new);
        final Arbitrary<int[]> destinations = Combinators.combine(
            Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, 4)),
                Tuple.of(1, Arbitraries.integers().between(0, Protocol.MAX_TRACK_DESTINATIONS))),
            Arbitraries.of(4, Protocol.MAX_DESTINATION_ID + 1),
            Arbitraries.longs()).as((count, range, seed) -> new SplittableRandom(seed).ints(count, 0, range).toArray());
        final Arbitrary<Integer> maxAttempts = Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.integers().between(0, 15)),
            Tuple.of(1, Arbitraries.integers().between(0, 255)));
        return Combinators.combine(head, maxAttempts, destinations, bytes(Protocol.MAX_METADATA_LENGTH))
            .as((h, attempts, ids, metadata) -> BUILDER.get().track(h.messageId, h.ackTimeoutNs, h.ttlNs,
                h.streamId, h.sequence, h.messageClass, h.requiredAcks, h.priority, attempts, ids, metadata));
    }

    static Arbitrary<WireFrame> ack()
    {
        return Combinators.combine(messageIds(), destinationIds()).as((id, dest) -> BUILDER.get().ack(id, dest));
    }

    static Arbitrary<WireFrame> nack()
    {
        return Combinators.combine(messageIds(), durations(), ints(), destinationIds(),
            bytes(Protocol.MAX_REASON_LENGTH))
            .as((id, delay, code, dest, reason) -> BUILDER.get().nack(id, delay, code, dest, reason));
    }

    static Arbitrary<WireFrame> reject()
    {
        return Combinators.combine(messageIds(), ints(), destinationIds(), bytes(Protocol.MAX_REASON_LENGTH))
            .as((id, code, dest, reason) -> BUILDER.get().reject(id, code, dest, reason));
    }

    static Arbitrary<WireFrame> cumulativeAck()
    {
        return Combinators.combine(
            Arbitraries.oneOf(Arbitraries.longs().between(-1, InboundHarness.TRACKED + 2), Arbitraries.of(LONG_EDGES)),
            Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(5)), Tuple.of(1, Arbitraries.integers())),
            destinationIds())
            .as((offset, stream, dest) -> BUILDER.get().cumulativeAck(offset, stream, dest));
    }

    static Arbitrary<WireFrame> lease()
    {
        return Combinators.combine(Arbitraries.longs(), messageIds(), durations(), destinationIds())
            .as((correlation, id, timeout, dest) -> BUILDER.get().lease(correlation, id, timeout, dest));
    }

    static Arbitrary<WireFrame> extend()
    {
        return Combinators.combine(handles(), durations(), destinationIds())
            .as((handle, extension, dest) -> BUILDER.get().extend(handle, extension, dest));
    }

    static Arbitrary<WireFrame> settle()
    {
        return Combinators.combine(handles(), durations(), ints(), Arbitraries.integers().between(0, 2),
            destinationIds(), bytes(Protocol.MAX_REASON_LENGTH))
            .as((handle, delay, code, action, dest, reason) ->
                BUILDER.get().settle(handle, delay, code, action, dest, reason));
    }

    static Arbitrary<WireFrame> retired()
    {
        return Combinators.combine(Arbitraries.of(Protocol.RETIRED_EXTEND_TEMPLATE_ID,
            Protocol.RETIRED_SETTLE_TEMPLATE_ID), messageIds(), Arbitraries.integers().between(8, 48))
            .as((template, id, block) -> BUILDER.get().retired(template, id, block));
    }

    /**
     * A valid frame of any inbound template, as this version writes it, or as version 1 wrote it, or as a newer
     * version would (fields appended to the root block, bytes after the last field): every one must be handled.
     */
    static Arbitrary<WireFrame> validFrames()
    {
        // No jqwik edge cases here: Track's many fields would make its edge combinations crowd out every other
        // template (the field generators above already favour edge values).
        final Arbitrary<WireFrame> current = Arbitraries.oneOf(hello(), track(), ack(), nack(), reject(),
            cumulativeAck(), lease(), extend(), settle(), retired()).withoutEdgeCases();
        final Arbitrary<byte[]> extra = noise(0, 24);
        return Arbitraries.frequencyOf(
            Tuple.of(6, current),
            Tuple.of(1, current.map((frame) -> FrameBuilder.asVersion(frame, 1, new byte[0], new byte[0]))),
            Tuple.of(2, Combinators.combine(current, Arbitraries.integers().between(3, 0xFFFF), extra, extra)
                .as(FrameBuilder::asVersion)));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Inputs: valid, mutated, random
    // ---------------------------------------------------------------------------------------------------------------

    static Arbitrary<FuzzInput> valid()
    {
        return Combinators.combine(validFrames(), sessions())
            .as((frame, session) -> new FuzzInput("valid", frame.bytes(), Wire.UNFRAGMENTED, session, frame));
    }

    /** 1 to 8 bits flipped anywhere in a valid frame. */
    static Arbitrary<FuzzInput> bitFlipped()
    {
        return Combinators.combine(validFrames(), Arbitraries.integers().between(1, 8), Arbitraries.longs(),
            sessions()).as((frame, flips, seed, session) ->
            {
                final byte[] bytes = frame.bytes().clone();
                final SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < flips; i++)
                {
                    final int bit = random.nextInt(bytes.length * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                }
                return new FuzzInput("bit-flips", bytes, Wire.UNFRAGMENTED, session, frame);
            });
    }

    /** A valid frame cut short anywhere, header included: always malformed. */
    static Arbitrary<FuzzInput> truncated()
    {
        return Combinators.combine(validFrames(), Arbitraries.integers().greaterOrEqual(0), sessions())
            .as((frame, cut, session) -> new FuzzInput("truncated",
                Arrays.copyOf(frame.bytes(), cut % frame.length()), Wire.UNFRAGMENTED, session, frame));
    }

    /** Garbage after the last field of a valid frame: a newer writer's fields, to be skipped. */
    static Arbitrary<FuzzInput> appended()
    {
        return Combinators.combine(validFrames(), noise(1, 64),
            sessions()).as((frame, garbage, session) ->
            {
                final byte[] bytes = Arrays.copyOf(frame.bytes(), frame.length() + garbage.length);
                System.arraycopy(garbage, 0, bytes, frame.length(), garbage.length);
                return new FuzzInput("appended", bytes, Wire.UNFRAGMENTED, session, frame);
            });
    }

    /** A u16 value: a boundary, the real value nudged (or with its top bit flipped), or anything. */
    private record U16(boolean relative, int value)
    {
        int apply(final int real)
        {
            return (relative ? real + value : value) & 0xFFFF;
        }
    }

    private static Arbitrary<U16> u16s()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.of(U16_BOUNDARIES).map((v) -> new U16(false, v))),
            Tuple.of(2, Arbitraries.of(U16_DELTAS).map((v) -> new U16(true, v))),
            Tuple.of(1, Arbitraries.integers().between(0, 0xFFFF).map((v) -> new U16(false, v))));
    }

    /** One header field (block length, template id, schema id, version) set to a boundary or nudged value. */
    static Arbitrary<FuzzInput> headerCorrupted()
    {
        return Combinators.combine(validFrames(), Arbitraries.of(Wire.BLOCK_LENGTH_OFFSET, Wire.TEMPLATE_ID_OFFSET,
            Wire.SCHEMA_ID_OFFSET, Wire.VERSION_OFFSET), u16s(), sessions()).as((frame, field, value, session) ->
            {
                final byte[] bytes = frame.bytes().clone();
                Wire.putU16(bytes, field, value.apply(Wire.u16(bytes, field)));
                return new FuzzInput("header-" + headerFieldName(field), bytes, Wire.UNFRAGMENTED, session, frame);
            });
    }

    /**
     * Track's group entry length or count, or a var-data length (name, reason, metadata) set to a boundary, huge or
     * top-bit-set value, or nudged by one either way. Frames without either get their block length instead.
     */
    static Arbitrary<FuzzInput> lengthsCorrupted()
    {
        return Combinators.combine(validFrames(), Arbitraries.integers().between(0, 2), u16s(), sessions())
            .as((frame, target, value, session) ->
            {
                final byte[] bytes = frame.bytes().clone();
                final int at;
                final String kind;
                if (WireFrame.NONE != frame.groupOffset() && target < 2)
                {
                    at = frame.groupOffset() + (0 == target ? 0 : 2);
                    kind = 0 == target ? "group-entry-length" : "group-count";
                }
                else if (WireFrame.NONE != frame.varOffset())
                {
                    at = frame.varOffset();
                    kind = "var-length";
                }
                else
                {
                    at = Wire.BLOCK_LENGTH_OFFSET;
                    kind = "header-block-length";
                }
                Wire.putU16(bytes, at, value.apply(Wire.u16(bytes, at)));
                return new FuzzInput(kind, bytes, Wire.UNFRAGMENTED, session, frame);
            });
    }

    /**
     * A range-checked byte (destination id, settle action, a track's destination entry) set to any value, or a
     * 64-bit field of the root block set to an edge value (a well-formed frame with a hostile value: the engine
     * must refuse it, never throw).
     */
    static Arbitrary<FuzzInput> fieldsCorrupted()
    {
        return Combinators.combine(validFrames(), Arbitraries.integers().between(0, 255), Arbitraries.of(LONG_EDGES),
            Arbitraries.integers().greaterOrEqual(0), sessions()).as((frame, byteValue, longValue, where, session) ->
            {
                final byte[] bytes = frame.bytes().clone();
                final int groupEntry = WireFrame.NONE == frame.groupOffset() ||
                    0 == Wire.u16(bytes, frame.groupOffset() + 2) ? WireFrame.NONE : frame.groupOffset() + 4;
                final int choice = where % 3;
                final String kind;
                if ((0 == choice || frame.blockLength() < Long.BYTES) && WireFrame.NONE != frame.destinationIdOffset())
                {
                    bytes[frame.destinationIdOffset()] = (byte)(int)byteValue;
                    kind = "destination-id";
                }
                else if (choice <= 1 && WireFrame.NONE != frame.actionOffset())
                {
                    bytes[frame.actionOffset()] = (byte)(int)byteValue;
                    kind = "settle-action";
                }
                else if (choice <= 1 && WireFrame.NONE != groupEntry)
                {
                    bytes[groupEntry] = (byte)(int)byteValue;
                    kind = "group-entry";
                }
                else
                {
                    final int fields = Math.max(1, frame.blockLength() - Long.BYTES + 1);
                    Wire.putLong(bytes, HEADER + (where / 3) % fields, longValue);
                    kind = "long-field";
                }
                return new FuzzInput(kind, bytes, Wire.UNFRAGMENTED, session, frame);
            });
    }

    /** A valid frame arriving as one fragment of a larger message: begin, middle or end. */
    static Arbitrary<FuzzInput> fragmented()
    {
        return Combinators.combine(validFrames(), Arbitraries.of(Wire.BEGIN_ONLY, Wire.END_ONLY, Wire.MIDDLE),
            sessions()).as((frame, flags, session) -> new FuzzInput("fragmented", frame.bytes(), flags, session,
            frame));
    }

    /** Random bytes written over part of a valid frame, possibly past its end. */
    static Arbitrary<FuzzInput> spliced()
    {
        return Combinators.combine(validFrames(), Arbitraries.integers().greaterOrEqual(0),
            noise(1, 32), sessions())
            .as((frame, where, garbage, session) ->
            {
                final int at = where % frame.length();
                final byte[] bytes = Arrays.copyOf(frame.bytes(), Math.max(frame.length(), at + garbage.length));
                System.arraycopy(garbage, 0, bytes, at, garbage.length);
                return new FuzzInput("spliced", bytes, Wire.UNFRAGMENTED, session, frame);
            });
    }

    /** Random bytes, half of them behind a plausible header (our schema, an inbound or nearby template). */
    static Arbitrary<FuzzInput> random()
    {
        final Arbitrary<byte[]> noise = noise(0, 600);
        final Arbitrary<FuzzInput> plain = Combinators.combine(noise, sessions())
            .as((bytes, session) -> new FuzzInput("random", bytes, Wire.UNFRAGMENTED, session, null));
        final Arbitrary<FuzzInput> headed = Combinators.combine(noise, Arbitraries.integers().between(0, 0xFFFF),
            Arbitraries.integers().between(0, 13), Arbitraries.integers().between(0, 3), sessions())
            .as((body, block, template, version, session) ->
            {
                final byte[] bytes = new byte[HEADER + body.length];
                Wire.putU16(bytes, Wire.BLOCK_LENGTH_OFFSET, block % 64);
                Wire.putU16(bytes, Wire.TEMPLATE_ID_OFFSET, template);
                Wire.putU16(bytes, Wire.SCHEMA_ID_OFFSET, Protocol.SCHEMA_ID);
                Wire.putU16(bytes, Wire.VERSION_OFFSET, version);
                System.arraycopy(body, 0, bytes, HEADER, body.length);
                return new FuzzInput("random-after-header", bytes, Wire.UNFRAGMENTED, session, null);
            });
        return Arbitraries.oneOf(plain, headed);
    }

    /** Everything above, for the long run. */
    static Arbitrary<FuzzInput> anything()
    {
        return Arbitraries.oneOf(valid(), bitFlipped(), truncated(), appended(), headerCorrupted(),
            lengthsCorrupted(), fieldsCorrupted(), fragmented(), spliced(), random());
    }

    private static String headerFieldName(final int offset)
    {
        switch (offset)
        {
            case Wire.BLOCK_LENGTH_OFFSET:
                return "block-length";
            case Wire.TEMPLATE_ID_OFFSET:
                return "template-id";
            case Wire.SCHEMA_ID_OFFSET:
                return "schema-id";
            default:
                return "version";
        }
    }
}

package io.acktracker.transport.fuzz;

import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.testing.Gen;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.codecs.TrackEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.acktracker.engine.testing.Gen.weighted;
import static io.acktracker.transport.fuzz.Wire.HEADER;

/**
 * Seeded generators ({@link Gen}) of inbound inputs: a valid frame of every inbound template (encoded with the SBE
 * encoders, with field values biased towards the harness's live state and towards edge values), then mutations of it
 * (bit flips, truncation, appended garbage, header fields, group counts and entry lengths, var-data lengths set to
 * boundary, huge or "negative" (top bit set) values, range-checked fields, fragment flags, spliced garbage), and
 * plain random frames. Inputs are not shrunk: a failure names its input in hex, with the seed that replays it.
 */
final class FrameGenerators
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

    private FrameGenerators()
    {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Field values of valid frames
    // ---------------------------------------------------------------------------------------------------------------

    static Gen<Integer> sessions()
    {
        return Gen.frequency(
            weighted(4, Gen.just(InboundHarness.SESSION_A)),
            weighted(2, Gen.just(InboundHarness.SESSION_B)),
            weighted(1, Gen.just(InboundHarness.SESSION_C)));
    }

    /** A destination id a valid command may carry: 0..63, or 255 for "bound to my session". */
    static Gen<Integer> destinationIds()
    {
        return Gen.frequency(
            weighted(5, Gen.just(Protocol.BOUND_DESTINATION)),
            weighted(4, Gen.ints(0, 3)),
            weighted(1, Gen.ints(0, Protocol.MAX_DESTINATION_ID)));
    }

    static Gen<Long> messageIds()
    {
        return Gen.frequency(
            weighted(6, Gen.longs(1, InboundHarness.TRACKED + 8)),
            weighted(1, Gen.of(LONG_EDGES)),
            weighted(2, Gen.longs()));
    }

    static Gen<Long> durations()
    {
        return Gen.frequency(
            weighted(3, Gen.just(0L)),
            weighted(3, Gen.longs(1, TimeUnit.SECONDS.toNanos(60))),
            weighted(2, Gen.of(LONG_EDGES)),
            weighted(1, Gen.longs()));
    }

    static Gen<Integer> ints()
    {
        return Gen.oneOf(Gen.ints(-2, 16), Gen.ints(), Gen.of(Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    static Gen<byte[]> names()
    {
        final Gen<Integer> lengths = Gen.ints(1, Protocol.MAX_NAME_LENGTH);
        final Gen<String> printable = (random) -> random.ints(lengths.next(random), '!', '~' + 1)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return Gen.frequency(
            weighted(4, Gen.of("a", "b", "c", "d", "e")),
            weighted(1, printable))
            .map((name) -> name.getBytes(StandardCharsets.US_ASCII));
    }

    static Gen<byte[]> bytes(final int maxLength)
    {
        return Gen.frequency(
            weighted(3, noise(0, 16)),
            weighted(1, noise(0, maxLength)),
            weighted(1, noise(maxLength, maxLength)));
    }

    /** Random bytes of a length in {@code [minLength, maxLength]}. */
    static Gen<byte[]> noise(final int minLength, final int maxLength)
    {
        final Gen<Integer> lengths = Gen.ints(minLength, maxLength);
        return (random) ->
        {
            final byte[] bytes = new byte[lengths.next(random)];
            random.nextBytes(bytes);
            return bytes;
        };
    }

    /** A receipt handle: forged (random fields) for a live message or any bytes at all. */
    static Gen<byte[]> handles()
    {
        final Gen<Long> ids = messageIds();
        final Gen<Integer> deliveries = Gen.ints(0, 4);
        final Gen<byte[]> forged = (random) ->
        {
            final long id = ids.next(random);
            final int delivery = deliveries.next(random);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ReceiptHandle.LENGTH]);
            new ReceiptHandle().set(id, delivery, random.nextLong(), random.nextLong()).encode(buffer, 0);
            return buffer.byteArray();
        };
        return Gen.oneOf(forged, noise(ReceiptHandle.LENGTH, ReceiptHandle.LENGTH));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Valid frames of every inbound template
    // ---------------------------------------------------------------------------------------------------------------

    static Gen<WireFrame> hello()
    {
        final Gen<Integer> ids = destinationIds();
        final Gen<byte[]> names = names();
        final Gen<Integer> credentials = Gen.ints(0, 2);
        return (random) -> BUILDER.get().hello(ids.next(random), names.next(random), credentials.next(random));
    }

    static Gen<WireFrame> track()
    {
        final Gen<Long> ids = messageIds();
        final Gen<Long> durations = durations();
        final Gen<Integer> streamIds = Gen.frequency(
            weighted(4, Gen.just(TrackEncoder.streamIdNullValue())),
            weighted(2, Gen.just(5)),
            weighted(1, Gen.ints()));
        final Gen<Long> sequences = Gen.oneOf(Gen.longs(0, 64), Gen.longs());
        final Gen<Integer> messageClasses = Gen.frequency(
            weighted(6, Gen.just(0)),
            weighted(1, Gen.ints(0, 0xFFFF)));
        final Gen<Integer> requiredAcks = Gen.frequency(
            weighted(4, Gen.just(0)),
            weighted(2, Gen.ints(1, 4)),
            weighted(1, Gen.ints(0, 255)));
        final Gen<Integer> priorities = Gen.ints(-128, 127);
        final Gen<Integer> maxAttempts = Gen.frequency(
            weighted(4, Gen.ints(0, 15)),
            weighted(1, Gen.ints(0, 255)));
        final Gen<Integer> counts = Gen.frequency(
            weighted(6, Gen.ints(0, 4)),
            weighted(1, Gen.ints(0, Protocol.MAX_TRACK_DESTINATIONS)));
        final Gen<Integer> ranges = Gen.of(4, Protocol.MAX_DESTINATION_ID + 1);
        final Gen<int[]> destinations = (random) -> random.ints(counts.next(random), 0, ranges.next(random)).toArray();
        final Gen<byte[]> metadata = bytes(Protocol.MAX_METADATA_LENGTH);
        return (random) -> BUILDER.get().track(
            ids.next(random),
            durations.next(random),
            durations.next(random),
            streamIds.next(random),
            sequences.next(random),
            messageClasses.next(random),
            requiredAcks.next(random),
            priorities.next(random),
            maxAttempts.next(random),
            destinations.next(random),
            metadata.next(random));
    }

    static Gen<WireFrame> ack()
    {
        final Gen<Long> ids = messageIds();
        final Gen<Integer> destinations = destinationIds();
        return (random) -> BUILDER.get().ack(ids.next(random), destinations.next(random));
    }

    static Gen<WireFrame> nack()
    {
        final Gen<Long> ids = messageIds();
        final Gen<Long> delays = durations();
        final Gen<Integer> codes = ints();
        final Gen<Integer> destinations = destinationIds();
        final Gen<byte[]> reasons = bytes(Protocol.MAX_REASON_LENGTH);
        return (random) -> BUILDER.get().nack(ids.next(random), delays.next(random), codes.next(random),
            destinations.next(random), reasons.next(random));
    }

    static Gen<WireFrame> reject()
    {
        final Gen<Long> ids = messageIds();
        final Gen<Integer> codes = ints();
        final Gen<Integer> destinations = destinationIds();
        final Gen<byte[]> reasons = bytes(Protocol.MAX_REASON_LENGTH);
        return (random) -> BUILDER.get().reject(ids.next(random), codes.next(random), destinations.next(random),
            reasons.next(random));
    }

    static Gen<WireFrame> cumulativeAck()
    {
        final Gen<Long> offsets = Gen.oneOf(Gen.longs(-1, InboundHarness.TRACKED + 2), Gen.of(LONG_EDGES));
        final Gen<Integer> streamIds = Gen.frequency(weighted(3, Gen.just(5)), weighted(1, Gen.ints()));
        final Gen<Integer> destinations = destinationIds();
        return (random) -> BUILDER.get().cumulativeAck(offsets.next(random), streamIds.next(random),
            destinations.next(random));
    }

    static Gen<WireFrame> lease()
    {
        final Gen<Long> ids = messageIds();
        final Gen<Long> timeouts = durations();
        final Gen<Integer> destinations = destinationIds();
        return (random) -> BUILDER.get().lease(random.nextLong(), ids.next(random), timeouts.next(random),
            destinations.next(random));
    }

    static Gen<WireFrame> extend()
    {
        final Gen<byte[]> handles = handles();
        final Gen<Long> extensions = durations();
        final Gen<Integer> destinations = destinationIds();
        return (random) -> BUILDER.get().extend(handles.next(random), extensions.next(random),
            destinations.next(random));
    }

    static Gen<WireFrame> settle()
    {
        final Gen<byte[]> handles = handles();
        final Gen<Long> delays = durations();
        final Gen<Integer> codes = ints();
        final Gen<Integer> actions = Gen.ints(0, 2);
        final Gen<Integer> destinations = destinationIds();
        final Gen<byte[]> reasons = bytes(Protocol.MAX_REASON_LENGTH);
        return (random) -> BUILDER.get().settle(handles.next(random), delays.next(random), codes.next(random),
            actions.next(random), destinations.next(random), reasons.next(random));
    }

    static Gen<WireFrame> retired()
    {
        final Gen<Integer> templates = Gen.of(Protocol.RETIRED_EXTEND_TEMPLATE_ID, Protocol.RETIRED_SETTLE_TEMPLATE_ID);
        final Gen<Long> ids = messageIds();
        final Gen<Integer> blocks = Gen.ints(8, 48);
        return (random) -> BUILDER.get().retired(templates.next(random), ids.next(random), blocks.next(random));
    }

    /**
     * A valid frame of any inbound template, as this version writes it, or as version 1 wrote it, or as a newer
     * version would (fields appended to the root block, bytes after the last field): every one must be handled.
     */
    static Gen<WireFrame> validFrames()
    {
        final Gen<WireFrame> current = Gen.oneOf(hello(), track(), ack(), nack(), reject(), cumulativeAck(), lease(),
            extend(), settle(), retired());
        final Gen<Integer> versions = Gen.ints(3, 0xFFFF);
        final Gen<byte[]> extra = noise(0, 24);
        return Gen.frequency(
            weighted(6, current),
            weighted(1, current.map((frame) -> FrameBuilder.asVersion(frame, 1, new byte[0], new byte[0]))),
            weighted(2, (random) -> FrameBuilder.asVersion(
                current.next(random), versions.next(random), extra.next(random), extra.next(random))));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Inputs: valid, mutated, random
    // ---------------------------------------------------------------------------------------------------------------

    static Gen<FuzzInput> valid()
    {
        final Gen<WireFrame> frames = validFrames();
        final Gen<Integer> sessions = sessions();
        return (random) ->
        {
            final WireFrame frame = frames.next(random);
            return new FuzzInput("valid", frame.bytes(), Wire.UNFRAGMENTED, sessions.next(random), frame);
        };
    }

    /** 1 to 8 bits flipped anywhere in a valid frame. */
    static Gen<FuzzInput> bitFlipped()
    {
        final Gen<WireFrame> frames = validFrames();
        final Gen<Integer> flipCounts = Gen.ints(1, 8);
        final Gen<Integer> sessions = sessions();
        return (random) ->
        {
            final WireFrame frame = frames.next(random);
            final int flips = flipCounts.next(random);
            final byte[] bytes = frame.bytes().clone();
            for (int i = 0; i < flips; i++)
            {
                final int bit = random.nextInt(bytes.length * 8);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            }
            return new FuzzInput("bit-flips", bytes, Wire.UNFRAGMENTED, sessions.next(random), frame);
        };
    }

    /** A valid frame cut short anywhere, header included: always malformed. */
    static Gen<FuzzInput> truncated()
    {
        final Gen<WireFrame> frames = validFrames();
        final Gen<Integer> sessions = sessions();
        return (random) ->
        {
            final WireFrame frame = frames.next(random);
            final int cut = random.nextInt(frame.length());
            return new FuzzInput("truncated", Arrays.copyOf(frame.bytes(), cut), Wire.UNFRAGMENTED,
                sessions.next(random), frame);
        };
    }

    /** Garbage after the last field of a valid frame: a newer writer's fields, to be skipped. */
    static Gen<FuzzInput> appended()
    {
        final Gen<WireFrame> frames = validFrames();
        final Gen<byte[]> garbages = noise(1, 64);
        final Gen<Integer> sessions = sessions();
        return (random) ->
        {
            final WireFrame frame = frames.next(random);
            final byte[] garbage = garbages.next(random);
            final byte[] bytes = Arrays.copyOf(frame.bytes(), frame.length() + garbage.length);
            System.arraycopy(garbage, 0, bytes, frame.length(), garbage.length);
            return new FuzzInput("appended", bytes, Wire.UNFRAGMENTED, sessions.next(random), frame);
        };
    }

    /** A u16 value: a boundary, the real value nudged (or with its top bit flipped), or anything. */
    private record U16(boolean relative, int value)
    {
        int apply(final int real)
        {
            return (relative ? real + value : value) & 0xFFFF;
        }
    }

    private static Gen<U16> u16s()
    {
        return Gen.frequency(
            weighted(3, Gen.of(U16_BOUNDARIES).map((v) -> new U16(false, v))),
            weighted(2, Gen.of(U16_DELTAS).map((v) -> new U16(true, v))),
            weighted(1, Gen.ints(0, 0xFFFF).map((v) -> new U16(false, v))));
    }

    /** One header field (block length, template id, schema id, version) set to a boundary or nudged value. */
    static Gen<FuzzInput> headerCorrupted()
    {
        final Gen<WireFrame> frames = validFrames();
        final Gen<Integer> fields = Gen.of(
            Wire.BLOCK_LENGTH_OFFSET, Wire.TEMPLATE_ID_OFFSET, Wire.SCHEMA_ID_OFFSET, Wire.VERSION_OFFSET);
        final Gen<U16> values = u16s();
        final Gen<Integer> sessions = sessions();
        return (random) ->
        {
            final WireFrame frame = frames.next(random);
            final int field = fields.next(random);
            final byte[] bytes = frame.bytes().clone();
            Wire.putU16(bytes, field, values.next(random).apply(Wire.u16(bytes, field)));
            return new FuzzInput("header-" + headerFieldName(field), bytes, Wire.UNFRAGMENTED, sessions.next(random),
                frame);
        };
    }

    /**
     * Track's group entry length or count, or a var-data length (name, reason, metadata) set to a boundary, huge or
     * top-bit-set value, or nudged by one either way. Frames without either get their block length instead.
     */
    static Gen<FuzzInput> lengthsCorrupted()
    {
        final Gen<WireFrame> frames = validFrames();
        final Gen<Integer> targets = Gen.ints(0, 2);
        final Gen<U16> values = u16s();
        final Gen<Integer> sessions = sessions();
        return (random) ->
        {
            final WireFrame frame = frames.next(random);
            final int target = targets.next(random);
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
            Wire.putU16(bytes, at, values.next(random).apply(Wire.u16(bytes, at)));
            return new FuzzInput(kind, bytes, Wire.UNFRAGMENTED, sessions.next(random), frame);
        };
    }

    /**
     * A range-checked byte (destination id, settle action, a track's destination entry) set to any value, or a
     * 64-bit field of the root block set to an edge value (a well-formed frame with a hostile value: the engine
     * must refuse it, never throw).
     */
    static Gen<FuzzInput> fieldsCorrupted()
    {
        final Gen<WireFrame> frames = validFrames();
        final Gen<Integer> byteValues = Gen.ints(0, 255);
        final Gen<Long> longValues = Gen.of(LONG_EDGES);
        final Gen<Integer> wheres = Gen.ints(0, Integer.MAX_VALUE);
        final Gen<Integer> sessions = sessions();
        return (random) ->
        {
            final WireFrame frame = frames.next(random);
            final int byteValue = byteValues.next(random);
            final long longValue = longValues.next(random);
            final int where = wheres.next(random);
            final byte[] bytes = frame.bytes().clone();
            final int groupEntry = WireFrame.NONE == frame.groupOffset() ||
                0 == Wire.u16(bytes, frame.groupOffset() + 2) ? WireFrame.NONE : frame.groupOffset() + 4;
            final int choice = where % 3;
            final String kind;
            if ((0 == choice || frame.blockLength() < Long.BYTES) && WireFrame.NONE != frame.destinationIdOffset())
            {
                bytes[frame.destinationIdOffset()] = (byte)byteValue;
                kind = "destination-id";
            }
            else if (choice <= 1 && WireFrame.NONE != frame.actionOffset())
            {
                bytes[frame.actionOffset()] = (byte)byteValue;
                kind = "settle-action";
            }
            else if (choice <= 1 && WireFrame.NONE != groupEntry)
            {
                bytes[groupEntry] = (byte)byteValue;
                kind = "group-entry";
            }
            else
            {
                final int fields = Math.max(1, frame.blockLength() - Long.BYTES + 1);
                Wire.putLong(bytes, HEADER + (where / 3) % fields, longValue);
                kind = "long-field";
            }
            return new FuzzInput(kind, bytes, Wire.UNFRAGMENTED, sessions.next(random), frame);
        };
    }

    /** A valid frame arriving as one fragment of a larger message: begin, middle or end. */
    static Gen<FuzzInput> fragmented()
    {
        final Gen<WireFrame> frames = validFrames();
        final Gen<Byte> flags = Gen.of(Wire.BEGIN_ONLY, Wire.END_ONLY, Wire.MIDDLE);
        final Gen<Integer> sessions = sessions();
        return (random) ->
        {
            final WireFrame frame = frames.next(random);
            return new FuzzInput("fragmented", frame.bytes(), flags.next(random), sessions.next(random), frame);
        };
    }

    /** Random bytes written over part of a valid frame, possibly past its end. */
    static Gen<FuzzInput> spliced()
    {
        final Gen<WireFrame> frames = validFrames();
        final Gen<byte[]> garbages = noise(1, 32);
        final Gen<Integer> sessions = sessions();
        return (random) ->
        {
            final WireFrame frame = frames.next(random);
            final int at = random.nextInt(frame.length());
            final byte[] garbage = garbages.next(random);
            final byte[] bytes = Arrays.copyOf(frame.bytes(), Math.max(frame.length(), at + garbage.length));
            System.arraycopy(garbage, 0, bytes, at, garbage.length);
            return new FuzzInput("spliced", bytes, Wire.UNFRAGMENTED, sessions.next(random), frame);
        };
    }

    /** Random bytes, half of them behind a plausible header (our schema, an inbound or nearby template). */
    static Gen<FuzzInput> random()
    {
        final Gen<byte[]> noise = noise(0, 600);
        final Gen<Integer> sessions = sessions();
        final Gen<Integer> blocks = Gen.ints(0, 63);
        final Gen<Integer> templates = Gen.ints(0, 13);
        final Gen<Integer> versions = Gen.ints(0, 3);
        final Gen<FuzzInput> plain = (random) ->
            new FuzzInput("random", noise.next(random), Wire.UNFRAGMENTED, sessions.next(random), null);
        final Gen<FuzzInput> headed = (random) ->
        {
            final byte[] body = noise.next(random);
            final byte[] bytes = new byte[HEADER + body.length];
            Wire.putU16(bytes, Wire.BLOCK_LENGTH_OFFSET, blocks.next(random));
            Wire.putU16(bytes, Wire.TEMPLATE_ID_OFFSET, templates.next(random));
            Wire.putU16(bytes, Wire.SCHEMA_ID_OFFSET, Protocol.SCHEMA_ID);
            Wire.putU16(bytes, Wire.VERSION_OFFSET, versions.next(random));
            System.arraycopy(body, 0, bytes, HEADER, body.length);
            return new FuzzInput("random-after-header", bytes, Wire.UNFRAGMENTED, sessions.next(random), null);
        };
        return Gen.oneOf(plain, headed);
    }

    /** Everything above, for the long run. */
    static Gen<FuzzInput> anything()
    {
        return Gen.oneOf(valid(), bitFlipped(), truncated(), appended(), headerCorrupted(), lengthsCorrupted(),
            fieldsCorrupted(), fragmented(), spliced(), random());
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

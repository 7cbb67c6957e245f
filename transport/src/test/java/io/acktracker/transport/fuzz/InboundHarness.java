package io.acktracker.transport.fuzz;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.DestinationStats;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.ProtocolError;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.TransportErrors;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.NonceSource;
import io.acktracker.transport.codecs.AckDecoder;
import io.acktracker.transport.codecs.CumulativeAckDecoder;
import io.acktracker.transport.codecs.DestinationHelloDecoder;
import io.acktracker.transport.codecs.ExtendDecoder;
import io.acktracker.transport.codecs.HelloCredential;
import io.acktracker.transport.codecs.LeaseDecoder;
import io.acktracker.transport.codecs.NackDecoder;
import io.acktracker.transport.codecs.OutboxConfirmDecoder;
import io.acktracker.transport.codecs.RejectDecoder;
import io.acktracker.transport.codecs.SessionOpenDecoder;
import io.acktracker.transport.codecs.SettleAction;
import io.acktracker.transport.codecs.SettleDecoder;
import io.acktracker.transport.codecs.TrackDecoder;
import io.acktracker.transport.inbound.CommandAdapter;
import io.acktracker.transport.inbound.CommandHandler;
import io.acktracker.transport.inbound.EngineCommands;
import io.acktracker.transport.outbound.OutboundProxy;
import io.acktracker.transport.outbound.OutboxSender;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tracker's inbound path without a media driver: {@link CommandAdapter} over the real {@link EngineCommands}
 * over a real in-memory tracker (Chronicle Map off-heap, no data directory, a clock that never moves), with the
 * outbound proxy writing into a counting sink. {@link #feed} hands one frame to
 * {@code onFragment(buffer, offset, length, header)} exactly as the Aeron subscription would, with an Aeron
 * {@link Header} whose flags say unfragmented or fragmented, and then checks the contract of the inbound path for
 * that one input:
 * <ul>
 *     <li>nothing escapes {@code onFragment}, and nothing is caught inside it either: the transport's error counter
 *     stays 0 and its distinct error log holds only malformed-frame records; the tracker's error handler hears
 *     nothing;</li>
 *     <li>either the frame is malformed: {@code MALFORMED_FRAMES} and exactly one kind counter move by one, the
 *     handler is not called, and nothing else changes (every engine counter, pending and tombstone counts, the
 *     destination registry, bound sessions, leases, queued retries, every other transport counter, outbound
 *     frames);</li>
 *     <li>or it is well-formed and handed to the handler exactly once, with no malformed counter moving;</li>
 *     <li>and the verdict agrees with {@link FrameOracle}, the independent reader of PROTOCOL.md: handled exactly
 *     when the oracle finds no defect, and a malformed frame counted under one of the kinds the oracle found.</li>
 * </ul>
 * Sessions {@link #SESSION_A} and {@link #SESSION_B} are bound to destinations "a" (0) and "b" (1) at the start;
 * {@link #SESSION_C} is not (until a fuzzed hello binds it). Messages 1..{@link #TRACKED} are tracked to a, b, c and
 * d, and message {@link #LEASED} is leased, so acks, nacks, settles and leases reach live state.
 * <p>
 * Threading: the caller's thread is the tracker's agent thread (the tracker is host-driven and never invoked).
 */
final class InboundHarness implements AutoCloseable
{
    static final int SESSION_A = 1001;
    static final int SESSION_B = 1002;
    static final int SESSION_C = 1003;
    static final int[] SESSIONS = {SESSION_A, SESSION_B, SESSION_C};
    static final int TRACKED = 32;
    static final long LEASED = 7;

    private static final int OFFSET = 160;
    private static final byte FILL = (byte)0xA5;
    private static final TransportCounter[] KINDS = {
        TransportCounter.MALFORMED_SHORT, TransportCounter.MALFORMED_SCHEMA, TransportCounter.MALFORMED_VERSION,
        TransportCounter.MALFORMED_TEMPLATE, TransportCounter.MALFORMED_GROUP, TransportCounter.MALFORMED_STRING,
        TransportCounter.MALFORMED_FIELD, TransportCounter.MALFORMED_FRAGMENTED};
    private static final EnumSet<TransportCounter> NOT_STATE = EnumSet.of(
        TransportCounter.FRAMES_RECEIVED, TransportCounter.MALFORMED_FRAMES, TransportCounter.MALFORMED_SHORT,
        TransportCounter.MALFORMED_SCHEMA, TransportCounter.MALFORMED_VERSION, TransportCounter.MALFORMED_TEMPLATE,
        TransportCounter.MALFORMED_GROUP, TransportCounter.MALFORMED_STRING, TransportCounter.MALFORMED_FIELD,
        TransportCounter.MALFORMED_FRAGMENTED);

    final FuzzStats stats;
    final ReceiptHandle leasedHandle = new ReceiptHandle();

    private final AckTracker tracker;
    private final TrackerAgent agent;
    private final TransportCounters counters;
    private final TransportErrors errors;
    private final EngineCommands commands;
    private final Recording recording;
    private final CommandAdapter adapter;
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(OFFSET + 70_000));
    private final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
    private final Header header = new Header(0, 16);
    private final List<Throwable> trackerErrors = new ArrayList<>();
    private final String[] labels;
    private final long[] before;
    private final long[] after;
    private long outboundFrames;
    private boolean counting;

    private InboundHarness(final FuzzStats stats)
    {
        this.stats = stats;
        final long epochNs = TimeUnit.DAYS.toNanos(20_000);
        TransportCounters counters = null;
        TransportErrors errors = null;
        AckTracker tracker = null;
        try
        {
            tracker = AckTracker.open(new TrackerConfig()
                .name("fuzz")
                .capacity(4096)
                .destinations("a", "b", "c", "d")
                .epochClock(() -> epochNs)
                .nanoClock(() -> epochNs)
                .randomSeed(42)
                .errorHandler(trackerErrors::add));
            counters = new TransportCounters(null, "fuzz");
            errors = new TransportErrors(counters, null, 64 * 1024);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(errors, counters, tracker);
            throw ex;
        }
        this.tracker = tracker;
        this.agent = tracker.agent();
        this.counters = counters;
        this.errors = errors;
        final OutboundProxy outbound = new OutboundProxy(
            (frameBuffer, offset, length) -> ++outboundFrames * 64, counters, 1 << 20, 0, false);
        this.commands = new EngineCommands(agent, outbound, counters, new DestinationStats(), 16,
            Protocol.DEFAULT_LEASE_TIMEOUT_NS, (sessionId) -> true, DestinationKeys.none(), DestinationKeys.none(),
            new OutboxSender(outbound), NonceSource.random());
        this.recording = new Recording(commands);
        this.adapter = new CommandAdapter(recording, counters, errors);

        headerBuffer.putByte(DataHeaderFlyweight.FLAGS_FIELD_OFFSET, Wire.UNFRAGMENTED);
        header.buffer(headerBuffer);
        header.offset(0);
        buffer.setMemory(0, buffer.capacity(), FILL);

        labels = stateLabels();
        before = new long[labels.length];
        after = new long[labels.length];
        seed();
        counting = true;
    }

    /**
     * A fresh tracker with its sessions bound and its messages tracked.
     *
     * @param stats where to count verdicts.
     * @return the harness.
     */
    static InboundHarness open(final FuzzStats stats)
    {
        return new InboundHarness(stats);
    }

    private void seed()
    {
        final FrameBuilder frames = new FrameBuilder();
        feed(frames.hello(Protocol.BOUND_DESTINATION, "a".getBytes(StandardCharsets.US_ASCII)), SESSION_A);
        feed(frames.hello(1, "b".getBytes(StandardCharsets.US_ASCII)), SESSION_B);
        if (2 != commands.boundSessions())
        {
            throw new IllegalStateException("sessions not bound");
        }
        final TrackRequest request = new TrackRequest();
        for (long id = 1; id <= TRACKED; id++)
        {
            agent.track(request.reset().messageId(id).destinations(DestinationRegistry.mask(0, 1, 2, 3))
                .stream(5, id));
        }
        agent.lease(LEASED, 0, TimeUnit.SECONDS.toNanos(30), leasedHandle);
    }

    private void feed(final WireFrame frame, final int sessionId)
    {
        feed(frame.bytes(), frame.length(), Wire.UNFRAGMENTED, sessionId);
    }

    /**
     * Hand one input to the adapter and check the inbound contract for it (see the class comment).
     *
     * @param bytes     frame bytes.
     * @param length    how many of them form the frame.
     * @param flags     Aeron frame flags of the fragment.
     * @param sessionId Aeron session id of the fragment.
     * @return the malformed kind counted, or null when the frame was handled.
     * @throws AssertionError when the contract is broken, saying how, with the frame in hex.
     */
    TransportCounter feed(final byte[] bytes, final int length, final byte flags, final int sessionId)
    {
        final boolean unfragmented = (flags & Wire.UNFRAGMENTED) == Wire.UNFRAGMENTED;
        final EnumSet<ProtocolError> defects = FrameOracle.defects(bytes, length, unfragmented);
        final long framesBefore = counters.value(TransportCounter.FRAMES_RECEIVED);
        final long errorsBefore = counters.value(TransportCounter.ERRORS);
        final long malformedBefore = counters.value(TransportCounter.MALFORMED_FRAMES);
        final long[] kindsBefore = new long[KINDS.length];
        for (int i = 0; i < KINDS.length; i++)
        {
            kindsBefore[i] = counters.value(KINDS[i]);
        }
        snapshot(before);

        buffer.putBytes(OFFSET, bytes, 0, length);
        headerBuffer.putByte(DataHeaderFlyweight.FLAGS_FIELD_OFFSET, flags);
        headerBuffer.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, sessionId, ByteOrder.LITTLE_ENDIAN);
        try
        {
            adapter.onFragment(buffer, OFFSET, length, header);
        }
        catch (final Throwable ex)
        {
            throw new AssertionError("exception escaped onFragment: " + describe(bytes, length, flags, sessionId), ex);
        }
        finally
        {
            buffer.setMemory(OFFSET, length, FILL);
        }

        snapshot(after);
        if (counters.value(TransportCounter.ERRORS) != errorsBefore || !trackerErrors.isEmpty())
        {
            trackerErrors.clear();
            throw new AssertionError("exception caught in the duty cycle: " + errorLog() + " " + trackerErrors +
                " for " + describe(bytes, length, flags, sessionId));
        }
        if (counters.value(TransportCounter.FRAMES_RECEIVED) != framesBefore + 1)
        {
            throw new AssertionError("FRAMES_RECEIVED did not move by one");
        }

        final long malformed = counters.value(TransportCounter.MALFORMED_FRAMES) - malformedBefore;
        TransportCounter moved = null;
        int kindsMoved = 0;
        for (int i = 0; i < KINDS.length; i++)
        {
            final long delta = counters.value(KINDS[i]) - kindsBefore[i];
            if (0 != delta)
            {
                kindsMoved++;
                moved = 1 == delta ? KINDS[i] : null;
            }
        }
        final long handled = after[after.length - 1] - before[before.length - 1];

        if (1 == malformed)
        {
            if (1 != kindsMoved || null == moved)
            {
                throw new AssertionError("a malformed frame must move exactly one kind counter by one: " +
                    describe(bytes, length, flags, sessionId));
            }
            if (0 != handled)
            {
                throw new AssertionError("a malformed frame reached the handler: " +
                    describe(bytes, length, flags, sessionId));
            }
            final String changed = changes();
            if (!changed.isEmpty())
            {
                throw new AssertionError("a malformed frame (" + moved + ") changed " + changed + ": " +
                    describe(bytes, length, flags, sessionId));
            }
            if (!countersOf(defects).contains(moved))
            {
                throw new AssertionError("counted " + moved + " where the protocol says " +
                    (defects.isEmpty() ? "well-formed" : defects) + ": " + describe(bytes, length, flags, sessionId));
            }
            if (counting)
            {
                stats.malformed(moved);
            }
            return moved;
        }
        if (0 != malformed || 0 != kindsMoved)
        {
            throw new AssertionError("malformed counters moved by " + malformed + "/" + kindsMoved + ": " +
                describe(bytes, length, flags, sessionId));
        }
        if (1 != handled)
        {
            throw new AssertionError("a well-formed frame must be handled exactly once, was " + handled + ": " +
                describe(bytes, length, flags, sessionId));
        }
        if (!defects.isEmpty())
        {
            throw new AssertionError("handled a frame the protocol says is malformed " + defects + ": " +
                describe(bytes, length, flags, sessionId));
        }
        if (counting)
        {
            stats.handled(recording.lastTemplate);
        }
        return null;
    }

    /**
     * Every distinct error recorded, one line each; only malformed-frame records are allowed there.
     *
     * @return the lines.
     */
    List<String> errorLog()
    {
        final List<String> lines = new ArrayList<>();
        errors.read((count, first, last, text) -> lines.add(count + "x " +
            (text.contains(ProtocolError.MalformedFrameException.class.getName()) ?
            text.lines().findFirst().orElse("") : text)));
        return lines;
    }

    long transportCounter(final TransportCounter counter)
    {
        return counters.value(counter);
    }

    long engineCounter(final TrackerCounter counter)
    {
        return tracker.counters().value(counter);
    }

    int pendingCount()
    {
        return agent.pendingCount();
    }

    long outboundFrames()
    {
        return outboundFrames;
    }

    /**
     * What the tracker did with what it handled: for the figures.
     *
     * @return one line.
     */
    String summary()
    {
        return String.format("pending=%d tracked=%d acks=%d nacks=%d rejects=%d leases=%d refusals(tracks=%d " +
            "commands=%d leases=%d unbound=%d spoofed=%d hellos=%d) bound-sessions=%d outbound-frames=%d",
            agent.pendingCount(), engineCounter(TrackerCounter.TRACKED), engineCounter(TrackerCounter.ACKS),
            engineCounter(TrackerCounter.NACKS), engineCounter(TrackerCounter.REJECTS),
            engineCounter(TrackerCounter.LEASES_GRANTED), counters.value(TransportCounter.TRACKS_REFUSED),
            counters.value(TransportCounter.COMMANDS_REFUSED),
            counters.value(TransportCounter.LEASE_COMMANDS_REFUSED),
            counters.value(TransportCounter.UNBOUND_REFUSED), counters.value(TransportCounter.SPOOFED_REFUSED),
            counters.value(TransportCounter.HELLOS_REFUSED), commands.boundSessions(), outboundFrames);
    }

    public void close()
    {
        final List<String> log = errorLog();
        CloseHelper.closeAll(tracker, errors, counters);
        for (final String line : log)
        {
            if (!line.contains(ProtocolError.MalformedFrameException.class.getName()))
            {
                throw new AssertionError("distinct error log holds more than malformed frames: " + log);
            }
        }
    }

    private static EnumSet<TransportCounter> countersOf(final EnumSet<ProtocolError> defects)
    {
        final EnumSet<TransportCounter> kinds = EnumSet.noneOf(TransportCounter.class);
        for (final ProtocolError defect : defects)
        {
            kinds.add(defect.counter());
        }
        return kinds;
    }

    private String[] stateLabels()
    {
        final List<String> names = new ArrayList<>();
        for (final TrackerCounter counter : TrackerCounter.values())
        {
            names.add("engine " + counter);
        }
        for (final TransportCounter counter : TransportCounter.values())
        {
            if (!NOT_STATE.contains(counter))
            {
                names.add("transport " + counter);
            }
        }
        names.add("pending");
        names.add("tombstones");
        names.add("registry size");
        names.add("bound sessions");
        names.add("active leases");
        names.add("queued retries");
        names.add("outbound frames");
        names.add("handler calls");
        return names.toArray(new String[0]);
    }

    private void snapshot(final long[] state)
    {
        int i = 0;
        for (final TrackerCounter counter : TrackerCounter.values())
        {
            state[i++] = tracker.counters().value(counter);
        }
        for (final TransportCounter counter : TransportCounter.values())
        {
            if (!NOT_STATE.contains(counter))
            {
                state[i++] = counters.value(counter);
            }
        }
        state[i++] = agent.pendingCount();
        state[i++] = agent.tombstoneCount();
        state[i++] = agent.registry().size();
        state[i++] = commands.boundSessions();
        state[i++] = agent.leases().active();
        state[i++] = agent.queuedRetries();
        state[i++] = outboundFrames;
        state[i] = recording.calls;
    }

    private String changes()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < labels.length; i++)
        {
            if (before[i] != after[i])
            {
                sb.append(labels[i]).append(' ').append(before[i]).append("->").append(after[i]).append(' ');
            }
        }
        return sb.toString();
    }

    static String describe(final byte[] bytes, final int length, final byte flags, final int sessionId)
    {
        return "session " + sessionId + " flags 0x" + Integer.toHexString(flags & 0xFF) + " length " + length +
            " frame " + Wire.hex(bytes, length);
    }

    /**
     * Passes every command on to the engine, counting calls and remembering the last command's template.
     */
    private static final class Recording implements CommandHandler
    {
        private final CommandHandler delegate;
        long calls;
        int lastTemplate;

        Recording(final CommandHandler delegate)
        {
            this.delegate = delegate;
        }

        private void called(final int templateId)
        {
            calls++;
            lastTemplate = templateId;
        }

        public void onHello(
            final Header header,
            final int destinationId,
            final DirectBuffer name,
            final HelloCredential credential,
            final DirectBuffer nonce,
            final DirectBuffer proof)
        {
            called(DestinationHelloDecoder.TEMPLATE_ID);
            delegate.onHello(header, destinationId, name, credential, nonce, proof);
        }

        public void onTrack(final Header header, final TrackRequest request)
        {
            called(TrackDecoder.TEMPLATE_ID);
            delegate.onTrack(header, request);
        }

        public void onNumbering(final long clientId, final long sequence)
        {
            delegate.onNumbering(clientId, sequence);
        }

        public void onSessionOpen(
            final Header header,
            final long clientId,
            final long appliedThrough,
            final long outboxConfirmed,
            final DirectBuffer name,
            final HelloCredential credential,
            final DirectBuffer nonce,
            final DirectBuffer proof)
        {
            called(SessionOpenDecoder.TEMPLATE_ID);
            delegate.onSessionOpen(header, clientId, appliedThrough, outboxConfirmed, name, credential, nonce, proof);
        }

        public void onOutboxConfirm(final Header header, final long clientId, final long through)
        {
            called(OutboxConfirmDecoder.TEMPLATE_ID);
            delegate.onOutboxConfirm(header, clientId, through);
        }

        public void onAck(final Header header, final long messageId, final int destinationId)
        {
            called(AckDecoder.TEMPLATE_ID);
            delegate.onAck(header, messageId, destinationId);
        }

        public void onNack(
            final Header header,
            final long messageId,
            final int destinationId,
            final long redeliverDelayNs,
            final int errorCode,
            final DirectBuffer reason)
        {
            called(NackDecoder.TEMPLATE_ID);
            delegate.onNack(header, messageId, destinationId, redeliverDelayNs, errorCode, reason);
        }

        public void onReject(
            final Header header, final long messageId, final int destinationId, final int errorCode,
            final DirectBuffer reason)
        {
            called(RejectDecoder.TEMPLATE_ID);
            delegate.onReject(header, messageId, destinationId, errorCode, reason);
        }

        public void onCumulativeAck(final Header header, final int streamId, final int destinationId, final long offset)
        {
            called(CumulativeAckDecoder.TEMPLATE_ID);
            delegate.onCumulativeAck(header, streamId, destinationId, offset);
        }

        public void onLease(
            final Header header, final long correlationId, final long messageId, final int destinationId,
            final long leaseTimeoutNs)
        {
            called(LeaseDecoder.TEMPLATE_ID);
            delegate.onLease(header, correlationId, messageId, destinationId, leaseTimeoutNs);
        }

        public void onExtend(
            final Header header, final ReceiptHandle handle, final int destinationId, final long extensionNs)
        {
            called(ExtendDecoder.TEMPLATE_ID);
            delegate.onExtend(header, handle, destinationId, extensionNs);
        }

        public void onSettle(
            final Header header,
            final SettleAction action,
            final ReceiptHandle handle,
            final int destinationId,
            final long redeliverDelayNs,
            final int errorCode,
            final DirectBuffer reason)
        {
            called(SettleDecoder.TEMPLATE_ID);
            delegate.onSettle(header, action, handle, destinationId, redeliverDelayNs, errorCode, reason);
        }

        public void onRetired(final Header header, final int templateId, final long correlationId)
        {
            called(templateId);
            delegate.onRetired(header, templateId, correlationId);
        }
    }
}

package io.acktracker.transport;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.SessionOpenEncoder;
import io.acktracker.transport.codecs.TrackEncoder;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly once end to end over a real embedded media driver: a sender with a session tracks messages through the
 * Aeron transport into a journaled tracker, the tracker is stopped (its last frames applied but not confirmed,
 * outcomes sent but not read) and started again from its journal with a new incarnation, and Tracks are offered
 * while no tracker runs. Every Track is applied once (resends answered as duplicates of commands, never tracked
 * twice), and the sender's handler is told every outcome once, however many times the tracker sent it.
 */
class SessionEndToEndTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);
    private static final String SENDER = "sender-1";

    @TempDir
    Path dataDir;

    private final ManualClock clientClock = new ManualClock();
    private final List<Long> outcomes = new ArrayList<>();
    private final List<Boolean> replays = new ArrayList<>();
    private final List<RefusalCode> refusals = new ArrayList<>();
    private final TrackRequest request = new TrackRequest();
    private EmbeddedDriver driver;
    private Aeron clientAeron;
    private Aeron trackerAeron;
    private AeronTransport transport;
    private AckTracker tracker;
    private TrackerClient sender;

    @BeforeEach
    void start()
    {
        final MediaDriver.Context context = EmbeddedDriver.context("session")
            .ipcTermBufferLength(64 * 1024)
            .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100))
            .imageLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(2));
        driver = EmbeddedDriver.launch(context);
        clientAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        startTracker();
        final TrackerClientHandler handler = new TrackerClientHandler()
        {
            public void onOutcome(
                final long messageId, final Outcome outcome, final FailureReason reason, final long latencyNs,
                final int attempts, final boolean replay)
            {
                outcomes.add(messageId);
                replays.add(replay);
            }

            public void onRefused(
                final int refusedTemplateId, final long correlationId, final RefusalCode code, final int destinationId)
            {
                refusals.add(code);
            }
        };
        sender = new TrackerClient(clientAeron, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_INBOUND_STREAM_ID,
            Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_OUTBOUND_STREAM_ID, handler,
            new ClientSession.Settings(ClientSession.Settings.idOf(SENDER), SENDER)
                .maxUnconfirmed(1024)
                .resendTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
                .clock(clientClock));
    }

    private void startTracker()
    {
        trackerAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        transport = new AeronTransport(new TransportConfig().aeron(trackerAeron).closeDrainTimeoutNs(0));
        tracker = AckTracker.open(new TrackerConfig()
            .capacity(4096)
            .destinations("a", "b")
            .dataDir(dataDir)
            .journal(true)
            .journalSegmentLength(1 << 20)
            .extension(transport)
            .errorHandler((ex) -> { throw new AssertionError("tracker error", ex); }));
    }

    private void stopTracker()
    {
        CloseHelper.closeAll(tracker, transport, trackerAeron);
        tracker = null;
    }

    @AfterEach
    void stop()
    {
        CloseHelper.closeAll(sender, tracker, transport, trackerAeron, clientAeron, driver);
    }

    private void await(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for: " + what + " (outcomes " + outcomes.size() +
                    ", unconfirmed " + sender.session().unconfirmed() + ")");
            }
            final int work = (null != tracker ? tracker.invoker().invoke() : 0) + sender.poll(64);
            if (0 == work)
            {
                Thread.yield();
            }
        }
    }

    private void track(final long first, final long last)
    {
        for (long id = first; id <= last; id++)
        {
            final long messageId = id;
            request.reset().messageId(messageId).destinations(0b1);
            await("track " + messageId + " taken", () -> sender.tryTrack(request) > 0);
        }
    }

    private void ack(final long first, final long last)
    {
        for (long id = first; id <= last; id++)
        {
            tracker.agent().recordAck(id, 0);
        }
    }

    private long engineCounter(final TrackerCounter counter)
    {
        return tracker.counters().value(counter);
    }

    @Test
    void shouldApplyEachTrackOnceAndTellEachOutcomeOnceAcrossATrackerRestart()
    {
        await("session bound", () -> sender.session().isBound());
        final long firstIncarnation = sender.session().incarnation();

        track(1, 200);
        await("tracks 1..200 confirmed", () -> 0 == sender.session().unconfirmed());
        ack(1, 100);
        await("outcomes of 1..100", () -> outcomes.size() == 100);

        // the tracker applies 201..300 and sends outcomes of 101..150, but the sender reads none of it before the
        // tracker stops: its confirmations and entries are lost with the old incarnation's stream
        track(201, 300);
        for (int i = 0; i < 50 && tracker.agent().pendingCount() < 200; i++)
        {
            tracker.invoker().invoke();
        }
        ack(101, 150);
        tracker.invoker().invoke();
        final long appliedBeforeStop = tracker.agent().sessions().appliedThrough(
            tracker.agent().sessions().indexOf(ClientSession.Settings.idOf(SENDER)));
        assertThat(appliedBeforeStop).as("applied, not yet confirmed to the sender").isGreaterThan(200);
        stopTracker();

        // Tracks offered while no tracker runs are kept and sent later
        track(301, 320);
        assertThat(sender.session().unconfirmed()).isGreaterThanOrEqualTo(20);

        startTracker();
        clientClock.advanceMs(600);
        await("resent and confirmed by the new tracker", () -> 0 == sender.session().unconfirmed());
        assertThat(sender.session().incarnation()).isNotEqualTo(firstIncarnation);
        ack(151, 320);
        await("every outcome", () -> outcomes.size() >= 320);
        for (int i = 0; i < 100; i++)
        {
            tracker.invoker().invoke();
            sender.poll(64);
        }

        assertThat(outcomes).as("each outcome once").doesNotHaveDuplicates().hasSize(320);
        assertThat(refusals).isEmpty();
        assertThat(engineCounter(TrackerCounter.TRACKED)).as("each Track applied once").isEqualTo(320);
        assertThat(engineCounter(TrackerCounter.DUPLICATE_TRACKS)).isZero();
        // the 20 offered while no tracker ran went again; whether some applied ones went again too (answered as
        // DUPLICATE_COMMAND) depends on whether the old tracker's confirmations were read: either way, once. The 20
        // were never offered to a live tracker before: first offers that went later, or resends if offered into the
        // stopped tracker's image
        assertThat(sender.session().resends() + sender.session().deferredSends()).isGreaterThanOrEqualTo(20);
        assertThat(tracker.agent().pendingCount()).isZero();
    }

    @Test
    void shouldSendAnOutboxEntryInTheDutyCycleThatReadTheAckOverAeron()
    {
        try (DestinationClient destination = new DestinationClient(clientAeron, "a", new TrackerClientHandler()
        {
            public void onOutcome(
                final long messageId, final Outcome outcome, final FailureReason reason, final long latencyNs,
                final int attempts, final boolean replay)
            {
            }
        }))
        {
            await("session bound", () -> sender.session().isBound());
            track(1, 2);
            await("tracks confirmed", () -> 0 == sender.session().unconfirmed());
            await("ack of 1 applied", () -> destination.publisher().tryAck(1) > 0, destination);
            await("outcome of 1", () -> outcomes.contains(1L), destination);
            for (int i = 0; i < 100; i++)
            {
                tracker.invoker().invoke();
                sender.poll(64);
                destination.poll(16);
            }

            // the ack is in the tracker's image: one duty cycle reads it, applies it and, like a plain outcome told
            // inline, sends the entry it wrote to the sender's outbox; a later cycle is not needed
            assertThat(destination.publisher().tryAck(2)).isPositive();
            tracker.invoker().invoke();
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (!outcomes.contains(2L) && System.nanoTime() - deadlineNs < 0)
            {
                sender.poll(64);
            }
            assertThat(outcomes).containsExactly(1L, 2L);
        }
    }

    @Test
    void shouldBindADestinationAgainWhenARestartedTrackerRefusesItsSessionAsUnbound()
    {
        final List<RefusalCode> destinationRefusals = new ArrayList<>();
        final TrackerClientHandler recordRefusals = new TrackerClientHandler()
        {
            public void onOutcome(
                final long messageId, final Outcome outcome, final FailureReason reason, final long latencyNs,
                final int attempts, final boolean replay)
            {
            }

            public void onRefused(
                final int refusedTemplateId, final long correlationId, final RefusalCode code, final int destinationId)
            {
                destinationRefusals.add(code);
            }
        };
        try (DestinationClient destination = new DestinationClient(clientAeron, "a", recordRefusals))
        {
            await("session bound", () -> sender.session().isBound());
            track(1, 2);
            await("tracks confirmed", () -> 0 == sender.session().unconfirmed());
            await("ack of 1 applied", () -> destination.publisher().tryAck(1) > 0);
            await("outcome of 1", () -> outcomes.contains(1L), destination);

            stopTracker();
            startTracker();
            // the destination acks as redeliveries would make it, until the outcome: the first ack after the restart
            // reaches a tracker that does not know its session (unless its publication saw the tracker go and it
            // introduced itself again by itself); refused UNBOUND_SESSION, it introduces itself again
            final long deadlineNs = System.nanoTime() + DEADLINE_NS;
            while (!outcomes.contains(2L) && System.nanoTime() - deadlineNs < 0)
            {
                destination.publisher().tryAck(2);
                for (int i = 0; i < 50; i++)
                {
                    tracker.invoker().invoke();
                    destination.poll(16);
                    sender.poll(64);
                }
            }
            assertThat(outcomes).as("refusals seen: %s", destinationRefusals).contains(2L);
            assertThat(tracker.agent().pendingCount()).isZero();
            assertThat(outcomes).containsExactly(1L, 2L);
        }
    }

    @Test
    void shouldApplyANumberedFrameReadTwiceOnceAndConfirmItAgain()
    {
        final ExclusivePublication raw = clientAeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
            Protocol.DEFAULT_INBOUND_STREAM_ID);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[512]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final long client = 991;
        final int open = MessageHeaderEncoder.ENCODED_LENGTH +
            new SessionOpenEncoder().wrapAndApplyHeader(frame, 0, header)
                .clientId(client).appliedThrough(0).outboxConfirmed(0).clientName("raw").encodedLength();
        await("session open offered", () -> raw.offer(frame, 0, open) > 0);
        final TrackEncoder track = new TrackEncoder()
            .wrapAndApplyHeader(frame, 0, header).messageId(77).ackTimeoutNs(0).ttlNs(0).sequence(0)
            .streamId(TrackEncoder.streamIdNullValue()).messageClass(0)
            .requiredAcks((short)0).priority((byte)0).maxAttempts((short)0).clientId(client).clientSequence(1);
        track.destinationsCount(1).next().destinationId((short)0);
        track.putMetadata(new byte[0], 0, 0);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + track.encodedLength();
        for (int i = 0; i < 3; i++)
        {
            await("numbered track offered", () -> raw.offer(frame, 0, length) > 0);
        }
        await("applied once, the copies counted", () ->
            2 == tracker.counters().value(TrackerCounter.DUPLICATE_COMMANDS));
        assertThat(engineCounter(TrackerCounter.TRACKED)).isEqualTo(1);
        assertThat(engineCounter(TrackerCounter.DUPLICATE_TRACKS)).isZero();
        assertThat(transport.counters().value(TransportCounter.NUMBERED_COMMANDS)).isEqualTo(3);
        raw.close();
    }

    private void await(final String what, final BooleanSupplier condition, final DestinationClient destination)
    {
        await(what, () ->
        {
            destination.poll(16);
            return condition.getAsBoolean();
        });
    }
}

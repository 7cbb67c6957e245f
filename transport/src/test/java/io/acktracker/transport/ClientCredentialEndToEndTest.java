package io.acktracker.transport;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.machine.ClientSessions;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.SecretFile;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.RefusalCode;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client credentials end to end over a real embedded media driver, into a journaled tracker whose client key file
 * gives "sender-1" a key. The sender holds the key: it proves its client id at every open. An impostor on the same
 * driver names the sender's id: its SessionOpen without a credential, its OutboxConfirm of the sender's outbox and
 * its numbered Track are refused UNAUTHENTICATED and counted, and change nothing; a second {@link TrackerClient} with
 * the sender's id and no key never binds, and its refusals do not disturb the sender. The sender then gets every
 * outcome the impostor tried to confirm away, once; across a tracker restart it proves its id again, resends what was
 * not confirmed, and gets every outcome once.
 */
@Timeout(120)
class ClientCredentialEndToEndTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);
    private static final String SENDER = "sender-1";
    private static final long SENDER_ID = ClientSession.Settings.idOf(SENDER);
    private static final String KEY = SecretFile.newToken();

    @TempDir
    Path dataDir;

    private final ManualClock clientClock = new ManualClock();
    private final List<Long> outcomes = new ArrayList<>();
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
        final MediaDriver.Context context = EmbeddedDriver.context("client-credential")
            .ipcTermBufferLength(64 * 1024)
            .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100))
            .imageLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(2));
        driver = EmbeddedDriver.launch(context);
        clientAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        startTracker();
        sender = new TrackerClient(clientAeron, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_INBOUND_STREAM_ID,
            Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_OUTBOUND_STREAM_ID, new TrackerClientHandler()
            {
                public void onOutcome(
                    final long messageId, final Outcome outcome, final FailureReason reason, final long latencyNs,
                    final int attempts, final boolean replay)
                {
                    outcomes.add(messageId);
                }

                public void onRefused(
                    final int refusedTemplateId, final long correlationId, final RefusalCode code,
                    final int destinationId)
                {
                    refusals.add(code);
                }
            },
            new ClientSession.Settings(SENDER_ID, SENDER)
                .key(KEY.getBytes(StandardCharsets.US_ASCII))
                .maxUnconfirmed(1024)
                .resendTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
                .clock(clientClock));
    }

    private void startTracker()
    {
        trackerAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        transport = new AeronTransport(new TransportConfig().aeron(trackerAeron).closeDrainTimeoutNs(0)
            .clientKeys(DestinationKeys.of(Map.of(SENDER, KEY))));
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

    private void await(final String what, final BooleanSupplier condition, final Runnable clients)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for: " + what + " (outcomes " + outcomes.size() +
                    ", unconfirmed " + sender.session().unconfirmed() + ")");
            }
            final int work = null != tracker ? tracker.invoker().invoke() : 0;
            clients.run();
            if (0 == work)
            {
                Thread.yield();
            }
        }
    }

    private void await(final String what, final BooleanSupplier condition)
    {
        await(what, condition, () -> sender.poll(64));
    }

    private void track(final long first, final long last)
    {
        for (long id = first; id <= last; id++)
        {
            request.reset().messageId(id).destinations(0b1);
            await("track " + id + " taken", () -> sender.tryTrack(request) > 0);
        }
    }

    private void ack(final long first, final long last)
    {
        for (long id = first; id <= last; id++)
        {
            tracker.agent().recordAck(id, 0);
        }
    }

    private long counter(final TransportCounter counter)
    {
        return transport.counters().value(counter);
    }

    private ClientSessions sessions()
    {
        return tracker.agent().sessions();
    }

    @Test
    void shouldRefuseAnImpostorAndLetTheClientWithTheKeyBindResendAndGetEveryOutcomeOnce()
    {
        await("sender bound with its key", () -> sender.session().isBound());
        assertThat(counter(TransportCounter.SESSION_CHALLENGES)).isEqualTo(1);
        assertThat(counter(TransportCounter.SESSION_OPENS_AUTHENTICATED)).isEqualTo(1);
        track(1, 10);
        await("tracks 1..10 confirmed", () -> 0 == sender.session().unconfirmed());

        // outcomes of 1..10 go into the sender's outbox; the sender does not read them yet
        final int index = sessions().indexOf(SENDER_ID);
        ack(1, 10);
        await("outcomes in the outbox", () -> sessions().outboxWritten(index) >= 10, () -> { });
        assertThat(sessions().outboxConfirmed(index)).isZero();

        // the impostor: raw frames under the sender's id, from its own publication on the same driver
        final TestFrames frames = new TestFrames();
        try (ExclusivePublication impostor = clientAeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
            Protocol.DEFAULT_INBOUND_STREAM_ID))
        {
            offer(impostor, frames, frames.sessionOpen(SENDER_ID, 10, 10, SENDER));
            offer(impostor, frames, frames.outboxConfirm(SENDER_ID, 10));
            offer(impostor, frames, frames.numberedTrack(999, 0, SENDER_ID, 11));
            await("the impostor refused", () -> counter(TransportCounter.CLIENT_COMMANDS_UNAUTHENTICATED) >= 2 &&
                counter(TransportCounter.SESSION_OPENS_NO_CREDENTIAL) >= 1, () -> { });
        }
        // and a client of ours with the sender's id but no key: it asks nothing and proves nothing, it is refused
        final List<Long> impostorOutcomes = new ArrayList<>();
        try (TrackerClient keyless = new TrackerClient(clientAeron, Protocol.DEFAULT_CHANNEL,
            Protocol.DEFAULT_INBOUND_STREAM_ID, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_OUTBOUND_STREAM_ID,
            (messageId, outcome, reason, latencyNs, attempts, replay) -> impostorOutcomes.add(messageId),
            new ClientSession.Settings(SENDER_ID, SENDER).clock(clientClock)))
        {
            await("the keyless client refused", () -> keyless.session().authenticationRefusals() > 0,
                () -> keyless.poll(64));
            assertThat(keyless.session().isBound()).isFalse();
        }

        assertThat(counter(TransportCounter.SESSION_OPENS_NO_CREDENTIAL)).isEqualTo(2);
        assertThat(counter(TransportCounter.SESSION_OPENS_REFUSED)).isEqualTo(2);
        assertThat(counter(TransportCounter.CLIENT_COMMANDS_UNAUTHENTICATED)).isEqualTo(2);
        assertThat(counter(TransportCounter.SESSION_OPENS)).isEqualTo(1);
        assertThat(sessions().outboxConfirmed(index)).as("the impostor confirmed nothing").isZero();
        assertThat(sessions().appliedThrough(index)).as("nor used a sequence").isEqualTo(10);
        assertThat(tracker.agent().pendingCount()).as("nor tracked 999").isZero();
        assertThat(impostorOutcomes).isEmpty();

        // the sender reads its outbox: every outcome the impostor tried to confirm away, once
        await("outcomes 1..10", () -> outcomes.size() >= 10);
        assertThat(sender.session().authenticationRefusals()).as("the impostor's refusals are not the sender's")
            .isZero();
        await("outbox confirmed", () -> sessions().outboxConfirmed(index) == 10);

        // a restart: the sender proves its id again and resends what was not confirmed
        final long firstIncarnation = sender.session().incarnation();
        track(11, 20);
        for (int i = 0; i < 20; i++)
        {
            tracker.invoker().invoke();
        }
        stopTracker();
        track(21, 25);
        startTracker();
        assertThat(counter(TransportCounter.SESSION_OPENS_AUTHENTICATED)).isZero();
        clientClock.advanceMs(600);
        await("resent and confirmed by the new tracker", () -> 0 == sender.session().unconfirmed() &&
            sender.session().incarnation() != firstIncarnation);
        assertThat(counter(TransportCounter.SESSION_OPENS_AUTHENTICATED)).isPositive();
        assertThat(counter(TransportCounter.SESSION_OPENS_BAD_CREDENTIAL)).isZero();
        ack(11, 25);
        await("every outcome", () -> outcomes.size() >= 25);
        for (int i = 0; i < 100; i++)
        {
            tracker.invoker().invoke();
            sender.poll(64);
        }

        assertThat(outcomes).as("each outcome once").doesNotHaveDuplicates().hasSize(25);
        assertThat(refusals).isEmpty();
        assertThat(tracker.counters().value(TrackerCounter.DUPLICATE_TRACKS)).isZero();
        assertThat(tracker.agent().pendingCount()).isZero();
    }

    @Test
    void shouldNeverBindAClientWithAWrongKey()
    {
        // the sender (with the key) binds first: a SessionConfirm names a client id, not a session, and the wrong
        // client must not take the sender's as the answer to its own open (it binds only on an answer to an open
        // of its own that was not refused)
        await("sender bound with its key", () -> sender.session().isBound());
        try (TrackerClient wrong = new TrackerClient(clientAeron, Protocol.DEFAULT_CHANNEL,
            Protocol.DEFAULT_INBOUND_STREAM_ID, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_OUTBOUND_STREAM_ID,
            (messageId, outcome, reason, latencyNs, attempts, replay) -> { },
            new ClientSession.Settings(SENDER_ID, SENDER)
                .key(SecretFile.newToken().getBytes(StandardCharsets.US_ASCII))
                .resendTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
                .clock(clientClock)))
        {
            await("refused", () -> wrong.session().authenticationRefusals() > 0, () -> wrong.poll(64));
            clientClock.advanceMs(600);
            await("refused again after the resend timeout", () -> wrong.session().authenticationRefusals() > 1,
                () -> wrong.poll(64));
            assertThat(wrong.session().isBound()).isFalse();
            assertThat(counter(TransportCounter.SESSION_OPENS_BAD_CREDENTIAL)).isEqualTo(2);
            assertThat(counter(TransportCounter.SESSION_OPENS_AUTHENTICATED)).as("the sender's own").isEqualTo(1);
        }
    }

    private void offer(final ExclusivePublication publication, final TestFrames frames, final int length)
    {
        await("offered", () -> publication.offer(frames.buffer, 0, length) > 0, () -> { });
    }
}

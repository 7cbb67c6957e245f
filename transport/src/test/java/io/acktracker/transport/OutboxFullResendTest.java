package io.acktracker.transport;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.TrackerClient;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sender whose outbox at the tracker stays full: its 16 entries are reserved by 16 messages that get no ack, and
 * it has 32 more Tracks unconfirmed. Each is refused OUTBOX_FULL (the first) or SEQUENCE_GAP (the rest, behind it).
 * The client must not answer each refusal, or each resend timeout, by sending its whole unconfirmed window again
 * (go-back-N): that multiplies the load exactly when the tracker has no room. It probes with one frame after a
 * bounded, growing delay, and opens its window again only as the tracker applies what it sends. Over a real embedded
 * media driver, with the client's clock driven by the test and the tracker's clock standing still (no timeouts).
 * Then the outbox drains, and every Track is applied once and every outcome told once.
 */
@Timeout(180)
class OutboxFullResendTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long RESEND_TIMEOUT_MS = 1_000;
    private static final int OUTBOX = 16;
    private static final int WAITING = 32;
    private static final int TOTAL = OUTBOX + WAITING;

    private final ManualClock clientClock = new ManualClock();
    private final List<Long> outcomes = new ArrayList<>();
    private final TrackRequest request = new TrackRequest();
    private EmbeddedDriver driver;
    private Aeron aeron;
    private AeronTransport transport;
    private AckTracker tracker;
    private TrackerClient sender;

    @BeforeEach
    void start()
    {
        final MediaDriver.Context context = EmbeddedDriver.context("outbox-full")
            .ipcTermBufferLength(64 * 1024)
            .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100))
            .imageLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(10));
        driver = EmbeddedDriver.launch(context);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        transport = new AeronTransport(new TransportConfig().aeron(aeron).closeDrainTimeoutNs(0));
        final long trackerNs = TimeUnit.DAYS.toNanos(20_000);
        tracker = AckTracker.open(new TrackerConfig()
            .capacity(1024)
            .destinations("a")
            .outboxCapacity(OUTBOX)
            .epochClock(() -> trackerNs)
            .nanoClock(() -> trackerNs)
            .extension(transport)
            .errorHandler((ex) -> { throw new AssertionError("tracker error", ex); }));
        sender = new TrackerClient(aeron, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_INBOUND_STREAM_ID,
            Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_OUTBOUND_STREAM_ID,
            (messageId, outcome, reason, latencyNs, attempts, replay) -> outcomes.add(messageId),
            new ClientSession.Settings(ClientSession.Settings.idOf("sender"), "sender")
                .maxUnconfirmed(64)
                .resendTimeoutNs(TimeUnit.MILLISECONDS.toNanos(RESEND_TIMEOUT_MS))
                .clock(clientClock));
    }

    @AfterEach
    void stop()
    {
        CloseHelper.closeAll(sender, tracker, transport, aeron, driver);
    }

    private int cycle()
    {
        return tracker.invoker().invoke() + sender.poll(64);
    }

    private void await(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for: " + what + " (unconfirmed " +
                    sender.session().unconfirmed() + ", resends " + sender.session().resends() + ")");
            }
            if (0 == cycle())
            {
                Thread.yield();
            }
        }
    }

    /** Drive both sides until nothing moves for a while: every frame in flight is answered. */
    private void settle()
    {
        int idle = 0;
        while (idle < 200)
        {
            if (0 == cycle())
            {
                idle++;
                Thread.yield();
            }
            else
            {
                idle = 0;
            }
        }
    }

    private long refusalsSent()
    {
        return transport.counters().value(TransportCounter.SESSION_REFUSALS_SENT);
    }

    @Test
    void shouldProbeRatherThanResendItsWholeWindowWhileTheOutboxStaysFull()
    {
        await("bound", () -> sender.session().isBound());
        for (long id = 1; id <= TOTAL; id++)
        {
            request.reset().messageId(id).destinations(0b1);
            await("track " + id + " taken", () -> sender.tryTrack(request) > 0);
        }
        await("the first 16 applied and the outbox full", () -> sender.session().appliedThrough() == OUTBOX &&
            refusalsSent() > 0);
        settle();
        final long resendsBefore = sender.session().resends();
        final long refusalsBefore = refusalsSent();
        final long opensBefore = sender.session().opens();
        assertThat(sender.session().unconfirmed()).isEqualTo(WAITING);

        // ten resend timeouts with the outbox full, in steps of a tenth of one
        for (int step = 0; step < 100; step++)
        {
            clientClock.advanceMs(RESEND_TIMEOUT_MS / 10);
            settle();
        }
        final long resendsWhileFull = sender.session().resends() - resendsBefore;
        final long refusalsWhileFull = refusalsSent() - refusalsBefore;
        System.out.println("while full: resends " + resendsWhileFull + ", refusals " + refusalsWhileFull +
            ", opens " + sender.session().opens() + ", probes " + sender.session().probes());
        assertThat(sender.session().appliedThrough()).as("nothing applied while full").isEqualTo(OUTBOX);
        // one probe per round, the rounds spaced by a growing delay (a tenth of the resend timeout, doubling, at
        // most half of it): 100 + 200 + 400 ms, then one every 500 ms, about 21 in 10 s; never the whole window of
        // 32 again (go-back-N sent 320 frames here and drew 320 refusals, binding again at every resend timeout)
        assertThat(resendsWhileFull).as("frames resent while the outbox stayed full").isBetween(1L, 25L);
        assertThat(refusalsWhileFull).as("refusals the tracker sent back").isLessThanOrEqualTo(resendsWhileFull);
        assertThat(sender.session().opens()).as("the refusals keep the session bound: no open, no outbox resend")
            .isEqualTo(opensBefore);

        // room: each ack ends a message; its outcome goes to the sender, which confirms it and frees the entry
        final long resendsBeforeRoom = sender.session().resends();
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (sender.session().unconfirmed() > 0 || outcomes.size() < TOTAL)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out draining: unconfirmed " + sender.session().unconfirmed() +
                    ", outcomes " + outcomes.size());
            }
            for (long id = 1; id <= TOTAL; id++)
            {
                tracker.agent().recordAck(id, 0);
            }
            clientClock.advanceMs(RESEND_TIMEOUT_MS / 10);
            settle();
        }
        final long resendsAfterRoom = sender.session().resends() - resendsBeforeRoom;
        System.out.println("after room: resends " + resendsAfterRoom);

        assertThat(outcomes).as("each outcome once").doesNotHaveDuplicates().hasSize(TOTAL);
        assertThat(tracker.counters().value(TrackerCounter.TRACKED)).as("each Track applied once").isEqualTo(TOTAL);
        assertThat(tracker.counters().value(TrackerCounter.DUPLICATE_TRACKS)).isZero();
        assertThat(tracker.agent().pendingCount()).isZero();
        // as room opens each waiting frame goes again about once, plus the probes of rounds that found none yet
        assertThat(resendsAfterRoom).as("frames resent while the outbox drained").isLessThanOrEqualTo(2L * WAITING);
    }
}

package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.auth.HmacSha256;
import io.acktracker.transport.auth.SecretFile;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin stream takes only commands signed with the service's secret over its nonce and a fresh counter: an
 * unsigned, wrongly signed, replayed or stale command is refused with exit code 77 and a reason, runs nothing, and
 * is counted by reason. Over a real embedded media driver; the test drives the server's and the tracker's duty
 * cycles itself and sends raw frames as another process on the driver would.
 */
class AdminAuthenticationTest
{
    private static final int REQUESTS = 7103;
    private static final int RESPONSES = 7104;
    private static final String SECRET = SecretFile.newToken();

    private EmbeddedDriver driver;
    private Aeron aeron;
    private AckTracker tracker;
    private TransportCounters counters;
    private AdminServer server;
    private Publication requests;
    private Subscription responses;
    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(1024);
    private final FragmentAssembler assembler = new FragmentAssembler(this::onResponse);
    private long awaited;
    private Raw reply;
    private long correlationIds = 100;
    private byte[] knownNonce;

    /** A reply as it came: version 2 fields, or only exit and errors for a version 1 frame. */
    private record Raw(boolean v1, int exitCode, long counter, String out, String err, boolean signedBySecret)
    {
    }

    @BeforeEach
    void start()
    {
        driver = EmbeddedDriver.launch(EmbeddedDriver.context("admin-auth-test"));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        tracker = AckTracker.open(new TrackerConfig().name("admin-auth").capacity(100)
            .destinations("venue-a").defaultMaxAttempts(1));
        final TrackerAgent agent = tracker.agent();
        final TrackRequest request = new TrackRequest();
        for (int id = 3; id <= 4; id++)
        {
            agent.track(request.reset().messageId(id).destinations(1).ttlNs(TimeUnit.HOURS.toNanos(1))
                .ackTimeoutNs(TimeUnit.HOURS.toNanos(1)));
            agent.recordReject(id, 0, 500);
        }
        counters = new TransportCounters(null, "admin-auth");
        server = new AdminServer(aeron, tracker, counters, SECRET, REQUESTS, RESPONSES);
        requests = aeron.addPublication("aeron:ipc", REQUESTS);
        responses = aeron.addSubscription("aeron:ipc", RESPONSES);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!requests.isConnected() || !responses.isConnected())
        {
            assertThat(System.nanoTime() - deadlineNs).as("admin streams connect").isNegative();
            server.doWork();
            Thread.yield();
        }
        assertThat(deadLetters()).isEqualTo(2);
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(requests, responses);
        if (null != server)
        {
            server.onClose();
        }
        CloseHelper.quietCloseAll(tracker, counters, aeron, driver);
    }

    @Test
    @Timeout(60)
    void shouldRunACommandSignedWithTheSecretAndSignTheReply()
    {
        final Challenge challenge = challenge();
        final Raw answer = send(signed(List.of("dlq", "delete", "3"), challenge.counter + 1, challenge.nonce,
            SECRET));

        assertThat(answer.exitCode()).as(answer.err()).isZero();
        assertThat(answer.out()).contains("deleted 1 of 1");
        assertThat(answer.signedBySecret()).isTrue();
        assertThat(deadLetters()).isEqualTo(1);
        assertThat(counters.value(TransportCounter.ADMIN_COMMANDS)).isEqualTo(1);
        assertThat(counters.value(TransportCounter.ADMIN_REFUSED)).isZero();
    }

    @Test
    @Timeout(60)
    void shouldRefuseAnUnsignedAdminCommandCountItAndChangeNothing()
    {
        challenge();
        final int length = AdminFrame.encodeRequest(frame, nextCorrelationId(), 1,
            AdminFrame.arguments(List.of("dlq", "delete", "3", "4")));
        final Raw answer = send(length);

        assertThat(answer.exitCode()).isEqualTo(AdminFrame.EXIT_REFUSED);
        assertThat(answer.err()).isEqualTo("acktracker: admin command refused: not signed (only 'challenge' is " +
            "taken unsigned)\n");
        assertThat(answer.signedBySecret()).isTrue();
        assertThat(deadLetters()).isEqualTo(2);
        assertRefused(TransportCounter.ADMIN_UNSIGNED);
    }

    @Test
    @Timeout(60)
    void shouldRefuseAnOlderToolsUnsignedFrameInItsOwnFormat()
    {
        final byte[] arguments = AdminFrame.arguments(List.of("dlq", "delete", "3"));
        frame.putInt(AdminFrame.V1_MAGIC_OFFSET, AdminFrame.MAGIC_V1);
        frame.putLong(AdminFrame.V1_CORRELATION_ID_OFFSET, nextCorrelationId());
        frame.putInt(AdminFrame.V1_EXIT_CODE_OFFSET, 0);
        frame.putInt(AdminFrame.V1_FIRST_LENGTH_OFFSET, arguments.length);
        frame.putInt(AdminFrame.V1_SECOND_LENGTH_OFFSET, 0);
        frame.putBytes(AdminFrame.HEADER_LENGTH_V1, arguments);
        final Raw answer = send(AdminFrame.HEADER_LENGTH_V1 + arguments.length);

        assertThat(answer.v1()).isTrue();
        assertThat(answer.exitCode()).isEqualTo(AdminFrame.EXIT_REFUSED);
        assertThat(answer.err()).contains("takes only signed admin commands");
        assertThat(deadLetters()).isEqualTo(2);
        assertRefused(TransportCounter.ADMIN_UNSIGNED);
    }

    @Test
    @Timeout(60)
    void shouldRefuseACommandSignedWithAnotherSecret()
    {
        final Challenge challenge = challenge();
        final Raw answer = send(signed(List.of("dlq", "delete", "3"), challenge.counter + 1, challenge.nonce,
            SecretFile.newToken()));

        assertThat(answer.exitCode()).isEqualTo(AdminFrame.EXIT_REFUSED);
        assertThat(answer.err()).contains("bad signature");
        assertThat(deadLetters()).isEqualTo(2);
        assertRefused(TransportCounter.ADMIN_BAD_SIGNATURE);
    }

    @Test
    @Timeout(60)
    void shouldRefuseAReplayedFrameAndAStaleCounter()
    {
        final Challenge challenge = challenge();
        final int staleLength = signed(List.of("dlq", "delete", "4"), challenge.counter + 1, challenge.nonce, SECRET);
        final byte[] stale = new byte[staleLength];
        frame.getBytes(0, stale);

        final int length = signed(List.of("dlq", "delete", "3"), challenge.counter + 2, challenge.nonce, SECRET);
        final byte[] accepted = new byte[length];
        frame.getBytes(0, accepted);
        assertThat(send(length).exitCode()).isZero();
        assertThat(deadLetters()).isEqualTo(1);

        frame.putBytes(0, accepted);
        final Raw replayed = send(length);
        assertThat(replayed.exitCode()).isEqualTo(AdminFrame.EXIT_REFUSED);
        assertThat(replayed.err()).contains(AdminServer.REPLAYED);
        assertThat(counters.value(TransportCounter.ADMIN_REPLAYED)).isEqualTo(1);
        assertThat(counters.value(TransportCounter.ADMIN_REFUSED)).isEqualTo(1);

        frame.putBytes(0, stale);
        final Raw staleAnswer = send(staleLength);
        assertThat(staleAnswer.exitCode()).isEqualTo(AdminFrame.EXIT_REFUSED);
        assertThat(deadLetters()).as("the stale delete of 4 ran nothing").isEqualTo(1);
        assertThat(counters.value(TransportCounter.ADMIN_REPLAYED)).isEqualTo(2);
        assertThat(counters.value(TransportCounter.ADMIN_COMMANDS)).isEqualTo(1);
    }

    @Test
    @Timeout(60)
    void shouldCountFramesThatAreNotAdminFrames()
    {
        frame.putLong(0, 0x0102030405060708L);
        requests.offer(frame, 0, 8);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (0 == counters.value(TransportCounter.ADMIN_MALFORMED))
        {
            assertThat(System.nanoTime() - deadlineNs).as("the frame arrives").isNegative();
            server.doWork();
        }
        assertRefused(TransportCounter.ADMIN_MALFORMED);
    }

    private void assertRefused(final TransportCounter reason)
    {
        assertThat(counters.value(reason)).isEqualTo(1);
        assertThat(counters.value(TransportCounter.ADMIN_REFUSED)).isEqualTo(1);
        assertThat(counters.value(TransportCounter.ADMIN_COMMANDS)).isZero();
    }

    private long deadLetters()
    {
        return tracker.counters().value(TrackerCounter.DLQ_SIZE);
    }

    private record Challenge(byte[] nonce, long counter)
    {
    }

    private Challenge challenge()
    {
        final int length = AdminFrame.encodeRequest(frame, nextCorrelationId(), 0,
            AdminFrame.arguments(List.of(AdminFrame.CHALLENGE)));
        final Raw answer = send(length);
        assertThat(answer.exitCode()).isZero();
        assertThat(answer.signedBySecret()).isTrue();
        knownNonce = AdminFrame.nonce(answer.out());
        return new Challenge(knownNonce, answer.counter());
    }

    private int signed(final List<String> arguments, final long counter, final byte[] nonce, final String secret)
    {
        final int length = AdminFrame.encodeRequest(frame, nextCorrelationId(), counter,
            AdminFrame.arguments(arguments));
        AdminFrame.sign(frame, length, AdminFrame.REQUEST, nonce,
            new HmacSha256(secret.getBytes(StandardCharsets.US_ASCII)));
        return length;
    }

    private long nextCorrelationId()
    {
        return ++correlationIds;
    }

    /** Offer the frame in {@link #frame} and run the server and the tracker until its reply comes back. */
    private Raw send(final int length)
    {
        awaited = AdminFrame.correlationId(frame, 0);
        reply = null;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (requests.offer(frame, 0, length) < 0)
        {
            assertThat(System.nanoTime() - deadlineNs).as("request sent").isNegative();
            server.doWork();
        }
        while (null == reply)
        {
            assertThat(System.nanoTime() - deadlineNs).as("reply to " + awaited).isNegative();
            server.doWork();
            tracker.agent().doWork();
            responses.poll(assembler, 10);
        }
        return reply;
    }

    private void onResponse(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (AdminFrame.correlationId(buffer, offset) != awaited)
        {
            return;
        }
        if (AdminFrame.isValidV1(buffer, offset, length))
        {
            reply = new Raw(true, AdminFrame.exitCode(buffer, offset), 0, "", buffer.getStringWithoutLengthUtf8(
                offset + AdminFrame.HEADER_LENGTH_V1, buffer.getInt(offset + AdminFrame.V1_SECOND_LENGTH_OFFSET)), false);
            return;
        }
        assertThat(AdminFrame.isValid(buffer, offset, length)).isTrue();
        final String out = AdminFrame.first(buffer, offset);
        // a challenge's reply is checked with the nonce it carries, every later one with that nonce
        final byte[] nonce = null != knownNonce ? knownNonce : AdminFrame.nonce(out);
        final boolean signed = null != nonce && AdminFrame.verify(buffer, offset, length, AdminFrame.REPLY, nonce,
            new HmacSha256(SECRET.getBytes(StandardCharsets.US_ASCII)));
        reply = new Raw(false, AdminFrame.exitCode(buffer, offset), AdminFrame.counter(buffer, offset), out,
            AdminFrame.second(buffer, offset), signed);
    }
}

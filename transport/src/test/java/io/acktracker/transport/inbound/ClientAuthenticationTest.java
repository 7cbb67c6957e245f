package io.acktracker.transport.inbound;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.transport.DestinationStats;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.auth.ClientProof;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.HelloProof;
import io.acktracker.transport.auth.HmacSha256;
import io.acktracker.transport.auth.NonceSource;
import io.acktracker.transport.auth.SecretFile;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.codecs.HelloChallengeDecoder;
import io.acktracker.transport.codecs.HelloCredential;
import io.acktracker.transport.codecs.MessageHeaderDecoder;
import io.acktracker.transport.codecs.OutboxConfirmDecoder;
import io.acktracker.transport.codecs.RefusedDecoder;
import io.acktracker.transport.codecs.SessionChallengeDecoder;
import io.acktracker.transport.codecs.SessionOpenDecoder;
import io.acktracker.transport.codecs.TrackDecoder;
import io.acktracker.transport.outbound.OutboundProxy;
import io.acktracker.transport.outbound.OutboxSender;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.acktracker.transport.TransportCounter.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tracker's side of client credentials without a media driver: {@link EngineCommands} over a real in-memory
 * tracker, the outbound frames captured. Client "sender-1" has a key, "sender-2" has none. Every refusal is answered
 * UNAUTHENTICATED, counted by reason, and leaves the engine's session state as it was.
 */
class ClientAuthenticationTest
{
    private static final String KEY = SecretFile.newToken();
    private static final long KEYED = ClientSession.Settings.idOf("sender-1");
    private static final long UNKEYED = ClientSession.Settings.idOf("sender-2");
    private static final int REAL = 11;
    private static final int IMPOSTOR = 22;

    private final List<String> refusals = new ArrayList<>();
    private final List<byte[]> challenges = new ArrayList<>();
    private final List<byte[]> helloChallenges = new ArrayList<>();
    private final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
    private final Header header = new Header(0, 16);
    private final UnsafeBuffer zeros = new UnsafeBuffer(new byte[HelloProof.LENGTH]);
    private final UnsafeBuffer name = new UnsafeBuffer(new byte[0]);
    private final TrackRequest request = new TrackRequest();
    private AckTracker tracker;
    private TransportCounters counters;
    private EngineCommands commands;

    @BeforeEach
    void open()
    {
        final long epochNs = TimeUnit.DAYS.toNanos(20_000);
        tracker = AckTracker.open(new TrackerConfig()
            .capacity(1024)
            .destinations("a")
            .epochClock(() -> epochNs)
            .nanoClock(() -> epochNs)
            .errorHandler((ex) -> { throw new AssertionError(ex); }));
        counters = new TransportCounters(null, "client-auth");
        final OutboundProxy outbound = new OutboundProxy(this::capture, counters, 1 << 20, 0, false);
        commands = new EngineCommands(tracker.agent(), outbound, counters, new DestinationStats(), 16,
            Protocol.DEFAULT_LEASE_TIMEOUT_NS, (sessionId) -> true, DestinationKeys.none(),
            DestinationKeys.of(Map.of("sender-1", KEY)), new OutboxSender(outbound), NonceSource.random());
        headerBuffer.putByte(DataHeaderFlyweight.FLAGS_FIELD_OFFSET, (byte)0xC0);
        header.buffer(headerBuffer);
        header.offset(0);
    }

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(tracker, counters);
    }

    private long capture(final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder().wrap(buffer, offset);
        if (RefusedDecoder.TEMPLATE_ID == decoder.templateId())
        {
            final RefusedDecoder refused = new RefusedDecoder().wrapAndApplyHeader(buffer, offset, decoder);
            refusals.add(refused.refusedTemplateId() + " " + refused.code() + " session " + refused.sessionId() +
                " seq " + refused.clientSequence());
        }
        else if (SessionChallengeDecoder.TEMPLATE_ID == decoder.templateId())
        {
            final SessionChallengeDecoder challenge =
                new SessionChallengeDecoder().wrapAndApplyHeader(buffer, offset, decoder);
            assertThat(challenge.sessionId()).isEqualTo(headerSessionId());
            final byte[] nonce = new byte[HelloProof.NONCE_LENGTH];
            challenge.getNonce(nonce, 0, nonce.length);
            challenges.add(nonce);
        }
        else if (HelloChallengeDecoder.TEMPLATE_ID == decoder.templateId())
        {
            final HelloChallengeDecoder challenge =
                new HelloChallengeDecoder().wrapAndApplyHeader(buffer, offset, decoder);
            final byte[] nonce = new byte[HelloProof.NONCE_LENGTH];
            challenge.getNonce(nonce, 0, nonce.length);
            helloChallenges.add(nonce);
        }
        return 64;
    }

    private int headerSessionId()
    {
        return headerBuffer.getInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    private Header from(final int sessionId)
    {
        headerBuffer.putInt(DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, sessionId, ByteOrder.LITTLE_ENDIAN);
        return header;
    }

    private void open(final int sessionId, final long clientId, final HelloCredential credential,
        final byte[] nonce, final byte[] proof)
    {
        commands.onSessionOpen(from(sessionId), clientId, 0, 0, name, credential,
            null == nonce ? zeros : new UnsafeBuffer(nonce), null == proof ? zeros : new UnsafeBuffer(proof));
    }

    private static byte[] proof(final String key, final byte[] nonce, final int sessionId, final long clientId)
    {
        final byte[] proof = new byte[HelloProof.LENGTH];
        ClientProof.compute(new HmacSha256(key.getBytes(StandardCharsets.US_ASCII)), new UnsafeBuffer(nonce), 0,
            sessionId, clientId, proof);
        return proof;
    }

    /** Challenge, then prove, from one session. */
    private void openWithKey(final int sessionId, final String key)
    {
        open(sessionId, KEYED, HelloCredential.CHALLENGE, null, null);
        final byte[] nonce = challenges.get(challenges.size() - 1);
        open(sessionId, KEYED, HelloCredential.PROOF, nonce, proof(key, nonce, sessionId, KEYED));
    }

    private void track(final int sessionId, final long clientId, final long messageId, final long sequence)
    {
        commands.onNumbering(clientId, sequence);
        commands.onTrack(from(sessionId), request.reset().messageId(messageId).destinations(0b1));
    }

    private long counter(final TransportCounter counter)
    {
        return counters.value(counter);
    }

    private int sessionIndex(final long clientId)
    {
        return tracker.agent().sessions().indexOf(clientId);
    }

    @Test
    void shouldRefuseAndCountAnOpenWithoutCredentialForAClientWithAKeyAndOpenNothing()
    {
        open(IMPOSTOR, KEYED, HelloCredential.NONE, null, null);

        assertThat(refusals).containsExactly(SessionOpenDecoder.TEMPLATE_ID + " UNAUTHENTICATED session 22 seq 0");
        assertThat(counter(SESSION_OPENS_NO_CREDENTIAL)).isEqualTo(1);
        assertThat(counter(SESSION_OPENS_REFUSED)).isEqualTo(1);
        assertThat(counter(SESSION_OPENS)).isZero();
        assertThat(sessionIndex(KEYED)).as("no session").isNegative();
    }

    @Test
    void shouldRefuseAndCountAWrongKeyAndAProofUsedTwice()
    {
        final String wrong = SecretFile.newToken();
        openWithKey(IMPOSTOR, wrong);
        assertThat(counter(SESSION_CHALLENGES)).isEqualTo(1);
        assertThat(counter(SESSION_OPENS_BAD_CREDENTIAL)).isEqualTo(1);

        // a good proof, but sent twice: the nonce is used up by the first
        open(REAL, KEYED, HelloCredential.CHALLENGE, null, null);
        final byte[] nonce = challenges.get(1);
        final byte[] proof = proof(KEY, nonce, REAL, KEYED);
        open(REAL, KEYED, HelloCredential.PROOF, nonce, proof);
        open(IMPOSTOR, KEYED, HelloCredential.PROOF, nonce, proof);

        assertThat(counter(SESSION_OPENS_AUTHENTICATED)).isEqualTo(1);
        assertThat(counter(SESSION_OPENS_BAD_CREDENTIAL)).isEqualTo(2);
        assertThat(counter(SESSION_OPENS_REFUSED)).isEqualTo(2);
        assertThat(counter(SESSION_OPENS)).isEqualTo(1);
        assertThat(refusals).containsExactly(
            SessionOpenDecoder.TEMPLATE_ID + " UNAUTHENTICATED session 22 seq 0",
            SessionOpenDecoder.TEMPLATE_ID + " UNAUTHENTICATED session 22 seq 0");
    }

    @Test
    void shouldTakeNumberedCommandsAndOutboxConfirmsOfAClientWithAKeyOnlyFromTheSessionThatProvedIt()
    {
        openWithKey(REAL, KEY);
        assertThat(sessionIndex(KEYED)).isNotNegative();
        track(REAL, KEYED, 1, 1);
        assertThat(tracker.agent().sessions().appliedThrough(sessionIndex(KEYED))).isEqualTo(1);

        // another session names the client: a numbered track and an outbox confirm, refused before the engine
        track(IMPOSTOR, KEYED, 2, 2);
        commands.onOutboxConfirm(from(IMPOSTOR), KEYED, 1);
        open(IMPOSTOR, KEYED, HelloCredential.NONE, null, null);

        assertThat(refusals).containsExactly(
            TrackDecoder.TEMPLATE_ID + " UNAUTHENTICATED session 22 seq 2",
            OutboxConfirmDecoder.TEMPLATE_ID + " UNAUTHENTICATED session 22 seq 0",
            SessionOpenDecoder.TEMPLATE_ID + " UNAUTHENTICATED session 22 seq 0");
        assertThat(counter(CLIENT_COMMANDS_UNAUTHENTICATED)).isEqualTo(2);
        assertThat(counter(SESSION_OPENS_NO_CREDENTIAL)).isEqualTo(1);
        assertThat(tracker.agent().sessions().appliedThrough(sessionIndex(KEYED))).isEqualTo(1);
        assertThat(tracker.agent().sessions().outboxConfirmed(sessionIndex(KEYED))).isZero();
        assertThat(tracker.counters().value(TrackerCounter.TRACKED)).isEqualTo(1);

        // the real session goes on with the sequence the impostor could not use
        track(REAL, KEYED, 2, 2);
        assertThat(tracker.agent().sessions().appliedThrough(sessionIndex(KEYED))).isEqualTo(2);
        assertThat(tracker.counters().value(TrackerCounter.TRACKED)).isEqualTo(2);
    }

    @Test
    void shouldTakeAClientWithoutAKeyOnItsWordAndAnswerItsChallengeWithoutOpening()
    {
        open(REAL, UNKEYED, HelloCredential.CHALLENGE, null, null);
        assertThat(challenges).hasSize(1);
        assertThat(challenges.get(0)).containsOnly(0);
        assertThat(sessionIndex(UNKEYED)).as("a challenge opens nothing").isNegative();

        // an open without a credential is taken on its word, from any session
        open(REAL, UNKEYED, HelloCredential.NONE, null, null);
        track(REAL, UNKEYED, 1, 1);
        commands.onOutboxConfirm(from(REAL), UNKEYED, 0);

        assertThat(refusals).isEmpty();
        assertThat(counter(SESSION_OPENS)).isEqualTo(1);
        assertThat(counter(SESSION_OPENS_AUTHENTICATED)).isZero();
        assertThat(counter(CLIENT_COMMANDS_UNAUTHENTICATED)).isZero();
        assertThat(tracker.agent().sessions().appliedThrough(sessionIndex(UNKEYED))).isEqualTo(1);
    }

    /**
     * A killed client's publication lives on in the driver until its client liveness timeout, and what it offered
     * keeps arriving; its successor opens the session and numbers its own commands from the applied-through, the
     * same sequences. Only the successor's are taken: a sequence applied from the dead process's frame would be
     * confirmed to the successor for a command it never had applied (the session soak lost 1,331 acks that way).
     */
    @Test
    void shouldTakeAClientsNumberedCommandsOnlyFromTheSessionItLastOpenedFromSoAPredecessorsFramesChangeNothing()
    {
        final int predecessor = 31;
        final int successor = 32;
        open(predecessor, UNKEYED, HelloCredential.NONE, null, null);
        track(predecessor, UNKEYED, 1, 1);
        // the predecessor is killed; its successor opens from its own publication, applied through 1
        open(successor, UNKEYED, HelloCredential.NONE, null, null);
        assertThat(tracker.agent().sessions().appliedThrough(sessionIndex(UNKEYED))).isEqualTo(1);

        // the predecessor's Track with sequence 2, still draining through the driver, and its outbox confirm
        track(predecessor, UNKEYED, 2, 2);
        commands.onOutboxConfirm(from(predecessor), UNKEYED, 1);
        assertThat(refusals).containsExactly(
            TrackDecoder.TEMPLATE_ID + " UNAUTHENTICATED session 31 seq 2",
            OutboxConfirmDecoder.TEMPLATE_ID + " UNAUTHENTICATED session 31 seq 0");
        assertThat(counter(CLIENT_COMMANDS_FROM_ANOTHER_IMAGE)).isEqualTo(2);
        assertThat(counter(CLIENT_COMMANDS_UNAUTHENTICATED)).isZero();
        assertThat(tracker.agent().sessions().appliedThrough(sessionIndex(UNKEYED))).as("sequence 2 unused")
            .isEqualTo(1);
        assertThat(tracker.agent().sessions().outboxConfirmed(sessionIndex(UNKEYED))).isZero();

        // a replicated tracker's member that loads a snapshot (or a fresh bridge over the same tracker) decides
        // alike: where each client's session was opened from is in the bindings' image
        final ImageWriter image = new ImageWriter(256);
        commands.dumpBindings(image);
        final OutboundProxy outbound = new OutboundProxy(this::capture, counters, 1 << 20, 0, false);
        commands = new EngineCommands(tracker.agent(), outbound, counters, new DestinationStats(), 16,
            Protocol.DEFAULT_LEASE_TIMEOUT_NS, (sessionId) -> true, DestinationKeys.none(),
            DestinationKeys.of(Map.of("sender-1", KEY)), new OutboxSender(outbound), NonceSource.random());
        commands.restoreBindings(new ImageReader(image.buffer(), image.length()));
        track(predecessor, UNKEYED, 2, 2);
        assertThat(counter(CLIENT_COMMANDS_FROM_ANOTHER_IMAGE)).isEqualTo(3);
        assertThat(tracker.agent().sessions().appliedThrough(sessionIndex(UNKEYED))).isEqualTo(1);

        // the successor's own command with sequence 2 is the one applied
        track(successor, UNKEYED, 3, 2);
        assertThat(tracker.agent().sessions().appliedThrough(sessionIndex(UNKEYED))).isEqualTo(2);
        assertThat(tracker.counters().value(TrackerCounter.TRACKED)).as("ids 1 and 3, never 2").isEqualTo(2);
        assertThat(tracker.status(2).state()).isEqualTo(MessageState.UNKNOWN);
        assertThat(tracker.status(3).state()).isNotEqualTo(MessageState.UNKNOWN);
    }

    /**
     * A replicated tracker: every member issues the nonce the log entry gives (here a stand-in source of the entry's
     * position, the session and the subject), and a member restored from a snapshot taken between a challenge and
     * its answer holds that challenge, so a proof sent to the old leader is accepted by it; one whose bindings did
     * not come from the snapshot refuses the same proof.
     */
    @Test
    void shouldAcceptOnAMemberRestoredFromASnapshotTheProofsOfChallengesIssuedBeforeIt()
    {
        final String destinationKey = SecretFile.newToken();
        final long[] logPosition = {64};
        final NonceSource fromLog = (sessionId, subject, nonce) ->
        {
            final byte[] derived = new HmacSha256(new byte[]{ 1 }).update(logPosition[0]).update(sessionId)
                .update(subject).finish();
            System.arraycopy(derived, 0, nonce, 0, nonce.length);
        };
        commands = keyedMember(fromLog, destinationKey);
        final UnsafeBuffer destinationName = new UnsafeBuffer("a".getBytes(StandardCharsets.US_ASCII));
        open(REAL, KEYED, HelloCredential.CHALLENGE, null, null);
        logPosition[0] += 64;
        commands.onHello(from(IMPOSTOR), Protocol.BOUND_DESTINATION, destinationName, HelloCredential.CHALLENGE,
            zeros, zeros);
        assertThat(challenges).hasSize(1);
        assertThat(helloChallenges).hasSize(1);

        final ImageWriter snapshot = new ImageWriter(256);
        commands.dumpBindings(snapshot);
        final EngineCommands restored = keyedMember(fromLog, destinationKey);
        restored.restoreBindings(new ImageReader(snapshot.buffer(), snapshot.length()));
        final ImageWriter again = new ImageWriter(256);
        restored.dumpBindings(again);
        final byte[] before = new byte[snapshot.length()];
        final byte[] after = new byte[again.length()];
        snapshot.buffer().getBytes(0, before);
        again.buffer().getBytes(0, after);
        assertThat(after).as("the same bytes").isEqualTo(before);

        // a member without the snapshot's challenges refuses the proof (what makes this test fail without them)
        final byte[] nonce = challenges.get(0);
        commands = keyedMember(fromLog, destinationKey);
        open(REAL, KEYED, HelloCredential.PROOF, nonce, proof(KEY, nonce, REAL, KEYED));
        assertThat(counter(SESSION_OPENS_BAD_CREDENTIAL)).isEqualTo(1);

        commands = restored;
        open(REAL, KEYED, HelloCredential.PROOF, nonce, proof(KEY, nonce, REAL, KEYED));
        assertThat(counter(SESSION_OPENS_AUTHENTICATED)).isEqualTo(1);
        track(REAL, KEYED, 1, 1);
        assertThat(tracker.agent().sessions().appliedThrough(sessionIndex(KEYED))).isEqualTo(1);

        final byte[] helloNonce = helloChallenges.get(0);
        final byte[] helloProof = new byte[HelloProof.LENGTH];
        HelloProof.compute(new HmacSha256(destinationKey.getBytes(StandardCharsets.US_ASCII)),
            new UnsafeBuffer(helloNonce), 0, IMPOSTOR, destinationName, 0, destinationName.capacity(), helloProof);
        commands.onHello(from(IMPOSTOR), Protocol.BOUND_DESTINATION, destinationName, HelloCredential.PROOF,
            new UnsafeBuffer(helloNonce), new UnsafeBuffer(helloProof));
        assertThat(counter(HELLOS_AUTHENTICATED)).isEqualTo(1);
        assertThat(refusals).containsExactly(SessionOpenDecoder.TEMPLATE_ID + " UNAUTHENTICATED session 11 seq 0");
    }

    private EngineCommands keyedMember(final NonceSource nonces, final String destinationKey)
    {
        final OutboundProxy outbound = new OutboundProxy(this::capture, counters, 1 << 20, 0, false);
        return new EngineCommands(tracker.agent(), outbound, counters, new DestinationStats(), 16,
            Protocol.DEFAULT_LEASE_TIMEOUT_NS, (sessionId) -> true, DestinationKeys.of(Map.of("a", destinationKey)),
            DestinationKeys.of(Map.of("sender-1", KEY)), new OutboxSender(outbound), nonces);
    }
}

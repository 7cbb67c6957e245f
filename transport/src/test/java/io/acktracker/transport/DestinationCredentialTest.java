package io.acktracker.transport;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.Outcome;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.HelloProof;
import io.acktracker.transport.auth.HmacSha256;
import io.acktracker.transport.auth.SecretFile;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.codecs.DestinationHelloDecoder;
import io.acktracker.transport.codecs.DestinationHelloEncoder;
import io.acktracker.transport.codecs.HelloChallengeDecoder;
import io.acktracker.transport.codecs.HelloCredential;
import io.acktracker.transport.codecs.MessageHeaderDecoder;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.acktracker.transport.TransportCounter.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Destination "a" has a key at the tracker, "b" has none. A hello for "a" binds only when it proves the name: a
 * wrong key, no credential, or a proof replayed on another session is refused UNAUTHENTICATED, counted by reason,
 * binds nothing, and the acks that follow are refused as unbound with the message still pending. "b" is bound on
 * its word, as before. Over a real embedded driver, every duty cycle driven by the test.
 */
@Timeout(60)
class DestinationCredentialTest
{
    private static final String KEY = SecretFile.newToken();
    private static final int HELLO = DestinationHelloDecoder.TEMPLATE_ID;

    private static TrackerRig rig()
    {
        return new TrackerRig((driver) -> {},
            (transport) -> transport.destinationKeys(DestinationKeys.of(Map.of("a", KEY))), (tracker) -> {});
    }

    private static byte[] bytes(final String key)
    {
        return key.getBytes(StandardCharsets.US_ASCII);
    }

    /** Track message 1 for one destination, then have the client ack it until the ack is sent. */
    private static void trackAndAck(final TrackerRig rig, final DestinationClient client, final int destinationId)
    {
        rig.tracker.agent().track(1, DestinationRegistry.mask(destinationId));
        final long[] sent = {0};
        rig.awaitUntil("the ack sent", () -> sent[0] > 0, () ->
        {
            client.poll(16);
            sent[0] = client.publisher().tryAck(1);
        });
    }

    @Test
    void shouldBindADestinationThatProvesItsNameWithItsKey()
    {
        final RecordingHandler handler = new RecordingHandler();
        try (TrackerRig rig = rig();
            DestinationClient client = new DestinationClient(rig.aeron, "a", bytes(KEY), handler))
        {
            trackAndAck(rig, client, 0);
            rig.awaitUntil("completed", () -> !rig.outcomes.isEmpty(), () -> client.poll(16));

            assertThat(rig.outcomes.get(0).outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(rig.counter(HELLO_CHALLENGES)).isEqualTo(1);
            assertThat(rig.counter(HELLOS_AUTHENTICATED)).isEqualTo(1);
            assertThat(rig.counter(HELLOS)).isEqualTo(1);
            assertThat(rig.counter(HELLOS_REFUSED)).isZero();
            assertThat(handler.refusals).isEmpty();
        }
    }

    @Test
    void shouldRefuseAndCountAWrongKeyAndChangeNothing()
    {
        final RecordingHandler handler = new RecordingHandler();
        try (TrackerRig rig = rig();
            DestinationClient impostor = new DestinationClient(rig.aeron, "a", bytes(SecretFile.newToken()), handler))
        {
            trackAndAck(rig, impostor, 0);
            rig.awaitUntil("hello and ack refused", () -> handler.refusals.size() >= 2, () -> impostor.poll(16));

            assertThat(handler.refusals).containsExactly(HELLO + " 0 UNAUTHENTICATED", "3 1 UNBOUND_SESSION");
            assertThat(rig.counter(HELLOS_BAD_CREDENTIAL)).isEqualTo(1);
            assertThat(rig.counter(HELLOS_REFUSED)).isEqualTo(1);
            assertThat(rig.counter(HELLOS)).isZero();
            assertThat(rig.counter(BOUND_SESSIONS)).isZero();
            assertThat(rig.tracker.agent().pendingCount()).isEqualTo(1);
            assertThat(rig.outcomes).isEmpty();
        }
    }

    @Test
    void shouldRefuseAndCountAHelloWithoutCredentialForADestinationWithAKey()
    {
        final RecordingHandler handler = new RecordingHandler();
        try (TrackerRig rig = rig();
            DestinationClient unkeyed = new DestinationClient(rig.aeron, "a", null, handler))
        {
            trackAndAck(rig, unkeyed, 0);
            rig.awaitUntil("hello and ack refused", () -> handler.refusals.size() >= 2, () -> unkeyed.poll(16));

            assertThat(handler.refusals).containsExactly(HELLO + " 0 UNAUTHENTICATED", "3 1 UNBOUND_SESSION");
            assertThat(rig.counter(HELLOS_NO_CREDENTIAL)).isEqualTo(1);
            assertThat(rig.counter(HELLOS_REFUSED)).isEqualTo(1);
            assertThat(rig.counter(HELLO_CHALLENGES)).isZero();
            assertThat(rig.tracker.agent().pendingCount()).isEqualTo(1);
            assertThat(rig.outcomes).isEmpty();
        }
    }

    @Test
    void shouldBindADestinationWithoutAKeyOnItsWordAsBefore()
    {
        final RecordingHandler handler = new RecordingHandler();
        try (TrackerRig rig = rig();
            DestinationClient b = new DestinationClient(rig.aeron, "b", null, handler))
        {
            trackAndAck(rig, b, 1);
            rig.awaitUntil("completed", () -> !rig.outcomes.isEmpty(), () -> b.poll(16));

            assertThat(rig.counter(HELLOS)).isEqualTo(1);
            assertThat(rig.counter(HELLOS_AUTHENTICATED)).isZero();
            assertThat(rig.counter(HELLOS_REFUSED)).isZero();
        }
    }

    @Test
    void shouldRefuseAProofReplayedOnAnotherSession()
    {
        final RecordingHandler handler = new RecordingHandler();
        try (TrackerRig rig = rig();
            Subscription spy = rig.aeron.addSubscription(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_OUTBOUND_STREAM_ID);
            ExclusivePublication impostor = rig.aeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID))
        {
            rig.awaitUntil("connected", () -> impostor.isConnected() && spy.isConnected());
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[Protocol.MAX_FRAME_LENGTH]);

            // the impostor asks for a challenge of its own, then sends a proof made for another session: what it
            // could copy out of a legitimate destination's log buffer, with that session's nonce
            offer(rig, impostor, frame, hello(frame, HelloCredential.CHALLENGE, null, null));
            final byte[] nonce = new byte[HelloProof.NONCE_LENGTH];
            final MessageHeaderDecoder header = new MessageHeaderDecoder();
            final HelloChallengeDecoder challenge = new HelloChallengeDecoder();
            final boolean[] seen = {false};
            rig.awaitUntil("the impostor's challenge", () -> seen[0], () -> spy.poll((buffer, offset, length, h) ->
            {
                challenge.wrapAndApplyHeader(buffer, offset, header);
                if (HelloChallengeDecoder.TEMPLATE_ID == header.templateId() &&
                    challenge.sessionId() == impostor.sessionId())
                {
                    challenge.getNonce(nonce, 0, nonce.length);
                    seen[0] = true;
                }
            }, 16));
            final byte[] otherSessionsNonce = new byte[HelloProof.NONCE_LENGTH];
            otherSessionsNonce[0] = 1;
            final byte[] proof = new byte[HelloProof.LENGTH];
            final UnsafeBuffer name = new UnsafeBuffer(bytes("a"));
            HelloProof.compute(new HmacSha256(bytes(KEY)), new UnsafeBuffer(otherSessionsNonce), 0,
                impostor.sessionId() + 1, name, 0, 1, proof);
            offer(rig, impostor, frame, hello(frame, HelloCredential.PROOF, otherSessionsNonce, proof));
            rig.awaitUntil("refused", () -> rig.counter(HELLOS_REFUSED) > 0);

            assertThat(rig.counter(HELLOS_BAD_CREDENTIAL)).isEqualTo(1);
            assertThat(rig.counter(HELLOS)).isZero();

            // and the same proof again, now with no challenge outstanding at all: the nonce was used up
            offer(rig, impostor, frame, hello(frame, HelloCredential.PROOF, nonce, proof));
            rig.awaitUntil("refused again", () -> rig.counter(HELLOS_REFUSED) > 1);
            assertThat(rig.counter(HELLOS_BAD_CREDENTIAL)).isEqualTo(2);
            assertThat(rig.counter(BOUND_SESSIONS)).isZero();
        }
    }

    private static int hello(
        final UnsafeBuffer frame, final HelloCredential credential, final byte[] nonce, final byte[] proof)
    {
        final DestinationHelloEncoder encoder = new DestinationHelloEncoder()
            .wrapAndApplyHeader(frame, 0, new MessageHeaderEncoder())
            .destinationId((short)Protocol.BOUND_DESTINATION)
            .credential(credential)
            .putNonce(null == nonce ? new byte[HelloProof.NONCE_LENGTH] : nonce, 0, HelloProof.NONCE_LENGTH)
            .putProof(null == proof ? new byte[HelloProof.LENGTH] : proof, 0, HelloProof.LENGTH)
            .name("a");
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private static void offer(
        final TrackerRig rig, final ExclusivePublication publication, final UnsafeBuffer frame, final int length)
    {
        rig.awaitUntil("offered", () -> publication.offer(frame, 0, length) > 0);
    }
}

package io.acktracker.transport.inbound;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.HelloProof;
import io.acktracker.transport.auth.HmacSha256;
import io.acktracker.transport.auth.NonceSource;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Challenges and checks the hellos of destinations that have a key ({@link DestinationKeys}):
 * <ol>
 *     <li>a hello asking for a CHALLENGE gets a nonce (random, or on a replicated tracker derived from the log), remembered for that session, that image and that
 *     destination (one outstanding per session: a new request replaces it);</li>
 *     <li>a hello with a PROOF binds only when a nonce is outstanding for its session, on the same image and for the
 *     same destination, the nonce it echoes is that one, and its proof is {@link HelloProof} of it with the
 *     destination's key (compared in constant time). The nonce is used up either way, so a proof is good once.</li>
 * </ol>
 * The hot ack path is not involved: once bound, the session's commands go through {@link SessionBindings} as
 * before. Outstanding challenges are bounded by the session limit; to make room, those of sessions whose image is
 * gone are dropped.
 * <p>
 * Allocates per challenge (the nonce and its entry): once per hello, not per message. Threading: agent thread only.
 */
final class HelloAuthenticator
{
    private final Map<String, HmacSha256> macs = new HashMap<>();
    private final OutstandingChallenges challenges;
    private final UnsafeBuffer nonceView = new UnsafeBuffer(0, 0);
    private final byte[] expected = new byte[HelloProof.LENGTH];
    private final byte[] presented = new byte[HelloProof.LENGTH];

    /**
     * An authenticator for some keys.
     *
     * @param keys          destinations' keys.
     * @param maxChallenges most challenges outstanding at once.
     * @param isLive        whether a session still has an image, to make room.
     * @param nonces        where the challenges' nonces come from.
     */
    HelloAuthenticator(
        final DestinationKeys keys, final int maxChallenges, final IntPredicate isLive, final NonceSource nonces)
    {
        for (final String name : keys.names())
        {
            macs.put(name, new HmacSha256(keys.key(name)));
        }
        this.challenges = new OutstandingChallenges(maxChallenges, isLive, nonces);
    }

    /**
     * Whether a destination must prove its name.
     *
     * @param name the destination's name.
     * @return true when it has a key.
     */
    boolean hasKey(final String name)
    {
        return macs.containsKey(name);
    }

    /**
     * Issue a challenge to the hello's session.
     *
     * @param header        the hello's header.
     * @param destinationId the registry id of the destination it names.
     * @return the nonce to send, or null when no more challenges can be outstanding.
     */
    byte[] challenge(final Header header, final int destinationId)
    {
        return challenges.issue(header, destinationId);
    }

    /**
     * Check a proof, using up the session's challenge.
     *
     * @param header        the hello's header.
     * @param destinationId the registry id of the destination it names.
     * @param destination   the name as a string (the key's lookup).
     * @param name          the name as it came (what the proof covers).
     * @param nonce         the nonce it echoes.
     * @param proof         its proof.
     * @return true when it proves the name.
     */
    boolean verify(
        final Header header,
        final int destinationId,
        final String destination,
        final DirectBuffer name,
        final DirectBuffer nonce,
        final DirectBuffer proof)
    {
        final OutstandingChallenges.Challenge challenge = challenges.take(header, destinationId);
        final HmacSha256 mac = macs.get(destination);
        if (null == challenge || null == mac)
        {
            return false;
        }
        // the proof is computed over the nonce we issued, so a nonce echoed wrongly fails the comparison below
        nonceView.wrap(challenge.nonce());
        HelloProof.compute(mac, nonceView, 0, header.sessionId(), name, 0, name.capacity(), expected);
        proof.getBytes(0, presented);
        final boolean echoed = OutstandingChallenges.nonceMatches(challenge.nonce(), nonce);
        return HmacSha256.isEqual(expected, presented) & echoed;
    }

    /**
     * Write the outstanding challenges to a replica's snapshot.
     *
     * @param out the image.
     */
    void dump(final ImageWriter out)
    {
        challenges.dump(out);
    }

    /**
     * Replace the outstanding challenges with a snapshot's.
     *
     * @param in the image.
     */
    void restore(final ImageReader in)
    {
        challenges.restore(in);
    }
}

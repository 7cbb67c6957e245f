package io.acktracker.transport.inbound;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.transport.auth.ClientProof;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.HelloProof;
import io.acktracker.transport.auth.HmacSha256;
import io.acktracker.transport.auth.NonceSource;
import io.acktracker.transport.client.ClientSession;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.IntPredicate;

/**
 * Challenges and checks the SessionOpens of clients that have a key (the client key file: {@code name=key} lines,
 * the client id being {@link ClientSession.Settings#idOf} of the name):
 * <ol>
 *     <li>an open asking for a CHALLENGE gets a nonce (random, or on a replicated tracker derived from the log),
 *     remembered for that Aeron session, that image and that client id (one outstanding per session: a new request
 *     replaces it);</li>
 *     <li>an open with a PROOF is accepted only when a nonce is outstanding for its session, on the same image and
 *     for the same client id, the nonce it echoes is that one, and its proof is {@link ClientProof} of it with the
 *     client's key (compared in constant time). The nonce is used up either way, so a proof is good once.</li>
 * </ol>
 * Where a client with a key may send from afterwards is where its proven open was applied: {@link ClientImages}
 * holds that for every client, keyed or not, and {@link EngineCommands} refuses a keyed client's numbered commands
 * until it has a place there. This is transport state, not engine state: nothing here is journaled. What it refuses
 * never reaches the engine, so it changes no session state; after a tracker restart the places are gone and a
 * client with a key proves its id again before its commands are accepted. On a replicated tracker the outstanding
 * challenges are part of the snapshot ({@link #dump}).
 * <p>
 * Allocates per challenge (the nonce and its entry): once per open, not per message. {@link #hasKey} is allocation
 * free (one primitive map lookup, none when no client has a key). Threading: agent thread only.
 */
final class ClientAuthenticator
{
    private final Long2ObjectHashMap<HmacSha256> macs = new Long2ObjectHashMap<>();
    private final OutstandingChallenges challenges;
    private final UnsafeBuffer nonceView = new UnsafeBuffer(0, 0);
    private final byte[] expected = new byte[HelloProof.LENGTH];
    private final byte[] presented = new byte[HelloProof.LENGTH];

    /**
     * An authenticator for some client keys.
     *
     * @param keys          clients' keys by client name.
     * @param maxChallenges most challenges outstanding at once.
     * @param isLive        whether a session still has an image, to make room.
     * @param nonces        where the challenges' nonces come from.
     * @throws IllegalArgumentException when two names have the same client id.
     */
    ClientAuthenticator(
        final DestinationKeys keys, final int maxChallenges, final IntPredicate isLive, final NonceSource nonces)
    {
        for (final String name : keys.names())
        {
            final long clientId = ClientSession.Settings.idOf(name);
            if (null != macs.put(clientId, new HmacSha256(keys.key(name))))
            {
                throw new IllegalArgumentException("two client names with one client id: " + name);
            }
        }
        this.challenges = new OutstandingChallenges(maxChallenges, isLive, nonces);
    }

    /**
     * Whether a client must prove its id.
     *
     * @param clientId the client.
     * @return true when it has a key.
     */
    boolean hasKey(final long clientId)
    {
        return !macs.isEmpty() && macs.containsKey(clientId);
    }

    /**
     * Issue a challenge to the open's session.
     *
     * @param header   the open's header.
     * @param clientId the client id it names.
     * @return the nonce to send, or null when no more challenges can be outstanding.
     */
    byte[] challenge(final Header header, final long clientId)
    {
        return challenges.issue(header, clientId);
    }

    /**
     * Check a proof, using up the session's challenge.
     *
     * @param header   the open's header.
     * @param clientId the client id it names.
     * @param nonce    the nonce it echoes.
     * @param proof    its proof.
     * @return true when it proves the id.
     */
    boolean verify(final Header header, final long clientId, final DirectBuffer nonce, final DirectBuffer proof)
    {
        final OutstandingChallenges.Challenge challenge = challenges.take(header, clientId);
        final HmacSha256 mac = macs.get(clientId);
        if (null == challenge || null == mac)
        {
            return false;
        }
        // the proof is computed over the nonce we issued, so a nonce echoed wrongly fails the comparison below
        nonceView.wrap(challenge.nonce());
        ClientProof.compute(mac, nonceView, 0, header.sessionId(), clientId, expected);
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

package io.acktracker.transport.inbound;

import io.acktracker.transport.auth.ClientProof;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.HelloProof;
import io.acktracker.transport.auth.HmacSha256;
import io.acktracker.transport.client.ClientSession;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.IntPredicate;

/**
 * Challenges and checks the SessionOpens of clients that have a key (the client key file: {@code name=key} lines,
 * the client id being {@link ClientSession.Settings#idOf} of the name), and remembers which image each such client
 * proved its id on (its Aeron session and image):
 * <ol>
 *     <li>an open asking for a CHALLENGE gets a random nonce, remembered for that Aeron session, that image and that
 *     client id (one outstanding per session: a new request replaces it);</li>
 *     <li>an open with a PROOF is accepted only when a nonce is outstanding for its session, on the same image and
 *     for the same client id, the nonce it echoes is that one, and its proof is {@link ClientProof} of it with the
 *     client's key (compared in constant time). The nonce is used up either way, so a proof is good once. An
 *     accepted proof binds the client id to the session and image (replacing an earlier binding: the holder of the key may move
 *     to a new publication);</li>
 *     <li>a numbered command or an OutboxConfirm of a client with a key is {@link #permits permitted} only from the
 *     session and image its id is bound to. A client without a key is permitted from anywhere (trusted on its word).</li>
 * </ol>
 * This is transport state, not engine state: nothing here is journaled. What it refuses never reaches the engine,
 * so it changes no session state; after a tracker restart the bindings are gone and a client with a key proves its
 * id again before its commands are accepted.
 * <p>
 * Allocates per challenge (the nonce and its entry): once per open, not per message. {@link #permits} is allocation
 * free (two primitive map lookups, none when no client has a key). Threading: agent thread only.
 */
final class ClientAuthenticator
{
    private final Long2ObjectHashMap<HmacSha256> macs = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Bound> bound = new Long2ObjectHashMap<>();
    private final OutstandingChallenges challenges;
    private final UnsafeBuffer nonceView = new UnsafeBuffer(0, 0);
    private final byte[] expected = new byte[HelloProof.LENGTH];
    private final byte[] presented = new byte[HelloProof.LENGTH];

    /** Where a client proved its id: the Aeron session and the image it arrived on. */
    private static final class Bound
    {
        int sessionId;
        long imageId;
    }

    /**
     * An authenticator for some client keys.
     *
     * @param keys          clients' keys by client name.
     * @param maxChallenges most challenges outstanding at once.
     * @param isLive        whether a session still has an image, to make room.
     * @throws IllegalArgumentException when two names have the same client id.
     */
    ClientAuthenticator(final DestinationKeys keys, final int maxChallenges, final IntPredicate isLive)
    {
        for (final String name : keys.names())
        {
            final long clientId = ClientSession.Settings.idOf(name);
            if (null != macs.put(clientId, new HmacSha256(keys.key(name))))
            {
                throw new IllegalArgumentException("two client names with one client id: " + name);
            }
        }
        this.challenges = new OutstandingChallenges(maxChallenges, isLive);
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
     * Whether a numbered command or an outbox confirmation of a client may be applied from this frame's image: a
     * client without a key, always; one with a key, only from the image it proved its id on.
     *
     * @param header   the frame's header.
     * @param clientId the client it names.
     * @return true when permitted.
     */
    boolean permits(final Header header, final long clientId)
    {
        if (macs.isEmpty() || !macs.containsKey(clientId))
        {
            return true;
        }
        final Bound where = bound.get(clientId);
        return null != where && where.sessionId == header.sessionId() &&
            where.imageId == SessionBindings.imageId(header);
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
     * Check a proof, using up the session's challenge; bind the client id to the frame's image when it holds.
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
        final boolean proven = HmacSha256.isEqual(expected, presented) & echoed;
        if (proven)
        {
            final Bound where = bound.computeIfAbsent(clientId, (id) -> new Bound());
            where.sessionId = header.sessionId();
            where.imageId = challenge.imageId();
        }
        return proven;
    }
}

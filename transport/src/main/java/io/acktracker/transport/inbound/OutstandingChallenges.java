package io.acktracker.transport.inbound;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.transport.auth.HelloProof;
import io.acktracker.transport.auth.NonceSource;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The challenges a tracker issued and has not seen answered: one per Aeron session, each a nonce (from a
 * {@link NonceSource}) remembered with the image it was asked on and the subject it is for (a destination's registry
 * id, a client id). A new request
 * on a session replaces its challenge; an answer uses it up whether it proves anything or not, so a proof is good
 * once. Bounded: to make room, the challenges of sessions whose image is gone are dropped. The one place both
 * {@link HelloAuthenticator} (destinations) and {@link ClientAuthenticator} (clients) keep their nonces. On a
 * replicated tracker they are state like the engine's (an answer may reach the log after a failover, or after a
 * member restarted from a snapshot): {@link #dump} and {@link #restore} carry them in the snapshot.
 * <p>
 * Allocates per challenge (the nonce and its entry): once per hello or open, never per message. Threading: agent
 * thread only.
 */
final class OutstandingChallenges
{
    /** A challenge: the nonce sent, the image it was asked on, the subject it is for. */
    record Challenge(byte[] nonce, long imageId, long subject)
    {
    }

    private final Int2ObjectHashMap<Challenge> challenges = new Int2ObjectHashMap<>();
    private final int maxChallenges;
    private final IntPredicate isLive;
    private final NonceSource nonces;

    /**
     * @param maxChallenges most challenges outstanding at once.
     * @param isLive        whether a session still has an image, to make room.
     * @param nonces        where the nonces come from.
     */
    OutstandingChallenges(final int maxChallenges, final IntPredicate isLive, final NonceSource nonces)
    {
        this.maxChallenges = maxChallenges;
        this.isLive = isLive;
        this.nonces = nonces;
    }

    /**
     * Issue a challenge to a frame's session, for a subject.
     *
     * @param header  the asking frame's header.
     * @param subject what the answer must prove (a destination id, a client id).
     * @return the nonce to send, or null when no more challenges can be outstanding.
     */
    byte[] issue(final Header header, final long subject)
    {
        final int sessionId = header.sessionId();
        if (!challenges.containsKey(sessionId) && challenges.size() >= maxChallenges)
        {
            challenges.keySet().removeIf((session) -> !isLive.test(session));
            if (challenges.size() >= maxChallenges)
            {
                return null;
            }
        }
        final byte[] nonce = new byte[HelloProof.NONCE_LENGTH];
        nonces.next(sessionId, subject, nonce);
        challenges.put(sessionId, new Challenge(nonce, SessionBindings.imageId(header), subject));
        return nonce;
    }

    /**
     * Use up a frame's session's challenge: it answers only when it was issued on this frame's image for this
     * subject.
     *
     * @param header  the answering frame's header.
     * @param subject what the answer claims.
     * @return the challenge it answers, or null when there is none to answer (none issued, another image, another
     * subject); the session's challenge is gone either way.
     */
    Challenge take(final Header header, final long subject)
    {
        final Challenge challenge = challenges.remove(header.sessionId());
        return null == challenge || challenge.subject() != subject ||
            challenge.imageId() != SessionBindings.imageId(header) ? null : challenge;
    }

    /**
     * Whether an answer echoes the nonce issued, compared in constant time.
     *
     * @param issued the nonce sent.
     * @param echoed the nonce the answer carries.
     * @return true when equal.
     */
    static boolean nonceMatches(final byte[] issued, final DirectBuffer echoed)
    {
        int difference = 0;
        for (int i = 0; i < issued.length; i++)
        {
            difference |= issued[i] ^ echoed.getByte(i);
        }
        return 0 == difference;
    }

    /**
     * Write every outstanding challenge, in session order (the same bytes on every member).
     *
     * @param out the image.
     */
    void dump(final ImageWriter out)
    {
        final int[] sessions = new int[challenges.size()];
        int i = 0;
        for (final Int2ObjectHashMap<Challenge>.KeyIterator keys = challenges.keySet().iterator(); keys.hasNext(); )
        {
            sessions[i++] = keys.nextInt();
        }
        Arrays.sort(sessions);
        out.putInt(sessions.length);
        for (final int sessionId : sessions)
        {
            final Challenge challenge = challenges.get(sessionId);
            out.putInt(sessionId).putLong(challenge.subject()).putLong(challenge.imageId())
                .putBytes(challenge.nonce(), challenge.nonce().length);
        }
    }

    /**
     * Replace every outstanding challenge with those of an image {@link #dump} wrote.
     *
     * @param in the image.
     * @throws IllegalStateException when a nonce has another length than {@link HelloProof#NONCE_LENGTH}.
     */
    void restore(final ImageReader in)
    {
        challenges.clear();
        for (int i = 0, count = in.getInt(); i < count; i++)
        {
            final int sessionId = in.getInt();
            final long subject = in.getLong();
            final long imageId = in.getLong();
            final byte[] nonce = in.getBytes(null);
            if (HelloProof.NONCE_LENGTH != in.lastCount() || nonce.length != HelloProof.NONCE_LENGTH)
            {
                throw new IllegalStateException("a challenge's nonce of " + in.lastCount() + " bytes in the image");
            }
            challenges.put(sessionId, new Challenge(nonce, imageId, subject));
        }
    }

    /**
     * @return how many challenges are outstanding.
     */
    int size()
    {
        return challenges.size();
    }
}

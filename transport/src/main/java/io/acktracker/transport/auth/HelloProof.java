package io.acktracker.transport.auth;

import org.agrona.DirectBuffer;

/**
 * The proof a destination gives of its name at hello, and its check:
 * <pre>
 *   proof = HMAC-SHA256(destination key, nonce[16] || session id (int32, little-endian) || name (ASCII))
 * </pre>
 * The nonce is the tracker's, random, issued to one session on one image and used once; the session id and name
 * tie the proof to that session and that destination. So a proof read from the driver's log buffers cannot bind any
 * other session, or the same one again, and the key never leaves the two processes that hold it.
 * <p>
 * Used on the client side without the engine or a media driver: it needs only agrona and the JDK.
 * <p>
 * Threading: stateless; the {@link HmacSha256} passed in is the caller's (one thread).
 */
public final class HelloProof
{
    /** Bytes of a nonce. */
    public static final int NONCE_LENGTH = 16;
    /** Bytes of a proof. */
    public static final int LENGTH = HmacSha256.LENGTH;

    private HelloProof()
    {
    }

    /**
     * Compute a proof.
     *
     * @param mac         keyed with the destination's key.
     * @param nonce       buffer holding the nonce.
     * @param nonceOffset where it starts.
     * @param sessionId   the publishing session.
     * @param name        buffer holding the destination's name, ASCII.
     * @param nameOffset  where it starts.
     * @param nameLength  its length.
     * @param out         where the {@link #LENGTH} bytes go.
     */
    public static void compute(
        final HmacSha256 mac,
        final DirectBuffer nonce,
        final int nonceOffset,
        final int sessionId,
        final DirectBuffer name,
        final int nameOffset,
        final int nameLength,
        final byte[] out)
    {
        mac.update(nonce, nonceOffset, NONCE_LENGTH).update(sessionId).update(name, nameOffset, nameLength)
            .finish(out, 0);
    }
}

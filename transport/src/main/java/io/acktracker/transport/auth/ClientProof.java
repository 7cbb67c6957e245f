package io.acktracker.transport.auth;

import org.agrona.DirectBuffer;

/**
 * The proof a client gives of its client id when it opens its session (protocol version 4), and its check:
 * <pre>
 *   proof = HMAC-SHA256(client key, nonce[16] || session id (int32, little-endian) || client id (int64, little-endian))
 * </pre>
 * The nonce is the tracker's SessionChallenge, random, issued to one Aeron session on one image for one client id
 * and used once; the session id and the client id tie the proof to them. A proof read from the driver's log buffers
 * therefore opens no other session and the same one only once, and the key never leaves the two processes that hold
 * it. The key is the one the tracker's client key file gives the client's name (the id is
 * {@code ClientSession.Settings.idOf(name)}).
 * <p>
 * Used on the client side without the engine or a media driver: it needs only agrona and the JDK.
 * <p>
 * Threading: stateless; the {@link HmacSha256} passed in is the caller's (one thread).
 */
public final class ClientProof
{
    private ClientProof()
    {
    }

    /**
     * Compute a proof.
     *
     * @param mac         keyed with the client's key.
     * @param nonce       buffer holding the nonce ({@link HelloProof#NONCE_LENGTH} bytes).
     * @param nonceOffset where it starts.
     * @param sessionId   the client's publication's session id.
     * @param clientId    the client id it opens.
     * @param out         where the {@link HelloProof#LENGTH} bytes go.
     */
    public static void compute(
        final HmacSha256 mac,
        final DirectBuffer nonce,
        final int nonceOffset,
        final int sessionId,
        final long clientId,
        final byte[] out)
    {
        mac.update(nonce, nonceOffset, HelloProof.NONCE_LENGTH).update(sessionId).update(clientId).finish(out, 0);
    }
}

package io.acktracker.cluster;

import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.HelloProof;
import io.acktracker.transport.auth.HmacSha256;
import io.acktracker.transport.auth.NonceSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A replicated tracker's challenge nonces, derived from the log entry that asked:
 * <pre>
 *   nonce = first 16 bytes of HMAC-SHA256(K, log position (int64) || log timestamp (int64) || session id (int32)
 *                                            || subject (int64))
 *   K     = SHA-256("acktracker log nonces v1" || every destination key, then every client key, by name)
 * </pre>
 * Why not random: every member applies the request and must issue the same nonce, since the member that checks the
 * proof may be another (a failover between challenge and answer) or one restored from a snapshot. Why this is still
 * a nonce: a log position is never used twice in a cluster's life, so no session is ever issued the same nonce twice
 * for a subject; the timestamp sets apart two clusters whose logs reach the same position; and the key makes the
 * next nonce unknown to whoever holds no key. A proof is tied to the session id and used once ({@code
 * OutstandingChallenges}), so knowing a nonce early would give a party without the key nothing anyway.
 * <p>
 * {@link #keysCheck} is a value the members' snapshots carry so that members with different keys, which decide
 * differently, show as different snapshot checksums.
 * <p>
 * Allocation free per nonce. Threading: the clustered service's thread.
 */
final class LogNonces implements NonceSource
{
    private static final byte[] DOMAIN = "acktracker log nonces v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHECK = "acktracker keys check v1".getBytes(StandardCharsets.US_ASCII);

    private final HmacSha256 mac;
    private final long keysCheck;
    private final byte[] digest = new byte[HmacSha256.LENGTH];
    private long logPosition;
    private long timestamp;

    /**
     * @param destinationKeys the destinations' keys, the same on every member.
     * @param clientKeys      the clients' keys, the same on every member.
     */
    LogNonces(final DestinationKeys destinationKeys, final DestinationKeys clientKeys)
    {
        mac = new HmacSha256(keyOf(destinationKeys, clientKeys));
        mac.update(CHECK).finish(digest, 0);
        long check = 0;
        for (int i = 0; i < Long.BYTES; i++)
        {
            check = check << 8 | (digest[i] & 0xFF);
        }
        keysCheck = check;
    }

    /**
     * The log entry being applied: the next nonces are derived from it.
     *
     * @param logPosition its position in the log.
     * @param timestamp   its timestamp, in the cluster's time unit.
     */
    void at(final long logPosition, final long timestamp)
    {
        this.logPosition = logPosition;
        this.timestamp = timestamp;
    }

    public void next(final int sessionId, final long subject, final byte[] nonce)
    {
        mac.update(logPosition).update(timestamp).update(sessionId).update(subject).finish(digest, 0);
        System.arraycopy(digest, 0, nonce, 0, HelloProof.NONCE_LENGTH);
    }

    /**
     * @return a value that differs, but for a 2^-64 chance, between members that hold different keys; it tells
     * nothing of the keys to whoever reads it.
     */
    long keysCheck()
    {
        return keysCheck;
    }

    private static byte[] keyOf(final DestinationKeys destinationKeys, final DestinationKeys clientKeys)
    {
        try
        {
            final MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(DOMAIN);
            for (final DestinationKeys keys : new DestinationKeys[]{ destinationKeys, clientKeys })
            {
                // by name, so that the order of the lines in a key file does not matter; the count first, and a 0
                // (in neither a name nor a key) after each name and key, so that no two key sets feed the same bytes
                final List<String> names = new ArrayList<>(keys.names());
                Collections.sort(names);
                sha256.update(java.nio.ByteBuffer.allocate(Integer.BYTES).putInt(names.size()).array());
                for (final String name : names)
                {
                    sha256.update(name.getBytes(StandardCharsets.US_ASCII));
                    sha256.update((byte)0);
                    sha256.update(keys.key(name));
                    sha256.update((byte)0);
                }
            }
            return sha256.digest();
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }
}

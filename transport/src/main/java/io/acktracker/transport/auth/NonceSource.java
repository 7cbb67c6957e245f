package io.acktracker.transport.auth;

import java.security.SecureRandom;

/**
 * Where a tracker's challenge nonces come from ({@link HelloProof}, {@link ClientProof}).
 * <p>
 * A nonce is what makes a proof good once: the tracker issues it to one session, for one subject, and uses it up with
 * the first answer. Whatever the source, a nonce must never be issued twice to the same session for the same subject
 * in the tracker's life (a proof recorded once would then be accepted again). A single-process tracker draws nonces
 * at random ({@link #random()}). A replicated tracker cannot: every member applies the same request and must issue
 * the same nonce, or the member that checks the answer after a failover would hold another one; it derives the nonce
 * from the log entry that asked (the cluster module's {@code LogNonces}).
 * <p>
 * Threading: called on the tracker's agent (or clustered service) thread only.
 */
@FunctionalInterface
public interface NonceSource
{
    /**
     * Fill in the nonce of a new challenge.
     *
     * @param sessionId the session that asked.
     * @param subject   what the answer must prove (a destination's registry id, a client id).
     * @param nonce     {@link HelloProof#NONCE_LENGTH} bytes to fill.
     */
    void next(int sessionId, long subject, byte[] nonce);

    /**
     * Nonces from a {@link SecureRandom}: what a single-process tracker uses.
     *
     * @return a new source.
     */
    static NonceSource random()
    {
        final SecureRandom random = new SecureRandom();
        return (sessionId, subject, nonce) -> random.nextBytes(nonce);
    }
}

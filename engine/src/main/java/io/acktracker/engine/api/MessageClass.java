package io.acktracker.engine.api;


/**
 * Named defaults for a kind of message, like the seed's MessageKind table: a track that names the class takes its
 * ack timeout, attempts, priority, time to live and backoff wherever the request leaves them unset.
 *
 * @param id           class id carried in requests and records (1..65535; 0 is the tracker's defaults).
 * @param name         for people.
 * @param ackTimeoutNs per-attempt ack timeout.
 * @param maxAttempts  attempts per destination including the first send (1..15); 1 means no retries.
 * @param priority     retry priority (-128..127), higher first.
 * @param ttlNs        time to live.
 * @param backoff      delay before each retry.
 */
public record MessageClass(
    int id, String name, long ackTimeoutNs, int maxAttempts, int priority, long ttlNs, Backoff backoff)
{
    /**
     * Canonical constructor with range checks.
     *
     * @param id           class id carried in requests and records (1..65535; 0 is the tracker's defaults).
     * @param name         for people.
     * @param ackTimeoutNs per-attempt ack timeout.
     * @param maxAttempts  attempts per destination including the first send (1..15); 1 means no retries.
     * @param priority     retry priority (-128..127), higher first.
     * @param ttlNs        time to live.
     * @param backoff      delay before each retry.
     * @throws IllegalArgumentException when one is out of range.
     */
    public MessageClass
    {
        if (id < 0 || id > 0xFFFF)
        {
            throw new IllegalArgumentException("message class id must be 0..65535: " + id);
        }
        if (maxAttempts < 1 || maxAttempts > TrackRequest.MAX_ATTEMPTS)
        {
            throw new IllegalArgumentException("maxAttempts must be 1.." + TrackRequest.MAX_ATTEMPTS +
                ": " + maxAttempts);
        }
        if (priority < Byte.MIN_VALUE || priority > Byte.MAX_VALUE)
        {
            throw new IllegalArgumentException("priority must be -128..127: " + priority);
        }
        if (ackTimeoutNs <= 0 || ttlNs <= 0)
        {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (null == backoff)
        {
            throw new IllegalArgumentException("backoff is required");
        }
    }
}

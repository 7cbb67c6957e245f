package io.acktracker.engine.api;

/**
 * Told when a message must be sent again to a destination (after an ack timeout or a nack and its backoff, when a
 * parked redelivery resumes, or when a dead letter is replayed). Called on the agent thread: must not block. The
 * Aeron transport turns it into a Redeliver message.
 */
@FunctionalInterface
public interface RedeliveryListener
{
    /** Destination value meaning "a consumer": a leased message became available to lease again. */
    int CONSUMER = -1;

    /**
     * Send the message again.
     *
     * @param messageId   message.
     * @param destination destination id, or {@link #CONSUMER} when a lease expired or was nacked.
     * @param attempt     this destination's attempt number (2 for the first retry; 1 after a replay), or the next
     *                    delivery number for a consumer.
     */
    void onRedeliver(long messageId, int destination, int attempt);
}

package io.acktracker.transport.client;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.transport.codecs.RefusalCode;

/**
 * Receives what the tracker publishes, from {@link TrackerClient#poll(int)} or {@link DestinationClient#poll(int)}
 * on the caller's own thread. Only {@link #onOutcome} must be implemented.
 * <p>
 * Threading: the thread calling {@code poll}; must not block.
 */
@FunctionalInterface
public interface TrackerClientHandler
{
    /**
     * A message reached its outcome. Every subscriber sees every outcome; filter by id when several senders share
     * one tracker.
     *
     * @param messageId id of the message.
     * @param outcome   COMPLETED, FAILED or EXPIRED.
     * @param reason    why it failed or expired; NONE when completed (or when this client does not know it).
     * @param latencyNs track to outcome, as the tracker measured it.
     * @param attempts  delivery attempts.
     * @param replay    may have been told before a tracker restart (at least once).
     */
    void onOutcome(long messageId, Outcome outcome, FailureReason reason, long latencyNs, int attempts, boolean replay);

    /**
     * The tracker asks for a message to be delivered to a destination again (after an ack timeout or a nack and its
     * backoff), or tells consumers that a leased message is available to lease again (its lease expired, or it was
     * nacked and its hold-back ended). Every subscriber sees every redelivery: filter by destination.
     *
     * @param messageId     message.
     * @param destinationId destination id 0..63, or {@link RedeliveryListener#CONSUMER} for consumers.
     * @param attempt       the attempt this is (2 for the first retry), or the next delivery number for consumers.
     */
    default void onRedeliver(final long messageId, final int destinationId, final int attempt)
    {
    }

    /**
     * The tracker refused a command this client's session sent (its Track, Lease or Settle, for example); nothing
     * changed.
     *
     * @param refusedTemplateId template id of the refused command (e.g. {@code TrackEncoder.TEMPLATE_ID}).
     * @param correlationId     message id, stream id or correlation id of the command.
     * @param code              why.
     * @param destinationId     destination concerned, 255 when none.
     */
    default void onRefused(final int refusedTemplateId, final long correlationId, final RefusalCode code,
        final int destinationId)
    {
    }

    /**
     * A lease this client's session asked for was granted.
     *
     * @param correlationId   of the Lease request.
     * @param messageId       message.
     * @param handle          receipt handle to extend or settle it with; reused after the call:
     *                        {@link ReceiptHandle#copyFrom} to keep it.
     * @param leaseDeadlineNs when the lease ends unless extended (epoch ns, the tracker's clock).
     * @param delivery        how many times the message has been leased, this one included.
     * @param destinationId   lease holder.
     */
    default void onLeaseGranted(
        final long correlationId,
        final long messageId,
        final ReceiptHandle handle,
        final long leaseDeadlineNs,
        final int delivery,
        final int destinationId)
    {
    }
}

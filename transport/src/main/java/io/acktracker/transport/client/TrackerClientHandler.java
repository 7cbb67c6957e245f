package io.acktracker.transport.client;

import io.acktracker.engine.FailureReason;
import io.acktracker.engine.Outcome;
import io.acktracker.transport.codecs.RefusalCode;

/**
 * Receives what the tracker publishes, from {@link TrackerClient#poll(int)} on the caller's own thread.
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
     * The tracker asks for a message to be delivered to a destination again.
     *
     * @param messageId     message.
     * @param destinationId destination.
     * @param attempt       the attempt this is.
     */
    default void onRedeliver(final long messageId, final int destinationId, final int attempt)
    {
    }

    /**
     * The tracker refused a command this client sent (its Track, for example); nothing changed.
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
     * A lease was granted (trackers whose engine supports leases).
     *
     * @param correlationId   of the Lease request.
     * @param messageId       message.
     * @param leaseToken      token of the receipt handle.
     * @param leaseDeadlineNs when the lease ends (epoch ns).
     * @param destinationId   lease holder.
     */
    default void onLeaseGranted(
        final long correlationId,
        final long messageId,
        final long leaseToken,
        final long leaseDeadlineNs,
        final int destinationId)
    {
    }
}

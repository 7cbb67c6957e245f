package io.acktracker.engine.api;


/**
 * Told when a message reaches its outcome. Called on the agent thread: must not block, and should not throw (an
 * exception is counted and logged, and the tracker carries on).
 */
@FunctionalInterface
public interface OutcomeListener
{
    /**
     * A message reached its final state.
     *
     * @param messageId id of the message.
     * @param outcome   COMPLETED, FAILED or EXPIRED.
     * @param reason    why it failed or expired; NONE when completed.
     * @param latencyNs time from track to outcome.
     * @param attempts  delivery attempts made.
     * @param replay    true when this outcome may already have been notified before a crash and is told again
     *                  after recovery (at least once, never lost).
     */
    void onOutcome(long messageId, Outcome outcome, FailureReason reason, long latencyNs, int attempts, boolean replay);
}

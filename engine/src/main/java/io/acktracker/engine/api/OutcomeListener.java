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

    /**
     * Whether this listener is told the outcomes of messages tracked by a client session (numbered tracks), which
     * are also kept in that client's outbox until it confirms them. A transport that sends clients their outboxes
     * answers false, so such an outcome is not sent twice. Per-message listeners and futures are told either way.
     *
     * @return true (the default) to be told every outcome.
     */
    default boolean hearsOutboxOutcomes()
    {
        return true;
    }
}

package io.acktracker.engine.api;


/**
 * One message's outcome, as delivered to futures and completion handles.
 *
 * @param messageId id.
 * @param outcome   final state.
 * @param reason    why it failed or expired; NONE when completed.
 * @param latencyNs time from track to outcome.
 * @param attempts  delivery attempts.
 * @param replay    told again after a crash recovery.
 */
public record OutcomeEvent(
    long messageId, Outcome outcome, FailureReason reason, long latencyNs, int attempts, boolean replay)
{
}

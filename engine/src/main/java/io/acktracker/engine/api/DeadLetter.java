package io.acktracker.engine.api;


import java.util.List;
import java.util.Map;

/**
 * A message that could not be delivered, as kept in the dead-letter queue.
 *
 * @param messageId   id.
 * @param queue       dead-letter queue: the message's stream id, or {@link io.acktracker.engine.DeadLetterAdmin#DEFAULT_QUEUE}.
 * @param status      its record when it died: destinations, which acked, which failed, attempts, times, reason.
 * @param attempts    attempts per destination id (index = destination id).
 * @param history     its last attempts, oldest first.
 * @param lastErrors  last error of each destination that had one.
 * @param metadata    user metadata given at track time.
 * @param reason      why it died.
 * @param deadNs      when it died (epoch ns).
 * @param replayed    whether it had been replayed from the dead-letter queue before.
 */
public record DeadLetter(
    long messageId,
    int queue,
    MessageStatus status,
    int[] attempts,
    List<AttemptEvent> history,
    Map<Integer, AttemptEvent> lastErrors,
    byte[] metadata,
    FailureReason reason,
    long deadNs,
    boolean replayed)
{
}

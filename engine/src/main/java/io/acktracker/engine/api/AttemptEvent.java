package io.acktracker.engine.api;


/**
 * One entry of a message's attempt history.
 *
 * @param timeNs      when (epoch ns).
 * @param destination destination id.
 * @param type        what happened.
 * @param attempt     the destination's attempt number at the time.
 * @param code        error code given by the destination with a nack or reject (0 otherwise).
 */
public record AttemptEvent(long timeNs, int destination, AttemptEventType type, int attempt, int code)
{
}

package io.acktracker.engine.api;

/**
 * The one final state every tracked message reaches, once.
 */
public enum Outcome
{
    /** Enough destinations acked. */
    COMPLETED,
    /** Gave up: the ack timeout passed with no retries left, the message was rejected, or its quorum was lost. */
    FAILED,
    /** The time-to-live passed before completion. */
    EXPIRED
}

package io.acktracker.engine.api;

/**
 * Where a message stands, as told by {@link io.acktracker.engine.AckTracker#status(long)}.
 */
public enum MessageState
{
    /** Not known: never tracked, or finished and its tombstone is gone. */
    UNKNOWN,
    /** Waiting, no destination acked yet. */
    PENDING,
    /** Waiting, some destinations acked. */
    PARTIAL,
    /** Final: completed. */
    COMPLETED,
    /** Final: failed. */
    FAILED,
    /** Final: expired. */
    EXPIRED
}

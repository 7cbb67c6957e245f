package io.acktracker.engine.api;

/**
 * Where a dead letter goes when replayed into tracking.
 */
public enum ReplayMode
{
    /** Track again to every original destination. */
    ALL_DESTINATIONS,
    /** Targeted redrive: track again only to the destinations that never acked. */
    UNACKED_DESTINATIONS
}

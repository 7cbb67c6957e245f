package io.acktracker.cluster;

/**
 * What a cluster member publishes about its place in the cluster, beside the engine's and the protocol's counters:
 * in its own counters file ({@link ClusterCounters}), read by {@code acktracker stat}. Ids are stable (stored as each
 * counter's key).
 */
public enum ClusterCounter
{
    /** This member's role. */
    ROLE(1, "role (0 follower, 1 candidate, 2 leader)", true),
    /** The log position of the last entry the service applied: on a live member at, or just below, the commit one. */
    LOG_POSITION(2, "log position applied (at or just below the commit position)", true),
    /** The leadership term the service last heard of. */
    LEADERSHIP_TERM(3, "leadership term", true),
    /** The member it names as leader in that term. */
    LEADER_MEMBER(4, "leader member id", true),
    /** Role changes since this member started. */
    ROLE_CHANGES(5, "role changes", false),
    /** Snapshots this member took. */
    SNAPSHOTS(6, "snapshots taken", false),
    /** Log entries applied (session messages and timers). */
    ENTRIES_APPLIED(7, "log entries applied (session messages and timers)", false),
    /** The log position of the last snapshot this member took. */
    SNAPSHOT_LOG_POSITION(8, "log position of the last snapshot", true),
    /**
     * CRC32C of the last snapshot's bytes: the members' state machines are deterministic, so every member's snapshot
     * at one log position holds the same bytes; a member whose checksum differs from the others' at the same
     * position has diverged.
     */
    SNAPSHOT_CHECKSUM(9, "checksum (CRC32C) of the last snapshot: equal on every member at one log position", true),
    /**
     * The cluster's commit position as this member's consensus module knows it (copied about every 100 ms by
     * {@code cluster node}): the log position a majority has, which the service applies up to; a gap that stays
     * between it and {@link #LOG_POSITION} is a service falling behind.
     */
    COMMIT_POSITION(10, "commit position (a majority has the log up to it)", true);

    /** Counter type id of every cluster counter; the key holds the {@link #id()}. */
    public static final int TYPE_ID = 0x41434B03;

    private final int id;
    private final String label;
    private final boolean gauge;

    ClusterCounter(final int id, final String label, final boolean gauge)
    {
        this.id = id;
        this.label = label;
        this.gauge = gauge;
    }

    /**
     * Stable id, stored as the counter's key.
     *
     * @return the id.
     */
    public int id()
    {
        return id;
    }

    /**
     * What it counts, for people.
     *
     * @return the label.
     */
    public String label()
    {
        return label;
    }

    /**
     * Whether it is a level (shown without a rate) rather than a count of events.
     *
     * @return true for a gauge.
     */
    public boolean isGauge()
    {
        return gauge;
    }
}

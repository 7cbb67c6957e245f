package io.acktracker.tools;

/**
 * When a cluster member asks for a snapshot: while it leads, once the interval has passed since the last snapshot the
 * cluster took (every member takes each one, so each knows when) or, before any, since this member started.
 * <p>
 * Why not from when the member began to lead: leaders that each lead for less than the interval would never ask.
 * The 100-kill run, a leader killed every 20 s with a 60 s interval, took no snapshot at all that way, and a member
 * that started again replayed the log since the cluster began while the next election waited for it.
 * <p>
 * Threading: the member's main thread only.
 */
final class SnapshotSchedule
{
    private final long intervalNs;
    private long lastNs;
    private long snapshotsSeen;

    /**
     * @param intervalNs     the interval, greater than 0.
     * @param startNs        this member's start.
     * @param snapshotsTaken the member's snapshot count at its start.
     */
    SnapshotSchedule(final long intervalNs, final long startNs, final long snapshotsTaken)
    {
        this.intervalNs = intervalNs;
        this.lastNs = startNs;
        this.snapshotsSeen = snapshotsTaken;
    }

    /**
     * Whether to ask for a snapshot now; once asked, not again until the interval passes once more (the snapshot
     * taken meanwhile restarts it).
     *
     * @param nowNs          the time.
     * @param leading        whether this member leads.
     * @param snapshotsTaken the member's snapshot count now.
     * @return true when the member should ask.
     */
    boolean due(final long nowNs, final boolean leading, final long snapshotsTaken)
    {
        if (snapshotsTaken != snapshotsSeen)
        {
            snapshotsSeen = snapshotsTaken;
            lastNs = nowNs;
        }
        return leading && nowNs - lastNs >= intervalNs;
    }

    /**
     * The member asked (the toggle was set): the interval starts again.
     *
     * @param nowNs the time.
     */
    void asked(final long nowNs)
    {
        lastNs = nowNs;
    }
}

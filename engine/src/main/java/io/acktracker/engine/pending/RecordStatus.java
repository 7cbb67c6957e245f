package io.acktracker.engine.pending;

import io.acktracker.engine.Outcome;

/**
 * Status byte values stored in a {@link PendingRecord}. Plain constants rather than an enum because they are
 * read and written straight from off-heap memory.
 */
public final class RecordStatus
{
    /** Never written: an empty or corrupt record. */
    public static final byte NONE = 0;
    /** Waiting for acks. */
    public static final byte PENDING = 1;
    /** Enough destinations acked. Kept as a tombstone for the tombstone window. */
    public static final byte COMPLETED = 2;
    /** Gave up: retries exhausted, rejected, or the quorum can no longer be met. Tombstone. */
    public static final byte FAILED = 3;
    /** The time-to-live passed before completion. Tombstone. */
    public static final byte EXPIRED = 4;

    private RecordStatus()
    {
    }

    /**
     * Whether the status is one of the three final outcomes.
     *
     * @param status a status byte.
     * @return true for COMPLETED, FAILED and EXPIRED.
     */
    public static boolean isFinal(final byte status)
    {
        return status >= COMPLETED && status <= EXPIRED;
    }

    /**
     * The outcome a final status stands for: the one mapping between the stored byte and {@link Outcome}.
     *
     * @param status a final status byte.
     * @return its outcome (EXPIRED for anything that is not COMPLETED or FAILED).
     */
    public static Outcome outcome(final byte status)
    {
        switch (status)
        {
            case COMPLETED:
                return Outcome.COMPLETED;
            case FAILED:
                return Outcome.FAILED;
            default:
                return Outcome.EXPIRED;
        }
    }

    /**
     * Printable name of a status byte.
     *
     * @param status a status byte.
     * @return its name.
     */
    public static String name(final byte status)
    {
        switch (status)
        {
            case PENDING: return "PENDING";
            case COMPLETED: return "COMPLETED";
            case FAILED: return "FAILED";
            case EXPIRED: return "EXPIRED";
            default: return "NONE(" + status + ")";
        }
    }
}

package io.acktracker.engine.api;

/**
 * Why a message did not complete. Stored as a byte in the record.
 */
public enum FailureReason
{
    /** Not failed. */
    NONE,
    /** The ack timeout passed and no attempts are left. */
    TIMEOUT,
    /** Retries were exhausted. */
    MAX_RETRIES,
    /** A destination rejected the message as poison. */
    REJECTED,
    /** The time-to-live passed. */
    EXPIRED,
    /** Too many destinations failed for the quorum to be met. */
    QUORUM_LOST,
    /** Destinations stayed behind an open circuit until the message ran out of time. */
    CIRCUIT_OPEN,
    /** Leased and not settled more times than allowed. */
    MAX_DELIVERIES;

    private static final FailureReason[] VALUES = values();

    /**
     * The reason stored as a byte.
     *
     * @param code stored ordinal.
     * @return the reason, NONE when out of range.
     */
    public static FailureReason of(final int code)
    {
        return code >= 0 && code < VALUES.length ? VALUES[code] : NONE;
    }
}

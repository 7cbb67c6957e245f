package io.acktracker.engine.api;

/**
 * What happened on one attempt, as kept in a message's attempt history.
 */
public enum AttemptEventType
{
    /** Nothing (an empty history entry). */
    NONE,
    /** The destination did not ack within the ack timeout. */
    TIMEOUT,
    /** The destination nacked. */
    NACK,
    /** The destination rejected the message as poison. */
    REJECT,
    /** A redelivery was sent (the host was told). */
    REDELIVERED,
    /** A redelivery was parked behind the destination's open circuit. */
    PARKED,
    /** Retries to the destination were exhausted. */
    GAVE_UP,
    /** A consumer's lease expired before it settled the message. */
    LEASE_EXPIRED,
    /** A consumer nacked its lease. */
    LEASE_NACK;

    private static final AttemptEventType[] VALUES = values();

    /**
     * Type from its stored ordinal.
     *
     * @param ordinal stored byte.
     * @return the type, NONE when out of range.
     */
    public static AttemptEventType of(final int ordinal)
    {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : NONE;
    }

    /**
     * Whether the event is an error of the destination.
     *
     * @return true for timeouts, nacks and rejects.
     */
    public boolean isError()
    {
        return this == TIMEOUT || this == NACK || this == REJECT || this == LEASE_EXPIRED || this == LEASE_NACK;
    }
}

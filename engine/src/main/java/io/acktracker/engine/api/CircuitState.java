package io.acktracker.engine.api;

/**
 * State of a destination's circuit breaker.
 */
public enum CircuitState
{
    /** Healthy: redeliveries go out. */
    CLOSED,
    /** Failing: redeliveries are parked until the cool-down ends. */
    OPEN,
    /** Trying again: a few probe redeliveries go out; success closes, failure reopens. */
    HALF_OPEN;

    private static final CircuitState[] VALUES = values();

    /**
     * State from its ordinal.
     *
     * @param ordinal stored value.
     * @return the state (CLOSED when out of range).
     */
    public static CircuitState of(final int ordinal)
    {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : CLOSED;
    }
}

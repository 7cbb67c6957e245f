package io.acktracker.engine;

/**
 * What became of a request. Refusals change no state and are counted.
 */
public enum Result
{
    /** Accepted: a track was recorded, or an ack was recorded and the message still waits for others. */
    OK(false),
    /** The ack completed the message. */
    COMPLETED(false),
    /** Handed to the agent's command queue; the agent reports any refusal to the refusal listener. */
    QUEUED(false),
    /** The message is not tracked (yet): the ack is held for the early-ack window and applied if it is tracked in time. */
    HELD(false),

    /** The command queue is full; nothing was queued. Retry later. */
    BACK_PRESSURED(true),
    /** The tracker is closed. */
    CLOSED(true),

    /** A message with this id is pending, or finished within the tombstone window. */
    DUPLICATE_TRACK(true),
    /** The pending table is at its configured capacity. */
    CAPACITY_EXCEEDED(true),
    /** No destinations were given. */
    NO_DESTINATIONS(true),
    /** More than 64 destinations were given. */
    TOO_MANY_DESTINATIONS(true),
    /** A destination is not registered and the registry is closed (or the id is out of range). */
    UNKNOWN_DESTINATION(true),
    /** Required acks outside 1..number of destinations. */
    INVALID_REQUIRED_ACKS(true),
    /** A negative timeout, or a TTL shorter than the ack timeout. */
    INVALID_TIMEOUT(true),
    /** Another argument is out of range. */
    INVALID_ARGUMENT(true),
    /** The metadata is longer than the configured maximum. */
    METADATA_TOO_LARGE(true),
    /** The message class is not registered. */
    UNKNOWN_MESSAGE_CLASS(true),

    /** The message is leased to a consumer (or held back after a nack); it cannot be leased now. */
    ALREADY_LEASED(true),
    /** The receipt handle is forged, altered, or stale (the message was released or redelivered since). */
    INVALID_LEASE(true),
    /** The lease behind this receipt handle expired. */
    LEASE_EXPIRED(true),
    /** The lease was extended as many times as allowed. */
    MAX_EXTENSIONS(true),

    /** This destination already acked this message (or a cumulative offset did not move forward). */
    DUPLICATE_ACK(true),
    /** No message with this id is known: never tracked, or its tombstone is gone. Counted as an orphan ack. */
    UNKNOWN_MESSAGE(true),
    /** The message already reached its outcome. Counted as a late ack. */
    LATE_ACK(true),
    /** The destination is not one of the message's destinations. Counted as spoofed. */
    SPOOFED_DESTINATION(true);

    private final boolean refusal;

    Result(final boolean refusal)
    {
        this.refusal = refusal;
    }

    /**
     * Whether the request was refused and changed nothing.
     *
     * @return true for a refusal.
     */
    public boolean isRefusal()
    {
        return refusal;
    }
}

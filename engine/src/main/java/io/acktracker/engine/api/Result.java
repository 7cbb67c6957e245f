package io.acktracker.engine.api;

/**
 * What became of a request. Refusals change no state and are counted.
 */
public enum Result
{
    /** Accepted: a track was recorded, or an ack was recorded and the message still waits for others. */
    OK(false, "accepted"),
    /** The ack completed the message. */
    COMPLETED(false, "the ack completed the message"),
    /** Handed to the agent's command queue; the agent reports any refusal to the refusal listener. */
    QUEUED(false, "queued for the tracker"),
    /** The message is not tracked (yet): the ack is held for the early-ack window and applied if it is tracked in time. */
    HELD(false, "held as an early ack until the message is tracked"),

    /** The command queue is full; nothing was queued. Retry later. */
    BACK_PRESSURED(true, "the command queue is full: retry later"),
    /** The tracker is closed. */
    CLOSED(true, "the tracker is closed"),

    /** A message with this id is pending, or finished within the tombstone window. */
    DUPLICATE_TRACK(true, "a message with this id is pending or finished recently"),
    /** The pending table is at its configured capacity. */
    CAPACITY_EXCEEDED(true, "the pending table is full"),
    /** No destinations were given. */
    NO_DESTINATIONS(true, "no destinations were given"),
    /** More than 64 destinations were given. */
    TOO_MANY_DESTINATIONS(true, "more than 64 destinations were given"),
    /** A destination is not registered and the registry is closed (or the id is out of range). */
    UNKNOWN_DESTINATION(true, "a destination is not registered, or its id is out of range"),
    /** Required acks outside 1..number of destinations. */
    INVALID_REQUIRED_ACKS(true, "required acks must be within 0..number of destinations"),
    /** A negative timeout, or a TTL shorter than the ack timeout. */
    INVALID_TIMEOUT(true, "a timeout or delay is negative, not positive where it must be, or above its maximum"),
    /** Another argument is out of range. */
    INVALID_ARGUMENT(true, "an argument is out of range (priority -128..127, max attempts 0..15, the reserved id)"),
    /** The metadata is longer than the configured maximum. */
    METADATA_TOO_LARGE(true, "the metadata is longer than the configured maximum"),
    /** The message class is not registered. */
    UNKNOWN_MESSAGE_CLASS(true, "the message class is not registered"),

    /** The message is leased to a consumer (or held back after a nack); it cannot be leased now. */
    ALREADY_LEASED(true, "the message is leased (or held back after a nack)"),
    /** The receipt handle is forged, altered, or stale (the message was released or redelivered since). */
    INVALID_LEASE(true, "the receipt handle is forged, altered or stale"),
    /** The lease behind this receipt handle expired. */
    LEASE_EXPIRED(true, "the lease behind this receipt handle expired"),
    /** The lease was extended as many times as allowed. */
    MAX_EXTENSIONS(true, "the lease was extended as many times as allowed"),

    /** This destination already acked this message (or a cumulative offset did not move forward). */
    DUPLICATE_ACK(true, "this destination already acked (or the offset did not move forward)"),
    /** No message with this id is known: never tracked, or its tombstone is gone. Counted as an orphan ack. */
    UNKNOWN_MESSAGE(true, "no message with this id is known"),
    /** The message already reached its outcome. Counted as a late ack. */
    LATE_ACK(true, "the message already reached its outcome"),
    /** The destination is not one of the message's destinations. Counted as spoofed. */
    SPOOFED_DESTINATION(true, "the destination is not one of the message's destinations"),
    /** The agent stopped on a fault it cannot go on from (a damaged or lost file, say): restart the tracker. */
    TRACKER_FAILED(true, "the tracker stopped on a fault and must be restarted (see its error log)"),
    /**
     * A client's numbered command at or below the highest it had applied: a resend, already applied once. Changes
     * nothing; counted; the client is confirmed again.
     */
    DUPLICATE_COMMAND(true, "a command with this client sequence was applied already (a resend)"),
    /** A client's numbered command skips a sequence: one before it was lost. Changes nothing; resend from the gap. */
    SEQUENCE_GAP(true, "the client sequence skips one: resend from the first unconfirmed command"),
    /** A numbered command from a client without a session: open it first (SESSION_OPEN). */
    UNKNOWN_CLIENT(true, "the client has no session: open one first"),
    /** No room for another client session. */
    CLIENTS_FULL(true, "every client session is taken (maxClients)"),
    /**
     * The client's outbox has no room for what the command may owe it: confirm the outbox, then send the command
     * again (its sequence was not used).
     */
    OUTBOX_FULL(true, "the client's outbox is full: confirm what it was sent, then resend");

    private final boolean refusal;
    private final String description;

    Result(final boolean refusal, final String description)
    {
        this.refusal = refusal;
        this.description = description;
    }

    /**
     * What the result means, in a few words, for error messages.
     *
     * @return the description.
     */
    public String description()
    {
        return description;
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

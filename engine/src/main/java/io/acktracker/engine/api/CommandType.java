package io.acktracker.engine.api;

/**
 * The kinds of command the tracker applies, as told to a {@link RefusalListener}; each has the type id it carries
 * in the engine's command layout ({@code io.acktracker.engine.command.CommandLayout}, whose constants a test keeps
 * equal to these).
 */
public enum CommandType
{
    /** Track a message. */
    TRACK(1),
    /** A destination acked a message. */
    ACK(2),
    /** A destination acked every sequence of a stream up to an offset. */
    CUMULATIVE_ACK(3),
    /** A destination could not process a message: retry it. */
    NACK(4),
    /** A destination rejected a message as poison. */
    REJECT(5),
    /** Settle a lease: completed. */
    LEASE_ACK(6),
    /** Settle a lease: release for later. */
    LEASE_NACK(7),
    /** Extend a lease. */
    LEASE_EXTEND(8),
    /** Settle a lease: poison. */
    LEASE_REJECT(9),
    /** Lease a message to a consumer. */
    LEASE(10),
    /** Queue dead letters for replay into tracking. */
    DEAD_LETTER_REPLAY(11),
    /** Delete dead letters. */
    DEAD_LETTER_DELETE(12),
    /** Start an orphan sweep now. */
    ORPHAN_SWEEP(13),
    /** The passage of time: fire due deadlines, send due redeliveries, do housekeeping. */
    TICK(14),
    /** An outcome was told to the listeners: the record may now leave the table. */
    OUTCOME_TOLD(15),
    /** The destinations registered so far, applied by the agent when the registry has moved on. */
    KNOWN_DESTINATIONS(16),
    /** The state was rebuilt after a start: outcomes reached but not known to be told are told again. */
    RESTARTED(17),
    /** A client opens or binds again its session. */
    SESSION_OPEN(18),
    /** A client confirms its outbox through an entry. */
    OUTBOX_CONFIRM(19);

    private static final CommandType[] BY_ID = new CommandType[20];

    static
    {
        for (final CommandType type : values())
        {
            BY_ID[type.id] = type;
        }
    }

    private final int id;

    CommandType(final int id)
    {
        this.id = id;
    }

    /**
     * Type id in the command layout.
     *
     * @return the id.
     */
    public int id()
    {
        return id;
    }

    /**
     * The type with an id.
     *
     * @param id type id.
     * @return the type, or null when unknown.
     */
    public static CommandType of(final int id)
    {
        return id > 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}

package io.acktracker.engine.api;

/**
 * The kinds of command the tracker applies, as told to a {@link RefusalListener}; each has the type id it carries
 * in the engine's command layout ({@code io.acktracker.engine.command.CommandLayout}, whose constants a test keeps
 * equal to these).
 */
public enum CommandType
{
    TRACK(1),
    ACK(2),
    CUMULATIVE_ACK(3),
    NACK(4),
    REJECT(5),
    LEASE_ACK(6),
    LEASE_NACK(7),
    LEASE_EXTEND(8),
    LEASE_REJECT(9),
    LEASE(10),
    DEAD_LETTER_REPLAY(11),
    DEAD_LETTER_DELETE(12),
    ORPHAN_SWEEP(13),
    TICK(14),
    OUTCOME_TOLD(15),
    KNOWN_DESTINATIONS(16),
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

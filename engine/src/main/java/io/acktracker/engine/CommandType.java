package io.acktracker.engine;

import io.acktracker.engine.command.CommandLayout;

/**
 * The kinds of command the tracker applies, as told to a {@link RefusalListener}; each has the id it carries in
 * the {@link CommandLayout}.
 */
public enum CommandType
{
    TRACK(CommandLayout.TRACK),
    ACK(CommandLayout.ACK),
    CUMULATIVE_ACK(CommandLayout.CUMULATIVE_ACK),
    NACK(CommandLayout.NACK),
    REJECT(CommandLayout.REJECT),
    LEASE_ACK(CommandLayout.LEASE_ACK),
    LEASE_NACK(CommandLayout.LEASE_NACK),
    LEASE_EXTEND(CommandLayout.LEASE_EXTEND),
    LEASE_REJECT(CommandLayout.LEASE_REJECT),
    LEASE(CommandLayout.LEASE),
    DEAD_LETTER_REPLAY(CommandLayout.DEAD_LETTER_REPLAY),
    DEAD_LETTER_DELETE(CommandLayout.DEAD_LETTER_DELETE),
    ORPHAN_SWEEP(CommandLayout.ORPHAN_SWEEP),
    TICK(CommandLayout.TICK);

    private static final CommandType[] BY_ID = new CommandType[CommandLayout.MAX_TYPE + 1];

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

package io.acktracker.engine;

/**
 * The kinds of command the agent accepts, with their ids on the command queue.
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
    LEASE_REJECT(9);

    private final int id;

    CommandType(final int id)
    {
        this.id = id;
    }

    /**
     * Message type id on the command queue.
     *
     * @return the id.
     */
    public int id()
    {
        return id;
    }
}

package io.acktracker.engine.machine;

/**
 * The time of the command being applied: the only clock the state machine knows. Set from each command's timestamp
 * before it is applied, read by every part; nothing in the machine reads a real clock, so applying the same commands
 * gives the same state whenever and wherever it happens.
 * <p>
 * Agent thread only.
 */
final class CommandClock
{
    private long nowNs;

    CommandClock(final long startNs)
    {
        this.nowNs = startNs;
    }

    long nowNs()
    {
        return nowNs;
    }

    void set(final long nowNs)
    {
        this.nowNs = nowNs;
    }
}

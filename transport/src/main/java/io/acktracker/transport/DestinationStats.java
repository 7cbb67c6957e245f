package io.acktracker.transport;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.Result;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-destination activity as the transport sees it: acks, nacks, rejects and lease commands applied, commands
 * refused, when the last ack came, hellos, and the session last bound. The engine's own view of a destination
 * (circuit, failures, latency, in flight) is {@code AckTracker.destinationHealth}. Written by the agent thread with ordered stores, read by any thread (the HTTP edge)
 * without locks; a reader may see one field a little ahead of another, never a torn value.
 */
public final class DestinationStats
{
    private static final int ACKS = 0;
    private static final int REFUSED = 1;
    private static final int LAST_ACK_MS = 2;
    private static final int HELLOS = 3;
    private static final int SESSION_ID = 4;
    private static final int NACKS = 5;
    private static final int REJECTS = 6;
    private static final int LEASE_COMMANDS = 7;
    private static final int FIELDS = 8;
    /** Session id field value when no session was ever bound. */
    public static final long NO_SESSION = Long.MIN_VALUE;

    private final AtomicLongArray values = new AtomicLongArray(DestinationRegistry.MAX_DESTINATIONS * FIELDS);

    /**
     * Empty stats.
     */
    public DestinationStats()
    {
        for (int i = 0; i < DestinationRegistry.MAX_DESTINATIONS; i++)
        {
            values.set(i * FIELDS + SESSION_ID, NO_SESSION);
        }
    }

    /**
     * A session said hello for a destination. Agent thread.
     *
     * @param destinationId destination.
     * @param sessionId     its session.
     */
    public void onHello(final int destinationId, final int sessionId)
    {
        final int base = destinationId * FIELDS;
        values.lazySet(base + HELLOS, values.get(base + HELLOS) + 1);
        values.lazySet(base + SESSION_ID, sessionId);
    }

    /**
     * An ack (individual or cumulative) from a destination was applied or refused by the engine. Agent thread.
     *
     * @param destinationId destination.
     * @param result        what the engine said.
     * @param nowMs         epoch ms.
     */
    public void onAck(final int destinationId, final Result result, final long nowMs)
    {
        final int base = destinationId * FIELDS;
        if (result.isRefusal())
        {
            values.lazySet(base + REFUSED, values.get(base + REFUSED) + 1);
        }
        else
        {
            values.lazySet(base + ACKS, values.get(base + ACKS) + 1);
        }
        values.lazySet(base + LAST_ACK_MS, nowMs);
    }

    /**
     * A nack from a destination was applied or refused by the engine. Agent thread.
     *
     * @param destinationId destination.
     * @param result        what the engine said.
     */
    public void onNack(final int destinationId, final Result result)
    {
        count(destinationId, NACKS, result);
    }

    /**
     * A reject from a destination was applied or refused by the engine. Agent thread.
     *
     * @param destinationId destination.
     * @param result        what the engine said.
     */
    public void onReject(final int destinationId, final Result result)
    {
        count(destinationId, REJECTS, result);
    }

    /**
     * A lease, extend or settle from a destination was applied or refused by the engine. Agent thread.
     *
     * @param destinationId destination.
     * @param result        what the engine said.
     */
    public void onLeaseCommand(final int destinationId, final Result result)
    {
        count(destinationId, LEASE_COMMANDS, result);
    }

    /**
     * A command from a destination was refused before reaching the engine (spoofed, retired template). Agent thread.
     *
     * @param destinationId destination.
     */
    public void onRefused(final int destinationId)
    {
        final int base = destinationId * FIELDS;
        values.lazySet(base + REFUSED, values.get(base + REFUSED) + 1);
    }

    /**
     * Acks applied. Any thread.
     *
     * @param destinationId destination.
     * @return the count.
     */
    public long acks(final int destinationId)
    {
        return values.get(destinationId * FIELDS + ACKS);
    }

    /**
     * Nacks applied. Any thread.
     *
     * @param destinationId destination.
     * @return the count.
     */
    public long nacks(final int destinationId)
    {
        return values.get(destinationId * FIELDS + NACKS);
    }

    /**
     * Rejects applied. Any thread.
     *
     * @param destinationId destination.
     * @return the count.
     */
    public long rejects(final int destinationId)
    {
        return values.get(destinationId * FIELDS + REJECTS);
    }

    /**
     * Lease, extend and settle commands applied. Any thread.
     *
     * @param destinationId destination.
     * @return the count.
     */
    public long leaseCommands(final int destinationId)
    {
        return values.get(destinationId * FIELDS + LEASE_COMMANDS);
    }

    /**
     * Commands refused. Any thread.
     *
     * @param destinationId destination.
     * @return the count.
     */
    public long refused(final int destinationId)
    {
        return values.get(destinationId * FIELDS + REFUSED);
    }

    /**
     * When the last ack came. Any thread.
     *
     * @param destinationId destination.
     * @return epoch ms, 0 when never.
     */
    public long lastAckMs(final int destinationId)
    {
        return values.get(destinationId * FIELDS + LAST_ACK_MS);
    }

    /**
     * Hellos bound. Any thread.
     *
     * @param destinationId destination.
     * @return the count.
     */
    public long hellos(final int destinationId)
    {
        return values.get(destinationId * FIELDS + HELLOS);
    }

    /**
     * Session last bound. Any thread.
     *
     * @param destinationId destination.
     * @return the session id, or {@link #NO_SESSION}.
     */
    public long sessionId(final int destinationId)
    {
        return values.get(destinationId * FIELDS + SESSION_ID);
    }

    private void count(final int destinationId, final int field, final Result result)
    {
        final int index = destinationId * FIELDS + (result.isRefusal() ? REFUSED : field);
        values.lazySet(index, values.get(index) + 1);
    }
}

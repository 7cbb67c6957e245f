package io.acktracker.engine.machine;

import io.acktracker.engine.metrics.Counters;

import static io.acktracker.engine.metrics.TrackerCounter.ORPHAN_ACKS;

/**
 * What becomes of held early acks: one whose window ended first is an orphan, and a numbered one's client learns it
 * was refused from its outbox; a numbered one applied with its message frees its outbox reservation.
 * <p>
 * Agent thread only.
 */
final class HeldAckFates implements EarlyAcks.Listener
{
    private final ClientSessions sessions;
    private final Counters counters;

    HeldAckFates(final ClientSessions sessions, final Counters counters)
    {
        this.sessions = sessions;
        this.counters = counters;
    }

    public void dropped(final long messageId, final int owner, final long sequence)
    {
        counters.increment(ORPHAN_ACKS);
        if (owner >= 0)
        {
            sessions.heldAckDropped(owner, messageId, sequence);
        }
    }

    public void released(final int owner)
    {
        sessions.heldAckApplied(owner);
    }
}

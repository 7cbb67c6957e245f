package io.acktracker.engine.journal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A single-slot, single-producer single-consumer handoff of the next prepared segment from the helper to the
 * appender. The helper fills the slot only when it is empty; the appender empties it when it rolls. A release store
 * on either side publishes everything written before it (the mapping and the pre-touched pages; the emptying).
 * <p>
 * Threading: {@link #offer} and {@link #isEmpty} helper thread only; {@link #poll} appender thread only.
 */
final class SegmentHandoff
{
    private static final VarHandle NEXT;

    static
    {
        try
        {
            NEXT = MethodHandles.lookup().findVarHandle(SegmentHandoff.class, "next", Segment.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // accessed through NEXT
    private Segment next;

    /**
     * @param segment prepared, mapped and pre-touched.
     * @throws IllegalStateException if the slot is full (the helper's bug).
     */
    void offer(final Segment segment)
    {
        if (null != NEXT.getAcquire(this))
        {
            throw new IllegalStateException("journal handoff slot full: " + NEXT.getAcquire(this));
        }
        NEXT.setRelease(this, segment);
    }

    boolean isEmpty()
    {
        return null == NEXT.getAcquire(this);
    }

    /**
     * @return the prepared segment, now the caller's, or null when none is ready.
     */
    Segment poll()
    {
        final Segment segment = (Segment)NEXT.getAcquire(this);
        if (null != segment)
        {
            NEXT.setRelease(this, null);
        }
        return segment;
    }

    /**
     * @return what is in the slot, for closing; only when neither thread runs.
     */
    Segment peek()
    {
        return (Segment)NEXT.getAcquire(this);
    }
}

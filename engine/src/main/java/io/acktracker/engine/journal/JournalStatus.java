package io.acktracker.engine.journal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What the journal's threads tell each other and the owner: the appender's published position, the helper's synced
 * position and its preparation health, and the owner's deletion request.
 * <p>
 * The append position is written on every append, so it sits on its own cache lines (padding around it): the helper
 * reads it only when a group commit is due or a segment may be retired, and nothing else written often shares its
 * line.
 * <p>
 * Threading: every getter from any thread. Writers: the append position by the appender; the synced position and
 * the preparation fields by the helper; the deletion request by the owner (one thread).
 */
@SuppressWarnings("unused") // padding fields
public final class JournalStatus
{
    private static final VarHandle APPEND_POSITION;
    private static final VarHandle SYNCED_POSITION;
    private static final VarHandle DELETE_BELOW;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            APPEND_POSITION = lookup.findVarHandle(JournalStatus.class, "appendPosition", long.class);
            SYNCED_POSITION = lookup.findVarHandle(JournalStatus.class, "syncedPosition", long.class);
            DELETE_BELOW = lookup.findVarHandle(JournalStatus.class, "deleteBelowPosition", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    private long appendPosition;
    private long p21, p22, p23, p24, p25, p26, p27, p28, p29, p30, p31, p32, p33, p34, p35;
    private long syncedPosition;
    private long deleteBelowPosition;
    private volatile int consecutivePreparationFailures;
    private volatile String lastPreparationError;

    JournalStatus(final long openPosition)
    {
        APPEND_POSITION.setRelease(this, openPosition);
        SYNCED_POSITION.setRelease(this, openPosition);
        DELETE_BELOW.setRelease(this, 0L);
    }

    /**
     * @return the position after the last frame appended (published after the frame is complete).
     */
    public long appendPosition()
    {
        return (long)APPEND_POSITION.getAcquire(this);
    }

    /**
     * @return every byte below this was msynced by the helper, or was there when the journal was opened (as durable
     * as the earlier run left it). With a sync interval of 0 it stays at the open position.
     */
    public long syncedPosition()
    {
        return (long)SYNCED_POSITION.getAcquire(this);
    }

    /**
     * @return failed segment preparations since the last success; above 0 the appender may soon be refused
     * with {@link JournalAppender#NEXT_SEGMENT_NOT_READY}.
     */
    public int consecutivePreparationFailures()
    {
        return consecutivePreparationFailures;
    }

    /**
     * @return the last preparation failure as one line (file and cause), null when there has been none; kept after a
     * later success so the owner can still see what happened.
     */
    public String lastPreparationError()
    {
        return lastPreparationError;
    }

    long deleteBelowPosition()
    {
        return (long)DELETE_BELOW.getAcquire(this);
    }

    void appendPosition(final long position)
    {
        APPEND_POSITION.setRelease(this, position);
    }

    void syncedPosition(final long position)
    {
        SYNCED_POSITION.setRelease(this, position);
    }

    void requestDeleteBelow(final long position)
    {
        if (position > deleteBelowPosition())
        {
            DELETE_BELOW.setRelease(this, position);
        }
    }

    void preparationFailed(final String error)
    {
        lastPreparationError = error;
        consecutivePreparationFailures = consecutivePreparationFailures + 1;
    }

    void preparationSucceeded()
    {
        if (0 != consecutivePreparationFailures)
        {
            consecutivePreparationFailures = 0;
        }
    }

    public String toString()
    {
        return "JournalStatus{appendPosition=" + appendPosition() + ", syncedPosition=" + syncedPosition() +
            ", consecutivePreparationFailures=" + consecutivePreparationFailures +
            ", lastPreparationError=" + lastPreparationError + '}';
    }
}

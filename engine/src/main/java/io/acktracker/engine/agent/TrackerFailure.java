package io.acktracker.engine.agent;

/**
 * Whether the agent stopped on a fault it cannot go on from, and why: a Throwable out of the state machine (its
 * state may be half changed) or an Error anywhere in a duty cycle (an {@link InternalError} from a mapped file that
 * lost its backing, an {@link OutOfMemoryError}). Once failed, a tracker stays failed: every way in refuses with
 * {@code TRACKER_FAILED}, the agent thread stops, the clean-shutdown marker is not written (the next start
 * recovers), and a service exits non-zero. Never a process that goes on answering "accepted" for commands nothing
 * will apply.
 * <p>
 * Threading: {@link #fail} on the agent thread (once); the reads from any thread.
 */
public final class TrackerFailure
{
    private volatile Throwable cause;

    /**
     * Record the fault; the first one wins.
     *
     * @param fault what stopped the agent.
     * @return true when this call failed the tracker, false when it had failed before.
     */
    boolean fail(final Throwable fault)
    {
        if (null != cause)
        {
            return false;
        }
        cause = fault;
        return true;
    }

    /**
     * Whether the tracker failed.
     *
     * @return true once failed.
     */
    public boolean isFailed()
    {
        return null != cause;
    }

    /**
     * What failed it.
     *
     * @return the fault, null while running.
     */
    public Throwable cause()
    {
        return cause;
    }

    /**
     * One line for logs and refusals.
     *
     * @return the description, or "running".
     */
    public String describe()
    {
        final Throwable fault = cause;
        return null == fault ? "running" : "the tracker stopped on a fault and refuses every command until it is " +
            "restarted: " + fault;
    }
}

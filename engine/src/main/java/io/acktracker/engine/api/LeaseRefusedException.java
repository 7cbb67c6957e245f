package io.acktracker.engine.api;


/**
 * A lease asked for from another thread was refused; completes the caller's future.
 */
public final class LeaseRefusedException extends TrackerException
{
    private static final long serialVersionUID = 1L;

    private final transient Result result;

    /**
     * For a refused lease.
     *
     * @param messageId message.
     * @param result    refusal.
     */
    public LeaseRefusedException(final long messageId, final Result result)
    {
        super("lease of message " + messageId + " refused: " + result);
        this.result = result;
    }

    /**
     * Why the lease was refused.
     *
     * @return the refusal code.
     */
    public Result result()
    {
        return result;
    }
}

package io.acktracker.engine.api;


/**
 * A track queued from another thread was refused by the agent; completes the caller's future.
 */
public final class TrackRefusedException extends TrackerException
{
    private static final long serialVersionUID = 1L;

    /** The message whose track was refused. */
    private final long messageId;
    private final transient Result result;

    /**
     * For a refused track.
     *
     * @param messageId message.
     * @param result    refusal.
     */
    public TrackRefusedException(final long messageId, final Result result)
    {
        super("track of message " + messageId + " refused: " + result);
        this.messageId = messageId;
        this.result = result;
    }

    /**
     * The message whose track was refused.
     *
     * @return its id.
     */
    public long messageId()
    {
        return messageId;
    }

    /**
     * Why the track was refused.
     *
     * @return the refusal code.
     */
    public Result result()
    {
        return result;
    }
}

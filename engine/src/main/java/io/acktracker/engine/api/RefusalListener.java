package io.acktracker.engine.api;


/**
 * Told when the agent refuses a command that another thread queued (the queueing thread only learned
 * {@link Result#QUEUED}). Called on the agent thread: must not block.
 */
@FunctionalInterface
public interface RefusalListener
{
    /**
     * A queued command was refused.
     *
     * @param command   what was asked.
     * @param messageId message id, or stream id for a cumulative ack.
     * @param result    why.
     */
    void onRefused(CommandType command, long messageId, Result result);
}

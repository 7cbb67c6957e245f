package io.acktracker.engine.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for one message's outcome, from any thread.
 */
public final class CompletionHandle
{
    private final long messageId;
    private final CompletableFuture<OutcomeEvent> future;

    /**
     * A handle over a future.
     *
     * @param messageId the message.
     * @param future    completes with its outcome.
     */
    public CompletionHandle(final long messageId, final CompletableFuture<OutcomeEvent> future)
    {
        this.messageId = messageId;
        this.future = future;
    }

    /**
     * The message waited on.
     *
     * @return its id.
     */
    public long messageId()
    {
        return messageId;
    }

    /**
     * The underlying future.
     *
     * @return the future.
     */
    public CompletableFuture<OutcomeEvent> future()
    {
        return future;
    }

    /**
     * Block until the outcome or the timeout.
     *
     * @param timeout longest wait.
     * @return the outcome.
     * @throws TimeoutException     when it did not come in time.
     * @throws InterruptedException when interrupted.
     * @throws TrackerException     when the track was refused or the tracker closed.
     */
    public OutcomeEvent await(final Duration timeout) throws TimeoutException, InterruptedException
    {
        try
        {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof TrackerException)
            {
                throw (TrackerException)ex.getCause();
            }
            throw new TrackerException("waiting for " + messageId + " failed", ex.getCause());
        }
    }
}

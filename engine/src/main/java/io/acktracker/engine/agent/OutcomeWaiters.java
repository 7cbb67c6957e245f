package io.acktracker.engine.agent;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.OutcomeEvent;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRefusedException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Futures that callers on other threads wait on for a message's outcome. Opt-in: each registration allocates.
 * The agent hands each completion to an executor (the configured waiter executor), so the caller's dependent stages
 * run there and never on the agent thread.
 * <p>
 * Threading: {@link #register} from any thread; {@link #complete} and {@link #refuse} from the agent.
 */
public final class OutcomeWaiters
{
    private final ConcurrentHashMap<Long, CompletableFuture<OutcomeEvent>> futures = new ConcurrentHashMap<>();
    private final Executor executor;

    /**
     * Waiters completing on an executor.
     *
     * @param executor where futures complete.
     */
    public OutcomeWaiters(final Executor executor)
    {
        this.executor = executor;
    }

    /**
     * Register a future for a message before its track is queued.
     *
     * @param messageId message.
     * @return the future, or null when one is already registered for this id.
     */
    public CompletableFuture<OutcomeEvent> register(final long messageId)
    {
        final CompletableFuture<OutcomeEvent> future = new CompletableFuture<>();
        return null == futures.putIfAbsent(messageId, future) ? future : null;
    }

    /**
     * Drop a registration whose track was never queued.
     *
     * @param messageId message.
     */
    public void cancel(final long messageId)
    {
        futures.remove(messageId);
    }

    void complete(
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts,
        final boolean replay)
    {
        if (futures.isEmpty())
        {
            return;
        }
        final CompletableFuture<OutcomeEvent> future = futures.remove(messageId);
        if (null != future)
        {
            final OutcomeEvent event = new OutcomeEvent(messageId, outcome, reason, latencyNs, attempts, replay);
            handOff(() -> future.complete(event));
        }
    }

    void refuse(final long messageId, final Result result)
    {
        final CompletableFuture<OutcomeEvent> future = futures.remove(messageId);
        if (null != future)
        {
            final TrackRefusedException refusal = new TrackRefusedException(messageId, result);
            handOff(() -> future.completeExceptionally(refusal));
        }
    }

    /**
     * Fail every waiting future, at close.
     *
     * @param cause why.
     */
    public void failAll(final Throwable cause)
    {
        futures.values().forEach((future) -> future.completeExceptionally(cause));
        futures.clear();
    }

    private void handOff(final Runnable completion)
    {
        try
        {
            executor.execute(completion);
        }
        catch (final RejectedExecutionException ex)
        {
            completion.run();
        }
    }
}

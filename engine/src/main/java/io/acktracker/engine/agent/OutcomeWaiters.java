package io.acktracker.engine.agent;

import io.acktracker.engine.FailureReason;
import io.acktracker.engine.Outcome;
import io.acktracker.engine.OutcomeEvent;
import io.acktracker.engine.Result;
import io.acktracker.engine.TrackRefusedException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Futures that callers on other threads wait on for a message's outcome. Opt-in: each registration allocates.
 * <p>
 * Threading: {@link #register} from any thread; {@link #complete} and {@link #refuse} from the agent.
 */
public final class OutcomeWaiters
{
    private final ConcurrentHashMap<Long, CompletableFuture<OutcomeEvent>> futures = new ConcurrentHashMap<>();

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
            future.complete(new OutcomeEvent(messageId, outcome, reason, latencyNs, attempts, replay));
        }
    }

    void refuse(final long messageId, final Result result)
    {
        final CompletableFuture<OutcomeEvent> future = futures.remove(messageId);
        if (null != future)
        {
            future.completeExceptionally(new TrackRefusedException(messageId, result));
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
}

package io.acktracker.engine;

import io.acktracker.engine.api.DeadLetter;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.DlqStats;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.ReplayMode;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.dlq.DeadLetterQueue;
import io.acktracker.engine.machine.DeadLetters;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Dead-letter operations from any thread: peek, list, replay, delete, stats. Each runs on the agent thread (through
 * the tracker's admin queue) and completes the returned future; none blocks the caller. Replays are rate-limited:
 * the future completes once they are queued, and they enter tracking a few per duty cycle.
 */
public final class DeadLetterAdmin
{
    /** The queue of messages tracked without a stream. */
    public static final int DEFAULT_QUEUE = DeadLetterQueue.DEFAULT_QUEUE;

    private final AckTracker tracker;

    DeadLetterAdmin(final AckTracker tracker)
    {
        this.tracker = tracker;
    }

    /**
     * Oldest dead letters of a queue.
     *
     * @param queue stream id, or {@link #DEFAULT_QUEUE}.
     * @param limit most to return.
     * @return oldest first.
     */
    public CompletableFuture<List<DeadLetter>> peek(final int queue, final int limit)
    {
        return call((dlq) -> dlq.peek(queue, limit));
    }

    /**
     * Dead letters that failed for a reason.
     *
     * @param reason the reason.
     * @param limit  most to return.
     * @return the matches.
     */
    public CompletableFuture<List<DeadLetter>> listByReason(final FailureReason reason, final int limit)
    {
        return call((dlq) -> dlq.listByReason(reason, limit));
    }

    /**
     * Dead letters whose given destination never acked.
     *
     * @param destination destination name.
     * @param limit       most to return.
     * @return the matches.
     */
    public CompletableFuture<List<DeadLetter>> listByDestination(final String destination, final int limit)
    {
        final int id = tracker.destinations().id(destination);
        if (DestinationRegistry.UNKNOWN == id)
        {
            return CompletableFuture.failedFuture(new TrackerException("unknown destination '" + destination + "'"));
        }
        return call((dlq) -> dlq.listByDestination(id, limit));
    }

    /**
     * One dead letter.
     *
     * @param messageId id.
     * @return it, or null when not held.
     */
    public CompletableFuture<DeadLetter> get(final long messageId)
    {
        return call((dlq) -> dlq.get(messageId));
    }

    /**
     * Replay dead letters into tracking with attempts reset.
     *
     * @param mode       all destinations, or only those that never acked.
     * @param messageIds ids.
     * @return completes when queued for replay.
     */
    public CompletableFuture<Integer> replay(final ReplayMode mode, final long... messageIds)
    {
        return tracker.submit((agent) ->
        {
            agent.replayDeadLetters(mode, messageIds);
            return messageIds.length;
        });
    }

    /**
     * Delete dead letters.
     *
     * @param messageIds ids.
     * @return how many existed.
     */
    public CompletableFuture<Integer> delete(final long... messageIds)
    {
        return tracker.submit((agent) -> agent.deleteDeadLetters(messageIds));
    }

    /**
     * Statistics of one queue.
     *
     * @param queue stream id or {@link #DEFAULT_QUEUE}.
     * @return the statistics.
     */
    public CompletableFuture<DlqStats> stats(final int queue)
    {
        return call((dlq) -> dlq.stats(queue));
    }

    /**
     * Statistics over all queues.
     *
     * @return the statistics.
     */
    public CompletableFuture<DlqStats> stats()
    {
        return call((dlq) -> dlq.stats(null));
    }

    private <T> CompletableFuture<T> call(final Function<DeadLetters, T> operation)
    {
        return tracker.submit((agent) -> operation.apply(agent.deadLetters()));
    }
}

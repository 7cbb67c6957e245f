package io.acktracker.engine.agent;

import io.acktracker.engine.FailureReason;
import io.acktracker.engine.Result;
import io.acktracker.engine.dlq.BlobBytes;
import io.acktracker.engine.dlq.DeadLetter;
import io.acktracker.engine.dlq.DeadLetterQueue;
import io.acktracker.engine.dlq.DlqStats;
import io.acktracker.engine.dlq.Extras;
import io.acktracker.engine.dlq.ReplayMode;
import io.acktracker.engine.pending.PendingIndex;
import io.acktracker.engine.pending.PendingRecord;
import io.acktracker.engine.pending.RecordStatus;
import org.agrona.collections.LongArrayQueue;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Predicate;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * Moves failed and expired messages into the dead-letter queues, holds those whose queue is full (the message stays
 * FAILED in the pending table, never lost) until room appears, and replays dead letters back into tracking at a
 * bounded rate: to all their destinations, or only to those that never acked (targeted redrive).
 * <p>
 * Agent thread only; other threads reach it through the tracker's admin queue.
 */
public final class DeadLetters
{
    private final TrackerAgent agent;
    private final DeadLetterQueue queue;
    private final int replayBudget;
    private final LongArrayQueue held = new LongArrayQueue(64, Long.MIN_VALUE);
    private final ArrayDeque<long[]> replays = new ArrayDeque<>();
    private final BlobBytes letter = new BlobBytes(1024);
    private final PendingRecord dead = new PendingRecord();

    DeadLetters(final TrackerAgent agent, final int replayBudget)
    {
        this.agent = agent;
        this.queue = agent.deadLetterQueue;
        this.replayBudget = replayBudget;
    }

    /**
     * A message just failed or expired: its record is final and flagged DLQ pending.
     */
    void onDead(final int slot, final PendingRecord record)
    {
        if (moveToQueue(record))
        {
            agent.housekeeping().entombOrRemove(slot, record);
        }
        else
        {
            held.offerLong(record.messageId());
            agent.counters.increment(DLQ_FULL);
            agent.counters.set(DLQ_HELD, held.size());
        }
    }

    /**
     * Recovery found a final record flagged DLQ pending: finish the move, or hold it.
     *
     * @return true when it is now in its queue (and may become a tombstone).
     */
    boolean onRecoveredDead(final PendingRecord record)
    {
        if (queue.contains(record.messageId()))
        {
            record.clearFlag2(PendingRecord.FLAG2_DLQ_PENDING);
            if (record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS))
            {
                agent.extras.remove(record.messageId());
            }
            return true;
        }
        if (queue.hasRoom(DeadLetterQueue.queueOf(record)) && moveToQueue(record))
        {
            return true;
        }
        held.offerLong(record.messageId());
        agent.counters.set(DLQ_HELD, held.size());
        return false;
    }

    private boolean moveToQueue(final PendingRecord record)
    {
        final long messageId = record.messageId();
        final boolean hasExtras = record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS) &&
            agent.extras.get(messageId, agent.extrasBlob);
        if (!queue.add(record, hasExtras ? agent.extrasBlob : null))
        {
            return false;
        }
        record.clearFlag2(PendingRecord.FLAG2_DLQ_PENDING);
        if (record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS))
        {
            agent.extras.remove(messageId);
        }
        agent.counters.increment(DLQ_MOVED);
        agent.counters.set(DLQ_SIZE, queue.size());
        return true;
    }

    int doWork(final long nowNs, final int budget)
    {
        int work = queue.compact(nowNs, budget);
        work += moveHeld(budget);
        work += replay(replayBudget);
        agent.counters.set(DLQ_SIZE, queue.size());
        return work;
    }

    private int moveHeld(final int budget)
    {
        int work = 0;
        final int size = held.size();
        for (int i = 0; i < size && work < budget; i++)
        {
            final long messageId = held.pollLong();
            final int slot = agent.index.slotOf(messageId);
            if (PendingIndex.MISSING == slot)
            {
                continue;
            }
            final PendingRecord record = agent.other.wrap(agent.index.address(slot));
            if (!RecordStatus.isFinal(record.status()) || !record.hasFlag2(PendingRecord.FLAG2_DLQ_PENDING))
            {
                continue;
            }
            if (queue.hasRoom(DeadLetterQueue.queueOf(record)) && moveToQueue(record))
            {
                agent.housekeeping().entombOrRemove(slot, record);
                work++;
            }
            else
            {
                held.offerLong(messageId);
            }
        }
        agent.counters.set(DLQ_HELD, held.size());
        return work;
    }

    /**
     * Queue dead letters for replay into tracking; they go at the replay rate, a few per duty cycle.
     *
     * @param messageIds dead letters.
     * @param mode       all destinations or only those that never acked.
     */
    public void replay(final long[] messageIds, final ReplayMode mode)
    {
        for (final long messageId : messageIds)
        {
            replays.add(new long[]{ messageId, mode.ordinal() });
        }
    }

    /**
     * Replays waiting for their turn.
     *
     * @return the count.
     */
    public int pendingReplays()
    {
        return replays.size();
    }

    private int replay(final int budget)
    {
        int work = 0;
        while (work < budget && !replays.isEmpty())
        {
            final long[] request = replays.poll();
            replayOne(request[0], ReplayMode.values()[(int)request[1]]);
            work++;
        }
        return work;
    }

    /**
     * Put one dead letter back into tracking now.
     *
     * @param messageId dead letter.
     * @param mode      all destinations or only those that never acked.
     * @return OK, UNKNOWN_MESSAGE (not in a queue), DUPLICATE_TRACK (the id is pending), CAPACITY_EXCEEDED, or
     * NO_DESTINATIONS (every destination acked).
     */
    public Result replayOne(final long messageId, final ReplayMode mode)
    {
        if (!queue.load(messageId, letter))
        {
            return Result.UNKNOWN_MESSAGE;
        }
        final PendingRecord original = dead.wrap(letter.buffer(), 0);
        final int existing = agent.index.slotOf(messageId);
        if (PendingIndex.MISSING != existing)
        {
            final PendingRecord record = agent.other.wrap(agent.index.address(existing));
            if (RecordStatus.PENDING == record.status() || record.hasFlag2(PendingRecord.FLAG2_DLQ_PENDING))
            {
                return Result.DUPLICATE_TRACK;
            }
            agent.remove(existing, messageId);
        }

        final long destinations = ReplayMode.ALL_DESTINATIONS == mode ?
            original.destinations() : original.destinations() & ~original.acked();
        if (0 == destinations)
        {
            return Result.NO_DESTINATIONS;
        }
        if (!agent.hasRoomForPending())
        {
            agent.counters.increment(CAPACITY_EXCEEDED);
            return Result.CAPACITY_EXCEEDED;
        }
        final int alreadyAcked = Long.bitCount(original.acked() & original.destinations());
        final int requiredAcks = ReplayMode.ALL_DESTINATIONS == mode ? original.requiredAcks() :
            Math.max(1, Math.min(Long.bitCount(destinations), original.requiredAcks() - alreadyAcked));
        final long now = agent.nowNs;
        final long ttlNs = PendingRecord.NO_DEADLINE == original.ttlDeadlineNs() ? Long.MAX_VALUE :
            original.ttlDeadlineNs() - original.createdNs();

        final PendingRecord fresh = agent.scratch.record();
        fresh.clear();
        fresh.messageId(messageId)
            .destinations(destinations)
            .requiredAcks(requiredAcks)
            .createdNs(now)
            .roundStartNs(now)
            .ackTimeoutNs(original.ackTimeoutNs())
            .deadlineNs(TrackerAgent.deadlineAfter(now, original.ackTimeoutNs()))
            .ttlDeadlineNs(TrackerAgent.deadlineAfter(now, ttlNs))
            .leaseDeadlineNs(PendingRecord.NO_DEADLINE)
            .retryAtNs(PendingRecord.NO_DEADLINE)
            .highestAttempt(1)
            .attemptsForAll(destinations, 1)
            .maxAttempts(original.maxAttempts())
            .rejector(-1)
            .priority(original.priority())
            .messageClass(original.messageClass())
            .status(RecordStatus.PENDING)
            .setFlag2(PendingRecord.FLAG2_REPLAYED);
        if (original.hasFlag(PendingRecord.FLAG_HAS_STREAM))
        {
            fresh.setFlag(PendingRecord.FLAG_HAS_STREAM)
                .streamId(original.streamId())
                .streamSequence(original.streamSequence());
        }

        final int metadataLength = Extras.metadataLength(letter.buffer(), PendingRecord.LENGTH);
        if (metadataLength > 0)
        {
            Extras.init(agent.extrasBlob, 0, letter.buffer(),
                Extras.metadataOffset(letter.buffer(), PendingRecord.LENGTH), metadataLength);
            if (agent.extras.put(messageId, agent.extrasBlob))
            {
                fresh.setFlag2(PendingRecord.FLAG2_HAS_EXTRAS);
            }
        }

        final int queueId = DeadLetterQueue.queueOf(original);
        final int slot = agent.insert(messageId);
        if (slot < 0)
        {
            agent.extras.remove(messageId);
            return PendingIndex.MISSING == slot ? Result.DUPLICATE_TRACK : Result.CAPACITY_EXCEEDED;
        }
        if (fresh.hasFlag(PendingRecord.FLAG_HAS_STREAM))
        {
            agent.streamAcks.streamFor(fresh.streamId()).add(fresh.streamSequence(), messageId);
        }
        agent.health.inFlight(0, destinations);
        queue.replayed(messageId, queueId);
        agent.counters.increment(DLQ_REPLAYED);
        agent.counters.increment(TRACKED);
        agent.counters.set(DLQ_SIZE, queue.size());

        for (long bits = destinations; bits != 0; bits &= bits - 1)
        {
            agent.retries.notifyRedelivery(messageId, Long.numberOfTrailingZeros(bits), 1);
        }
        return Result.OK;
    }

    /**
     * Oldest dead letters of a queue.
     *
     * @param queueId queue (a stream id or {@link DeadLetterQueue#DEFAULT_QUEUE}).
     * @param limit   most to return.
     * @return oldest first.
     */
    public List<DeadLetter> peek(final int queueId, final int limit)
    {
        return queue.peek(queueId, limit);
    }

    /**
     * Dead letters failed for a reason.
     *
     * @param reason the reason.
     * @param limit  most to return.
     * @return the matches.
     */
    public List<DeadLetter> listByReason(final FailureReason reason, final int limit)
    {
        return queue.list((letter) -> letter.reason() == reason, limit);
    }

    /**
     * Dead letters that went to a destination which did not ack.
     *
     * @param destination destination id.
     * @param limit       most to return.
     * @return the matches.
     */
    public List<DeadLetter> listByDestination(final int destination, final int limit)
    {
        final long bit = 1L << destination;
        return queue.list((letter) -> (letter.status().destinations() & bit) != 0 &&
            (letter.status().acked() & bit) == 0, limit);
    }

    /**
     * Dead letters matching any filter.
     *
     * @param filter which.
     * @param limit  most to return.
     * @return the matches.
     */
    public List<DeadLetter> list(final Predicate<DeadLetter> filter, final int limit)
    {
        return queue.list(filter, limit);
    }

    /**
     * One dead letter.
     *
     * @param messageId id.
     * @return it, or null.
     */
    public DeadLetter get(final long messageId)
    {
        return queue.get(messageId);
    }

    /**
     * Delete dead letters.
     *
     * @param messageIds ids.
     * @return how many existed.
     */
    public int delete(final long[] messageIds)
    {
        final int deleted = queue.delete(messageIds);
        agent.counters.add(DLQ_DELETED, deleted);
        agent.counters.set(DLQ_SIZE, queue.size());
        return deleted;
    }

    /**
     * Statistics of one queue, or all with null.
     *
     * @param queueId queue or null.
     * @return the statistics.
     */
    public DlqStats stats(final Integer queueId)
    {
        return queue.stats(queueId, agent.config.epochClock().nanoTime(), held.size());
    }

    /**
     * Failed messages waiting for room in their queue.
     *
     * @return the count.
     */
    public int held()
    {
        return held.size();
    }

    /**
     * Queue ids that exist.
     *
     * @return the ids.
     */
    public int[] queues()
    {
        return queue.queueIds();
    }
}

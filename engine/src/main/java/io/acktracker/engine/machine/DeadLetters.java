package io.acktracker.engine.machine;

import io.acktracker.engine.api.DeadLetter;
import io.acktracker.engine.api.DlqStats;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.ReplayMode;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.dlq.DeadLetterQueue;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.health.DestinationHealth;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.store.BlobBytes;
import io.acktracker.engine.store.BlobTable;
import io.acktracker.engine.store.Extras;
import io.acktracker.engine.stream.Streams;
import org.agrona.collections.LongArrayQueue;

import java.util.List;
import java.util.function.Predicate;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * Moves failed (and, when configured, expired) messages into the dead-letter queues, holds those whose queue is
 * full (the record stays FAILED in the table, never lost) until room appears, and replays dead letters back into
 * tracking at a bounded rate: to all their destinations, or only to those that never acked (targeted redrive).
 * <p>
 * Held messages are retried within a budget of visits per duty cycle, and only after a dead letter has left some
 * queue since the last fruitless pass: a full queue costs an idle duty cycle nothing, however many are held.
 * <p>
 * Agent thread only. The public methods only read; changes arrive as commands.
 * <p>
 * Why this file is long: the dead-letter rules (moves, held letters, replays, deletes) with their queries for
 * operators, and their state image and exact dump beside each other.
 */
public final class DeadLetters
{
    private final Records records;
    private final DeadLetterQueue queue;
    private final BlobTable extras;
    private final Admission admission;
    private final Streams streams;
    private final DestinationHealth health;
    private final Tombstones tombstones;
    private final Effects effects;
    private final Counters counters;
    private final CommandClock clock;
    private final int replayBudget;
    private final LongArrayQueue held = new LongArrayQueue(64, Long.MIN_VALUE);
    private final LongArrayQueue replays = new LongArrayQueue(64, Long.MIN_VALUE);
    private final BlobBytes letter = new BlobBytes(1024);
    private final BlobBytes extrasBlob = new BlobBytes(1024);
    private final PendingRecord dead = new PendingRecord();
    private final PendingRecord existing = new PendingRecord();
    private final PendingRecord replayed = new PendingRecord();
    private long departuresAtLastPass = -1;
    private int passRemaining;
    private int lastVisits;

    DeadLetters(
        final Records records,
        final DeadLetterQueue queue,
        final BlobTable extras,
        final Admission admission,
        final Streams streams,
        final DestinationHealth health,
        final Tombstones tombstones,
        final Effects effects,
        final Counters counters,
        final CommandClock clock,
        final int replayBudget)
    {
        this.records = records;
        this.queue = queue;
        this.extras = extras;
        this.admission = admission;
        this.streams = streams;
        this.health = health;
        this.tombstones = tombstones;
        this.effects = effects;
        this.counters = counters;
        this.clock = clock;
        this.replayBudget = replayBudget;
        counters.set(DLQ_SIZE, queue.size());
    }

    /**
     * A message just finished FAILED (or EXPIRED): its record is final and flagged DLQ pending.
     */
    void onDead(final int slot, final PendingRecord record)
    {
        if (moveToQueue(record))
        {
            tombstones.entomb(slot, record);
        }
        else
        {
            held.offerLong(record.messageId());
            counters.increment(DLQ_FULL);
            counters.set(DLQ_HELD, held.size());
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
                extras.remove(record.messageId());
            }
            return true;
        }
        if (queue.hasRoom(DeadLetterQueue.queueOf(record)) && moveToQueue(record))
        {
            return true;
        }
        held.offerLong(record.messageId());
        counters.set(DLQ_HELD, held.size());
        return false;
    }

    private boolean moveToQueue(final PendingRecord record)
    {
        final long messageId = record.messageId();
        final boolean hasExtras = record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS) && extras.get(messageId, extrasBlob);
        final long evictedBefore = queue.evictedOldest();
        if (!queue.add(record, hasExtras ? extrasBlob : null))
        {
            return false;
        }
        if (queue.evictedOldest() != evictedBefore)
        {
            counters.increment(DLQ_EVICTED);
        }
        record.clearFlag2(PendingRecord.FLAG2_DLQ_PENDING);
        if (record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS))
        {
            extras.remove(messageId);
        }
        counters.increment(DLQ_MOVED);
        counters.set(DLQ_SIZE, queue.size());
        return true;
    }

    int doWork(final long nowNs, final int budget)
    {
        int work = queue.compact(nowNs, budget);
        work += moveHeld(budget);
        work += replay(replayBudget);
        counters.set(DLQ_SIZE, queue.size());
        return work;
    }

    /**
     * Retry held messages in passes over the held queue, at most {@code budget} visits per tick. A pass is not
     * followed by another until a dead letter has left some queue since the last one started: each message still
     * held found its queue full when visited, and without a departure it still is. So a full dead-letter queue costs
     * an idle tick nothing, however many messages are held.
     */
    private int moveHeld(final int budget)
    {
        lastVisits = 0;
        if (held.isEmpty() || (0 == passRemaining && queue.departures() == departuresAtLastPass))
        {
            return 0;
        }
        if (0 == passRemaining)
        {
            passRemaining = held.size();
            departuresAtLastPass = queue.departures();
        }
        int visits = 0;
        while (passRemaining > 0 && visits < budget && !held.isEmpty())
        {
            visits++;
            passRemaining--;
            final long messageId = held.pollLong();
            final int slot = records.slotOf(messageId);
            if (Records.MISSING == slot)
            {
                continue;
            }
            final PendingRecord record = dead.wrap(records.address(slot));
            if (!RecordStatus.isFinal(record.status()) || !record.hasFlag2(PendingRecord.FLAG2_DLQ_PENDING))
            {
                continue;
            }
            if (queue.hasRoom(DeadLetterQueue.queueOf(record)) && moveToQueue(record))
            {
                tombstones.entomb(slot, record);
            }
            else
            {
                held.offerLong(messageId);
            }
        }
        lastVisits = visits;
        if (held.isEmpty())
        {
            passRemaining = 0;
        }
        counters.set(DLQ_HELD, held.size());
        // the visits are the work: a visit that moved nothing still rotated the held queue and advanced the pass
        return visits;
    }

    /**
     * Queue dead letters for replay, from a command: they go at the replay rate, a few per duty cycle.
     *
     * @param buffer   holding the ids.
     * @param offset   of the first id.
     * @param count    ids.
     * @param modeCode replay mode ordinal.
     */
    void requestReplay(final org.agrona.DirectBuffer buffer, final int offset, final int count, final int modeCode)
    {
        for (int i = 0; i < count; i++)
        {
            replays.offerLong(buffer.getLong(offset + i * Long.BYTES));
            replays.offerLong(modeCode);
        }
    }

    /**
     * Delete dead letters, from a command.
     *
     * @param buffer holding the ids.
     * @param offset of the first id.
     * @param count  ids.
     * @return how many existed.
     */
    int delete(final org.agrona.DirectBuffer buffer, final int offset, final int count)
    {
        int deleted = 0;
        for (int i = 0; i < count; i++)
        {
            if (queue.delete(buffer.getLong(offset + i * Long.BYTES)))
            {
                deleted++;
            }
        }
        counters.add(DLQ_DELETED, deleted);
        counters.set(DLQ_SIZE, queue.size());
        return deleted;
    }

    private int replay(final int budget)
    {
        int work = 0;
        while (work < budget && !replays.isEmpty())
        {
            final long messageId = replays.pollLong();
            final int mode = (int)replays.pollLong();
            replayOne(messageId, ReplayMode.values()[mode]);
            work++;
        }
        return work;
    }

    /**
     * Put one dead letter back into tracking now.
     *
     * @return OK, UNKNOWN_MESSAGE (not in a queue), DUPLICATE_TRACK (the id is pending), CAPACITY_EXCEEDED, or
     * NO_DESTINATIONS (every destination acked).
     */
    Result replayOne(final long messageId, final ReplayMode mode)
    {
        if (!queue.load(messageId, letter))
        {
            return Result.UNKNOWN_MESSAGE;
        }
        final PendingRecord original = dead.wrap(letter.buffer(), 0);
        final int existingSlot = records.slotOf(messageId);
        if (Records.MISSING != existingSlot)
        {
            final PendingRecord record = existing.wrap(records.address(existingSlot));
            if (RecordStatus.PENDING == record.status() || record.hasFlag2(PendingRecord.FLAG2_DLQ_PENDING) ||
                !record.hasFlag(PendingRecord.FLAG_NOTIFIED))
            {
                return Result.DUPLICATE_TRACK;
            }
            records.remove(existingSlot, messageId);
        }

        final long destinations = ReplayMode.ALL_DESTINATIONS == mode ?
            original.destinations() : original.destinations() & ~original.acked();
        if (0 == destinations)
        {
            return Result.NO_DESTINATIONS;
        }
        if (!admission.hasRoom())
        {
            counters.increment(CAPACITY_EXCEEDED);
            return Result.CAPACITY_EXCEEDED;
        }
        final int alreadyAcked = Long.bitCount(original.acked() & original.destinations());
        final int requiredAcks = ReplayMode.ALL_DESTINATIONS == mode ? original.requiredAcks() :
            Math.max(1, Math.min(Long.bitCount(destinations), original.requiredAcks() - alreadyAcked));
        final long now = clock.nowNs();
        final long ttlNs = PendingRecord.NO_DEADLINE == original.ttlDeadlineNs() ? Long.MAX_VALUE :
            original.ttlDeadlineNs() - original.createdNs();

        final PendingRecord fresh = records.fresh();
        fresh.messageId(messageId)
            .destinations(destinations)
            .requiredAcks(requiredAcks)
            .createdNs(now)
            .roundStartNs(now)
            .ackTimeoutNs(original.ackTimeoutNs())
            .deadlineNs(Policies.deadlineAfter(now, original.ackTimeoutNs()))
            .ttlDeadlineNs(Policies.deadlineAfter(now, ttlNs))
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
            Extras.init(extrasBlob, 0, letter.buffer(), Extras.metadataOffset(letter.buffer(), PendingRecord.LENGTH),
                metadataLength);
            if (extras.put(messageId, extrasBlob))
            {
                fresh.setFlag2(PendingRecord.FLAG2_HAS_EXTRAS);
            }
        }

        final int queueId = DeadLetterQueue.queueOf(original);
        final boolean hasStream = fresh.hasFlag(PendingRecord.FLAG_HAS_STREAM);
        final int streamId = fresh.streamId();
        final long streamSequence = fresh.streamSequence();
        final int slot = admission.insert(messageId, replayed);
        if (slot < 0)
        {
            extras.remove(messageId);
            return Records.MISSING == slot ? Result.DUPLICATE_TRACK : Result.CAPACITY_EXCEEDED;
        }
        if (hasStream)
        {
            streams.getOrCreate(streamId).add(streamSequence, messageId);
        }
        health.inFlight(0, destinations);
        queue.replayed(messageId, queueId);
        counters.increment(DLQ_REPLAYED);
        counters.increment(TRACKED);
        counters.set(DLQ_SIZE, queue.size());

        for (long bits = destinations; bits != 0; bits &= bits - 1)
        {
            effects.redelivery(messageId, Long.numberOfTrailingZeros(bits), 1);
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
     * Statistics of one queue, or all with null.
     *
     * @param queueId queue or null.
     * @return the statistics.
     */
    public DlqStats stats(final Integer queueId)
    {
        return queue.stats(queueId, clock.nowNs(), held.size());
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
     * Replays waiting for their turn.
     *
     * @return the count.
     */
    public int pendingReplays()
    {
        return replays.size() / 2;
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

    /**
     * Held messages looked at in the last duty cycle: bounded by the budget, 0 while every queue stays full.
     *
     * @return the count.
     */
    int lastVisits()
    {
        return lastVisits;
    }

    void appendState(final StateImage image)
    {
        queue.appendState(image);
        image.section("dead letters held").putInt(held.size());
        held.forEachLong(image::putLong);
        image.putInt(replays.size());
        replays.forEachLong(image::putLong);
        image.putLong(departuresAtLastPass).putInt(passRemaining);
    }

    void dump(final ImageWriter out)
    {
        out.section(ImageSections.DEAD_LETTERS);
        queue.dump(out);
        out.putInt(held.size());
        held.forEachLong(out::putLong);
        out.putInt(replays.size());
        replays.forEachLong(out::putLong);
        out.putLong(departuresAtLastPass).putInt(passRemaining).putInt(lastVisits);
    }

    void restore(final ImageReader in)
    {
        in.section(ImageSections.DEAD_LETTERS, "dead letters");
        queue.restore(in);
        held.clear();
        for (int i = 0, count = in.getInt(); i < count; i++)
        {
            held.offerLong(in.getLong());
        }
        replays.clear();
        for (int i = 0, count = in.getInt(); i < count; i++)
        {
            replays.offerLong(in.getLong());
        }
        departuresAtLastPass = in.getLong();
        passRemaining = in.getInt();
        lastVisits = in.getInt();
    }
}

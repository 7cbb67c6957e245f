package io.acktracker.engine.machine;

import io.acktracker.engine.api.AttemptEventType;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.health.DestinationHealth;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.retry.RetryQueue;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.timer.DeadlineIndex;
import io.acktracker.engine.util.SeededRandom;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * Ack timeouts and retries: a timed-out or nacked destination with attempts left is redelivered after its backoff,
 * one without is given up on, and the message fails only when its quorum can no longer be met. Due redeliveries
 * wait in the priority-ordered retry queue and go out within the per-cycle budget, through the destination's circuit
 * breaker (parked while it is open, resumed when it lets them through). Jitter comes from the engine's seeded
 * generator.
 * <p>
 * Agent thread only.
 */
final class Retries
{
    private final Records records;
    private final DeadlineIndex deadlines;
    private final DestinationHealth health;
    private final Finisher finisher;
    private final AttemptHistory history;
    private final Policies policies;
    private final SeededRandom random;
    private final Effects effects;
    private final Counters counters;
    private final CommandClock clock;
    private final RetryQueue retryQueue = new RetryQueue();
    private final PendingRecord due = new PendingRecord();

    Retries(
        final Records records,
        final DeadlineIndex deadlines,
        final DestinationHealth health,
        final Finisher finisher,
        final AttemptHistory history,
        final Policies policies,
        final SeededRandom random,
        final Effects effects,
        final Counters counters,
        final CommandClock clock)
    {
        this.records = records;
        this.deadlines = deadlines;
        this.health = health;
        this.finisher = finisher;
        this.history = history;
        this.policies = policies;
        this.random = random;
        this.effects = effects;
        this.counters = counters;
        this.clock = clock;
    }

    /**
     * The ack deadline of a round passed: every destination still awaited timed out.
     */
    void onAckTimeout(final int slot, final PendingRecord record)
    {
        final long timedOut = record.awaited();
        if (0 != timedOut)
        {
            counters.increment(TIMEOUTS);
            for (long bits = timedOut; bits != 0; bits &= bits - 1)
            {
                health.onFailure(Long.numberOfTrailingZeros(bits), clock.nowNs());
            }
            health.inFlight(timedOut, 0);
            history.record(record, timedOut, AttemptEventType.TIMEOUT, 0);
            retryOrGiveUp(slot, record, timedOut, 0);
            if (RecordStatus.PENDING != record.status())
            {
                return;
            }
        }
        // last: until this is written, a crash leaves the deadline passed and recovery runs the timeout again
        record.beginWrite();
        record.deadlineNs(PendingRecord.NO_DEADLINE);
        record.endWrite();
    }

    /**
     * Schedule redeliveries to the destinations in {@code mask} that have attempts left and give up on the others;
     * fail the message when its quorum can no longer be met.
     *
     * @param delayNs the retry delay, 0 for the message's backoff.
     */
    void retryOrGiveUp(final int slot, final PendingRecord record, final long mask, final long delayNs)
    {
        final int maxAttempts = record.maxAttempts();
        long retry = 0;
        long giveUp = 0;
        int highest = 0;
        for (long bits = mask; bits != 0; bits &= bits - 1)
        {
            final int destination = Long.numberOfTrailingZeros(bits);
            final int attempts = record.attempts(destination);
            if (attempts < maxAttempts)
            {
                retry |= 1L << destination;
                highest = Math.max(highest, attempts);
            }
            else
            {
                giveUp |= 1L << destination;
            }
        }

        if (0 != giveUp)
        {
            record.beginWrite();
            record.failed(record.failed() | giveUp);
            record.endWrite();
            counters.add(DESTINATIONS_GAVE_UP, Long.bitCount(giveUp));
            history.record(record, giveUp, AttemptEventType.GAVE_UP, 0);
            if (record.ackedCount() + Long.bitCount(record.outstanding()) < record.requiredAcks())
            {
                finisher.finish(slot, record, RecordStatus.FAILED, maxAttempts <= 1 ? FailureReason.TIMEOUT :
                    record.failed() == giveUp || 0 == record.outstanding() ? FailureReason.MAX_RETRIES :
                    FailureReason.QUORUM_LOST);
                return;
            }
        }

        if (0 != retry)
        {
            final long delay = delayNs > 0 ? delayNs :
                policies.backoff(record.messageClass()).delayNs(highest, record.lastBackoffNs(), random);
            final long retryAt = clock.nowNs() + delay;
            record.beginWrite();
            record.lastBackoffNs(delay);
            final boolean merge = 0 != record.redeliver();
            record.redeliver(record.redeliver() | retry);
            if (!record.hasFlag2(PendingRecord.FLAG2_RETRY_QUEUED))
            {
                record.retryAtNs(merge ? Math.max(record.retryAtNs(), retryAt) : retryAt);
            }
            record.endWrite();
            counters.add(RETRIES_SCHEDULED, Long.bitCount(retry));
            scheduleNext(slot, record);
        }
    }

    /**
     * A message's retry time came: queue it for the retry budget, highest priority first.
     */
    void onRetryDue(final PendingRecord record)
    {
        record.beginWrite();
        record.retryAtNs(PendingRecord.NO_DEADLINE);
        record.setFlag2(PendingRecord.FLAG2_RETRY_QUEUED);
        record.endWrite();
        retryQueue.add(record.messageId(), record.priority());
    }

    /**
     * A record found in the retry queue at recovery.
     */
    void recoverQueued(final PendingRecord record)
    {
        retryQueue.add(record.messageId(), record.priority());
    }

    /**
     * Issue due redeliveries, highest priority first, then parked ones whose circuit lets them go, within budget: at
     * most {@code budget} redeliveries sent and {@code budget} queue entries looked at.
     *
     * @return queue entries looked at (each one taken from a queue, stale or not).
     */
    int redeliver(final int budget)
    {
        // the budget counts entries looked at, stale ones (acked or finished since they were queued) and ones whose
        // destinations all turned out parked included: a queue of stale entries costs a cycle its budget, not its
        // length
        int visits = 0;
        int sent = 0;
        while (visits < budget && sent < budget)
        {
            final long messageId = retryQueue.poll();
            if (RetryQueue.EMPTY == messageId)
            {
                break;
            }
            visits++;
            final int slot = records.slotOf(messageId);
            if (Records.MISSING == slot)
            {
                continue;
            }
            final PendingRecord record = due.wrap(records.address(slot));
            if (RecordStatus.PENDING != record.status() || !record.hasFlag2(PendingRecord.FLAG2_RETRY_QUEUED))
            {
                continue;
            }
            sent += redeliverNow(slot, record, record.redeliver());
        }
        if (retryQueue.size() > 0)
        {
            counters.increment(RETRIES_DEFERRED);
        }

        if (visits < budget && sent < budget)
        {
            visits += resumeParked(budget - Math.max(visits, sent));
        }
        return visits;
    }

    /**
     * Due redeliveries waiting for the retry budget.
     *
     * @return the count.
     */
    int queued()
    {
        return retryQueue.size();
    }

    void appendState(final StateImage image)
    {
        retryQueue.appendState(image);
    }

    private int resumeParked(final int budget)
    {
        int visits = 0;
        for (long bits = health.resumable(); bits != 0 && visits < budget; bits &= bits - 1)
        {
            final int destination = Long.numberOfTrailingZeros(bits);
            final long bit = 1L << destination;
            while (visits < budget && health.mayRedeliver(destination))
            {
                final long messageId = health.pollParked(destination);
                if (Long.MIN_VALUE == messageId)
                {
                    break;
                }
                visits++;
                final int slot = records.slotOf(messageId);
                if (Records.MISSING == slot)
                {
                    continue;
                }
                final PendingRecord record = due.wrap(records.address(slot));
                if (RecordStatus.PENDING != record.status() || (record.parked() & bit) == 0)
                {
                    continue;
                }
                record.beginWrite();
                record.parked(record.parked() & ~bit);
                record.endWrite();
                if (0 == redeliverNow(slot, record, bit))
                {
                    break;
                }
                counters.increment(RESUMED);
            }
        }
        return visits;
    }

    /**
     * Redeliver to the destinations in {@code mask} whose circuit allows it, park the others, and start a new round
     * with a fresh ack timeout.
     *
     * @return redeliveries sent.
     */
    private int redeliverNow(final int slot, final PendingRecord record, final long mask)
    {
        final long nowNs = clock.nowNs();
        final long messageId = record.messageId();
        long sent = 0;
        long parked = 0;
        record.beginWrite();
        record.redeliver(record.redeliver() & ~mask);
        if (0 == record.redeliver())
        {
            record.clearFlag2(PendingRecord.FLAG2_RETRY_QUEUED);
        }
        for (long bits = mask & record.outstanding(); bits != 0; bits &= bits - 1)
        {
            final int destination = Long.numberOfTrailingZeros(bits);
            if (health.tryRedeliver(destination, nowNs))
            {
                sent |= 1L << destination;
                final int attempt = record.attempts(destination) + 1;
                record.attempts(destination, attempt);
                record.highestAttempt(Math.max(record.highestAttempt(), attempt));
            }
            else
            {
                parked |= 1L << destination;
                health.park(destination, messageId);
            }
        }
        record.parked(record.parked() | parked);
        if (0 != sent)
        {
            record.roundStartNs(nowNs);
            final long deadline = Policies.deadlineAfter(nowNs, record.ackTimeoutNs());
            record.deadlineNs(PendingRecord.NO_DEADLINE == record.deadlineNs() ? deadline :
                Math.max(record.deadlineNs(), deadline));
        }
        record.endWrite();

        health.inFlight(0, sent);
        if (0 != parked)
        {
            counters.add(PARKED, Long.bitCount(parked));
            history.record(record, parked, AttemptEventType.PARKED, 0);
        }
        if (0 != sent)
        {
            counters.add(REDELIVERIES, Long.bitCount(sent));
            history.record(record, sent, AttemptEventType.REDELIVERED, 0);
            scheduleNext(slot, record);
            for (long bits = sent; bits != 0; bits &= bits - 1)
            {
                final int destination = Long.numberOfTrailingZeros(bits);
                effects.redelivery(messageId, destination, record.attempts(destination));
            }
        }
        return Long.bitCount(sent);
    }

    /**
     * Make sure the record's next deadline is scheduled no later than it falls.
     */
    void scheduleNext(final int slot, final PendingRecord record)
    {
        final long next = record.nextDeadlineNs();
        if (PendingRecord.NO_DEADLINE != next && (!deadlines.isScheduled(slot) || next < deadlines.deadline(slot)))
        {
            deadlines.schedule(slot, next, clock.nowNs());
        }
    }

    void dump(final ImageWriter out)
    {
        out.section(ImageSections.RETRIES);
        retryQueue.dump(out);
    }

    void restore(final ImageReader in)
    {
        in.section(ImageSections.RETRIES, "retries");
        retryQueue.restore(in);
    }
}

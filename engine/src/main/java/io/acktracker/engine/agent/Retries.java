package io.acktracker.engine.agent;

import io.acktracker.engine.FailureReason;
import io.acktracker.engine.RedeliveryListener;
import io.acktracker.engine.dlq.AttemptEventType;
import io.acktracker.engine.pending.PendingIndex;
import io.acktracker.engine.pending.PendingRecord;
import io.acktracker.engine.pending.RecordStatus;
import io.acktracker.engine.retry.Backoff;
import io.acktracker.engine.retry.MessageClass;
import io.acktracker.engine.retry.RetryQueue;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * Ack timeouts and retries: a timed-out or nacked destination with attempts left is redelivered after its backoff,
 * one without is given up on, and the message fails only when its quorum can no longer be met. Due redeliveries
 * go out of the priority-ordered retry queue within the per-duty-cycle budget, through the destination's circuit
 * breaker (parked while it is open, resumed when it lets them through).
 * <p>
 * Agent thread only.
 */
final class Retries
{
    private final TrackerAgent agent;

    Retries(final TrackerAgent agent)
    {
        this.agent = agent;
    }

    void onAckTimeout(final int slot, final PendingRecord record)
    {
        final long timedOut = TrackerAgent.awaited(record);
        if (0 != timedOut)
        {
            agent.counters.increment(TIMEOUTS);
            for (long bits = timedOut; bits != 0; bits &= bits - 1)
            {
                agent.health.onFailure(Long.numberOfTrailingZeros(bits), agent.nowNs);
            }
            agent.health.inFlight(timedOut, 0);
            agent.history.record(record, timedOut, AttemptEventType.TIMEOUT, 0);
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
     * Schedule redeliveries to the destinations that have attempts left and give up on the others; fail the message
     * when its quorum can no longer be met.
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
            agent.counters.add(DESTINATIONS_GAVE_UP, Long.bitCount(giveUp));
            agent.history.record(record, giveUp, AttemptEventType.GAVE_UP, 0);
            if (record.ackedCount() + Long.bitCount(record.outstanding()) < record.requiredAcks())
            {
                agent.finish(slot, record, RecordStatus.FAILED, maxAttempts <= 1 ? FailureReason.TIMEOUT :
                    record.failed() == giveUp || 0 == record.outstanding() ? FailureReason.MAX_RETRIES :
                    FailureReason.QUORUM_LOST);
                return;
            }
        }

        if (0 != retry)
        {
            final long delay = delayNs > 0 ? delayNs :
                backoffOf(record).delayNs(highest, record.lastBackoffNs(), agent.random);
            final long retryAt = agent.nowNs + delay;
            record.beginWrite();
            record.lastBackoffNs(delay);
            final boolean merge = 0 != record.redeliver();
            record.redeliver(record.redeliver() | retry);
            if (!record.hasFlag2(PendingRecord.FLAG2_RETRY_QUEUED))
            {
                record.retryAtNs(merge ? Math.max(record.retryAtNs(), retryAt) : retryAt);
            }
            record.endWrite();
            agent.counters.add(RETRIES_SCHEDULED, Long.bitCount(retry));
            agent.ensureDeadline(slot, record);
        }
    }

    /**
     * Issue due redeliveries, highest priority first, then parked ones whose circuit lets them go, within budget.
     */
    int redeliver(final int budget)
    {
        int work = 0;
        while (work < budget)
        {
            final long messageId = agent.retryQueue.poll();
            if (RetryQueue.EMPTY == messageId)
            {
                break;
            }
            final int slot = agent.index.slotOf(messageId);
            if (PendingIndex.MISSING == slot)
            {
                continue;
            }
            final PendingRecord record = agent.record.wrap(agent.index.address(slot));
            if (RecordStatus.PENDING != record.status() || !record.hasFlag2(PendingRecord.FLAG2_RETRY_QUEUED))
            {
                continue;
            }
            work += redeliverNow(slot, record, record.redeliver());
        }
        if (agent.retryQueue.size() > 0)
        {
            agent.counters.increment(RETRIES_DEFERRED);
        }

        if (work < budget)
        {
            work += resumeParked(budget - work);
        }
        return work;
    }

    private int resumeParked(final int budget)
    {
        int work = 0;
        for (long bits = agent.health.resumable(); bits != 0 && work < budget; bits &= bits - 1)
        {
            final int destination = Long.numberOfTrailingZeros(bits);
            final long bit = 1L << destination;
            while (work < budget && agent.health.mayRedeliver(destination))
            {
                final long messageId = agent.health.pollParked(destination);
                if (Long.MIN_VALUE == messageId)
                {
                    break;
                }
                final int slot = agent.index.slotOf(messageId);
                if (PendingIndex.MISSING == slot)
                {
                    continue;
                }
                final PendingRecord record = agent.record.wrap(agent.index.address(slot));
                if (RecordStatus.PENDING != record.status() || (record.parked() & bit) == 0)
                {
                    continue;
                }
                record.beginWrite();
                record.parked(record.parked() & ~bit);
                record.endWrite();
                work++;
                if (0 == redeliverNow(slot, record, bit))
                {
                    break;
                }
                agent.counters.increment(RESUMED);
            }
        }
        return work;
    }

    /**
     * Send (tell the host of) redeliveries to the destinations in {@code mask} whose circuit allows it, park the
     * others, and start a new round with a fresh ack timeout.
     *
     * @return redeliveries sent.
     */
    private int redeliverNow(final int slot, final PendingRecord record, final long mask)
    {
        final long address = record.buffer().addressOffset();
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
            if (agent.health.tryRedeliver(destination, agent.nowNs))
            {
                sent |= 1L << destination;
                final int attempt = record.attempts(destination) + 1;
                record.attempts(destination, attempt);
                record.highestAttempt(Math.max(record.highestAttempt(), attempt));
            }
            else
            {
                parked |= 1L << destination;
                agent.health.park(destination, messageId);
            }
        }
        record.parked(record.parked() | parked);
        if (0 != sent)
        {
            record.roundStartNs(agent.nowNs);
            final long deadline = TrackerAgent.deadlineAfter(agent.nowNs, record.ackTimeoutNs());
            record.deadlineNs(PendingRecord.NO_DEADLINE == record.deadlineNs() ? deadline :
                Math.max(record.deadlineNs(), deadline));
        }
        record.endWrite();

        agent.health.inFlight(0, sent);
        if (0 != parked)
        {
            agent.counters.add(PARKED, Long.bitCount(parked));
            agent.history.record(record, parked, AttemptEventType.PARKED, 0);
        }
        if (0 != sent)
        {
            agent.counters.add(REDELIVERIES, Long.bitCount(sent));
            agent.history.record(record, sent, AttemptEventType.REDELIVERED, 0);
            agent.ensureDeadline(slot, record);
            for (long bits = sent; bits != 0; bits &= bits - 1)
            {
                final int destination = Long.numberOfTrailingZeros(bits);
                notifyRedelivery(messageId, destination, record.attempts(destination));
                record.wrap(address);
            }
        }
        return Long.bitCount(sent);
    }

    void notifyRedelivery(final long messageId, final int destination, final int attempt)
    {
        for (final RedeliveryListener listener : agent.redeliveryListeners)
        {
            try
            {
                listener.onRedeliver(messageId, destination, attempt);
            }
            catch (final Throwable ex)
            {
                agent.counters.increment(LISTENER_ERRORS);
                agent.errorHandler.onError(ex);
            }
        }
    }

    Backoff backoffOf(final PendingRecord record)
    {
        final MessageClass messageClass = agent.messageClasses.get(record.messageClass());
        return null == messageClass ? agent.config.defaultBackoff() : messageClass.backoff();
    }
}

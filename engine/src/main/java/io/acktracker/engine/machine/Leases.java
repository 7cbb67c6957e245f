package io.acktracker.engine.machine;

import io.acktracker.engine.api.AttemptEventType;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.lease.SipHash;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.LatencyRecorder;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.util.SeededRandom;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * Consumer-style delivery: a pending message is leased to one consumer at a time for a visibility timeout, and only
 * the holder of the current lease's receipt handle can settle it: ack completes it, nack releases it (available
 * again after a delay or its backoff), extend keeps it (the "still working" signal, bounded), reject fails it as
 * poison. An unsettled lease expires on the deadline index: the message is released and a redelivery to
 * {@link RedeliveryListener#CONSUMER} is told; past the maximum deliveries it fails (MAX_DELIVERIES) and is
 * dead-lettered.
 * <p>
 * While leased, the message's ack timeout is suspended: the visibility timeout governs. Lease state lives in the
 * record, so leases survive a restart; one that expired while the tracker was down expires when its deadline fires
 * after recovery. Nonces come from the engine's seeded generator; a handle is unforgeable because of its keyed MAC.
 * Arguments were checked by the command validator before any of these run.
 * <p>
 * Agent thread only.
 */
public final class Leases
{
    private final Records records;
    private final Finisher finisher;
    private final Retries retries;
    private final AttemptHistory history;
    private final ActiveLeases active;
    private final Policies policies;
    private final SeededRandom random;
    private final SipHash mac;
    private final LatencyRecorder holdTime;
    private final Effects effects;
    private final Counters counters;
    private final CommandClock clock;
    private final int maxDeliveries;
    private final int maxExtensions;
    private final long maxVisibilityNs;
    private final PendingRecord record = new PendingRecord();
    private Result refusal;

    Leases(
        final TrackerConfig config,
        final Records records,
        final Finisher finisher,
        final Retries retries,
        final AttemptHistory history,
        final ActiveLeases active,
        final Policies policies,
        final SeededRandom random,
        final SipHash mac,
        final LatencyRecorder holdTime,
        final Effects effects,
        final Counters counters,
        final CommandClock clock)
    {
        this.records = records;
        this.finisher = finisher;
        this.retries = retries;
        this.history = history;
        this.active = active;
        this.policies = policies;
        this.random = random;
        this.mac = mac;
        this.holdTime = holdTime;
        this.effects = effects;
        this.counters = counters;
        this.clock = clock;
        this.maxDeliveries = config.leaseMaxDeliveries();
        this.maxExtensions = config.leaseMaxExtensions();
        this.maxVisibilityNs = config.leaseMaxVisibilityNs();
    }

    /**
     * Lease a pending message to a consumer.
     *
     * @param handle filled with the receipt handle on success.
     * @return OK, or UNKNOWN_MESSAGE, LATE_ACK (finished), ALREADY_LEASED.
     */
    Result lease(final long messageId, final long consumerId, final long visibilityNs, final ReceiptHandle handle)
    {
        final int slot = records.slotOf(messageId);
        if (Records.MISSING == slot)
        {
            counters.increment(ORPHAN_ACKS);
            return Result.UNKNOWN_MESSAGE;
        }
        final PendingRecord record = this.record.wrap(records.address(slot)).requireMessage(messageId, slot);
        if (RecordStatus.PENDING != record.status())
        {
            counters.increment(LATE_ACKS);
            return Result.LATE_ACK;
        }
        final long now = clock.nowNs();
        if (record.hasFlag2(PendingRecord.FLAG2_LEASED) || record.hasFlag2(PendingRecord.FLAG2_HELD_BACK))
        {
            if (record.leaseDeadlineNs() - now > 0)
            {
                counters.increment(LEASE_REFUSED_ALREADY_LEASED);
                return Result.ALREADY_LEASED;
            }
            onLeaseDeadline(slot, record);
            if (RecordStatus.PENDING != record.status())
            {
                counters.increment(LATE_ACKS);
                return Result.LATE_ACK;
            }
        }

        long nonce;
        do
        {
            nonce = random.nextLong();
        }
        while (0 == nonce);
        final int delivery = record.deliveries() + 1;
        record.beginWrite();
        record.deliveries(delivery);
        record.leaseToken(nonce);
        record.leaseHolder(consumerId);
        record.leaseDeadlineNs(now + visibilityNs);
        record.extensions(0);
        record.roundStartNs(now);
        record.deadlineNs(PendingRecord.NO_DEADLINE);
        record.clearFlag2((byte)(PendingRecord.FLAG2_HELD_BACK | PendingRecord.FLAG2_LEASE_EXPIRED));
        record.setFlag2(PendingRecord.FLAG2_LEASED);
        record.endWrite();
        retries.scheduleNext(slot, record);

        handle.set(messageId, delivery, nonce, tag(messageId, delivery, ReceiptHandle.VERSION, nonce));
        active.granted();
        counters.increment(LEASES_GRANTED);
        return Result.OK;
    }

    /**
     * Settle a lease by completing the message.
     *
     * @return OK or a refusal.
     */
    Result ack(final ReceiptHandle handle)
    {
        final int slot = holderSlot(handle);
        if (slot < 0)
        {
            return refusal;
        }
        released(record);
        counters.increment(LEASE_ACKS);
        finisher.finish(slot, record, RecordStatus.COMPLETED, FailureReason.NONE);
        return Result.OK;
    }

    /**
     * Release a lease: the message becomes available again after the delay, or its backoff when 0.
     *
     * @return OK or a refusal.
     */
    Result nack(final ReceiptHandle handle, final long delayNs)
    {
        final int slot = holderSlot(handle);
        if (slot < 0)
        {
            return refusal;
        }
        released(record);
        counters.increment(LEASE_NACKS);
        history.record(record, AttemptEventType.LEASE_NACK, RedeliveryListener.CONSUMER, record.deliveries(), 0);
        if (record.deliveries() >= maxDeliveries)
        {
            finisher.finish(slot, record, RecordStatus.FAILED, FailureReason.MAX_DELIVERIES);
            return Result.OK;
        }

        final long delay = delayNs > 0 ? delayNs :
            policies.backoff(record.messageClass()).delayNs(record.deliveries(), record.lastBackoffNs(), random);
        record.beginWrite();
        record.setFlag2(PendingRecord.FLAG2_HELD_BACK);
        record.lastBackoffNs(delay);
        record.leaseDeadlineNs(clock.nowNs() + delay);
        record.endWrite();
        retries.scheduleNext(slot, record);
        return Result.OK;
    }

    /**
     * Extend a lease: the consumer is still working.
     *
     * @return OK, or MAX_EXTENSIONS, or a handle refusal.
     */
    Result extend(final ReceiptHandle handle, final long extraNs)
    {
        final int slot = holderSlot(handle);
        if (slot < 0)
        {
            return refusal;
        }
        if (record.extensions() >= maxExtensions)
        {
            counters.increment(LEASE_REFUSED_MAX_EXTENSIONS);
            return Result.MAX_EXTENSIONS;
        }
        record.beginWrite();
        record.extensions(record.extensions() + 1);
        record.leaseDeadlineNs(Math.min(record.leaseDeadlineNs() + extraNs, clock.nowNs() + maxVisibilityNs));
        record.endWrite();
        counters.increment(LEASE_EXTENSIONS);
        return Result.OK;
    }

    /**
     * Settle a lease by rejecting the message as poison: it fails and is dead-lettered.
     *
     * @return OK or a refusal.
     */
    Result reject(final ReceiptHandle handle, final int code)
    {
        final int slot = holderSlot(handle);
        if (slot < 0)
        {
            return refusal;
        }
        released(record);
        counters.increment(LEASE_REJECTS);
        history.record(record, AttemptEventType.REJECT, RedeliveryListener.CONSUMER, record.deliveries(), code);
        record.beginWrite();
        record.rejector(RedeliveryListener.CONSUMER);
        record.lastErrorCode(code);
        record.endWrite();
        finisher.finish(slot, record, RecordStatus.FAILED, FailureReason.REJECTED);
        return Result.OK;
    }

    /**
     * Leases held now.
     *
     * @return the count.
     */
    public long active()
    {
        return active.active();
    }

    /**
     * Whether a receipt handle was issued by this tracker (authentic), whatever its lease's state now.
     *
     * @param handle the handle.
     * @return true when its MAC checks.
     */
    public boolean isAuthentic(final ReceiptHandle handle)
    {
        return ReceiptHandle.VERSION == handle.version() &&
            tag(handle.messageId(), handle.delivery(), handle.version(), handle.nonce()) == handle.mac();
    }

    /**
     * The lease (or hold-back) deadline of a message passed: release it, or fail it past the maximum deliveries.
     *
     * @param slot   its slot.
     * @param record its record; stays pointing at it.
     */
    void onLeaseDeadline(final int slot, final PendingRecord record)
    {
        if (record.hasFlag2(PendingRecord.FLAG2_LEASED))
        {
            released(record);
            counters.increment(LEASE_EXPIRIES);
            history.record(record, AttemptEventType.LEASE_EXPIRED, RedeliveryListener.CONSUMER, record.deliveries(), 0);
            if (record.deliveries() >= maxDeliveries)
            {
                finisher.finish(slot, record, RecordStatus.FAILED, FailureReason.MAX_DELIVERIES);
                return;
            }
            record.beginWrite();
            record.setFlag2(PendingRecord.FLAG2_LEASE_EXPIRED);
            record.leaseDeadlineNs(PendingRecord.NO_DEADLINE);
            record.endWrite();
        }
        else
        {
            record.beginWrite();
            record.clearFlag2(PendingRecord.FLAG2_HELD_BACK);
            record.leaseDeadlineNs(PendingRecord.NO_DEADLINE);
            record.endWrite();
        }
        effects.redelivery(record.messageId(), RedeliveryListener.CONSUMER, record.deliveries() + 1);
    }

    private void released(final PendingRecord record)
    {
        holdTime.record(clock.nowNs() - record.roundStartNs());
        active.dropped(record);
    }

    /**
     * Check a handle against the current lease; leaves {@link #record} on the message.
     *
     * @return the slot, or -1 with {@link #refusal} set (counted).
     */
    private int holderSlot(final ReceiptHandle handle)
    {
        if (!isAuthentic(handle))
        {
            counters.increment(LEASE_REFUSED_INVALID);
            refusal = Result.INVALID_LEASE;
            return -1;
        }
        final int slot = records.slotOf(handle.messageId());
        if (Records.MISSING == slot)
        {
            counters.increment(ORPHAN_ACKS);
            refusal = Result.UNKNOWN_MESSAGE;
            return -1;
        }
        final PendingRecord record = this.record.wrap(records.address(slot)).requireMessage(handle.messageId(), slot);
        if (RecordStatus.PENDING != record.status())
        {
            counters.increment(LATE_ACKS);
            refusal = Result.LATE_ACK;
            return -1;
        }
        if (handle.delivery() != record.deliveries() || handle.nonce() != record.leaseToken() ||
            record.hasFlag2(PendingRecord.FLAG2_HELD_BACK))
        {
            counters.increment(LEASE_REFUSED_INVALID);
            refusal = Result.INVALID_LEASE;
            return -1;
        }
        if (record.hasFlag2(PendingRecord.FLAG2_LEASE_EXPIRED) ||
            (record.hasFlag2(PendingRecord.FLAG2_LEASED) && record.leaseDeadlineNs() - clock.nowNs() <= 0))
        {
            counters.increment(LEASE_REFUSED_EXPIRED);
            refusal = Result.LEASE_EXPIRED;
            return -1;
        }
        if (!record.hasFlag2(PendingRecord.FLAG2_LEASED))
        {
            counters.increment(LEASE_REFUSED_INVALID);
            refusal = Result.INVALID_LEASE;
            return -1;
        }
        return slot;
    }

    private long tag(final long messageId, final int delivery, final int version, final long nonce)
    {
        return mac.hash(messageId, ((long)version << 32) | (delivery & 0xFFFFFFFFL), nonce);
    }
}

package io.acktracker.engine.agent;

import io.acktracker.engine.FailureReason;
import io.acktracker.engine.RedeliveryListener;
import io.acktracker.engine.Result;
import io.acktracker.engine.TrackerConfig;
import io.acktracker.engine.dlq.AttemptEventType;
import io.acktracker.engine.lease.ReceiptHandle;
import io.acktracker.engine.lease.SipHash;
import io.acktracker.engine.metrics.LatencyRecorder;
import io.acktracker.engine.pending.PendingIndex;
import io.acktracker.engine.pending.PendingRecord;
import io.acktracker.engine.pending.RecordStatus;

import java.util.SplittableRandom;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * Consumer-style delivery: a pending message is leased to one consumer at a time for a visibility timeout, and only
 * the holder of the current lease's receipt handle can settle it: {@link #ack} completes it, {@link #nack} releases
 * it (available again after a delay or its backoff), {@link #extend} keeps it (the "still working" signal, bounded),
 * {@link #reject} fails it as poison. An unsettled lease expires on the timer wheel: the message is released, and
 * the host is told through the redelivery listener with {@link RedeliveryListener#CONSUMER}; past the maximum
 * deliveries it fails (MAX_DELIVERIES) and is dead-lettered.
 * <p>
 * While leased, the message's ack timeout is suspended: the visibility timeout governs. Lease state lives in the
 * record, so leases survive a restart; one that expired while the tracker was down expires at recovery.
 * <p>
 * Agent thread only.
 */
public final class Leases
{
    private final TrackerAgent agent;
    private final SipHash mac;
    private final SplittableRandom random;
    private final LatencyRecorder holdTime;
    private final int maxDeliveries;
    private final int maxExtensions;
    private final long maxExtensionNs;
    private final long maxVisibilityNs;
    private long active;
    private Result refusal;

    Leases(
        final TrackerAgent agent,
        final TrackerConfig config,
        final SipHash mac,
        final SplittableRandom random,
        final LatencyRecorder holdTime)
    {
        this.agent = agent;
        this.mac = mac;
        this.random = random;
        this.holdTime = holdTime;
        this.maxDeliveries = config.leaseMaxDeliveries();
        this.maxExtensions = config.leaseMaxExtensions();
        this.maxExtensionNs = config.leaseMaxExtensionNs();
        this.maxVisibilityNs = config.leaseMaxVisibilityNs();
    }

    /**
     * Lease a pending message to a consumer.
     *
     * @param messageId    message.
     * @param consumerId   who holds it (opaque to the tracker).
     * @param visibilityNs how long before it becomes available again unless settled or extended.
     * @param handle       filled with the receipt handle on success.
     * @return OK, or UNKNOWN_MESSAGE, LATE_ACK (finished), ALREADY_LEASED, INVALID_TIMEOUT.
     */
    public Result lease(final long messageId, final long consumerId, final long visibilityNs, final ReceiptHandle handle)
    {
        agent.refreshTime();
        if (visibilityNs <= 0 || visibilityNs > maxVisibilityNs)
        {
            agent.counters.increment(INVALID_REQUESTS);
            return Result.INVALID_TIMEOUT;
        }
        final int slot = agent.index.slotOf(messageId);
        if (PendingIndex.MISSING == slot)
        {
            agent.counters.increment(ORPHAN_ACKS);
            return Result.UNKNOWN_MESSAGE;
        }
        final PendingRecord record = agent.record.wrap(agent.index.address(slot));
        if (RecordStatus.PENDING != record.status())
        {
            agent.counters.increment(LATE_ACKS);
            return Result.LATE_ACK;
        }
        final long now = agent.nowNs;
        if (record.hasFlag2(PendingRecord.FLAG2_LEASED) || record.hasFlag2(PendingRecord.FLAG2_HELD_BACK))
        {
            if (record.leaseDeadlineNs() - now > 0)
            {
                agent.counters.increment(LEASE_REFUSED_ALREADY_LEASED);
                return Result.ALREADY_LEASED;
            }
            onLeaseDeadline(slot, record);
            if (RecordStatus.PENDING != agent.record.status())
            {
                agent.counters.increment(LATE_ACKS);
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
        agent.ensureDeadline(slot, record);

        handle.set(messageId, delivery, nonce, tag(messageId, delivery, ReceiptHandle.VERSION, nonce));
        active++;
        agent.counters.increment(LEASES_GRANTED);
        agent.counters.set(ACTIVE_LEASES, active);
        return Result.OK;
    }

    /**
     * Settle a lease by completing the message.
     *
     * @param handle receipt handle of the current lease.
     * @return OK or a refusal.
     */
    public Result ack(final ReceiptHandle handle)
    {
        agent.refreshTime();
        final int slot = holderSlot(handle);
        if (slot < 0)
        {
            return refusal;
        }
        final PendingRecord record = agent.record;
        released(record);
        agent.counters.increment(LEASE_ACKS);
        agent.finish(slot, record, RecordStatus.COMPLETED, FailureReason.NONE);
        return Result.OK;
    }

    /**
     * Release a lease: the message becomes available again after the delay, or its backoff when 0.
     *
     * @param handle  receipt handle of the current lease.
     * @param delayNs how long before it may be leased again; 0 for the message's backoff.
     * @return OK or a refusal.
     */
    public Result nack(final ReceiptHandle handle, final long delayNs)
    {
        agent.refreshTime();
        if (delayNs < 0)
        {
            agent.counters.increment(INVALID_REQUESTS);
            return Result.INVALID_TIMEOUT;
        }
        final int slot = holderSlot(handle);
        if (slot < 0)
        {
            return refusal;
        }
        final PendingRecord record = agent.record;
        released(record);
        agent.counters.increment(LEASE_NACKS);
        agent.history.record(record, AttemptEventType.LEASE_NACK, RedeliveryListener.CONSUMER, record.deliveries(), 0);
        if (record.deliveries() >= maxDeliveries)
        {
            agent.finish(slot, record, RecordStatus.FAILED, FailureReason.MAX_DELIVERIES);
            return Result.OK;
        }

        final long delay = delayNs > 0 ? delayNs :
            agent.retries.backoffOf(record).delayNs(record.deliveries(), record.lastBackoffNs(), random);
        record.beginWrite();
        record.setFlag2(PendingRecord.FLAG2_HELD_BACK);
        record.lastBackoffNs(delay);
        record.leaseDeadlineNs(agent.nowNs + delay);
        record.endWrite();
        agent.ensureDeadline(slot, record);
        return Result.OK;
    }

    /**
     * Extend a lease: the consumer is still working.
     *
     * @param handle  receipt handle of the current lease.
     * @param extraNs added to the lease deadline, at most the configured single extension.
     * @return OK, or MAX_EXTENSIONS, INVALID_TIMEOUT, or a handle refusal.
     */
    public Result extend(final ReceiptHandle handle, final long extraNs)
    {
        agent.refreshTime();
        final int slot = holderSlot(handle);
        if (slot < 0)
        {
            return refusal;
        }
        if (extraNs <= 0 || extraNs > maxExtensionNs)
        {
            agent.counters.increment(INVALID_REQUESTS);
            return Result.INVALID_TIMEOUT;
        }
        final PendingRecord record = agent.record;
        if (record.extensions() >= maxExtensions)
        {
            agent.counters.increment(LEASE_REFUSED_MAX_EXTENSIONS);
            return Result.MAX_EXTENSIONS;
        }
        record.beginWrite();
        record.extensions(record.extensions() + 1);
        record.leaseDeadlineNs(Math.min(record.leaseDeadlineNs() + extraNs, agent.nowNs + maxVisibilityNs));
        record.endWrite();
        agent.counters.increment(LEASE_EXTENSIONS);
        return Result.OK;
    }

    /**
     * Settle a lease by rejecting the message as poison: it fails and is dead-lettered.
     *
     * @param handle receipt handle of the current lease.
     * @param code   error code kept with the dead letter.
     * @return OK or a refusal.
     */
    public Result reject(final ReceiptHandle handle, final int code)
    {
        agent.refreshTime();
        final int slot = holderSlot(handle);
        if (slot < 0)
        {
            return refusal;
        }
        final PendingRecord record = agent.record;
        released(record);
        agent.counters.increment(LEASE_REJECTS);
        agent.history.record(record, AttemptEventType.REJECT, RedeliveryListener.CONSUMER, record.deliveries(), code);
        record.beginWrite();
        record.rejector(RedeliveryListener.CONSUMER);
        record.lastErrorCode(code);
        record.endWrite();
        agent.finish(slot, record, RecordStatus.FAILED, FailureReason.REJECTED);
        return Result.OK;
    }

    /**
     * Leases held now.
     *
     * @return the count.
     */
    public long active()
    {
        return active;
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
     */
    void onLeaseDeadline(final int slot, final PendingRecord record)
    {
        final long address = record.buffer().addressOffset();
        final long messageId = record.messageId();
        if (record.hasFlag2(PendingRecord.FLAG2_LEASED))
        {
            released(record);
            agent.counters.increment(LEASE_EXPIRIES);
            agent.history.record(record, AttemptEventType.LEASE_EXPIRED, RedeliveryListener.CONSUMER, record.deliveries(),
                0);
            if (record.deliveries() >= maxDeliveries)
            {
                agent.finish(slot, record, RecordStatus.FAILED, FailureReason.MAX_DELIVERIES);
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
        agent.retries.notifyRedelivery(messageId, RedeliveryListener.CONSUMER, record.deliveries() + 1);
        record.wrap(address);
    }

    /**
     * A lease found active on recovery.
     */
    void recovered()
    {
        active++;
        agent.counters.set(ACTIVE_LEASES, active);
    }

    private void released(final PendingRecord record)
    {
        holdTime.record(agent.nowNs - record.roundStartNs());
        dropped(record);
    }

    /**
     * A leased message stops being leased (settled, expired, or finished some other way).
     */
    void dropped(final PendingRecord record)
    {
        record.beginWrite();
        record.clearFlag2(PendingRecord.FLAG2_LEASED);
        record.endWrite();
        active--;
        agent.counters.set(ACTIVE_LEASES, active);
    }

    /**
     * Check a handle against the current lease; leaves the agent's record flyweight on the message.
     *
     * @return the slot, or -1 with {@link #refusal} set (counted).
     */
    private int holderSlot(final ReceiptHandle handle)
    {
        if (!isAuthentic(handle))
        {
            agent.counters.increment(LEASE_REFUSED_INVALID);
            refusal = Result.INVALID_LEASE;
            return -1;
        }
        final int slot = agent.index.slotOf(handle.messageId());
        if (PendingIndex.MISSING == slot)
        {
            agent.counters.increment(ORPHAN_ACKS);
            refusal = Result.UNKNOWN_MESSAGE;
            return -1;
        }
        final PendingRecord record = agent.record.wrap(agent.index.address(slot));
        if (RecordStatus.PENDING != record.status())
        {
            agent.counters.increment(LATE_ACKS);
            refusal = Result.LATE_ACK;
            return -1;
        }
        if (handle.delivery() != record.deliveries() || handle.nonce() != record.leaseToken() ||
            record.hasFlag2(PendingRecord.FLAG2_HELD_BACK))
        {
            agent.counters.increment(LEASE_REFUSED_INVALID);
            refusal = Result.INVALID_LEASE;
            return -1;
        }
        if (record.hasFlag2(PendingRecord.FLAG2_LEASE_EXPIRED) ||
            (record.hasFlag2(PendingRecord.FLAG2_LEASED) && record.leaseDeadlineNs() - agent.nowNs <= 0))
        {
            agent.counters.increment(LEASE_REFUSED_EXPIRED);
            refusal = Result.LEASE_EXPIRED;
            return -1;
        }
        if (!record.hasFlag2(PendingRecord.FLAG2_LEASED))
        {
            agent.counters.increment(LEASE_REFUSED_INVALID);
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

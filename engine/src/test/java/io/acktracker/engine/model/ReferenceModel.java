package io.acktracker.engine.model;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.Result;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small, obviously-correct model of the tracker's semantics for the model-based test, written from the rules in
 * the README rather than from the engine's code: no retries (one attempt per destination), leases with a fixed
 * hold-back after a nack, and deadlines that fire at the end of their 2^20 ns timer tick, never early.
 */
final class ReferenceModel
{
    static final long MS = 1_000_000L;
    static final long ACK_TIMEOUT = 50 * MS;
    static final long TTL = 200 * MS;
    static final long TOMBSTONE_WINDOW = 100 * MS;
    static final long VISIBILITY = 30 * MS;
    static final long EXTENSION = 20 * MS;
    static final long HOLD_BACK = 10 * MS;
    static final int MAX_DELIVERIES = 2;
    static final int MAX_EXTENSIONS = 1;
    static final int REGISTERED = 4;
    static final long NONE = Long.MAX_VALUE;

    enum Lease
    {
        NONE, LEASED, HELD_BACK, EXPIRED
    }

    static final class Message
    {
        long id;
        long destinations;
        int required;
        long acked;
        long failed;
        MessageState finalState;
        long created;
        long ackDeadline;
        long ttlDeadline;
        long finished;
        boolean hasStream;
        Lease lease = Lease.NONE;
        int deliveries;
        int extensions;
        long leaseDeadline = NONE;
        long scheduled;
        long fireAt;
        long incarnation;

        boolean pending()
        {
            return null == finalState;
        }

        long next()
        {
            return Math.min(Math.min(ackDeadline, ttlDeadline), leaseDeadline);
        }
    }

    /** One outcome the model expects. */
    record Expected(long messageId, Outcome outcome, FailureReason reason)
    {
    }

    final Map<Long, Message> messages = new TreeMap<>();
    final List<Expected> outcomes = new ArrayList<>();
    final long[] cumulative = { Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE };
    final Map<String, Long> counters = new HashMap<>();
    long now;
    private long incarnations;

    ReferenceModel(final long now)
    {
        this.now = now;
    }

    void count(final String name)
    {
        counters.merge(name, 1L, Long::sum);
    }

    void resetCounters()
    {
        counters.clear();
    }

    static long fireTime(final long deadline)
    {
        return (((deadline >> 20) + 1) << 20) - 1;
    }

    private void schedule(final Message m, final long deadline, final boolean polling)
    {
        m.scheduled = deadline;
        if (NONE == deadline)
        {
            m.fireAt = NONE;
            return;
        }
        m.fireAt = fireTime(polling ? Math.max(deadline, now + 1) : deadline);
    }

    private void ensureDeadline(final Message m)
    {
        final long next = m.next();
        if (NONE != next && (NONE == m.fireAt || next < m.scheduled))
        {
            schedule(m, next, false);
        }
    }

    MessageState state(final long id)
    {
        final Message m = messages.get(id);
        if (null == m)
        {
            return MessageState.UNKNOWN;
        }
        if (!m.pending())
        {
            return m.finalState;
        }
        return 0 == Long.bitCount(m.acked & m.destinations) ? MessageState.PENDING : MessageState.PARTIAL;
    }

    Result track(final long id, final long destinations, final int required, final boolean stream)
    {
        if (messages.containsKey(id))
        {
            count("duplicateTracks");
            return Result.DUPLICATE_TRACK;
        }
        final Message m = new Message();
        m.id = id;
        m.incarnation = ++incarnations;
        m.destinations = destinations;
        m.required = 0 == required ? Long.bitCount(destinations) : required;
        m.created = now;
        m.ackDeadline = now + ACK_TIMEOUT;
        m.ttlDeadline = now + TTL;
        m.hasStream = stream;
        if (stream)
        {
            for (int d = 0; d < REGISTERED; d++)
            {
                if (cumulative[d] >= id && (destinations & (1L << d)) != 0)
                {
                    m.acked |= 1L << d;
                }
            }
        }
        messages.put(id, m);
        schedule(m, m.next(), false);
        count("tracked");
        if (Long.bitCount(m.acked) >= m.required)
        {
            finish(m, MessageState.COMPLETED, FailureReason.NONE);
        }
        return Result.OK;
    }

    private Message answer(final long id, final int destination)
    {
        final Message m = messages.get(id);
        if (null == m)
        {
            count("orphanAcks");
            refusal = Result.UNKNOWN_MESSAGE;
            return null;
        }
        if (!m.pending())
        {
            count("lateAcks");
            refusal = Result.LATE_ACK;
            return null;
        }
        if ((m.destinations & (1L << destination)) == 0)
        {
            count("spoofedAcks");
            refusal = Result.SPOOFED_DESTINATION;
            return null;
        }
        return m;
    }

    private Result refusal;

    Result ack(final long id, final int destination)
    {
        final Message m = answer(id, destination);
        if (null == m)
        {
            return refusal;
        }
        final long bit = 1L << destination;
        if ((m.acked & bit) != 0)
        {
            count("duplicateAcks");
            return Result.DUPLICATE_ACK;
        }
        m.acked |= bit;
        m.failed &= ~bit;
        count("acks");
        if (Long.bitCount(m.acked) >= m.required)
        {
            finish(m, MessageState.COMPLETED, FailureReason.NONE);
            return Result.COMPLETED;
        }
        return Result.OK;
    }

    Result nack(final long id, final int destination)
    {
        final Message m = answer(id, destination);
        if (null == m)
        {
            return refusal;
        }
        final long bit = 1L << destination;
        if ((m.acked & bit) != 0)
        {
            count("duplicateAcks");
            return Result.DUPLICATE_ACK;
        }
        if ((m.failed & bit) != 0)
        {
            count("lateAcks");
            return Result.LATE_ACK;
        }
        giveUp(m, bit);
        return Result.OK;
    }

    private void giveUp(final Message m, final long mask)
    {
        m.failed |= mask;
        final long outstanding = m.destinations & ~m.acked & ~m.failed;
        if (Long.bitCount(m.acked) + Long.bitCount(outstanding) < m.required)
        {
            finish(m, MessageState.FAILED, FailureReason.TIMEOUT);
        }
    }

    Result reject(final long id, final int destination)
    {
        final Message m = answer(id, destination);
        if (null == m)
        {
            return refusal;
        }
        m.failed |= 1L << destination;
        finish(m, MessageState.FAILED, FailureReason.REJECTED);
        return Result.OK;
    }

    Result cumulativeAck(final int destination, final long offset)
    {
        if (destination >= REGISTERED)
        {
            count("spoofedAcks");
            return Result.SPOOFED_DESTINATION;
        }
        if (offset <= cumulative[destination])
        {
            count("duplicateAcks");
            return Result.DUPLICATE_ACK;
        }
        cumulative[destination] = offset;
        final long bit = 1L << destination;
        for (final Message m : messages.values())
        {
            if (m.pending() && m.hasStream && m.id <= offset && (m.destinations & bit) != 0 && (m.acked & bit) == 0)
            {
                m.acked |= bit;
                m.failed &= ~bit;
                if (Long.bitCount(m.acked) >= m.required)
                {
                    finish(m, MessageState.COMPLETED, FailureReason.NONE);
                }
            }
        }
        return Result.OK;
    }

    Result lease(final long id)
    {
        final Message m = messages.get(id);
        if (null == m)
        {
            count("orphanAcks");
            return Result.UNKNOWN_MESSAGE;
        }
        if (!m.pending())
        {
            count("lateAcks");
            return Result.LATE_ACK;
        }
        if (Lease.LEASED == m.lease || Lease.HELD_BACK == m.lease)
        {
            if (m.leaseDeadline > now)
            {
                count("alreadyLeased");
                return Result.ALREADY_LEASED;
            }
            leaseDeadline(m);
            if (!m.pending())
            {
                count("lateAcks");
                return Result.LATE_ACK;
            }
        }
        m.deliveries++;
        m.extensions = 0;
        m.leaseDeadline = now + VISIBILITY;
        m.ackDeadline = NONE;
        m.lease = Lease.LEASED;
        ensureDeadline(m);
        count("leases");
        return Result.OK;
    }

    /**
     * Check a handle the test kept for a delivery of a message.
     */
    private Message holder(final long id, final long incarnation, final int delivery, final boolean forged)
    {
        if (forged)
        {
            count("invalidLeases");
            refusal = Result.INVALID_LEASE;
            return null;
        }
        final Message m = messages.get(id);
        if (null == m)
        {
            count("orphanAcks");
            refusal = Result.UNKNOWN_MESSAGE;
            return null;
        }
        if (!m.pending())
        {
            count("lateAcks");
            refusal = Result.LATE_ACK;
            return null;
        }
        if (incarnation != m.incarnation || delivery != m.deliveries || Lease.HELD_BACK == m.lease)
        {
            count("invalidLeases");
            refusal = Result.INVALID_LEASE;
            return null;
        }
        if (Lease.EXPIRED == m.lease || (Lease.LEASED == m.lease && m.leaseDeadline <= now))
        {
            count("expiredLeases");
            refusal = Result.LEASE_EXPIRED;
            return null;
        }
        if (Lease.LEASED != m.lease)
        {
            count("invalidLeases");
            refusal = Result.INVALID_LEASE;
            return null;
        }
        return m;
    }

    Result leaseAck(final long id, final long incarnation, final int delivery, final boolean forged)
    {
        final Message m = holder(id, incarnation, delivery, forged);
        if (null == m)
        {
            return refusal;
        }
        m.lease = Lease.NONE;
        finish(m, MessageState.COMPLETED, FailureReason.NONE);
        return Result.OK;
    }

    Result leaseNack(final long id, final long incarnation, final int delivery, final boolean forged)
    {
        final Message m = holder(id, incarnation, delivery, forged);
        if (null == m)
        {
            return refusal;
        }
        m.lease = Lease.NONE;
        if (m.deliveries >= MAX_DELIVERIES)
        {
            finish(m, MessageState.FAILED, FailureReason.MAX_DELIVERIES);
            return Result.OK;
        }
        m.lease = Lease.HELD_BACK;
        m.leaseDeadline = now + HOLD_BACK;
        ensureDeadline(m);
        return Result.OK;
    }

    Result leaseExtend(final long id, final long incarnation, final int delivery, final boolean forged)
    {
        final Message m = holder(id, incarnation, delivery, forged);
        if (null == m)
        {
            return refusal;
        }
        if (m.extensions >= MAX_EXTENSIONS)
        {
            count("maxExtensions");
            return Result.MAX_EXTENSIONS;
        }
        m.extensions++;
        m.leaseDeadline += EXTENSION;
        return Result.OK;
    }

    private void leaseDeadline(final Message m)
    {
        if (Lease.LEASED == m.lease)
        {
            m.lease = Lease.NONE;
            if (m.deliveries >= MAX_DELIVERIES)
            {
                finish(m, MessageState.FAILED, FailureReason.MAX_DELIVERIES);
                return;
            }
            m.lease = Lease.EXPIRED;
        }
        else
        {
            m.lease = Lease.NONE;
        }
        m.leaseDeadline = NONE;
    }

    void advance(final long deltaNs)
    {
        now += deltaNs;
        boolean fired = true;
        while (fired)
        {
            fired = false;
            for (final Message m : new ArrayList<>(messages.values()))
            {
                if (m.pending() && NONE != m.fireAt && m.fireAt <= now)
                {
                    fired = true;
                    onDeadline(m);
                }
            }
        }
        messages.values().removeIf((m) -> !m.pending() && now - m.finished >= TOMBSTONE_WINDOW);
    }

    private void onDeadline(final Message m)
    {
        m.fireAt = NONE;
        if (m.ttlDeadline <= now)
        {
            finish(m, MessageState.EXPIRED, FailureReason.EXPIRED);
            return;
        }
        if (m.leaseDeadline <= now)
        {
            leaseDeadline(m);
            if (!m.pending())
            {
                return;
            }
        }
        if (m.ackDeadline <= now)
        {
            final long outstanding = m.destinations & ~m.acked & ~m.failed;
            if (0 != outstanding)
            {
                giveUp(m, outstanding);
                if (!m.pending())
                {
                    return;
                }
            }
            m.ackDeadline = NONE;
        }
        final long next = m.next();
        if (NONE != next)
        {
            schedule(m, next, true);
        }
    }

    private void finish(final Message m, final MessageState state, final FailureReason reason)
    {
        m.finalState = state;
        m.finished = now;
        m.fireAt = NONE;
        m.lease = Lease.NONE;
        outcomes.add(new Expected(m.id, MessageState.COMPLETED == state ? Outcome.COMPLETED :
            MessageState.FAILED == state ? Outcome.FAILED : Outcome.EXPIRED, reason));
        count(MessageState.COMPLETED == state ? "completed" : MessageState.FAILED == state ? "failed" : "expired");
    }

    void restarted()
    {
        for (final Message m : messages.values())
        {
            if (m.pending())
            {
                final long next = m.next();
                schedule(m, next, false);
            }
        }
        resetCounters();
    }

    long pendingCount()
    {
        return messages.values().stream().filter(Message::pending).count();
    }
}

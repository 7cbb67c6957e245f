package io.acktracker.engine.machine;

import io.acktracker.engine.api.AttemptEventType;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.health.DestinationHealth;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.DestinationLatencies;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * A destination's answer about one message: ack (the message completes on its k-th), nack (retry that destination
 * after its backoff) or reject (poison: the message fails at once). The refusals common to all three are checked in
 * one order: unknown id (an orphan, or held as an early ack), finished (late), not one of the message's
 * destinations (spoofed). The destination id was range-checked by the command validator.
 * <p>
 * Agent thread only.
 */
final class Answers
{
    private final Records records;
    private final DestinationHealth health;
    private final DestinationLatencies ackLatency;
    private final Finisher finisher;
    private final Retries retries;
    private final EarlyAcks earlyAcks;
    private final ClientSessions sessions;
    private final AttemptHistory history;
    private final Counters counters;
    private final CommandClock clock;
    private final PendingRecord record = new PendingRecord();
    private Result refusal;

    Answers(
        final Records records,
        final DestinationHealth health,
        final DestinationLatencies ackLatency,
        final Finisher finisher,
        final Retries retries,
        final EarlyAcks earlyAcks,
        final ClientSessions sessions,
        final AttemptHistory history,
        final Counters counters,
        final CommandClock clock)
    {
        this.sessions = sessions;
        this.records = records;
        this.health = health;
        this.ackLatency = ackLatency;
        this.finisher = finisher;
        this.retries = retries;
        this.earlyAcks = earlyAcks;
        this.history = history;
        this.counters = counters;
        this.clock = clock;
    }

    /**
     * An ack; one for a message not tracked yet is held as an early ack.
     *
     * @param messageId   the message.
     * @param destination the destination.
     * @param client      the client index of a numbered ack, -1 for none.
     * @param sequence    the numbered ack's sequence.
     * @return OK, COMPLETED, HELD, or a refusal.
     */
    Result ack(final long messageId, final int destination, final int client, final long sequence)
    {
        final long nowNs = clock.nowNs();
        if (earlyAcks.isEnabled() && Records.MISSING == records.slotOf(messageId))
        {
            final int held = earlyAcks.hold(messageId, destination, nowNs, client, sequence);
            if (EarlyAcks.NOT_HELD != held)
            {
                if (EarlyAcks.HELD == held && client >= 0)
                {
                    // the client was told it is applied: if its window ends first, its outbox tells it otherwise
                    sessions.heldAck(client);
                }
                counters.increment(EARLY_ACKS_HELD);
                return Result.HELD;
            }
        }
        final int slot = answerSlot(messageId, destination);
        if (slot < 0)
        {
            return refusal;
        }

        final long bit = 1L << destination;
        final long acked = record.acked();
        if ((acked & bit) != 0)
        {
            counters.increment(DUPLICATE_ACKS);
            return Result.DUPLICATE_ACK;
        }

        final long awaitedBefore = record.awaited();
        record.beginWrite();
        record.acked(acked | bit);
        if ((record.nacked() | record.redeliver() | record.parked() | record.failed()) != 0)
        {
            record.nacked(record.nacked() & ~bit);
            record.redeliver(record.redeliver() & ~bit);
            record.parked(record.parked() & ~bit);
            record.failed(record.failed() & ~bit);
        }
        record.endWrite();
        health.inFlight(awaitedBefore & bit, 0);
        final long latencyNs = nowNs - record.roundStartNs();
        health.onSuccess(destination, latencyNs, nowNs);
        ackLatency.record(destination, latencyNs);
        counters.increment(ACKS);

        if (record.ackedCount() >= record.requiredAcks())
        {
            finisher.finish(slot, record, RecordStatus.COMPLETED, FailureReason.NONE);
            return Result.COMPLETED;
        }
        return Result.OK;
    }

    Result nack(final long messageId, final int destination, final long delayNs, final int code)
    {
        final int slot = answerSlot(messageId, destination);
        if (slot < 0)
        {
            return refusal;
        }

        final long bit = 1L << destination;
        if ((record.acked() & bit) != 0)
        {
            counters.increment(DUPLICATE_ACKS);
            return Result.DUPLICATE_ACK;
        }
        if ((record.failed() & bit) != 0)
        {
            counters.increment(LATE_ACKS);
            return Result.LATE_ACK;
        }

        counters.increment(NACKS);
        health.onFailure(destination, clock.nowNs());
        record.beginWrite();
        record.nacked(record.nacked() | bit);
        record.lastErrorCode(code);
        record.endWrite();
        history.record(record, bit, AttemptEventType.NACK, code);

        if (((record.redeliver() | record.parked()) & bit) != 0)
        {
            return Result.OK;
        }
        health.inFlight(bit, 0);
        retries.retryOrGiveUp(slot, record, bit, delayNs);
        return Result.OK;
    }

    Result reject(final long messageId, final int destination, final int code)
    {
        final int slot = answerSlot(messageId, destination);
        if (slot < 0)
        {
            return refusal;
        }

        final long bit = 1L << destination;
        counters.increment(REJECTS);
        health.onFailure(destination, clock.nowNs());
        history.record(record, bit, AttemptEventType.REJECT, code);
        record.beginWrite();
        record.failed(record.failed() | bit);
        record.rejector(destination);
        record.lastErrorCode(code);
        record.endWrite();
        finisher.finish(slot, record, RecordStatus.FAILED, FailureReason.REJECTED);
        return Result.OK;
    }

    /**
     * Find a live record for an answer, counting the refusals common to ack, nack and reject.
     *
     * @return the slot with {@link #record} on it, or -1 with {@link #refusal} set.
     */
    private int answerSlot(final long messageId, final int destination)
    {
        final long entry = records.entryOf(messageId);
        if (Records.MISSING_ENTRY == entry)
        {
            counters.increment(ORPHAN_ACKS);
            refusal = Result.UNKNOWN_MESSAGE;
            return -1;
        }
        final int slot = Records.slotOfEntry(entry);
        record.wrap(records.addressOfEntry(entry)).requireMessage(messageId, slot);
        if (RecordStatus.PENDING != record.status())
        {
            counters.increment(LATE_ACKS);
            refusal = Result.LATE_ACK;
            return -1;
        }
        if ((record.destinations() & (1L << destination)) == 0)
        {
            counters.increment(SPOOFED_ACKS);
            refusal = Result.SPOOFED_DESTINATION;
            return -1;
        }
        return slot;
    }
}

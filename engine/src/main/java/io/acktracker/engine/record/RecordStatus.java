package io.acktracker.engine.record;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.MessageStatus;
import io.acktracker.engine.api.Outcome;

/**
 * Status byte values stored in a {@link PendingRecord}. Plain constants rather than an enum because they are
 * read and written straight from off-heap memory.
 */
public final class RecordStatus
{
    /** Never written: an empty or corrupt record. */
    public static final byte NONE = 0;
    /** Waiting for acks. */
    public static final byte PENDING = 1;
    /** Enough destinations acked. Kept as a tombstone for the tombstone window. */
    public static final byte COMPLETED = 2;
    /** Gave up: retries exhausted, rejected, or the quorum can no longer be met. Tombstone. */
    public static final byte FAILED = 3;
    /** The time-to-live passed before completion. Tombstone. */
    public static final byte EXPIRED = 4;

    private RecordStatus()
    {
    }

    /**
     * Whether the status is one of the three final outcomes.
     *
     * @param status a status byte.
     * @return true for COMPLETED, FAILED and EXPIRED.
     */
    public static boolean isFinal(final byte status)
    {
        return status >= COMPLETED && status <= EXPIRED;
    }

    /**
     * The outcome a final status stands for: the one mapping between the stored byte and {@link Outcome}.
     *
     * @param status a final status byte.
     * @return its outcome (EXPIRED for anything that is not COMPLETED or FAILED).
     */
    public static Outcome outcome(final byte status)
    {
        switch (status)
        {
            case COMPLETED:
                return Outcome.COMPLETED;
            case FAILED:
                return Outcome.FAILED;
            default:
                return Outcome.EXPIRED;
        }
    }

    /**
     * Where a message stands, from a consistent copy of its record.
     *
     * @param record a consistent copy.
     * @return the status.
     */
    public static MessageStatus toMessageStatus(final PendingRecord record)
    {
        final MessageState state;
        switch (record.status())
        {
            case PENDING:
                state = record.ackedCount() > 0 ? MessageState.PARTIAL : MessageState.PENDING;
                break;
            case COMPLETED:
                state = MessageState.COMPLETED;
                break;
            case FAILED:
                state = MessageState.FAILED;
                break;
            case EXPIRED:
                state = MessageState.EXPIRED;
                break;
            default:
                state = MessageState.UNKNOWN;
        }
        return new MessageStatus(
            record.messageId(), state, record.destinations(), record.acked() & record.destinations(), record.failed(),
            record.requiredAcks(), record.highestAttempt(), record.createdNs(), record.deadlineNs(),
            record.ttlDeadlineNs(), record.finishedNs(), FailureReason.of(record.reason()), record.streamId(),
            record.streamSequence(), record.hasFlag(PendingRecord.FLAG_HAS_STREAM));
    }

    /**
     * Printable name of a status byte.
     *
     * @param status a status byte.
     * @return its name.
     */
    public static String name(final byte status)
    {
        switch (status)
        {
            case PENDING: return "PENDING";
            case COMPLETED: return "COMPLETED";
            case FAILED: return "FAILED";
            case EXPIRED: return "EXPIRED";
            default: return "NONE(" + status + ")";
        }
    }
}

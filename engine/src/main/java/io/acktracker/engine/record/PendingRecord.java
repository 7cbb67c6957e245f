package io.acktracker.engine.record;

import io.acktracker.engine.api.TrackerException;

import io.acktracker.engine.api.TrackRequest;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

/**
 * Flyweight over one fixed-size pending record, either in place inside the pending table's off-heap memory
 * (agent thread, writes go straight to the mapped file) or over a heap copy (readers, tools).
 * <p>
 * Writers bracket every change with {@link #beginWrite()} and {@link #endWrite()}: the two version words form a
 * sequence lock, so a reader on another thread (or process) that copies the record can tell a torn copy
 * ({@link #isConsistent()}) and retry. Every single-word field write is also a commit point on its own, which is
 * what keeps a record meaningful after a kill -9 in the middle of an update.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     version start (seqlock)                   |   0
 *  |                          message id                           |   8
 *  |                  destinations (bitset of ids)                 |  16
 *  |                     acked destinations                        |  24
 *  |                 destinations that nacked                      |  32
 *  |            failed destinations (given up on)                  |  40
 *  |                    created time (epoch ns)                    |  48
 *  |        ack deadline of the current round (epoch ns)           |  56
 *  |                  TTL deadline (epoch ns)                      |  64
 *  |                  finished time (epoch ns)                     |  72
 *  |                  ack timeout per attempt (ns)                 |  80
 *  |                       stream sequence                         |  88
 *  |                       lease token                             |  96
 *  |                  lease deadline (epoch ns)                    | 104
 *  |                       lease holder                            | 112
 *  |            last backoff delay (decorrelated jitter)           | 120
 *  |                 next redelivery (epoch ns)                    | 128
 *  |          destinations to redeliver at that time               | 136
 *  |        redeliveries parked behind an open circuit             | 144
 *  |             start of the current round (epoch ns)             | 152
 *  |   attempts per destination id: 64 x 4 bits (32 bytes)        ...  160
 *  |           stream id           |   attempts    |  deliveries   | 192
 *  | message class |  extensions   | req |stat |prio |flag         | 200
 *  |reason|max att|flags2|rejector|       last error code          | 208
 *  |                     version end (seqlock)                     | 216
 *  +---------------------------------------------------------------+
 * </pre>
 * All times are absolute epoch nanoseconds so they mean the same thing after a restart. {@link Long#MAX_VALUE}
 * means "no deadline". Attempts are counted per destination (at most 15 each, 4 bits) so a quorum message can give
 * up on one destination and still complete through the others.
 * <p>
 * Why this file is long: a flyweight over a 224-byte record: a getter and a setter per field, with the layout drawn
 * once.
 */
public final class PendingRecord
{
    /** Length of a record in bytes. Fixed: the pending table relies on constant-size values. */
    public static final int LENGTH = 224;

    /** Offset of the version start (seqlock) field. */
    public static final int VERSION_START_OFFSET = 0;
    /** Offset of the message id field. */
    public static final int MESSAGE_ID_OFFSET = 8;
    /** Offset of the destinations field. */
    public static final int DESTINATIONS_OFFSET = 16;
    /** Offset of the acked destinations field. */
    public static final int ACKED_OFFSET = 24;
    /** Offset of the nacking destinations field. */
    public static final int NACKED_OFFSET = 32;
    /** Offset of the failed destinations field. */
    public static final int FAILED_OFFSET = 40;
    /** Offset of the created time field. */
    public static final int CREATED_OFFSET = 48;
    /** Offset of the ack deadline field. */
    public static final int DEADLINE_OFFSET = 56;
    /** Offset of the TTL deadline field. */
    public static final int TTL_DEADLINE_OFFSET = 64;
    /** Offset of the finished time field. */
    public static final int FINISHED_OFFSET = 72;
    /** Offset of the ack timeout field. */
    public static final int ACK_TIMEOUT_OFFSET = 80;
    /** Offset of the stream sequence field. */
    public static final int STREAM_SEQUENCE_OFFSET = 88;
    /** Offset of the lease token field. */
    public static final int LEASE_TOKEN_OFFSET = 96;
    /** Offset of the lease deadline field. */
    public static final int LEASE_DEADLINE_OFFSET = 104;
    /** Offset of the lease holder field. */
    public static final int LEASE_HOLDER_OFFSET = 112;
    /** Offset of the last backoff delay field. */
    public static final int LAST_BACKOFF_OFFSET = 120;
    /** Offset of the next redelivery time field. */
    public static final int RETRY_AT_OFFSET = 128;
    /** Offset of the destinations to redeliver field. */
    public static final int REDELIVER_OFFSET = 136;
    /** Offset of the parked field. */
    public static final int PARKED_OFFSET = 144;
    /** Offset of the start of the current round field. */
    public static final int ROUND_START_OFFSET = 152;
    /** Offset of the attempts per destination (64 x 4 bits) field. */
    public static final int ATTEMPT_NIBBLES_OFFSET = 160;
    /** Offset of the stream id field. */
    public static final int STREAM_ID_OFFSET = 192;
    /** Offset of the highest attempt field. */
    public static final int ATTEMPTS_OFFSET = 196;
    /** Offset of the deliveries field. */
    public static final int DELIVERIES_OFFSET = 198;
    /** Offset of the message class field. */
    public static final int MESSAGE_CLASS_OFFSET = 200;
    /** Offset of the extensions field. */
    public static final int EXTENSIONS_OFFSET = 202;
    /** Offset of the required acks field. */
    public static final int REQUIRED_ACKS_OFFSET = 204;
    /** Offset of the status field. */
    public static final int STATUS_OFFSET = 205;
    /** Offset of the priority field. */
    public static final int PRIORITY_OFFSET = 206;
    /** Offset of the flags field. */
    public static final int FLAGS_OFFSET = 207;
    /** Offset of the reason field. */
    public static final int REASON_OFFSET = 208;
    /** Offset of the max attempts field. */
    public static final int MAX_ATTEMPTS_OFFSET = 209;
    /** Offset of the second flags byte field. */
    public static final int FLAGS2_OFFSET = 210;
    /** Offset of the rejector field. */
    public static final int REJECTOR_OFFSET = 211;
    /** Offset of the last error code field. */
    public static final int LAST_ERROR_OFFSET = 212;
    /** Offset of the version end (seqlock) field. */
    public static final int VERSION_END_OFFSET = 216;

    /** Most attempts counted per destination. */
    public static final int MAX_ATTEMPTS_PER_DESTINATION = TrackRequest.MAX_ATTEMPTS;

    /** Flag: the outcome listeners have been told of the final status. */
    public static final byte FLAG_NOTIFIED = 1;
    /** Flag: the record carries a stream id and sequence for cumulative acks. */
    public static final byte FLAG_HAS_STREAM = 2;
    /** Flag: the record has user metadata in the metadata table. */
    public static final byte FLAG_HAS_METADATA = 4;
    /** Flag: someone waits on this message through a per-message listener or future (not persisted in meaning). */
    public static final byte FLAG_HAS_LISTENER = 8;
    /** Flag: an outcome effect for this record is queued and not told yet (meaningless after a restart). */
    public static final byte FLAG_TELLING = 16;
    /** Flag: remove the record as soon as its outcome has been told (no tombstone is kept for it). */
    public static final byte FLAG_REMOVE_WHEN_TOLD = 32;

    /** Flag2: the message has metadata or attempt history in the extras table. */
    public static final byte FLAG2_HAS_EXTRAS = 1;
    /** Flag2: failed, but its dead-letter queue was full: held here until there is room. */
    public static final byte FLAG2_DLQ_PENDING = 2;
    /** Flag2: replayed from the dead-letter queue. */
    public static final byte FLAG2_REPLAYED = 4;
    /** Flag2: its due redelivery waits in the retry queue (for the retry budget). */
    public static final byte FLAG2_RETRY_QUEUED = 8;
    /** Flag2: leased to a consumer until the lease deadline. */
    public static final byte FLAG2_LEASED = 16;
    /** Flag2: nacked by its consumer; not available to lease until the lease deadline. */
    public static final byte FLAG2_HELD_BACK = 32;
    /** Flag2: its last lease expired (a handle of that lease is answered LEASE_EXPIRED). */
    public static final byte FLAG2_LEASE_EXPIRED = 64;

    /** No deadline. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    /**
     * Point the flyweight at a record in off-heap memory.
     *
     * @param address of the first byte of the record.
     * @return this for a fluent API.
     */
    public PendingRecord wrap(final long address)
    {
        buffer.wrap(address, LENGTH);
        return this;
    }

    /**
     * Point the flyweight at a record held in a buffer.
     *
     * @param source buffer holding the record.
     * @param offset of the record in the buffer.
     * @return this for a fluent API.
     */
    public PendingRecord wrap(final DirectBuffer source, final int offset)
    {
        buffer.wrap(source, offset, LENGTH);
        return this;
    }

    /**
     * The underlying buffer, for copying a record as a whole.
     *
     * @return the wrapped buffer.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /** Zero every byte of the record. */
    public void clear()
    {
        buffer.setMemory(0, LENGTH, (byte)0);
    }

    /** Start a change: odd readers see a record in flux. Agent thread only. */
    public void beginWrite()
    {
        buffer.putLong(VERSION_START_OFFSET, buffer.getLong(VERSION_START_OFFSET) + 1);
        VarHandle.storeStoreFence();
    }

    /** Finish a change started with {@link #beginWrite()}. */
    public void endWrite()
    {
        buffer.putLongRelease(VERSION_END_OFFSET, buffer.getLong(VERSION_START_OFFSET));
    }

    /**
     * After a crash: a write that a kill interrupted left the two version words apart. Every field write is a commit
     * point of its own, so the record is usable as it stands; make the versions agree again so readers accept it.
     *
     * @return true when the record was torn and has been repaired.
     */
    public boolean repairVersion()
    {
        final long start = buffer.getLong(VERSION_START_OFFSET);
        if (start == buffer.getLong(VERSION_END_OFFSET))
        {
            return false;
        }
        buffer.putLongRelease(VERSION_END_OFFSET, start);
        return true;
    }

    /**
     * Whether a copy of the record was taken while no write was in progress.
     *
     * @return true when both version words agree.
     */
    public boolean isConsistent()
    {
        return buffer.getLong(VERSION_START_OFFSET) == buffer.getLong(VERSION_END_OFFSET);
    }

    /**
     * Message id.
     *
     * @return the field.
     */
    public long messageId()
    {
        return buffer.getLong(MESSAGE_ID_OFFSET);
    }

    /**
     * Check that this record holds the message whose index entry led here. A record that does not means the pending
     * table's memory changed under the tracker: its file truncated or overwritten by someone else (compiled code
     * reads a truncated mapping as zeros and raises the SIGBUS only later, asynchronously, if ever). Answering from
     * such a record would count a real ack as late; failing the tracker is the loud way out.
     *
     * @param expectedId the id the index mapped to this record's slot.
     * @param slot       the slot, for the message.
     * @return this record, for chaining.
     * @throws TrackerException when the record holds another id.
     */
    public PendingRecord requireMessage(final long expectedId, final int slot)
    {
        final long storedId = buffer.getLong(MESSAGE_ID_OFFSET);
        if (storedId != expectedId)
        {
            throw new TrackerException("the pending table was damaged under the running tracker: slot " + slot +
                " should hold message " + expectedId + " but holds " + storedId + " (was its file truncated or " +
                "written by another process?)");
        }
        return this;
    }

    /**
     * Message id.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord messageId(final long value)
    {
        buffer.putLong(MESSAGE_ID_OFFSET, value);
        return this;
    }

    /**
     * Destinations, a bitset of ids.
     *
     * @return the field.
     */
    public long destinations()
    {
        return buffer.getLong(DESTINATIONS_OFFSET);
    }

    /**
     * Destinations, a bitset of ids.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord destinations(final long value)
    {
        buffer.putLong(DESTINATIONS_OFFSET, value);
        return this;
    }

    /**
     * Destinations that acked, a bitset.
     *
     * @return the field.
     */
    public long acked()
    {
        return buffer.getLong(ACKED_OFFSET);
    }

    /**
     * Destinations that acked, a bitset.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord acked(final long value)
    {
        buffer.putLong(ACKED_OFFSET, value);
        return this;
    }

    /**
     * Destinations that nacked, a bitset.
     *
     * @return the field.
     */
    public long nacked()
    {
        return buffer.getLong(NACKED_OFFSET);
    }

    /**
     * Destinations that nacked, a bitset.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord nacked(final long value)
    {
        buffer.putLong(NACKED_OFFSET, value);
        return this;
    }

    /**
     * Destinations given up on, a bitset.
     *
     * @return the field.
     */
    public long failed()
    {
        return buffer.getLong(FAILED_OFFSET);
    }

    /**
     * Destinations given up on, a bitset.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord failed(final long value)
    {
        buffer.putLong(FAILED_OFFSET, value);
        return this;
    }

    /**
     * When tracked (epoch ns).
     *
     * @return the field.
     */
    public long createdNs()
    {
        return buffer.getLong(CREATED_OFFSET);
    }

    /**
     * When tracked (epoch ns).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord createdNs(final long value)
    {
        buffer.putLong(CREATED_OFFSET, value);
        return this;
    }

    /**
     * Ack deadline of the current round (epoch ns).
     *
     * @return the field.
     */
    public long deadlineNs()
    {
        return buffer.getLong(DEADLINE_OFFSET);
    }

    /**
     * Ack deadline of the current round (epoch ns).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord deadlineNs(final long value)
    {
        buffer.putLong(DEADLINE_OFFSET, value);
        return this;
    }

    /**
     * TTL deadline (epoch ns).
     *
     * @return the field.
     */
    public long ttlDeadlineNs()
    {
        return buffer.getLong(TTL_DEADLINE_OFFSET);
    }

    /**
     * TTL deadline (epoch ns).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord ttlDeadlineNs(final long value)
    {
        buffer.putLong(TTL_DEADLINE_OFFSET, value);
        return this;
    }

    /**
     * When finished (epoch ns).
     *
     * @return the field.
     */
    public long finishedNs()
    {
        return buffer.getLong(FINISHED_OFFSET);
    }

    /**
     * When finished (epoch ns).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord finishedNs(final long value)
    {
        buffer.putLong(FINISHED_OFFSET, value);
        return this;
    }

    /**
     * Ack timeout per attempt (ns).
     *
     * @return the field.
     */
    public long ackTimeoutNs()
    {
        return buffer.getLong(ACK_TIMEOUT_OFFSET);
    }

    /**
     * Ack timeout per attempt (ns).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord ackTimeoutNs(final long value)
    {
        buffer.putLong(ACK_TIMEOUT_OFFSET, value);
        return this;
    }

    /**
     * Sequence in its stream.
     *
     * @return the field.
     */
    public long streamSequence()
    {
        return buffer.getLong(STREAM_SEQUENCE_OFFSET);
    }

    /**
     * Sequence in its stream.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord streamSequence(final long value)
    {
        buffer.putLong(STREAM_SEQUENCE_OFFSET, value);
        return this;
    }

    /**
     * Token of the current lease.
     *
     * @return the field.
     */
    public long leaseToken()
    {
        return buffer.getLong(LEASE_TOKEN_OFFSET);
    }

    /**
     * Token of the current lease.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord leaseToken(final long value)
    {
        buffer.putLong(LEASE_TOKEN_OFFSET, value);
        return this;
    }

    /**
     * Lease deadline (epoch ns).
     *
     * @return the field.
     */
    public long leaseDeadlineNs()
    {
        return buffer.getLong(LEASE_DEADLINE_OFFSET);
    }

    /**
     * Lease deadline (epoch ns).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord leaseDeadlineNs(final long value)
    {
        buffer.putLong(LEASE_DEADLINE_OFFSET, value);
        return this;
    }

    /**
     * Consumer holding the lease.
     *
     * @return the field.
     */
    public long leaseHolder()
    {
        return buffer.getLong(LEASE_HOLDER_OFFSET);
    }

    /**
     * Consumer holding the lease.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord leaseHolder(final long value)
    {
        buffer.putLong(LEASE_HOLDER_OFFSET, value);
        return this;
    }

    /**
     * Last backoff delay (decorrelated jitter).
     *
     * @return the field.
     */
    public long lastBackoffNs()
    {
        return buffer.getLong(LAST_BACKOFF_OFFSET);
    }

    /**
     * Last backoff delay (decorrelated jitter).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord lastBackoffNs(final long value)
    {
        buffer.putLong(LAST_BACKOFF_OFFSET, value);
        return this;
    }

    /**
     * Next redelivery (epoch ns).
     *
     * @return the field.
     */
    public long retryAtNs()
    {
        return buffer.getLong(RETRY_AT_OFFSET);
    }

    /**
     * Next redelivery (epoch ns).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord retryAtNs(final long value)
    {
        buffer.putLong(RETRY_AT_OFFSET, value);
        return this;
    }

    /**
     * Destinations to redeliver at that time, a bitset.
     *
     * @return the field.
     */
    public long redeliver()
    {
        return buffer.getLong(REDELIVER_OFFSET);
    }

    /**
     * Destinations to redeliver at that time, a bitset.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord redeliver(final long value)
    {
        buffer.putLong(REDELIVER_OFFSET, value);
        return this;
    }

    /**
     * Redeliveries parked behind an open circuit, a bitset.
     *
     * @return the field.
     */
    public long parked()
    {
        return buffer.getLong(PARKED_OFFSET);
    }

    /**
     * Redeliveries parked behind an open circuit, a bitset.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord parked(final long value)
    {
        buffer.putLong(PARKED_OFFSET, value);
        return this;
    }

    /**
     * Start of the current round (epoch ns).
     *
     * @return the field.
     */
    public long roundStartNs()
    {
        return buffer.getLong(ROUND_START_OFFSET);
    }

    /**
     * Start of the current round (epoch ns).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord roundStartNs(final long value)
    {
        buffer.putLong(ROUND_START_OFFSET, value);
        return this;
    }

    /**
     * Attempts made to one destination (the first send counts as 1).
     *
     * @param destination id 0..63.
     * @return attempts, 0..15.
     */
    public int attempts(final int destination)
    {
        final int offset = ATTEMPT_NIBBLES_OFFSET + (destination >> 1);
        final int shift = (destination & 1) << 2;
        return (buffer.getByte(offset) >> shift) & 0xF;
    }

    /**
     * Set the attempts made to one destination.
     *
     * @param destination id 0..63.
     * @param attempts    0..15 (saturates).
     * @return this.
     */
    public PendingRecord attempts(final int destination, final int attempts)
    {
        final int offset = ATTEMPT_NIBBLES_OFFSET + (destination >> 1);
        final int shift = (destination & 1) << 2;
        final int value = Math.min(attempts, MAX_ATTEMPTS_PER_DESTINATION);
        final int old = buffer.getByte(offset);
        buffer.putByte(offset, (byte)((old & ~(0xF << shift)) | (value << shift)));
        return this;
    }

    /**
     * Set the same attempt count for every destination in a set.
     *
     * @param mask     destinations.
     * @param attempts value.
     * @return this.
     */
    public PendingRecord attemptsForAll(final long mask, final int attempts)
    {
        for (long bits = mask; bits != 0; bits &= bits - 1)
        {
            attempts(Long.numberOfTrailingZeros(bits), attempts);
        }
        return this;
    }

    /**
     * Most attempts per destination.
     *
     * @return the field.
     */
    public int maxAttempts()
    {
        return buffer.getByte(MAX_ATTEMPTS_OFFSET) & 0xFF;
    }

    /**
     * Most attempts per destination.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord maxAttempts(final int value)
    {
        buffer.putByte(MAX_ATTEMPTS_OFFSET, (byte)value);
        return this;
    }

    /**
     * The second flags byte ({@code FLAG2_*}).
     *
     * @return the field.
     */
    public byte flags2()
    {
        return buffer.getByte(FLAGS2_OFFSET);
    }

    /**
     * Whether a flag of the second flags byte is set.
     *
     * @param flag the flag.
     * @return true when set.
     */
    public boolean hasFlag2(final byte flag)
    {
        return (buffer.getByte(FLAGS2_OFFSET) & flag) != 0;
    }

    /**
     * Set a flag of the second flags byte.
     *
     * @param flag the flag.
     * @return this.
     */
    public PendingRecord setFlag2(final byte flag)
    {
        buffer.putByte(FLAGS2_OFFSET, (byte)(buffer.getByte(FLAGS2_OFFSET) | flag));
        return this;
    }

    /**
     * Clear a flag of the second flags byte.
     *
     * @param flag the flag.
     * @return this.
     */
    public PendingRecord clearFlag2(final byte flag)
    {
        buffer.putByte(FLAGS2_OFFSET, (byte)(buffer.getByte(FLAGS2_OFFSET) & ~flag));
        return this;
    }

    /**
     * Destination that rejected the message, or -1.
     *
     * @return destination id.
     */
    public int rejector()
    {
        return buffer.getByte(REJECTOR_OFFSET);
    }

    /**
     * Destination that rejected the message.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord rejector(final int value)
    {
        buffer.putByte(REJECTOR_OFFSET, (byte)value);
        return this;
    }

    /**
     * Last error code a destination reported.
     *
     * @return the field.
     */
    public int lastErrorCode()
    {
        return buffer.getInt(LAST_ERROR_OFFSET);
    }

    /**
     * Last error code a destination reported.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord lastErrorCode(final int value)
    {
        buffer.putInt(LAST_ERROR_OFFSET, value);
        return this;
    }

    /**
     * Stream id.
     *
     * @return the field.
     */
    public int streamId()
    {
        return buffer.getInt(STREAM_ID_OFFSET);
    }

    /**
     * Stream id.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord streamId(final int value)
    {
        buffer.putInt(STREAM_ID_OFFSET, value);
        return this;
    }

    /**
     * The highest attempt number made to any destination.
     *
     * @return attempts.
     */
    public int highestAttempt()
    {
        return buffer.getShort(ATTEMPTS_OFFSET) & 0xFFFF;
    }

    /**
     * Highest attempt number of any destination.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord highestAttempt(final int value)
    {
        buffer.putShort(ATTEMPTS_OFFSET, (short)value);
        return this;
    }

    /**
     * Deliveries to consumers (leases granted).
     *
     * @return the field.
     */
    public int deliveries()
    {
        return buffer.getShort(DELIVERIES_OFFSET) & 0xFFFF;
    }

    /**
     * Deliveries to consumers (leases granted).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord deliveries(final int value)
    {
        buffer.putShort(DELIVERIES_OFFSET, (short)value);
        return this;
    }

    /**
     * Message class id.
     *
     * @return the field.
     */
    public int messageClass()
    {
        return buffer.getShort(MESSAGE_CLASS_OFFSET) & 0xFFFF;
    }

    /**
     * Message class id.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord messageClass(final int value)
    {
        buffer.putShort(MESSAGE_CLASS_OFFSET, (short)value);
        return this;
    }

    /**
     * Lease extensions.
     *
     * @return the field.
     */
    public int extensions()
    {
        return buffer.getShort(EXTENSIONS_OFFSET) & 0xFFFF;
    }

    /**
     * Lease extensions.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord extensions(final int value)
    {
        buffer.putShort(EXTENSIONS_OFFSET, (short)value);
        return this;
    }

    /**
     * Acks required (k of n; 0 for every destination).
     *
     * @return the field.
     */
    public int requiredAcks()
    {
        return buffer.getByte(REQUIRED_ACKS_OFFSET) & 0xFF;
    }

    /**
     * Acks required (k of n; 0 for every destination).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord requiredAcks(final int value)
    {
        buffer.putByte(REQUIRED_ACKS_OFFSET, (byte)value);
        return this;
    }

    /**
     * Status ({@code RecordStatus}).
     *
     * @return the field.
     */
    public byte status()
    {
        return buffer.getByte(STATUS_OFFSET);
    }

    /**
     * Status ({@code RecordStatus}).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord status(final byte value)
    {
        buffer.putByte(STATUS_OFFSET, value);
        return this;
    }

    /**
     * Retry priority, higher first.
     *
     * @return the field.
     */
    public int priority()
    {
        return buffer.getByte(PRIORITY_OFFSET);
    }

    /**
     * Retry priority, higher first.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord priority(final int value)
    {
        buffer.putByte(PRIORITY_OFFSET, (byte)value);
        return this;
    }

    /**
     * The flags byte ({@code FLAG_*}).
     *
     * @return the field.
     */
    public byte flags()
    {
        return buffer.getByte(FLAGS_OFFSET);
    }

    /**
     * The flags byte ({@code FLAG_*}).
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord flags(final byte value)
    {
        buffer.putByte(FLAGS_OFFSET, value);
        return this;
    }

    /**
     * Whether a flag of the flags byte is set.
     *
     * @param flag the flag.
     * @return true when set.
     */
    public boolean hasFlag(final byte flag)
    {
        return (buffer.getByte(FLAGS_OFFSET) & flag) != 0;
    }

    /**
     * Set a flag of the flags byte.
     *
     * @param flag the flag.
     * @return this.
     */
    public PendingRecord setFlag(final byte flag)
    {
        buffer.putByte(FLAGS_OFFSET, (byte)(buffer.getByte(FLAGS_OFFSET) | flag));
        return this;
    }

    /**
     * Clear a flag bit.
     *
     * @param flag the bit.
     * @return this for a fluent API.
     */
    public PendingRecord clearFlag(final byte flag)
    {
        buffer.putByte(FLAGS_OFFSET, (byte)(buffer.getByte(FLAGS_OFFSET) & ~flag));
        return this;
    }

    /**
     * Failure reason code.
     *
     * @return the field.
     */
    public int reason()
    {
        return buffer.getByte(REASON_OFFSET) & 0xFF;
    }

    /**
     * Failure reason code.
     *
     * @param value the new value.
     * @return this.
     */
    public PendingRecord reason(final int value)
    {
        buffer.putByte(REASON_OFFSET, (byte)value);
        return this;
    }

    /**
     * Number of destinations that acked among the message's own destinations.
     *
     * @return acked count.
     */
    public int ackedCount()
    {
        return Long.bitCount(acked() & destinations());
    }

    /**
     * The earliest of the ack deadline, the next redelivery, the TTL deadline and the lease deadline.
     *
     * @return the next time something must happen to this record, or {@link #NO_DEADLINE}.
     */
    public long nextDeadlineNs()
    {
        return Math.min(Math.min(deadlineNs(), ttlDeadlineNs()), Math.min(leaseDeadlineNs(), retryAtNs()));
    }

    /**
     * Destinations that still count towards the quorum: not acked and not given up on.
     *
     * @return bitset of destination ids.
     */
    public long outstanding()
    {
        return destinations() & ~acked() & ~failed();
    }

    /**
     * Destinations sent to and awaiting an answer: outstanding, and neither waiting for a redelivery nor parked.
     *
     * @return bitset of destination ids.
     */
    public long awaited()
    {
        return outstanding() & ~redeliver() & ~parked();
    }

    /**
     * For logs and tests.
     *
     * @return the fields.
     */
    public String toString()
    {
        return "PendingRecord{id=" + messageId() +
            ", status=" + RecordStatus.name(status()) +
            ", destinations=" + Long.toHexString(destinations()) +
            ", acked=" + Long.toHexString(acked()) +
            ", required=" + requiredAcks() +
            ", attempts=" + highestAttempt() +
            ", created=" + createdNs() +
            ", deadline=" + deadlineNs() +
            ", ttlDeadline=" + ttlDeadlineNs() +
            (hasFlag(FLAG_HAS_STREAM) ? ", stream=" + streamId() + ":" + streamSequence() : "") +
            '}';
    }
}

package io.acktracker.engine.command;

/**
 * Binary layout of the commands the state machine applies. Every state change is one of these, whichever way it
 * came in (the command queue from other threads, the host's synchronous calls, the transport, the admin tools), so
 * the same bytes can be journaled, replayed and replicated.
 * <p>
 * A command is an 8-byte header (type, flags) followed by its body. The time a command is applied at is not part of
 * it: the agent applies every command of a duty cycle with that cycle's clock reading, and whatever records commands
 * for replay (a journal) records that time beside each. Nothing writes into a command after it is queued, and the
 * header is kept small because queued commands cross the ring buffer between cores: an ack takes 32 bytes of ring
 * with its record header. (Commands numbered by a client will carry the client's id and sequence as a trailer flagged
 * in the header's flags, so the body offsets stay fixed.)
 * <pre>
 * HEADER (8 bytes)                     TRACK body (64 bytes + metadata)
 *  0 type                  int           0 message id          long
 *  4 flags                 int           8 destinations        long
 *                                       16 ack timeout ns      long
 *                                       24 ttl ns              long
 * ACK (16)        NACK (24)             32 stream sequence     long
 *  0 message id    0 message id         40 stream id           int
 *  8 destination   8 delay ns           44 required acks       int
 *                 16 destination        48 priority            int
 * REJECT (16)     20 error code         52 message class       int
 *  0 message id                         56 max attempts        int
 *  8 destination  CUMULATIVE_ACK (16)   60 metadata length     int
 * 12 error code    0 offset             64 metadata            bytes
 *                  8 stream id
 * LEASE (24)      12 destination        LEASE_ACK, _NACK, _EXTEND, _REJECT (48)
 *  0 message id                          0 receipt handle (32 bytes)
 *  8 consumer id  DEAD_LETTER_REPLAY,   32 delay or extension ns (long)
 * 16 visibility   _DELETE (8 + 8 per id) 40 error code (int)
 *                  0 mode     4 count
 *                  8 message ids (long...)     TICK, ORPHAN_SWEEP: no body
 * </pre>
 * Track flags: bit 0 has stream, bit 1 has waiter (a per-message listener or future). Dead-letter replay flags:
 * bit 0 now (replay the one id at once and answer its result, instead of queueing the ids at the replay rate).
 * The body offsets in the diagram are from the end of the header; the constants below are from the start of the
 * command.
 * <p>
 * Threading: constants and pure functions; any thread.
 */
public final class CommandLayout
{
    /** Track a message. */
    public static final int TRACK = 1;
    /** A destination acked a message. */
    public static final int ACK = 2;
    /** A destination acked every sequence of a stream up to an offset. */
    public static final int CUMULATIVE_ACK = 3;
    /** A destination could not process a message: retry it. */
    public static final int NACK = 4;
    /** A destination rejected a message as poison. */
    public static final int REJECT = 5;
    /** Settle a lease: completed. */
    public static final int LEASE_ACK = 6;
    /** Settle a lease: release for later. */
    public static final int LEASE_NACK = 7;
    /** Extend a lease. */
    public static final int LEASE_EXTEND = 8;
    /** Settle a lease: poison. */
    public static final int LEASE_REJECT = 9;
    /** Lease a message to a consumer. */
    public static final int LEASE = 10;
    /** Queue dead letters for replay into tracking. */
    public static final int DEAD_LETTER_REPLAY = 11;
    /** Delete dead letters. */
    public static final int DEAD_LETTER_DELETE = 12;
    /** Start an orphan sweep now. */
    public static final int ORPHAN_SWEEP = 13;
    /** The passage of time: fire due deadlines, send due redeliveries, do housekeeping. */
    public static final int TICK = 14;

    /** Highest command type id. */
    public static final int MAX_TYPE = TICK;

    public static final int TYPE_OFFSET = 0;
    public static final int FLAGS_OFFSET = 4;
    public static final int HEADER_LENGTH = 8;

    public static final int TRACK_FLAG_HAS_STREAM = 1;
    public static final int TRACK_FLAG_HAS_WAITER = 2;
    public static final int REPLAY_FLAG_NOW = 1;

    public static final int TRACK_MESSAGE_ID_OFFSET = HEADER_LENGTH;
    public static final int TRACK_DESTINATIONS_OFFSET = HEADER_LENGTH + 8;
    public static final int TRACK_ACK_TIMEOUT_OFFSET = HEADER_LENGTH + 16;
    public static final int TRACK_TTL_OFFSET = HEADER_LENGTH + 24;
    public static final int TRACK_SEQUENCE_OFFSET = HEADER_LENGTH + 32;
    public static final int TRACK_STREAM_ID_OFFSET = HEADER_LENGTH + 40;
    public static final int TRACK_REQUIRED_ACKS_OFFSET = HEADER_LENGTH + 44;
    public static final int TRACK_PRIORITY_OFFSET = HEADER_LENGTH + 48;
    public static final int TRACK_MESSAGE_CLASS_OFFSET = HEADER_LENGTH + 52;
    public static final int TRACK_MAX_ATTEMPTS_OFFSET = HEADER_LENGTH + 56;
    public static final int TRACK_METADATA_LENGTH_OFFSET = HEADER_LENGTH + 60;
    public static final int TRACK_METADATA_OFFSET = HEADER_LENGTH + 64;
    /** Length of a track without metadata. */
    public static final int TRACK_LENGTH = HEADER_LENGTH + 64;

    public static final int ACK_MESSAGE_ID_OFFSET = HEADER_LENGTH;
    public static final int ACK_DESTINATION_OFFSET = HEADER_LENGTH + 8;
    public static final int ACK_LENGTH = HEADER_LENGTH + 16;

    public static final int CUMULATIVE_OFFSET_OFFSET = HEADER_LENGTH;
    public static final int CUMULATIVE_STREAM_ID_OFFSET = HEADER_LENGTH + 8;
    public static final int CUMULATIVE_DESTINATION_OFFSET = HEADER_LENGTH + 12;
    public static final int CUMULATIVE_LENGTH = HEADER_LENGTH + 16;

    public static final int NACK_MESSAGE_ID_OFFSET = HEADER_LENGTH;
    public static final int NACK_DELAY_OFFSET = HEADER_LENGTH + 8;
    public static final int NACK_DESTINATION_OFFSET = HEADER_LENGTH + 16;
    public static final int NACK_CODE_OFFSET = HEADER_LENGTH + 20;
    public static final int NACK_LENGTH = HEADER_LENGTH + 24;

    public static final int REJECT_MESSAGE_ID_OFFSET = HEADER_LENGTH;
    public static final int REJECT_DESTINATION_OFFSET = HEADER_LENGTH + 8;
    public static final int REJECT_CODE_OFFSET = HEADER_LENGTH + 12;
    public static final int REJECT_LENGTH = HEADER_LENGTH + 16;

    public static final int LEASE_MESSAGE_ID_OFFSET = HEADER_LENGTH;
    public static final int LEASE_CONSUMER_OFFSET = HEADER_LENGTH + 8;
    public static final int LEASE_VISIBILITY_OFFSET = HEADER_LENGTH + 16;
    public static final int LEASE_LENGTH = HEADER_LENGTH + 24;

    public static final int SETTLE_HANDLE_OFFSET = HEADER_LENGTH;
    public static final int SETTLE_ARGUMENT_OFFSET = HEADER_LENGTH + 32;
    public static final int SETTLE_CODE_OFFSET = HEADER_LENGTH + 40;
    public static final int SETTLE_LENGTH = HEADER_LENGTH + 48;

    public static final int DEAD_LETTER_MODE_OFFSET = HEADER_LENGTH;
    public static final int DEAD_LETTER_COUNT_OFFSET = HEADER_LENGTH + 4;
    public static final int DEAD_LETTER_IDS_OFFSET = HEADER_LENGTH + 8;

    private CommandLayout()
    {
    }

    /**
     * Length of a dead-letter command for a number of ids.
     *
     * @param count ids.
     * @return bytes.
     */
    public static int deadLetterLength(final int count)
    {
        return DEAD_LETTER_IDS_OFFSET + count * Long.BYTES;
    }

    /**
     * What a command is about, as told to a refusal listener: the message id, the stream id of a cumulative ack, 0
     * when it has none.
     *
     * @param buffer holding the command.
     * @param offset where it starts.
     * @param type   its type.
     * @return the id.
     */
    public static long subjectId(final org.agrona.DirectBuffer buffer, final int offset, final int type)
    {
        switch (type)
        {
            case TRACK:
            case ACK:
            case NACK:
            case REJECT:
            case LEASE:
            case LEASE_ACK:
            case LEASE_NACK:
            case LEASE_EXTEND:
            case LEASE_REJECT:
                return buffer.getLong(offset + HEADER_LENGTH);
            case CUMULATIVE_ACK:
                return buffer.getInt(offset + CUMULATIVE_STREAM_ID_OFFSET);
            default:
                return 0;
        }
    }

    /**
     * Printable name of a command type, for errors and tools.
     *
     * @param type command type id.
     * @return its name.
     */
    public static String name(final int type)
    {
        switch (type)
        {
            case TRACK: return "TRACK";
            case ACK: return "ACK";
            case CUMULATIVE_ACK: return "CUMULATIVE_ACK";
            case NACK: return "NACK";
            case REJECT: return "REJECT";
            case LEASE_ACK: return "LEASE_ACK";
            case LEASE_NACK: return "LEASE_NACK";
            case LEASE_EXTEND: return "LEASE_EXTEND";
            case LEASE_REJECT: return "LEASE_REJECT";
            case LEASE: return "LEASE";
            case DEAD_LETTER_REPLAY: return "DEAD_LETTER_REPLAY";
            case DEAD_LETTER_DELETE: return "DEAD_LETTER_DELETE";
            case ORPHAN_SWEEP: return "ORPHAN_SWEEP";
            case TICK: return "TICK";
            default: return "UNKNOWN(" + type + ")";
        }
    }
}

package io.acktracker.engine.command;

/**
 * Binary layout of the commands the state machine applies. Every state change is one of these, whichever way it
 * came in (the command queue from other threads, the host's synchronous calls, the transport, the admin tools), so
 * the same bytes can be journaled, replayed and replicated.
 * <p>
 * A command is a type id and a body. The type travels beside the body, where the carrier already has a place for it
 * (the ring buffer's message type; a journal's record header), and so does the time the command is applied at: the
 * agent applies every command of a duty cycle with that cycle's clock reading, and whatever records commands for
 * replay records that time beside each. Nothing writes into a command after it is queued, and a queued command
 * takes no more ring buffer than its body: 24 bytes for an ack, with the ring's record header. (Commands numbered
 * by a client will carry the client's id and sequence as a trailer, so these offsets stay fixed.)
 * <pre>
 * TRACK (64 bytes + metadata)          ACK (16)           NACK (24)          REJECT (16)
 *  0 message id          long           0 message id       0 message id       0 message id
 *  8 destinations        long           8 destination      8 delay ns         8 destination
 * 16 ack timeout ns      long                             16 destination     12 error code
 * 24 ttl ns              long          CUMULATIVE_ACK (16) 20 error code
 * 32 stream sequence     long           0 offset                             LEASE (24)
 * 40 stream id           int            8 stream id       LEASE_ACK, _NACK,   0 message id
 * 44 required acks       int           12 destination     _EXTEND, _REJECT    8 consumer id
 * 48 priority            short                            (48)               16 visibility ns
 * 50 max attempts        short                             0 receipt handle
 * 52 message class       int           DEAD_LETTER_REPLAY,    (32 bytes)      TICK, ORPHAN_SWEEP:
 * 56 flags               int           _DELETE (16 + 8/id) 32 delay or        no body
 * 60 metadata length     int            0 mode     4 count    extension ns
 * 64 metadata            bytes          8 flags               (long)
 *                                      16 message ids     40 error code (int)
 *
 * OUTCOME_TOLD (12)                    KNOWN_DESTINATIONS (8)      RESTARTED: no body
 *  0 message id  long,  8 slot  int     0 known mask  long
 *
 * SESSION_OPEN (24)                    OUTBOX_CONFIRM (16)         numbered (type + SEQUENCED): body, then
 *  0 client id            long          0 client id     long       +0 client id   long
 *  8 applied through      long          8 through       long       +8 sequence    long
 * 16 outbox confirmed     long
 * </pre>
 * OUTCOME_TOLD, KNOWN_DESTINATIONS and RESTARTED are the agent's own ({@link #isAgentOnly}): a caller cannot queue
 * them.
 * Track flags: bit 0 has stream, bit 1 has waiter (a per-message listener or future). Priority and max attempts are
 * written saturated to 16 bits, so a value out of range stays out of range and is refused the same on every path.
 * Dead-letter replay flags: bit 0 now (replay the one id at once and answer its result, instead of queueing the
 * ids at the replay rate).
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
    /**
     * Outcomes were told to the listeners: their records may now leave the table. Applied by the agent itself after
     * telling, never queued by a caller, so that this change of state too is a command that can be journaled. The
     * body is one or more (message id, slot) pairs of {@link #TOLD_LENGTH} bytes: one per outcome told in a
     * caller's call, those of a whole batch of queued commands together (a journal of one pair per frame, as written
     * before batches, reads the same).
     */
    public static final int OUTCOME_TOLD = 15;
    /**
     * The destinations registered so far (a bitset that only grows): applied by the agent before a command when the
     * registry (written by any thread) has moved on from the machine's copy, so the checks a command's destinations
     * pass depend only on commands, and a replay sees the registry as it was.
     */
    public static final int KNOWN_DESTINATIONS = 16;
    /**
     * The state was rebuilt after a start (replayed from the journal): tell again, as replays, the outcomes reached
     * but not known to be told. Applied by the agent once, before anything else.
     */
    public static final int RESTARTED = 17;

    /**
     * A client opens (or binds again) its session: the tracker keeps, from then on, the highest sequence of its
     * numbered commands it applied and an outbox of what it owes the client; see
     * {@code io.acktracker.engine.machine.ClientSessions}.
     */
    public static final int SESSION_OPEN = 18;
    /** A client received its outbox through an entry: those are released. Idempotent, so not numbered. */
    public static final int OUTBOX_CONFIRM = 19;

    /** Highest command type id. */
    public static final int MAX_TYPE = OUTBOX_CONFIRM;

    /**
     * Added to a command's type when the command is numbered by a client: its body ends with a
     * {@link #SEQUENCE_TRAILER_LENGTH}-byte trailer (client id, sequence), after the command's own fields, so every
     * offset above stays; the machine applies it at most once ({@code ClientSessions}).
     */
    public static final int SEQUENCED = 0x100;
    /** Length of a numbered command's trailer. */
    public static final int SEQUENCE_TRAILER_LENGTH = 16;
    /** Trailer field: the client id (from the trailer's start). */
    public static final int TRAILER_CLIENT_OFFSET = 0;
    /** Trailer field: the client's sequence of the command, from 1. */
    public static final int TRAILER_SEQUENCE_OFFSET = 8;

    /**
     * The first frame of a journal: the values the state starts from (seed, start time, configuration), so a replay
     * builds the same state; not a command, never applied by the machine.
     */
    public static final int JOURNAL_GENESIS = 64;

    /** Track flag: the message has a stream id and sequence. */
    public static final int TRACK_FLAG_HAS_STREAM = 1;
    /** Track flag: a per-message listener or future waits for the outcome. */
    public static final int TRACK_FLAG_HAS_WAITER = 2;
    /** Dead-letter replay flag: replay the one id at once and answer its result. */
    public static final int REPLAY_FLAG_NOW = 1;

    /** Track: offset of the message id. */
    public static final int TRACK_MESSAGE_ID_OFFSET = 0;
    /** Track: offset of the destinations. */
    public static final int TRACK_DESTINATIONS_OFFSET = 8;
    /** Track: offset of the ack timeout. */
    public static final int TRACK_ACK_TIMEOUT_OFFSET = 16;
    /** Track: offset of the ttl. */
    public static final int TRACK_TTL_OFFSET = 24;
    /** Track: offset of the sequence. */
    public static final int TRACK_SEQUENCE_OFFSET = 32;
    /** Track: offset of the stream id. */
    public static final int TRACK_STREAM_ID_OFFSET = 40;
    /** Track: offset of the required acks. */
    public static final int TRACK_REQUIRED_ACKS_OFFSET = 44;
    /** Track: offset of the priority. */
    public static final int TRACK_PRIORITY_OFFSET = 48;
    /** Track: offset of the max attempts. */
    public static final int TRACK_MAX_ATTEMPTS_OFFSET = 50;
    /** Track: offset of the message class. */
    public static final int TRACK_MESSAGE_CLASS_OFFSET = 52;
    /** Track: offset of the flags. */
    public static final int TRACK_FLAGS_OFFSET = 56;
    /** Track: offset of the metadata length. */
    public static final int TRACK_METADATA_LENGTH_OFFSET = 60;
    /** Track: offset of the metadata. */
    public static final int TRACK_METADATA_OFFSET = 64;
    /** Length of a track without metadata. */
    public static final int TRACK_LENGTH = 64;

    /** Ack: offset of the message id. */
    public static final int ACK_MESSAGE_ID_OFFSET = 0;
    /** Ack: offset of the destination. */
    public static final int ACK_DESTINATION_OFFSET = 8;
    /** Ack: length of the body. */
    public static final int ACK_LENGTH = 16;

    /** Cumulative ack: offset of the offset. */
    public static final int CUMULATIVE_OFFSET_OFFSET = 0;
    /** Cumulative ack: offset of the stream id. */
    public static final int CUMULATIVE_STREAM_ID_OFFSET = 8;
    /** Cumulative ack: offset of the destination. */
    public static final int CUMULATIVE_DESTINATION_OFFSET = 12;
    /** Cumulative ack: length of the body. */
    public static final int CUMULATIVE_LENGTH = 16;

    /** Nack: offset of the message id. */
    public static final int NACK_MESSAGE_ID_OFFSET = 0;
    /** Nack: offset of the delay. */
    public static final int NACK_DELAY_OFFSET = 8;
    /** Nack: offset of the destination. */
    public static final int NACK_DESTINATION_OFFSET = 16;
    /** Nack: offset of the code. */
    public static final int NACK_CODE_OFFSET = 20;
    /** Nack: length of the body. */
    public static final int NACK_LENGTH = 24;

    /** Reject: offset of the message id. */
    public static final int REJECT_MESSAGE_ID_OFFSET = 0;
    /** Reject: offset of the destination. */
    public static final int REJECT_DESTINATION_OFFSET = 8;
    /** Reject: offset of the code. */
    public static final int REJECT_CODE_OFFSET = 12;
    /** Reject: length of the body. */
    public static final int REJECT_LENGTH = 16;

    /** Lease: offset of the message id. */
    public static final int LEASE_MESSAGE_ID_OFFSET = 0;
    /** Lease: offset of the consumer. */
    public static final int LEASE_CONSUMER_OFFSET = 8;
    /** Lease: offset of the visibility. */
    public static final int LEASE_VISIBILITY_OFFSET = 16;
    /** Lease: length of the body. */
    public static final int LEASE_LENGTH = 24;

    /** Lease ack, nack, extend and reject: offset of the handle. */
    public static final int SETTLE_HANDLE_OFFSET = 0;
    /** Lease ack, nack, extend and reject: offset of the argument. */
    public static final int SETTLE_ARGUMENT_OFFSET = 32;
    /** Lease ack, nack, extend and reject: offset of the code. */
    public static final int SETTLE_CODE_OFFSET = 40;
    /** Lease ack, nack, extend and reject: length of the body. */
    public static final int SETTLE_LENGTH = 48;

    /** Dead-letter replay and delete: offset of the mode. */
    public static final int DEAD_LETTER_MODE_OFFSET = 0;
    /** Dead-letter replay and delete: offset of the count. */
    public static final int DEAD_LETTER_COUNT_OFFSET = 4;
    /** Dead-letter replay and delete: offset of the flags. */
    public static final int DEAD_LETTER_FLAGS_OFFSET = 8;
    /** Dead-letter replay and delete: offset of the ids. */
    public static final int DEAD_LETTER_IDS_OFFSET = 16;

    /** Outcome told: offset of the message id. */
    public static final int TOLD_MESSAGE_ID_OFFSET = 0;
    /** Outcome told: offset of the slot. */
    public static final int TOLD_SLOT_OFFSET = 8;
    /** Outcome told: length of one (message id, slot) pair of the body. */
    public static final int TOLD_LENGTH = 12;

    /** Known destinations: offset of the mask. */
    public static final int KNOWN_MASK_OFFSET = 0;
    /** Known destinations: length of the body. */
    public static final int KNOWN_LENGTH = 8;

    /** Session open: offset of the client. */
    public static final int SESSION_CLIENT_OFFSET = 0;
    /** Session open: offset of the applied. */
    public static final int SESSION_APPLIED_OFFSET = 8;
    /** Session open: offset of the outbox confirmed. */
    public static final int SESSION_OUTBOX_CONFIRMED_OFFSET = 16;
    /** Session open: length of the body. */
    public static final int SESSION_LENGTH = 24;

    /** Outbox confirm: offset of the client. */
    public static final int OUTBOX_CONFIRM_CLIENT_OFFSET = 0;
    /** Outbox confirm: offset of the through. */
    public static final int OUTBOX_CONFIRM_THROUGH_OFFSET = 8;
    /** Outbox confirm: length of the body. */
    public static final int OUTBOX_CONFIRM_LENGTH = 16;

    /** Length of a command without a body. */
    public static final int BARE_LENGTH = 0;

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
     * Whether only the agent may apply a command of this type (a caller's queued one is refused).
     *
     * @param type command type id.
     * @return true for OUTCOME_TOLD, KNOWN_DESTINATIONS and RESTARTED.
     */
    public static boolean isAgentOnly(final int type)
    {
        return OUTCOME_TOLD == type || KNOWN_DESTINATIONS == type || RESTARTED == type;
    }

    /**
     * Whether a command's body starts with the id of the message it is about (those the first pass over a batch
     * looks up: {@code TrackerConfig.prefetchCommands}).
     *
     * @param type command type id.
     * @return true for TRACK, ACK, NACK, REJECT, LEASE and the lease settlements.
     */
    public static boolean hasMessageId(final int type)
    {
        return type >= TRACK && type <= LEASE && CUMULATIVE_ACK != type;
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
                return buffer.getLong(offset);
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
            case OUTCOME_TOLD: return "OUTCOME_TOLD";
            case KNOWN_DESTINATIONS: return "KNOWN_DESTINATIONS";
            case RESTARTED: return "RESTARTED";
            case SESSION_OPEN: return "SESSION_OPEN";
            case OUTBOX_CONFIRM: return "OUTBOX_CONFIRM";
            case JOURNAL_GENESIS: return "JOURNAL_GENESIS";
            default: return (type & SEQUENCED) != 0 ? name(type & ~SEQUENCED) + "#" : "UNKNOWN(" + type + ")";
        }
    }
}

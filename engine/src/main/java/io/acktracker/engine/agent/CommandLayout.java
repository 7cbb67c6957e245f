package io.acktracker.engine.agent;

/**
 * Layout of the commands other threads write into the agent's many-to-one ring buffer.
 * <pre>
 * TRACK (64 bytes + metadata)           ACK (16 bytes)           CUMULATIVE_ACK (16 bytes)
 *  0 message id          long            0 message id   long      0 offset        long
 *  8 destinations        long            8 destination  int       8 stream id     int
 * 16 ack timeout ns      long                                    12 destination   int
 * 24 ttl ns              long           NACK (24 bytes)          REJECT (16 bytes)
 * 32 stream sequence     long            0 message id   long      0 message id    long
 * 40 stream id           int             8 delay ns     long      8 destination   int
 * 44 required acks       int            16 destination  int      12 error code    int
 * 48 priority            int            20 error code   int
 * 52 message class       int           LEASE_ACK / _NACK / _EXTEND / _REJECT (48 bytes)
 * 56 flags               short          0 receipt handle (32 bytes)
 *    (bit 0: has stream, bit 1: has waiter)  32 delay or extension ns (long)
 *                                       40 error code (int)
 * 58 max attempts        byte
 * 60 metadata length     int
 * 64 metadata            bytes
 * </pre>
 */
public final class CommandLayout
{
    public static final int TRACK_MESSAGE_ID_OFFSET = 0;
    public static final int TRACK_DESTINATIONS_OFFSET = 8;
    public static final int TRACK_ACK_TIMEOUT_OFFSET = 16;
    public static final int TRACK_TTL_OFFSET = 24;
    public static final int TRACK_SEQUENCE_OFFSET = 32;
    public static final int TRACK_STREAM_ID_OFFSET = 40;
    public static final int TRACK_REQUIRED_ACKS_OFFSET = 44;
    public static final int TRACK_PRIORITY_OFFSET = 48;
    public static final int TRACK_MESSAGE_CLASS_OFFSET = 52;
    public static final int TRACK_FLAGS_OFFSET = 56;
    public static final int TRACK_MAX_ATTEMPTS_OFFSET = 58;
    public static final int TRACK_METADATA_LENGTH_OFFSET = 60;
    public static final int TRACK_METADATA_OFFSET = 64;
    public static final int TRACK_LENGTH = 64;

    public static final int TRACK_FLAG_HAS_STREAM = 1;
    public static final int TRACK_FLAG_HAS_WAITER = 2;

    public static final int ACK_MESSAGE_ID_OFFSET = 0;
    public static final int ACK_DESTINATION_OFFSET = 8;
    public static final int ACK_LENGTH = 16;

    public static final int CUMULATIVE_OFFSET_OFFSET = 0;
    public static final int CUMULATIVE_STREAM_ID_OFFSET = 8;
    public static final int CUMULATIVE_DESTINATION_OFFSET = 12;
    public static final int CUMULATIVE_LENGTH = 16;

    public static final int NACK_MESSAGE_ID_OFFSET = 0;
    public static final int NACK_DELAY_OFFSET = 8;
    public static final int NACK_DESTINATION_OFFSET = 16;
    public static final int NACK_CODE_OFFSET = 20;
    public static final int NACK_LENGTH = 24;

    public static final int REJECT_MESSAGE_ID_OFFSET = 0;
    public static final int REJECT_DESTINATION_OFFSET = 8;
    public static final int REJECT_CODE_OFFSET = 12;
    public static final int REJECT_LENGTH = 16;

    public static final int LEASE_HANDLE_OFFSET = 0;
    public static final int LEASE_ARGUMENT_OFFSET = 32;
    public static final int LEASE_CODE_OFFSET = 40;
    public static final int LEASE_LENGTH = 48;

    private CommandLayout()
    {
    }
}

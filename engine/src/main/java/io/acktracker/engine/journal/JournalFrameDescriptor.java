package io.acktracker.engine.journal;

import java.nio.ByteOrder;

/**
 * Layout of one journal frame: a small header, then the command's body, the whole padded to 8 bytes so every frame
 * and every long in a header starts aligned. Little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Frame Length (written last)                   |  0
 *  +---------------------------------------------------------------+
 *  |                      Checksum (CRC32C)                        |  4
 *  +---------------------------------------------------------------+
 *  |                            Type                               |  8
 *  +---------------------------------------------------------------+
 *  |                   Reserved (0, checksummed)                   | 12
 *  +---------------------------------------------------------------+
 *  |                        Timestamp ns                           | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Client Id (0 when none)                       | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |             Client Sequence (0 when none)                     | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                            Body                              ...  40
 * ...                                                              |
 *  +---------------------------------------------------------------+
 *  |              zeros up to the next multiple of 8               |
 *  +---------------------------------------------------------------+
 * </pre>
 * <b>Frame length</b> is the header plus the body, unpadded; the next frame starts at
 * {@link #alignedLength(int) alignedLength(frameLength)} from this one. It is written last with a release store, so a
 * reader in any process sees a frame wholly or not at all; 0 means nothing has been written here yet (segments are
 * zeroed before use).
 * <p>
 * <b>Checksum</b>: CRC32C over {@code [TYPE_OFFSET, frameLength)}, every byte of the frame after the length and the
 * checksum. The length is left out because it is what says the frame is there; a wrong length is caught by the
 * bounds and by the checksum failing over the wrong range. Why the checksum sits beside the length rather than
 * after the header's other fields: the covered bytes are then one range, one CRC call, which measured half the cost
 * of two calls around the field ({@code FrameChecksumBenchmark}: ~12 ns against ~30 ns for a 56-104 byte frame).
 * <p>
 * <b>Padding</b> fills the rest of a segment when the next frame does not fit, and replaces an aborted claim. A
 * padding frame of {@link #HEADER_LENGTH} or more bytes has type {@link #PADDING_TYPE}, a zeroed header and a checksum
 * over the header only ({@link #PADDING_HEADER_CHECKSUM}). A rest shorter than a header (8 to 32 bytes at a segment's
 * end) is padded by its length alone: a frame shorter than a header can only be that, and is valid only when it ends
 * exactly at the end of its segment.
 * <p>
 * Threading: constants and pure functions; any thread.
 */
public final class JournalFrameDescriptor
{
    /** Every frame starts at a multiple of this. */
    public static final int FRAME_ALIGNMENT = 8;

    /** Offset of the frame length. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the CRC32C checksum. */
    public static final int CHECKSUM_OFFSET = 4;
    /** Offset of the frame type. */
    public static final int TYPE_OFFSET = 8;
    /** Offset of the reserved word. */
    public static final int RESERVED_OFFSET = 12;
    /** Offset of the timestamp (ns). */
    public static final int TIMESTAMP_OFFSET = 16;
    /** Offset of the client id (0 when none). */
    public static final int CLIENT_ID_OFFSET = 24;
    /** Offset of the client sequence (0 when none). */
    public static final int CLIENT_SEQUENCE_OFFSET = 32;
    /** Offset of the body: the header's length. */
    public static final int BODY_OFFSET = 40;

    /** Bytes before the body. */
    public static final int HEADER_LENGTH = BODY_OFFSET;

    /** Type of a padding frame; no command may use it. */
    public static final int PADDING_TYPE = 0;

    /** Checksum of a padding frame's header: type {@link #PADDING_TYPE}, every other field 0. */
    public static final int PADDING_HEADER_CHECKSUM = FrameChecksum.paddingHeaderChecksum();

    static
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new ExceptionInInitializerError("the journal is little-endian and written with native stores: " +
                "this platform is " + ByteOrder.nativeOrder());
        }
    }

    private JournalFrameDescriptor()
    {
    }

    /**
     * @param length a frame length (header and body).
     * @return the bytes the frame takes in a segment, padded to {@link #FRAME_ALIGNMENT}.
     */
    public static int alignedLength(final int length)
    {
        return (length + (FRAME_ALIGNMENT - 1)) & -FRAME_ALIGNMENT;
    }

    /**
     * @param bodyLength bytes of body.
     * @return the frame length of a frame with that body.
     */
    public static int frameLength(final int bodyLength)
    {
        return HEADER_LENGTH + bodyLength;
    }
}

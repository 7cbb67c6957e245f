package io.acktracker.transport.fuzz;

import io.acktracker.transport.ProtocolError;

import java.util.EnumSet;

import static io.acktracker.transport.ProtocolError.*;
import static io.acktracker.transport.fuzz.Wire.HEADER;
import static io.acktracker.transport.fuzz.Wire.u16;
import static io.acktracker.transport.fuzz.Wire.u8;

/**
 * A second, independent reader of inbound frames, written from {@code transport/PROTOCOL.md} ("What a reader does
 * with a frame") with the layouts as literal numbers from its tables, sharing no code with {@code CommandAdapter}.
 * It answers every defect it can see in a frame: an empty set means the frame is well-formed and must be handled.
 * <p>
 * The protocol does not say which defect wins when a frame has several (a bad destination id and a too-long reason,
 * say), so the reader's verdict must be <em>one of</em> the oracle's. Defects that stop the reading (a block, group or
 * text running past the frame) end the list: nothing after them can be located.
 */
final class FrameOracle
{
    private static final int SCHEMA_ID = 1701;
    private static final int OLDEST_VERSION = 1;
    private static final int MAX_DESTINATION_ID = 63;
    private static final int BOUND = 255;
    private static final int MAX_GROUP_COUNT = 64;
    private static final int MAX_NAME = 64;
    private static final int MAX_REASON = 256;
    private static final int MAX_METADATA = 256;
    private static final int NONE = -1;

    /** Per inbound template id: minimum root block, destination id offset, var-data kind. */
    private static final int[] MIN_BLOCK = new int[14];
    private static final int[] DESTINATION_AT = new int[14];

    static
    {
        java.util.Arrays.fill(MIN_BLOCK, NONE);
        java.util.Arrays.fill(DESTINATION_AT, NONE);
        define(1, 1, 0);       // DestinationHello: destinationId u8 @0 (version 3: credential, nonce, proof), name
        define(2, 41, NONE);   // Track: ..., maxAttempts u8 @40, destinations group, metadata
        define(3, 9, 8);       // Ack: messageId @0, destinationId @8
        define(4, 21, 20);     // Nack: messageId, redeliverDelayNs, errorCode @16, destinationId @20, reason
        define(5, 13, 12);     // Reject: messageId, errorCode @8, destinationId @12, reason
        define(6, 13, 12);     // CumulativeAck: streamOffset, streamId @8, destinationId @12
        define(7, 25, 24);     // Lease: correlationId, messageId, leaseTimeoutNs @16, destinationId @24
        define(8, 8, NONE);    // retired version 1 Extend: answered NOT_SUPPORTED with the message id it begins with
        define(9, 8, NONE);    // retired version 1 Settle: likewise
        define(10, 41, 40);    // Extend: receiptHandle[32], extensionNs @32, destinationId @40
        define(11, 46, 45);    // Settle: receiptHandle[32], redeliverDelayNs @32, errorCode @40, action @44, dest @45
        define(12, 24, NONE);  // SessionOpen (version 3): clientId, appliedThrough @8, outboxConfirmed @16 (4: credential), name
        define(13, 16, NONE);  // OutboxConfirm (version 3): clientId, through
    }

    private static void define(final int templateId, final int minBlock, final int destinationAt)
    {
        MIN_BLOCK[templateId] = minBlock;
        DESTINATION_AT[templateId] = destinationAt;
    }

    private FrameOracle()
    {
    }

    /**
     * Every defect of a frame, in reading order.
     *
     * @param bytes         the frame.
     * @param length        its length.
     * @param unfragmented  whether Aeron delivered it as one whole message.
     * @return the defects; empty when the frame is well-formed.
     */
    static EnumSet<ProtocolError> defects(final byte[] bytes, final int length, final boolean unfragmented)
    {
        final EnumSet<ProtocolError> defects = EnumSet.noneOf(ProtocolError.class);
        if (!unfragmented)
        {
            defects.add(FRAGMENTED);
            return defects;
        }
        if (length < HEADER)
        {
            defects.add(SHORT_FRAME);
            return defects;
        }
        final int blockLength = u16(bytes, 0);
        final int templateId = u16(bytes, 2);
        if (u16(bytes, 4) != SCHEMA_ID)
        {
            defects.add(WRONG_SCHEMA);
            return defects;
        }
        if (u16(bytes, 6) < OLDEST_VERSION)
        {
            defects.add(WRONG_VERSION);
            return defects;
        }
        if (templateId >= MIN_BLOCK.length || NONE == MIN_BLOCK[templateId])
        {
            defects.add(UNKNOWN_TEMPLATE);
            return defects;
        }
        if (blockLength < MIN_BLOCK[templateId])
        {
            defects.add(BAD_BLOCK_LENGTH);
            return defects;
        }
        final int blockEnd = HEADER + blockLength;
        if (blockEnd > length)
        {
            defects.add(SHORT_FRAME);
            return defects;
        }

        final int destinationAt = DESTINATION_AT[templateId];
        if (NONE != destinationAt)
        {
            final int destinationId = u8(bytes, HEADER + destinationAt);
            if (destinationId > MAX_DESTINATION_ID && destinationId != BOUND)
            {
                defects.add(BAD_FIELD);
            }
        }

        switch (templateId)
        {
            case 1:
                // version 3: credential u8 @1 (0 none, 1 challenge, 2 proof), nonce[16] @2, proof[32] @18
                if (u16(bytes, 6) >= 3 && blockLength >= 50 && u8(bytes, HEADER + 1) > 2)
                {
                    defects.add(BAD_FIELD);
                }
                checkText(bytes, length, blockEnd, 1, MAX_NAME, true, defects);
                break;
            case 2:
                checkTrack(bytes, length, blockEnd, defects);
                break;
            case 4:
            case 5:
                checkText(bytes, length, blockEnd, 0, MAX_REASON, false, defects);
                break;
            case 11:
                if (u8(bytes, HEADER + 44) > 2)
                {
                    defects.add(BAD_FIELD);
                }
                checkText(bytes, length, blockEnd, 0, MAX_REASON, false, defects);
                break;
            case 12:
                // version 4: credential u8 @24 (0 none, 1 challenge, 2 proof), nonce[16] @25, proof[32] @41
                if (i64(bytes, HEADER + 8) < 0 || i64(bytes, HEADER + 16) < 0 ||
                    u16(bytes, 6) >= 4 && blockLength >= 73 && u8(bytes, HEADER + 24) > 2)
                {
                    defects.add(BAD_FIELD);
                }
                checkText(bytes, length, blockEnd, 0, MAX_NAME, false, defects);
                break;
            default:
                break;
        }
        return defects;
    }

    private static long i64(final byte[] bytes, final int at)
    {
        long value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | (bytes[at + i] & 0xFF);
        }
        return value;
    }

    private static void checkTrack(
        final byte[] bytes, final int length, final int groupAt, final EnumSet<ProtocolError> defects)
    {
        if (groupAt + 4 > length)
        {
            defects.add(SHORT_FRAME);
            return;
        }
        final int entryLength = u16(bytes, groupAt);
        final int count = u16(bytes, groupAt + 2);
        if (count > MAX_GROUP_COUNT || entryLength < 1)
        {
            defects.add(BAD_GROUP);
            return;
        }
        final int groupEnd = groupAt + 4 + count * entryLength;
        if (groupEnd > length)
        {
            defects.add(SHORT_FRAME);
            return;
        }
        for (int i = 0; i < count; i++)
        {
            if (u8(bytes, groupAt + 4 + i * entryLength) > MAX_DESTINATION_ID)
            {
                defects.add(BAD_FIELD);
            }
        }
        checkText(bytes, length, groupEnd, 0, MAX_METADATA, false, defects);
    }

    private static void checkText(
        final byte[] bytes,
        final int length,
        final int at,
        final int min,
        final int max,
        final boolean printable,
        final EnumSet<ProtocolError> defects)
    {
        if (at + 2 > length)
        {
            defects.add(SHORT_FRAME);
            return;
        }
        final int textLength = u16(bytes, at);
        if (textLength < min || textLength > max)
        {
            defects.add(STRING_OUT_OF_BOUNDS);
            return;
        }
        if (at + 2 + textLength > length)
        {
            defects.add(SHORT_FRAME);
            return;
        }
        if (printable)
        {
            for (int i = at + 2; i < at + 2 + textLength; i++)
            {
                if (bytes[i] <= ' ' || bytes[i] > '~')
                {
                    defects.add(BAD_FIELD);
                    return;
                }
            }
        }
    }
}

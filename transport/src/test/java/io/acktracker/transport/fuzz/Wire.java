package io.acktracker.transport.fuzz;

import io.aeron.logbuffer.FrameDescriptor;

/**
 * Little-endian byte helpers for reading and tampering with frames as plain byte arrays, independently of the SBE
 * codecs (the oracle must not share the reader's code).
 */
final class Wire
{
    /** Message header: block length, template id, schema id, version, each u16. */
    static final int HEADER = 8;
    static final int BLOCK_LENGTH_OFFSET = 0;
    static final int TEMPLATE_ID_OFFSET = 2;
    static final int SCHEMA_ID_OFFSET = 4;
    static final int VERSION_OFFSET = 6;

    /** Aeron frame flags of a whole message in one fragment. */
    static final byte UNFRAGMENTED = FrameDescriptor.UNFRAGMENTED;
    static final byte BEGIN_ONLY = FrameDescriptor.BEGIN_FRAG_FLAG;
    static final byte END_ONLY = FrameDescriptor.END_FRAG_FLAG;
    static final byte MIDDLE = 0;

    private Wire()
    {
    }

    static int u8(final byte[] bytes, final int offset)
    {
        return bytes[offset] & 0xFF;
    }

    static int u16(final byte[] bytes, final int offset)
    {
        return (bytes[offset] & 0xFF) | (bytes[offset + 1] & 0xFF) << 8;
    }

    static void putU16(final byte[] bytes, final int offset, final int value)
    {
        bytes[offset] = (byte)value;
        bytes[offset + 1] = (byte)(value >>> 8);
    }

    static void putLong(final byte[] bytes, final int offset, final long value)
    {
        for (int i = 0; i < Long.BYTES; i++)
        {
            bytes[offset + i] = (byte)(value >>> (8 * i));
        }
    }

    static String hex(final byte[] bytes, final int length)
    {
        final StringBuilder sb = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++)
        {
            sb.append(Character.forDigit((bytes[i] >> 4) & 0xF, 16)).append(Character.forDigit(bytes[i] & 0xF, 16));
        }
        return sb.toString();
    }
}

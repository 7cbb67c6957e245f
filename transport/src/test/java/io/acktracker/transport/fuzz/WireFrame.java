package io.acktracker.transport.fuzz;

import io.acktracker.transport.Protocol;
import io.acktracker.transport.codecs.AckDecoder;
import io.acktracker.transport.codecs.CumulativeAckDecoder;
import io.acktracker.transport.codecs.DestinationHelloDecoder;
import io.acktracker.transport.codecs.ExtendDecoder;
import io.acktracker.transport.codecs.LeaseDecoder;
import io.acktracker.transport.codecs.NackDecoder;
import io.acktracker.transport.codecs.RejectDecoder;
import io.acktracker.transport.codecs.SettleDecoder;
import io.acktracker.transport.codecs.TrackDecoder;

import java.util.Arrays;

import static io.acktracker.transport.fuzz.Wire.HEADER;
import static io.acktracker.transport.fuzz.Wire.u16;

/**
 * One valid inbound frame (as {@link FrameBuilder} encoded it with the SBE encoders) and where its mutable parts
 * are, so a mutation can aim at the header, the group header, a var-data length or a range-checked field.
 *
 * @param templateId template the frame was built as.
 * @param bytes      the frame, exactly as long as it is.
 */
record WireFrame(int templateId, byte[] bytes)
{
    /** Absent part. */
    static final int NONE = -1;

    int length()
    {
        return bytes.length;
    }

    int blockLength()
    {
        return u16(bytes, 0);
    }

    /**
     * @return offset of the destinations group header (Track only), or {@link #NONE}.
     */
    int groupOffset()
    {
        return TrackDecoder.TEMPLATE_ID == templateId ? HEADER + blockLength() : NONE;
    }

    /**
     * @return offset of the (first) var-data length, or {@link #NONE} for messages without var data.
     */
    int varOffset()
    {
        switch (templateId)
        {
            case DestinationHelloDecoder.TEMPLATE_ID:
            case NackDecoder.TEMPLATE_ID:
            case RejectDecoder.TEMPLATE_ID:
            case SettleDecoder.TEMPLATE_ID:
                return HEADER + blockLength();
            case TrackDecoder.TEMPLATE_ID:
                final int group = groupOffset();
                return group + 4 + u16(bytes, group) * u16(bytes, group + 2);
            default:
                return NONE;
        }
    }

    /**
     * @return offset just past the last field this reader knows: what follows is a newer writer's, to be skipped.
     */
    int knownEnd()
    {
        final int var = varOffset();
        return NONE == var ? HEADER + blockLength() : var + 2 + u16(bytes, var);
    }

    /**
     * @return offset of the u8 destination id in the root block, or {@link #NONE}.
     */
    int destinationIdOffset()
    {
        final int offset = destinationIdFieldOffset(templateId);
        return NONE == offset ? NONE : HEADER + offset;
    }

    /**
     * @return offset of Settle's action byte, or {@link #NONE}.
     */
    int actionOffset()
    {
        return SettleDecoder.TEMPLATE_ID == templateId ? HEADER + SettleDecoder.actionEncodingOffset() : NONE;
    }

    static int destinationIdFieldOffset(final int templateId)
    {
        switch (templateId)
        {
            case DestinationHelloDecoder.TEMPLATE_ID:
                return DestinationHelloDecoder.destinationIdEncodingOffset();
            case AckDecoder.TEMPLATE_ID:
                return AckDecoder.destinationIdEncodingOffset();
            case NackDecoder.TEMPLATE_ID:
                return NackDecoder.destinationIdEncodingOffset();
            case RejectDecoder.TEMPLATE_ID:
                return RejectDecoder.destinationIdEncodingOffset();
            case CumulativeAckDecoder.TEMPLATE_ID:
                return CumulativeAckDecoder.destinationIdEncodingOffset();
            case LeaseDecoder.TEMPLATE_ID:
                return LeaseDecoder.destinationIdEncodingOffset();
            case ExtendDecoder.TEMPLATE_ID:
                return ExtendDecoder.destinationIdEncodingOffset();
            case SettleDecoder.TEMPLATE_ID:
                return SettleDecoder.destinationIdEncodingOffset();
            default:
                return NONE;
        }
    }

    static String templateName(final int templateId)
    {
        switch (templateId)
        {
            case DestinationHelloDecoder.TEMPLATE_ID:
                return "hello";
            case TrackDecoder.TEMPLATE_ID:
                return "track";
            case AckDecoder.TEMPLATE_ID:
                return "ack";
            case NackDecoder.TEMPLATE_ID:
                return "nack";
            case RejectDecoder.TEMPLATE_ID:
                return "reject";
            case CumulativeAckDecoder.TEMPLATE_ID:
                return "cumulative-ack";
            case LeaseDecoder.TEMPLATE_ID:
                return "lease";
            case ExtendDecoder.TEMPLATE_ID:
                return "extend";
            case SettleDecoder.TEMPLATE_ID:
                return "settle";
            case Protocol.RETIRED_EXTEND_TEMPLATE_ID:
                return "retired-extend";
            case Protocol.RETIRED_SETTLE_TEMPLATE_ID:
                return "retired-settle";
            default:
                return "template-" + templateId;
        }
    }

    public boolean equals(final Object o)
    {
        return o instanceof WireFrame && ((WireFrame)o).templateId == templateId &&
            Arrays.equals(((WireFrame)o).bytes, bytes);
    }

    public int hashCode()
    {
        return 31 * templateId + Arrays.hashCode(bytes);
    }

    public String toString()
    {
        return templateName(templateId) + "[" + bytes.length + "] " + Wire.hex(bytes, bytes.length);
    }
}

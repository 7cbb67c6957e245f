package io.acktracker.transport.outbound;

import io.acktracker.transport.Protocol;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A FIFO of encoded frames that could not be published yet, in one off-heap buffer preallocated to its cap.
 * <pre>
 *  head                                                tail
 *   |                                                   |
 *   v                                                   v
 *   +--------+----------------+--------+--------+-------+------------------+
 *   | length | frame bytes... | length | frame bytes... | free ...         |
 *   +--------+----------------+--------+--------+-------+------------------+
 *   &lt;int32&gt;                                                          capacity
 * </pre>
 * Reaching the cap does not refuse a frame: the owner stops taking new inbound work at the cap, and the few
 * frames still produced (outcomes of deadlines firing) grow the buffer instead of being lost. Growth is
 * reported so it can be counted.
 * <p>
 * Threading: agent thread only.
 */
final class OutboundBacklog
{
    private static final int LENGTH_FIELD = Integer.BYTES;

    private final ExpandableDirectByteBuffer buffer;
    private final int cap;
    private int head;
    private int tail;
    private int frames;

    /**
     * A backlog preallocated to its cap plus room for the one frame that crosses it.
     *
     * @param cap bytes held before the owner should stop taking inbound work.
     */
    OutboundBacklog(final int cap)
    {
        this.cap = cap;
        this.buffer = new ExpandableDirectByteBuffer(cap + LENGTH_FIELD + Protocol.MAX_FRAME_LENGTH);
    }

    /**
     * Append a frame.
     *
     * @param src    holding the frame.
     * @param offset where it starts.
     * @param length its length.
     * @return true when the buffer had to grow past its cap to take it.
     */
    boolean append(final DirectBuffer src, final int offset, final int length)
    {
        final int recordLength = LENGTH_FIELD + length;
        boolean grew = false;
        if (tail + recordLength > buffer.capacity())
        {
            compact();
            if (tail + recordLength > buffer.capacity())
            {
                grew = true;
            }
        }
        buffer.putInt(tail, length);
        buffer.putBytes(tail + LENGTH_FIELD, src, offset, length);
        tail += recordLength;
        frames++;
        return grew;
    }

    boolean isEmpty()
    {
        return 0 == frames;
    }

    /**
     * Whether the backlog holds at least its cap.
     *
     * @return true at or over the cap.
     */
    boolean isFull()
    {
        return tail - head >= cap;
    }

    int frames()
    {
        return frames;
    }

    int bytes()
    {
        return tail - head;
    }

    MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Offset of the oldest frame; only when not empty.
     *
     * @return offset in {@link #buffer()}.
     */
    int headOffset()
    {
        return head + LENGTH_FIELD;
    }

    /**
     * Length of the oldest frame; only when not empty.
     *
     * @return bytes.
     */
    int headLength()
    {
        return buffer.getInt(head);
    }

    /**
     * Drop the oldest frame (it was published).
     */
    void pop()
    {
        head += LENGTH_FIELD + buffer.getInt(head);
        if (0 == --frames)
        {
            head = 0;
            tail = 0;
        }
    }

    private void compact()
    {
        if (head > 0)
        {
            final int length = tail - head;
            buffer.putBytes(0, buffer, head, length);
            head = 0;
            tail = length;
        }
    }
}

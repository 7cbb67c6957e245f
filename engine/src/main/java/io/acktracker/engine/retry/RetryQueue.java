package io.acktracker.engine.retry;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;

import java.util.Arrays;

/**
 * Redeliveries that are due, highest priority first and first-in-first-out within a priority. The agent drains it
 * under a per-duty-cycle budget, so a retry storm waits its turn instead of starving ack processing; nothing is
 * dropped.
 * <p>
 * One ring of message ids per priority level (-128..127) and a 256-bit map of non-empty levels. Rings grow on
 * demand and are reused, so a steady state allocates nothing.
 * <p>
 * Agent thread only.
 */
public final class RetryQueue
{
    /** Returned by {@link #poll()} when empty. */
    public static final long EMPTY = Long.MIN_VALUE;

    private final long[][] rings = new long[256][];
    private final int[] heads = new int[256];
    private final int[] counts = new int[256];
    private final long[] nonEmpty = new long[4];
    private int size;

    /**
     * Queue a due redelivery.
     *
     * @param messageId message.
     * @param priority  -128..127.
     */
    public void add(final long messageId, final int priority)
    {
        final int level = priority + 128;
        long[] ring = rings[level];
        if (null == ring)
        {
            ring = new long[64];
            rings[level] = ring;
        }
        int count = counts[level];
        if (count == ring.length)
        {
            final long[] grown = new long[ring.length * 2];
            final int head = heads[level];
            final int firstPart = ring.length - head;
            System.arraycopy(ring, head, grown, 0, firstPart);
            System.arraycopy(ring, 0, grown, firstPart, head);
            ring = grown;
            rings[level] = ring;
            heads[level] = 0;
        }
        ring[(heads[level] + count) & (ring.length - 1)] = messageId;
        counts[level] = count + 1;
        nonEmpty[level >> 6] |= 1L << (level & 63);
        size++;
    }

    /**
     * Take the highest-priority due redelivery.
     *
     * @return its message id, or {@link #EMPTY}.
     */
    public long poll()
    {
        for (int word = 3; word >= 0; word--)
        {
            final long bits = nonEmpty[word];
            if (0 != bits)
            {
                final int level = (word << 6) + 63 - Long.numberOfLeadingZeros(bits);
                final long[] ring = rings[level];
                final int head = heads[level];
                final long messageId = ring[head];
                heads[level] = (head + 1) & (ring.length - 1);
                if (0 == --counts[level])
                {
                    nonEmpty[word] &= ~(1L << (level & 63));
                    heads[level] = 0;
                }
                size--;
                return messageId;
            }
        }
        return EMPTY;
    }

    /**
     * Redeliveries queued.
     *
     * @return the count.
     */
    public int size()
    {
        return size;
    }

    /** Drop everything queued. */
    public void clear()
    {
        Arrays.fill(counts, 0);
        Arrays.fill(heads, 0);
        Arrays.fill(nonEmpty, 0);
        size = 0;
    }

    /**
     * Append the queue, level by level from the highest, in the order it would be polled.
     *
     * @param image the image.
     */
    public void appendState(final StateImage image)
    {
        image.section("retry queue").putInt(size);
        for (int level = 255; level >= 0; level--)
        {
            final long[] ring = rings[level];
            for (int i = 0; i < counts[level]; i++)
            {
                image.putInt(level).putLong(ring[(heads[level] + i) & (ring.length - 1)]);
            }
        }
    }

    /**
     * Append the queue exactly: each level's ring, oldest first, from the lowest level.
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        out.putInt(size);
        for (int level = 0; level < 256; level++)
        {
            final long[] ring = rings[level];
            out.putInt(null == ring ? -1 : counts[level]);
            for (int i = 0; i < counts[level]; i++)
            {
                out.putLong(ring[(heads[level] + i) & (ring.length - 1)]);
            }
        }
    }

    /**
     * Restore the queue from {@link #dump}, into an empty one.
     *
     * @param in the image, at what {@link #dump} wrote.
     */
    public void restore(final ImageReader in)
    {
        clear();
        final int expected = in.getInt();
        for (int level = 0; level < 256; level++)
        {
            final int count = in.getInt();
            if (count >= 0 && null == rings[level])
            {
                rings[level] = new long[64];
            }
            for (int i = 0; i < count; i++)
            {
                add(in.getLong(), level - 128);
            }
        }
        if (size != expected)
        {
            throw new IllegalStateException("the image's retry queue holds " + size + " of " + expected);
        }
    }
}

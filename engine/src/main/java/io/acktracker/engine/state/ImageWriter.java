package io.acktracker.engine.state;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The writing side of an exact, restorable image of the machine (a checkpoint's state file): each part appends its
 * own fields, arrays and queues in the order that decides its later behaviour, and {@link ImageReader} gives them
 * back in the same order. Unlike the canonical {@link StateImage} nothing is sorted or left out: slot numbers, free
 * stacks, ring orders and cursors are kept as they are.
 * <p>
 * Each part starts with a {@link #section(int)} tag, which the reader checks, so an image read by code that lays
 * parts out differently fails at the first part that moved, naming it, instead of restoring garbage.
 * <p>
 * Off-heap and growing (it doubles when full): allocates while it grows, so a writer is kept and {@link #reset()}
 * for the next checkpoint. Agent thread only while being written.
 */
public final class ImageWriter
{
    private final ExpandableDirectByteBuffer buffer;
    private int length;

    /**
     * A writer with an initial capacity.
     *
     * @param initialCapacity bytes.
     */
    public ImageWriter(final int initialCapacity)
    {
        buffer = new ExpandableDirectByteBuffer(initialCapacity);
    }

    /**
     * Empty the writer, keeping its memory.
     *
     * @return this.
     */
    public ImageWriter reset()
    {
        length = 0;
        return this;
    }

    /**
     * Start a part: a tag the reader checks.
     *
     * @param tag the part's tag (a constant of {@link ImageSections}).
     * @return this.
     */
    public ImageWriter section(final int tag)
    {
        return putInt(tag);
    }

    /**
     * Append a long.
     *
     * @param value the value.
     * @return this.
     */
    public ImageWriter putLong(final long value)
    {
        buffer.putLong(length, value);
        length += Long.BYTES;
        return this;
    }

    /**
     * Append an int.
     *
     * @param value the value.
     * @return this.
     */
    public ImageWriter putInt(final int value)
    {
        buffer.putInt(length, value);
        length += Integer.BYTES;
        return this;
    }

    /**
     * Append a boolean as one int.
     *
     * @param value the value.
     * @return this.
     */
    public ImageWriter putBoolean(final boolean value)
    {
        return putInt(value ? 1 : 0);
    }

    /**
     * Append a double by its bits.
     *
     * @param value the value.
     * @return this.
     */
    public ImageWriter putDouble(final double value)
    {
        return putLong(Double.doubleToRawLongBits(value));
    }

    /**
     * Append the first {@code count} elements of an array, preceded by the count.
     *
     * @param values the array.
     * @param count  how many.
     * @return this.
     */
    public ImageWriter putLongs(final long[] values, final int count)
    {
        putInt(count);
        buffer.checkLimit(length + count * Long.BYTES);
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(length, values[i]);
            length += Long.BYTES;
        }
        return this;
    }

    /**
     * Append the first {@code count} elements of an array, preceded by the count.
     *
     * @param values the array.
     * @param count  how many.
     * @return this.
     */
    public ImageWriter putInts(final int[] values, final int count)
    {
        putInt(count);
        buffer.checkLimit(length + count * Integer.BYTES);
        for (int i = 0; i < count; i++)
        {
            buffer.putInt(length, values[i]);
            length += Integer.BYTES;
        }
        return this;
    }

    /**
     * Append the first {@code count} elements of an array, preceded by the count.
     *
     * @param values the array.
     * @param count  how many.
     * @return this.
     */
    public ImageWriter putBytes(final byte[] values, final int count)
    {
        putInt(count);
        buffer.putBytes(length, values, 0, count);
        length += count;
        return this;
    }

    /**
     * Append bytes, preceded by their count.
     *
     * @param source holding them.
     * @param offset first byte.
     * @param count  how many.
     * @return this.
     */
    public ImageWriter putBytes(final DirectBuffer source, final int offset, final int count)
    {
        putInt(count);
        buffer.putBytes(length, source, offset, count);
        length += count;
        return this;
    }

    /**
     * @return bytes written.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return the buffer holding the image (its first {@link #length()} bytes).
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }
}

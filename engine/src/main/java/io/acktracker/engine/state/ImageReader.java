package io.acktracker.engine.state;

import io.acktracker.engine.api.TrackerException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * The reading side of an {@link ImageWriter} image: the same values in the same order. A section tag that is not
 * the one expected, or a read past the end, is a {@link TrackerException} naming the part: an image from another
 * layout is refused, never restored half way into a running engine.
 * <p>
 * One thread at a time (the agent thread, before the first command).
 */
public final class ImageReader
{
    private static final long INTS_BASE = UnsafeApi.arrayBaseOffset(int[].class);
    private static final long LONGS_BASE = UnsafeApi.arrayBaseOffset(long[].class);

    private final DirectBuffer buffer;
    private final int limit;
    private int position;
    private int lastCount;

    /**
     * A reader over the first {@code length} bytes of a buffer.
     *
     * @param buffer holding the image.
     * @param length its length.
     */
    public ImageReader(final DirectBuffer buffer, final int length)
    {
        this.buffer = buffer;
        this.limit = length;
    }

    /**
     * Check the next part's tag.
     *
     * @param tag the tag the part was written with.
     * @param name the part, for the message.
     * @return this.
     * @throws TrackerException when the image holds another part here.
     */
    public ImageReader section(final int tag, final String name)
    {
        final int at = position;
        final int found = getInt();
        if (found != tag)
        {
            throw new TrackerException("the checkpoint image does not hold '" + name + "' at byte " + at +
                " (tag " + found + ", expected " + tag + "): written by another version");
        }
        return this;
    }

    /**
     * @return the next long.
     */
    public long getLong()
    {
        check(Long.BYTES);
        final long value = buffer.getLong(position);
        position += Long.BYTES;
        return value;
    }

    /**
     * @return the next int.
     */
    public int getInt()
    {
        check(Integer.BYTES);
        final int value = buffer.getInt(position);
        position += Integer.BYTES;
        return value;
    }

    /**
     * @return the next boolean.
     */
    public boolean getBoolean()
    {
        return 0 != getInt();
    }

    /**
     * @return the next double.
     */
    public double getDouble()
    {
        return Double.longBitsToDouble(getLong());
    }

    /**
     * Read a count then that many longs into an array (grown when too short).
     *
     * @param into the array to fill, or null.
     * @return the array holding them (its length may exceed the count: use {@link #lastCount()}).
     */
    public long[] getLongs(final long[] into)
    {
        final int count = count(Long.BYTES);
        final long[] values = null == into || into.length < count ? new long[count] : into;
        readArray(values, LONGS_BASE, (long)count * Long.BYTES);
        return values;
    }

    /**
     * Read a count then that many ints into an array (grown when too short).
     *
     * @param into the array to fill, or null.
     * @return the array holding them (its length may exceed the count: use {@link #lastCount()}).
     */
    public int[] getInts(final int[] into)
    {
        final int count = count(Integer.BYTES);
        final int[] values = null == into || into.length < count ? new int[count] : into;
        readArray(values, INTS_BASE, (long)count * Integer.BYTES);
        return values;
    }

    /**
     * Read a count then that many bytes into an array (grown when too short).
     *
     * @param into the array to fill, or null.
     * @return the array holding them.
     */
    public byte[] getBytes(final byte[] into)
    {
        final int count = count(1);
        final byte[] values = null == into || into.length < count ? new byte[count] : into;
        buffer.getBytes(position, values, 0, count);
        position += count;
        return values;
    }

    /**
     * Read a count then that many bytes into a buffer.
     *
     * @param into   the buffer.
     * @param offset where to put them.
     * @return the count.
     */
    public int getBytes(final MutableDirectBuffer into, final int offset)
    {
        final int count = count(1);
        into.putBytes(offset, buffer, position, count);
        position += count;
        return count;
    }

    /**
     * @return the count read by the last array read.
     */
    public int lastCount()
    {
        return lastCount;
    }

    /**
     * @return whether every byte was read.
     */
    public boolean isAtEnd()
    {
        return position == limit;
    }

    /**
     * @return the read position.
     */
    public int position()
    {
        return position;
    }

    private void readArray(final Object array, final long baseOffset, final long bytes)
    {
        // one block copy in the platform's byte order, the order ImageWriter wrote in (count() checked the bounds)
        UnsafeApi.copyMemory(buffer.byteArray(), buffer.addressOffset() + position, array, baseOffset, bytes);
        position += (int)bytes;
    }

    private int count(final int elementBytes)
    {
        final int count = getInt();
        if (count < 0 || (long)count * elementBytes > limit - position)
        {
            throw new TrackerException("the checkpoint image is damaged: " + count + " elements at byte " +
                (position - Integer.BYTES) + " of " + limit);
        }
        lastCount = count;
        return count;
    }

    private void check(final int bytes)
    {
        if (position + bytes > limit)
        {
            throw new TrackerException("the checkpoint image ends early: byte " + position + " of " + limit);
        }
    }
}

package io.acktracker.engine.state;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.Arrays;

/**
 * A canonical serialisation of the engine's state: each part appends what it owns, in a fixed order and with ids in
 * ascending order wherever a hash table would otherwise leak its iteration order. Two engines that applied the same
 * commands produce the same bytes; a difference points at the first section that diverged.
 * <p>
 * Allocates (it grows as it is written): for determinism checks, tests and tools, never on the hot path.
 * <p>
 * Agent thread only while being written.
 */
public final class StateImage
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private final StringBuilder sections = new StringBuilder();
    private int length;

    /**
     * Start a named section; the name is kept with its offset so a difference can be located.
     *
     * @param name section name.
     * @return this.
     */
    public StateImage section(final String name)
    {
        sections.append(length).append(' ').append(name).append('\n');
        return putInt(name.hashCode());
    }

    /**
     * Append a long.
     *
     * @param value the value.
     * @return this.
     */
    public StateImage putLong(final long value)
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
    public StateImage putInt(final int value)
    {
        buffer.putInt(length, value);
        length += Integer.BYTES;
        return this;
    }

    /**
     * Append a double by its bits.
     *
     * @param value the value.
     * @return this.
     */
    public StateImage putDouble(final double value)
    {
        return putLong(Double.doubleToRawLongBits(value));
    }

    /**
     * Append bytes, preceded by their length.
     *
     * @param source holding the bytes.
     * @param offset first byte.
     * @param count  number of bytes.
     * @return this.
     */
    public StateImage putBytes(final DirectBuffer source, final int offset, final int count)
    {
        putInt(count);
        buffer.putBytes(length, source, offset, count);
        length += count;
        return this;
    }

    /**
     * Bytes written so far.
     *
     * @return the length.
     */
    public int length()
    {
        return length;
    }

    /**
     * A copy of the image.
     *
     * @return the bytes.
     */
    public byte[] toByteArray()
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /**
     * Name of the section holding a byte offset.
     *
     * @param offset a byte offset in the image.
     * @return the section name, or "start".
     */
    public String sectionAt(final int offset)
    {
        String name = "start";
        for (final String line : sections.toString().split("\n"))
        {
            if (line.isEmpty())
            {
                continue;
            }
            final int space = line.indexOf(' ');
            if (Integer.parseInt(line.substring(0, space)) > offset)
            {
                break;
            }
            name = line.substring(space + 1);
        }
        return name;
    }

    /**
     * Where two images first differ, for a test's failure message.
     *
     * @param other the other image.
     * @return null when identical, else the offset and section.
     */
    public String firstDifference(final StateImage other)
    {
        final byte[] mine = toByteArray();
        final byte[] theirs = other.toByteArray();
        final int mismatch = Arrays.mismatch(mine, theirs);
        return mismatch < 0 ? null : "images differ at byte " + mismatch + " of " + mine.length + "/" +
            theirs.length + ", in section '" + sectionAt(mismatch) + "'";
    }
}

package io.acktracker.engine.state;

import io.acktracker.engine.util.ChunkedMemory;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.ref.Cleaner;

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
 * for the next checkpoint. Its memory comes from {@code malloc}, not {@code ByteBuffer.allocateDirect}: a direct
 * buffer is zeroed in one uninterruptible call when allocated (and may call {@code System.gc()} when the direct
 * memory limit is near), which on a checkpoint's helper growing the image by hundreds of megabytes held every
 * thread, the agent too, at a safepoint for seconds; here growing copies the bytes written in steps
 * ({@link ChunkedMemory}) and touches nothing else. The memory is freed when the writer becomes unreachable.
 * Agent thread only while being written.
 */
public final class ImageWriter
{
    /** Told when a part starts: benchmarks time the parts of an image (see {@link #sectionListener}). */
    @FunctionalInterface
    public interface SectionListener
    {
        /**
         * A part starts.
         *
         * @param tag    its tag.
         * @param offset where its tag goes.
         */
        void onSection(int tag, int offset);
    }

    private static final long INTS_BASE = UnsafeApi.arrayBaseOffset(int[].class);
    private static final long LONGS_BASE = UnsafeApi.arrayBaseOffset(long[].class);

    private static final Cleaner CLEANER = Cleaner.create();
    /** The largest image: the reader and the files address it with an int. */
    private static final long MAX_CAPACITY = Integer.MAX_VALUE - 8;

    /** The block, freed by the cleaner once the writer is unreachable (it must not refer to the writer). */
    private static final class Block implements Runnable
    {
        long address;

        public void run()
        {
            if (0 != address)
            {
                UnsafeApi.freeMemory(address);
                address = 0;
            }
        }
    }

    private final Block block = new Block();
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private int length;
    private SectionListener sectionListener;

    /**
     * A writer with an initial capacity.
     *
     * @param initialCapacity bytes.
     */
    public ImageWriter(final int initialCapacity)
    {
        final int capacity = Math.max(64, initialCapacity);
        block.address = UnsafeApi.allocateMemory(capacity);
        buffer.wrap(block.address, capacity);
        CLEANER.register(this, block);
    }

    /**
     * Grow the memory to at least a size and touch every page of it, so the next images up to that size neither
     * grow nor fault pages in (a checkpoint's helper calls it between checkpoints, off the agent's pause).
     *
     * @param bytes capacity wanted.
     */
    public void reserve(final int bytes)
    {
        if (bytes > buffer.capacity())
        {
            ensure(bytes);
            ChunkedMemory.zero(block.address, buffer.capacity());
        }
    }

    /**
     * @return bytes of memory held.
     */
    public int capacity()
    {
        return buffer.capacity();
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
        if (null != sectionListener)
        {
            sectionListener.onSection(tag, length);
        }
        return putInt(tag);
    }

    /**
     * Be told of each part as it starts (benchmarks and diagnostics: the time each part of an image takes).
     *
     * @param listener the listener, or null for none.
     * @return this.
     */
    public ImageWriter sectionListener(final SectionListener listener)
    {
        sectionListener = listener;
        return this;
    }

    /**
     * Append a long.
     *
     * @param value the value.
     * @return this.
     */
    public ImageWriter putLong(final long value)
    {
        ensure((long)length + Long.BYTES);
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
        ensure((long)length + Integer.BYTES);
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
        return putArray(values, LONGS_BASE, (long)count * Long.BYTES);
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
        return putArray(values, INTS_BASE, (long)count * Integer.BYTES);
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
        ensure((long)length + count);
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
        ensure((long)length + count);
        buffer.putBytes(length, source, offset, count);
        length += count;
        return this;
    }

    /**
     * Append another writer's bytes as they are, no count before them (a checkpoint's helper puts the parts the
     * agent wrote aside after the ones it copied).
     *
     * @param other the writer.
     * @return this.
     */
    public ImageWriter append(final ImageWriter other)
    {
        ensure((long)length + other.length);
        buffer.putBytes(length, other.buffer, 0, other.length);
        length += other.length;
        return this;
    }

    /**
     * Leave room for {@code count} elements another thread fills in later (a checkpoint's copy-on-write).
     *
     * @param count        elements.
     * @param elementBytes bytes each.
     * @return the offset of the room.
     */
    public int skip(final int count, final int elementBytes)
    {
        final long bytes = (long)count * elementBytes;
        if (length + bytes > Integer.MAX_VALUE)
        {
            throw new IllegalStateException("an image cannot exceed 2 GiB");
        }
        ensure(length + bytes);
        final int offset = length;
        length += (int)bytes;
        return offset;
    }

    private ImageWriter putArray(final Object array, final long baseOffset, final long bytes)
    {
        if (length + bytes > Integer.MAX_VALUE)
        {
            throw new IllegalStateException("an image cannot exceed 2 GiB");
        }
        ensure(length + bytes);
        // one block copy in the platform's byte order, the order putInt and putLong write in
        UnsafeApi.copyMemory(array, baseOffset, null, buffer.addressOffset() + length, bytes);
        length += (int)bytes;
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

    private void ensure(final long capacity)
    {
        if (capacity <= buffer.capacity())
        {
            return;
        }
        if (capacity > MAX_CAPACITY)
        {
            throw new IllegalStateException("an image cannot exceed 2 GiB");
        }
        final long grown = Math.min(MAX_CAPACITY, Math.max(capacity, 2L * buffer.capacity()));
        final long address = UnsafeApi.allocateMemory(grown);
        ChunkedMemory.copy(block.address, address, length);
        UnsafeApi.freeMemory(block.address);
        block.address = address;
        buffer.wrap(address, (int)grown);
    }
}

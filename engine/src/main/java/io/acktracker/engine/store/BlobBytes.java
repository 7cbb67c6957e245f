package io.acktracker.engine.store;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable, growable heap buffer holding one variable-size Chronicle Map value. Grows (allocates) only when a
 * larger value than ever before passes through.
 */
public final class BlobBytes
{
    byte[] bytes;
    int length;
    private final UnsafeBuffer buffer;

    /**
     * Holder with an initial capacity.
     *
     * @param capacity bytes.
     */
    public BlobBytes(final int capacity)
    {
        bytes = new byte[capacity];
        buffer = new UnsafeBuffer(bytes);
    }

    /**
     * The buffer over the held bytes (capacity may exceed {@link #length()}).
     *
     * @return the buffer.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Set the length, growing the storage when needed (contents up to the old length are kept).
     *
     * @return the setting.
     */
    public int length()
    {
        return length;
    }

    /**
     * Set the length, growing the storage when needed (contents up to the old length are kept).
     *
     * @param length new length.
     * @return this.
     */
    public BlobBytes length(final int length)
    {
        ensureCapacity(length);
        this.length = length;
        return this;
    }

    void ensureCapacity(final int capacity)
    {
        if (capacity > bytes.length)
        {
            final byte[] grown = java.util.Arrays.copyOf(bytes, Math.max(capacity, bytes.length * 2));
            bytes = grown;
            buffer.wrap(grown);
        }
    }

    /**
     * The held bytes as a new array.
     *
     * @return a copy.
     */
    public byte[] toArray()
    {
        return java.util.Arrays.copyOf(bytes, length);
    }
}

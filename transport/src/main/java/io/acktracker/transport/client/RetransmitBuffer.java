package io.acktracker.transport.client;

import io.acktracker.transport.Protocol;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A client's numbered frames not yet confirmed by the tracker, kept so they can be sent again after a reconnect, a
 * tracker restart or a lost frame. One fixed slot of {@link Protocol#MAX_FRAME_LENGTH} bytes per sequence in an
 * off-heap ring: frame {@code n} lives in slot {@code n mod capacity}. Holds the frames after
 * {@link #confirmedThrough()} up to {@link #lastSequence()}; full when those are {@code capacity}.
 * <p>
 * Allocation-free after construction. Threading: one thread, the client's.
 */
public final class RetransmitBuffer
{
    private static final int LENGTH_FIELD = Integer.BYTES;
    private static final int SLOT_LENGTH = Protocol.MAX_FRAME_LENGTH + LENGTH_FIELD;

    private final int capacity;
    private final int mask;
    private final UnsafeBuffer slots;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private long confirmedThrough;
    private long lastSequence;

    /**
     * A buffer for up to {@code capacity} unconfirmed frames.
     *
     * @param capacity frames, a power of two.
     */
    public RetransmitBuffer(final int capacity)
    {
        if (Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.slots = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity * SLOT_LENGTH, Long.BYTES));
    }

    /**
     * Start numbering after a sequence (the tracker applied everything up to it): nothing is kept.
     *
     * @param sequence the last sequence used.
     */
    public void reset(final long sequence)
    {
        confirmedThrough = sequence;
        lastSequence = sequence;
    }

    /**
     * Whether no command can be kept until the tracker confirms some.
     *
     * @return true when full.
     */
    public boolean isFull()
    {
        return lastSequence - confirmedThrough >= capacity;
    }

    /**
     * Keep the next frame: its sequence is {@code lastSequence() + 1}.
     *
     * @param frame  the encoded frame (carrying that sequence).
     * @param offset where it starts.
     * @param length its length, at most {@link Protocol#MAX_FRAME_LENGTH}.
     * @return its sequence.
     * @throws IllegalStateException when full.
     */
    public long append(final DirectBuffer frame, final int offset, final int length)
    {
        if (isFull() || length > Protocol.MAX_FRAME_LENGTH)
        {
            throw new IllegalStateException("retransmit buffer full or frame too long: " + length);
        }
        final long sequence = lastSequence + 1;
        final int slot = slotOffset(sequence);
        slots.putInt(slot, length);
        slots.putBytes(slot + LENGTH_FIELD, frame, offset, length);
        lastSequence = sequence;
        return sequence;
    }

    /**
     * The tracker applied everything through a sequence: drop those frames.
     *
     * @param sequence applied through.
     */
    public void confirm(final long sequence)
    {
        confirmedThrough = Math.max(confirmedThrough, Math.min(sequence, lastSequence));
    }

    /**
     * A kept frame, as a view valid until the next append.
     *
     * @param sequence within ({@link #confirmedThrough()}, {@link #lastSequence()}].
     * @return the frame.
     */
    public DirectBuffer frame(final long sequence)
    {
        if (sequence <= confirmedThrough || sequence > lastSequence)
        {
            throw new IllegalArgumentException("frame " + sequence + " is not kept");
        }
        final int slot = slotOffset(sequence);
        view.wrap(slots, slot + LENGTH_FIELD, slots.getInt(slot));
        return view;
    }

    /**
     * The last sequence the tracker confirmed as applied.
     *
     * @return the sequence.
     */
    public long confirmedThrough()
    {
        return confirmedThrough;
    }

    /**
     * The last sequence kept.
     *
     * @return the sequence.
     */
    public long lastSequence()
    {
        return lastSequence;
    }

    /**
     * Frames kept.
     *
     * @return the count.
     */
    public int size()
    {
        return (int)(lastSequence - confirmedThrough);
    }

    private int slotOffset(final long sequence)
    {
        return (int)(sequence & mask) * SLOT_LENGTH;
    }
}

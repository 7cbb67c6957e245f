package io.acktracker.engine.machine;

import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.acktracker.engine.metrics.TrackerCounter.OUTBOX_ENTRIES;

/**
 * One outbox per client session: a bounded ring of what the tracker owes the client, kept until the client confirms
 * it. Entries are 32 bytes in the {@link Effects} layout (outcomes, redeliveries, refusals of numbered commands, a
 * refusal's command sequence in its time field), numbered from 1 in the order written; entry {@code n} lives at
 * {@code ((n - 1) mod capacity) × 32}. Kept: ({@link #confirmed}, {@link #written}].
 * <p>
 * Room is counted with the <b>reservations</b>: each message of the client without an outcome yet holds one entry,
 * so its outcome always fits ({@link #hasRoom} is what admits a client's next command). A redelivery only takes an
 * entry no reservation needs.
 * <p>
 * Part of the machine's state. Machine (agent) thread only.
 */
public final class Outboxes
{
    private final int capacity;
    private final int mask;
    private final Counters counters;
    private final long[] written;
    private final long[] confirmed;
    private final int[] reserved;
    private final UnsafeBuffer[] buffers;

    Outboxes(final int maxClients, final int capacity, final Counters counters)
    {
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.counters = counters;
        this.written = new long[maxClients];
        this.confirmed = new long[maxClients];
        this.reserved = new int[maxClients];
        this.buffers = new UnsafeBuffer[maxClients];
    }

    /** A new session's outbox (allocated now, off-heap), starting after what the client already confirmed. */
    void open(final int index, final long confirmedThrough)
    {
        buffers[index] = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity * Effects.ENTRY_LENGTH,
            Long.BYTES));
        written[index] = confirmedThrough;
        confirmed[index] = confirmedThrough;
    }

    /**
     * The client received its outbox through an entry: release those. Idempotent.
     *
     * @return false (nothing changed) when the entry was never written.
     */
    boolean confirm(final int index, final long through)
    {
        if (through < 0 || through > written[index])
        {
            return false;
        }
        confirmed[index] = Math.max(confirmed[index], through);
        return true;
    }

    /** Whether one more entry fits besides those reserved. */
    boolean hasRoom(final int index)
    {
        return written[index] - confirmed[index] + reserved[index] < capacity;
    }

    /** A message of the client was tracked: hold an entry for its outcome. */
    void reserve(final int index)
    {
        reserved[index]++;
    }

    /** An entry reserved by {@link #reserve} is no longer needed, or is about to be written by a refusal. */
    void release(final int index)
    {
        reserved[index]--;
    }

    /** The outcome of a message of the client, from an effect queue: takes its reserved entry. */
    void appendOutcome(final int index, final DirectBuffer source, final int position)
    {
        reserved[index]--;
        append(index, source, position);
    }

    /**
     * A redelivery of a message of the client, from an effect queue, when an unreserved entry is free.
     *
     * @return false when it was not kept.
     */
    boolean appendRedelivery(final int index, final DirectBuffer source, final int position)
    {
        if (!hasRoom(index))
        {
            return false;
        }
        append(index, source, position);
        return true;
    }

    /** The refusal of a numbered command (admission left room for it). */
    void appendRefusal(final int index, final int commandType, final long subjectId, final int result,
        final long sequence)
    {
        Effects.encodeRefusal(buffers[index], offset(written[index] + 1), commandType, subjectId, result, sequence);
        written[index]++;
        counters.increment(OUTBOX_ENTRIES);
    }

    /**
     * Entries ever written: the newest entry's number (from 1).
     *
     * @param index the client's index.
     * @return the number, 0 when none.
     */
    public long written(final int index)
    {
        return written[index];
    }

    /**
     * The entry through which the client confirmed its outbox.
     *
     * @param index the client's index.
     * @return the number.
     */
    public long confirmed(final int index)
    {
        return confirmed[index];
    }

    /**
     * Messages of the client without an outcome yet (each holds an entry).
     *
     * @param index the client's index.
     * @return the count.
     */
    public int reserved(final int index)
    {
        return reserved[index];
    }

    /**
     * Hand one kept entry to a handler in the {@link Effects} form (an outcome's slot is 0; a refusal's command
     * sequence comes from {@link #refusalSequence}).
     *
     * @param index   the client's index.
     * @param number  the entry's number, within ({@link #confirmed}, {@link #written}].
     * @param handler receives it.
     */
    public void read(final int index, final long number, final Effects.Handler handler)
    {
        checkKept(index, number);
        Effects.decode(buffers[index], offset(number), handler);
    }

    /**
     * The sequence of the numbered command a refusal entry answers.
     *
     * @param index  the client's index.
     * @param number the entry's number.
     * @return the sequence, 0 for other entries.
     */
    public long refusalSequence(final int index, final long number)
    {
        checkKept(index, number);
        return Effects.refusalSequence(buffers[index], offset(number));
    }

    void dump(final ImageWriter out, final int index)
    {
        out.putLong(written[index]).putLong(confirmed[index]).putInt(reserved[index]);
        for (long number = confirmed[index] + 1; number <= written[index]; number++)
        {
            out.putBytes(buffers[index], offset(number), Effects.ENTRY_LENGTH);
        }
    }

    void restore(final ImageReader in, final int index)
    {
        final long writtenThrough = in.getLong();
        open(index, in.getLong());
        written[index] = writtenThrough;
        reserved[index] = in.getInt();
        for (long number = confirmed[index] + 1; number <= written[index]; number++)
        {
            in.getBytes(buffers[index], offset(number));
        }
    }

    void appendState(final StateImage image, final int index)
    {
        image.putLong(written[index]).putLong(confirmed[index]).putInt(reserved[index]);
        for (long number = confirmed[index] + 1; number <= written[index]; number++)
        {
            image.putBytes(buffers[index], offset(number), Effects.ENTRY_LENGTH);
        }
    }

    private void append(final int index, final DirectBuffer source, final int position)
    {
        final int offset = offset(written[index] + 1);
        buffers[index].putBytes(offset, source, position, Effects.ENTRY_LENGTH);
        // an outcome effect carries its record's slot, which means nothing once the outcome is in the outbox
        Effects.clearSlot(buffers[index], offset);
        written[index]++;
        counters.increment(OUTBOX_ENTRIES);
    }

    private int offset(final long number)
    {
        return (int)((number - 1) & mask) * Effects.ENTRY_LENGTH;
    }

    private void checkKept(final int index, final long number)
    {
        if (number <= confirmed[index] || number > written[index])
        {
            throw new IllegalArgumentException("outbox entry " + number + " is not kept: kept (" + confirmed[index] +
                ", " + written[index] + "]");
        }
    }
}

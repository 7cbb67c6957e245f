package io.acktracker.engine.stream;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.util.ParallelSort;

import java.util.Arrays;

/**
 * The tracked messages of one stream in sequence order, plus each destination's cumulative ack offset on it.
 * <p>
 * A cumulative ack from destination {@code d} up to offset {@code n} confirms {@code d} on every message of the
 * stream with sequence {@code <= n}. The agent applies it in bounded slices: binary search for the first sequence
 * above what was applied before, then walk forward. The cost is proportional to the messages the ack covers, never
 * to the table.
 * <p>
 * Finished messages are left in place and skipped; the array is compacted when dead entries outnumber live ones.
 * Tracking in sequence order appends in O(1); an out-of-order sequence is inserted by shifting.
 * <p>
 * Agent thread only.
 */
public final class StreamIndex
{
    /** No cumulative ack yet from a destination. */
    public static final long NO_OFFSET = Long.MIN_VALUE;

    private final int streamId;
    private long[] sequences = new long[64];
    private long[] messageIds = new long[64];
    private int size;
    private int live;
    private final long[] targetOffset = new long[64];
    private final long[] appliedOffset = new long[64];
    private long dirtyDestinations;

    /**
     * Empty index for a stream.
     *
     * @param streamId the stream.
     */
    public StreamIndex(final int streamId)
    {
        this.streamId = streamId;
        Arrays.fill(targetOffset, NO_OFFSET);
        Arrays.fill(appliedOffset, NO_OFFSET);
    }

    /**
     * The stream.
     *
     * @return its id.
     */
    public int streamId()
    {
        return streamId;
    }

    /**
     * Add a tracked message.
     *
     * @param sequence  its sequence on the stream.
     * @param messageId its id.
     */
    public void add(final long sequence, final long messageId)
    {
        if (size == sequences.length)
        {
            sequences = Arrays.copyOf(sequences, size * 2);
            messageIds = Arrays.copyOf(messageIds, size * 2);
        }

        int index = size;
        if (size > 0 && sequences[size - 1] > sequence)
        {
            index = firstIndexAbove(sequence);
            System.arraycopy(sequences, index, sequences, index + 1, size - index);
            System.arraycopy(messageIds, index, messageIds, index + 1, size - index);
        }
        sequences[index] = sequence;
        messageIds[index] = messageId;
        size++;
        live++;
    }

    /**
     * Append without keeping order, for bulk loading on recovery; call {@link #sortBySequence()} afterwards.
     *
     * @param sequence  its sequence on the stream.
     * @param messageId its id.
     */
    public void addUnsorted(final long sequence, final long messageId)
    {
        if (size == sequences.length)
        {
            sequences = Arrays.copyOf(sequences, size * 2);
            messageIds = Arrays.copyOf(messageIds, size * 2);
        }
        sequences[size] = sequence;
        messageIds[size] = messageId;
        size++;
        live++;
    }

    /** Restore sequence order after {@link #addUnsorted(long, long)}. */
    public void sortBySequence()
    {
        ParallelSort.sort(sequences, messageIds, size);
    }

    /** A message of this stream finished; its entry stays until compaction. */
    public void onFinished()
    {
        live--;
    }

    /**
     * Live (unfinished) messages.
     *
     * @return the count.
     */
    public int live()
    {
        return live;
    }

    /**
     * Entries held, live and dead.
     *
     * @return the count.
     */
    public int size()
    {
        return size;
    }

    /**
     * Whether compaction would pay off.
     *
     * @return true when dead entries outnumber live ones by a margin.
     */
    public boolean needsCompaction()
    {
        return size > 64 && size > 2 * live;
    }

    /**
     * Remove entries the filter says are dead, keeping order.
     *
     * @param isLive tells live message ids.
     */
    public void compact(final java.util.function.LongPredicate isLive)
    {
        int write = 0;
        for (int read = 0; read < size; read++)
        {
            if (isLive.test(messageIds[read]))
            {
                sequences[write] = sequences[read];
                messageIds[write] = messageIds[read];
                write++;
            }
        }
        size = write;
        live = write;
    }

    /**
     * Index of the first entry whose sequence is above a value.
     *
     * @param sequence exclusive lower bound.
     * @return index in {@code [0, size]}.
     */
    public int firstIndexAbove(final long sequence)
    {
        int low = 0;
        int high = size;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (sequences[mid] <= sequence)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /**
     * Sequence of the pending message at an index, in sequence order.
     *
     * @param index position in the index.
     * @return the sequence.
     */
    public long sequenceAt(final int index)
    {
        return sequences[index];
    }

    /**
     * Id of the pending message at an index, in sequence order.
     *
     * @param index position in the index.
     * @return the message id.
     */
    public long messageIdAt(final int index)
    {
        return messageIds[index];
    }

    /**
     * Raise a destination's cumulative target.
     *
     * @param destination id.
     * @param offset      new offset.
     * @return true when it moved forward.
     */
    public boolean raiseTarget(final int destination, final long offset)
    {
        if (offset <= targetOffset[destination])
        {
            return false;
        }
        targetOffset[destination] = offset;
        dirtyDestinations |= 1L << destination;
        return true;
    }

    /**
     * The highest cumulative offset a destination acked.
     *
     * @param destination id.
     * @return the offset, or {@link #NO_OFFSET}.
     */
    public long targetOffset(final int destination)
    {
        return targetOffset[destination];
    }

    /**
     * The cumulative offset applied to the pending messages so far.
     *
     * @param destination id.
     * @return the offset, or {@link #NO_OFFSET}.
     */
    public long appliedOffset(final int destination)
    {
        return appliedOffset[destination];
    }

    /**
     * Record how far a destination's target has been applied.
     *
     * @param destination id.
     * @param offset      applied up to here.
     */
    public void applied(final int destination, final long offset)
    {
        appliedOffset[destination] = offset;
        if (offset >= targetOffset[destination])
        {
            dirtyDestinations &= ~(1L << destination);
        }
    }

    /**
     * Destinations whose target is ahead of what was applied.
     *
     * @return bitset of destination ids.
     */
    public long dirtyDestinations()
    {
        return dirtyDestinations;
    }

    /**
     * Destinations whose cumulative offset already covers a sequence: a message tracked late with this sequence
     * is acked by them at once.
     *
     * @param sequence of the message.
     * @return bitset of destination ids.
     */
    public long destinationsCovering(final long sequence)
    {
        long covering = 0;
        for (int d = 0; d < 64; d++)
        {
            if (targetOffset[d] != NO_OFFSET && targetOffset[d] >= sequence)
            {
                covering |= 1L << d;
            }
        }
        return covering;
    }

    /**
     * Append this stream's entries and offsets to a state image.
     *
     * @param image the image.
     */
    public void appendState(final StateImage image)
    {
        image.putInt(streamId).putInt(size).putInt(live).putLong(dirtyDestinations);
        for (int i = 0; i < size; i++)
        {
            image.putLong(sequences[i]).putLong(messageIds[i]);
        }
        for (int d = 0; d < 64; d++)
        {
            image.putLong(targetOffset[d]).putLong(appliedOffset[d]);
        }
    }

    /**
     * Append this stream exactly (entries, live count, offsets, dirty destinations) to an image.
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        out.putInt(streamId).putInt(live).putLong(dirtyDestinations).putLongs(sequences, size)
            .putLongs(messageIds, size).putLongs(targetOffset, targetOffset.length)
            .putLongs(appliedOffset, appliedOffset.length);
    }

    /**
     * A stream as {@link #dump} wrote it.
     *
     * @param in the image.
     * @return the stream.
     */
    public static StreamIndex restore(final ImageReader in)
    {
        final StreamIndex stream = new StreamIndex(in.getInt());
        stream.live = in.getInt();
        stream.dirtyDestinations = in.getLong();
        final long[] sequences = in.getLongs(null);
        stream.size = in.lastCount();
        final long[] ids = in.getLongs(null);
        final int capacity = Math.max(64, Integer.highestOneBit(Math.max(1, stream.size)) << 1);
        stream.sequences = Arrays.copyOf(sequences, capacity);
        stream.messageIds = Arrays.copyOf(ids, capacity);
        in.getLongs(stream.targetOffset);
        in.getLongs(stream.appliedOffset);
        return stream;
    }
}

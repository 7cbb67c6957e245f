package io.acktracker.engine.store;

import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.util.ChunkedMemory;
import io.acktracker.engine.util.ParallelSort;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.function.Consumer;

import static io.acktracker.engine.store.BlobTableCopy.ABSENT;
import static io.acktracker.engine.store.BlobTableCopy.BYTES_BASE;
import static io.acktracker.engine.store.BlobTableCopy.ENTRY_HEADER;
import static io.acktracker.engine.store.BlobTableCopy.MIN_LOG_BYTES;
import static io.acktracker.engine.store.BlobTableCopy.MIN_TOUCHED;

/**
 * The helper's side of a {@link BlobTableCopy}: the live table walked segment by segment, each key read with its
 * value under the segment's lock (one lookup-free pass, not a key walk and then a get per key), then merged with
 * the pre-images the agent saved into the table as it was at the checkpoint.
 * <p>
 * No maps: the live entries and the pre-images are each sorted by key (their offsets alongside) and merged. A key
 * with a pre-image takes it (left out when it was absent at the checkpoint); a key without one takes its live value.
 * <p>
 * Memory: arrays of keys and offsets, and an off-heap block of the live values ({@code [length int][bytes]}), kept
 * from copy to copy; at the end of each copy they are sized for twice its entries when less than a quarter was left
 * to spare, so the next copy of a similar table grows nothing in the middle and leaves the garbage collector nothing
 * to do. The block comes from {@code malloc} and grows by copying in steps ({@link ChunkedMemory}): no direct buffer
 * zeroed in one call the agent would wait for at a safepoint.
 * <p>
 * Threading: the checkpoint's one helper thread, except {@link #reset}, which the agent calls at the checkpoint
 * before it hands the copy to the helper.
 */
final class TableWalk implements AutoCloseable
{
    private final BlobBytes readValue = new BlobBytes(1024);
    private final Consumer<MapEntry<LongValue, BlobBytes>> collector = this::collectEntry;
    private final UnsafeBuffer valueView = new UnsafeBuffer(0, 0);
    private long[] liveKeys = new long[MIN_TOUCHED];
    private long[] liveOffsets = new long[MIN_TOUCHED];
    private int liveCount;
    private long liveAddress;
    private long liveCapacity;
    private long liveLength;
    private long[] logKeys = new long[MIN_TOUCHED];
    private long[] logOffsets = new long[MIN_TOUCHED];
    private int segmentsWalked;

    /** A new copy: the walk starts over. */
    void reset()
    {
        segmentsWalked = 0;
        liveCount = 0;
        liveLength = 0;
    }

    /**
     * Walk part of the segments not walked yet.
     *
     * @param table the live table.
     * @param part  which part of the segments, from 0.
     * @param parts parts in all; the last one walks what is left.
     */
    void collect(final BlobTable table, final int part, final int parts)
    {
        final int segments = table.map().segments();
        final int to = part + 1 >= parts ? segments : (int)((long)segments * (part + 1) / parts);
        if (0 == segmentsWalked && to > 0 && 0 == table.size())
        {
            // an empty table sized for 1M entries still takes ms to walk
            segmentsWalked = segments;
            return;
        }
        for (int segment = segmentsWalked; segment < to; segment++)
        {
            try (MapSegmentContext<LongValue, BlobBytes, ?> context = table.map().segmentContext(segment))
            {
                context.forEachSegmentEntry(collector);
            }
        }
        segmentsWalked = Math.max(segmentsWalked, to);
    }

    /**
     * Append the table at the checkpoint to the image, as {@link BlobTable#dump} writes it: every segment walked,
     * then the pre-images published so far read from the agent's log.
     *
     * @param out        the image.
     * @param logAddress the log block's address.
     * @param published  its length, read after the walk.
     */
    void write(final ImageWriter out, final long logAddress, final long published)
    {
        int logCount = 0;
        for (long at = 0; at < published; )
        {
            if (logCount == logKeys.length)
            {
                logKeys = Arrays.copyOf(logKeys, 2 * logCount);
                logOffsets = Arrays.copyOf(logOffsets, 2 * logCount);
            }
            logKeys[logCount] = UnsafeApi.getLong(logAddress + at);
            logOffsets[logCount++] = at;
            at += ENTRY_HEADER + Math.max(0, UnsafeApi.getInt(logAddress + at + Long.BYTES));
        }
        ParallelSort.sort(liveKeys, liveOffsets, liveCount);
        ParallelSort.sort(logKeys, logOffsets, logCount);

        out.section(ImageSections.TABLE).putLong(merge(logAddress, logCount, null));
        merge(logAddress, logCount, out);
        reserveRoom(logCount);
    }

    /** Free the block. */
    public void close()
    {
        if (0 != liveAddress)
        {
            UnsafeApi.freeMemory(liveAddress);
            liveAddress = 0;
            liveCapacity = 0;
        }
    }

    /**
     * Walk the sorted live entries and pre-images together in key order: count the entries present at the checkpoint
     * (out null), or append them.
     */
    private long merge(final long logAddress, final int logCount, final ImageWriter out)
    {
        long present = 0;
        int live = 0;
        int saved = 0;
        while (live < liveCount || saved < logCount)
        {
            final long liveKey = live < liveCount ? liveKeys[live] : Long.MAX_VALUE;
            final long savedKey = saved < logCount ? logKeys[saved] : Long.MAX_VALUE;
            // equal keys (Long.MAX_VALUE itself can be a key) are decided by which side still has entries
            if (saved < logCount && (live >= liveCount || savedKey <= liveKey))
            {
                // a pre-image: the key's value at the checkpoint, or absent then
                final long at = logAddress + logOffsets[saved];
                final int length = UnsafeApi.getInt(at + Long.BYTES);
                if (ABSENT != length)
                {
                    present++;
                    if (null != out)
                    {
                        valueView.wrap(at + ENTRY_HEADER, length);
                        out.putLong(savedKey).putBytes(valueView, 0, length);
                    }
                }
                if (live < liveCount && liveKey == savedKey)
                {
                    live++;
                }
                saved++;
            }
            else
            {
                present++;
                if (null != out)
                {
                    final long at = liveAddress + liveOffsets[live];
                    final int length = UnsafeApi.getInt(at);
                    valueView.wrap(at + Integer.BYTES, length);
                    out.putLong(liveKey).putBytes(valueView, 0, length);
                }
                live++;
            }
        }
        return present;
    }

    /** One live entry, under its segment's lock (in {@link #collect}). */
    private void collectEntry(final MapEntry<LongValue, BlobBytes> entry)
    {
        final BlobBytes value = entry.value().getUsing(readValue);
        final int length = value.length();
        if (liveCount == liveKeys.length)
        {
            // past the room the last copy left (rare): grown here, allocating on the helper
            liveKeys = Arrays.copyOf(liveKeys, 2 * liveCount);
            liveOffsets = Arrays.copyOf(liveOffsets, 2 * liveCount);
        }
        final long end = liveLength + Integer.BYTES + length;
        if (end > liveCapacity)
        {
            growLive(Math.max(Math.max(end, MIN_LOG_BYTES), 2 * liveCapacity));
        }
        UnsafeApi.putInt(liveAddress + liveLength, length);
        if (length > 0)
        {
            UnsafeApi.copyMemory(value.bytes, BYTES_BASE, null, liveAddress + liveLength + Integer.BYTES, length);
        }
        liveKeys[liveCount] = entry.key().get().getValue();
        liveOffsets[liveCount++] = liveLength;
        liveLength = end;
    }

    private void growLive(final long capacity)
    {
        final long grown = UnsafeApi.allocateMemory(capacity);
        if (0 != liveAddress)
        {
            ChunkedMemory.copy(liveAddress, grown, liveLength);
            UnsafeApi.freeMemory(liveAddress);
        }
        liveAddress = grown;
        liveCapacity = capacity;
    }

    /** Room for the next copy: twice this one's where less than a quarter was left to spare. */
    private void reserveRoom(final int logCount)
    {
        if (tight(liveKeys.length, liveCount))
        {
            liveKeys = new long[wantedEntries(liveCount)];
            liveOffsets = new long[liveKeys.length];
        }
        if (tight(liveCapacity, liveLength))
        {
            UnsafeApi.freeMemory(liveAddress);
            // untouched: the helper faults these pages in itself, in Java code a safepoint does not wait for
            liveCapacity = 2 * liveLength;
            liveAddress = UnsafeApi.allocateMemory(liveCapacity);
        }
        if (tight(logKeys.length, logCount))
        {
            logKeys = new long[wantedEntries(logCount)];
            logOffsets = new long[logKeys.length];
        }
    }

    private static boolean tight(final long room, final long used)
    {
        return room < used + (used >> 2);
    }

    private static int wantedEntries(final int last)
    {
        return (int)Math.min(Integer.MAX_VALUE - 8, Math.max(MIN_TOUCHED, 2L * last));
    }
}

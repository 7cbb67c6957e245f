package io.acktracker.engine.store;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.ChronicleMap;

import java.io.File;

/**
 * Persisted cumulative ack offsets per (stream, destination), so an accepted cumulative ack survives a crash even
 * before it has been applied to every message it covers. Recovery re-applies them; applying is idempotent.
 * <p>
 * Agent thread only.
 */
public final class StreamOffsetTable implements AutoCloseable
{
    /** Visitor over stored offsets. */
    @FunctionalInterface
    public interface OffsetVisitor
    {
        /**
         * One stored offset.
         *
         * @param streamId    stream.
         * @param destination destination id.
         * @param offset      cumulative offset.
         */
        void onOffset(int streamId, int destination, long offset);
    }

    private final LongLongTable table;

    private StreamOffsetTable(final LongLongTable table)
    {
        this.table = table;
    }

    /**
     * Open in memory or persisted.
     *
     * @param file    backing file or null for memory only.
     * @param entries expected (stream, destination) pairs.
     * @param recover run Chronicle's recovery first (after an unclean stop).
     * @return the table.
     */
    public static StreamOffsetTable open(final File file, final long entries, final boolean recover)
    {
        return new StreamOffsetTable(LongLongTable.open("acktracker-stream-offsets", file, entries, recover));
    }

    /**
     * Store an offset.
     *
     * @param streamId    stream.
     * @param destination destination id.
     * @param offset      cumulative offset.
     */
    public void put(final int streamId, final int destination, final long offset)
    {
        table.put(((long)streamId << 8) | destination, offset);
    }

    /**
     * Visit every stored offset.
     *
     * @param visitor called per offset.
     */
    public void forEach(final OffsetVisitor visitor)
    {
        table.forEach((key, value) -> visitor.onOffset((int)(key >> 8), (int)(key & 0xFF), value));
    }

    /**
     * Visit every stored offset in ascending (stream, destination) order (allocates: for state images and tools).
     *
     * @param visitor called per offset.
     */
    public void forEachSorted(final OffsetVisitor visitor)
    {
        final org.agrona.collections.Long2LongHashMap all = new org.agrona.collections.Long2LongHashMap(Long.MIN_VALUE);
        table.forEach(all::put);
        final long[] keys = new long[all.size()];
        final org.agrona.collections.Long2LongHashMap.KeyIterator iterator = all.keySet().iterator();
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = iterator.nextValue();
        }
        java.util.Arrays.sort(keys);
        for (final long key : keys)
        {
            visitor.onOffset((int)(key >> 8), (int)(key & 0xFF), all.get(key));
        }
    }

    /**
     * The Chronicle Map underneath.
     *
     * @return the map.
     */
    public ChronicleMap<LongValue, LongValue> map()
    {
        return table.map();
    }

    /**
     * Write a copy into a new persisted file (snapshots of in-memory tables).
     *
     * @param target new file.
     */
    public void exportTo(final File target)
    {
        table.exportTo(target);
    }

    /** Flush the mapped file to disk (msync); a no-op in memory. */
    public void sync()
    {
        table.sync();
    }

    public void close()
    {
        table.close();
    }

    /**
     * Append the offsets to an exact image.
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        table.dump(out);
    }

    /**
     * Replace the offsets with what {@link #dump} wrote.
     *
     * @param in the image.
     */
    public void restore(final ImageReader in)
    {
        table.restore(in);
    }
}

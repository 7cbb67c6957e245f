package io.acktracker.engine.store;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.values.Values;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A small persisted Chronicle Map from long to long, for state the agent changes rarely but must not lose: the
 * cumulative offsets of streams, the circuit states of destinations. Puts are allocation-free.
 * <p>
 * Agent thread only (reads for tools may come from anywhere once the tracker is stopped).
 */
public final class LongLongTable implements AutoCloseable
{
    /** Visitor over stored pairs. */
    @FunctionalInterface
    public interface Visitor
    {
        /**
         * One pair.
         *
         * @param key   key.
         * @param value value.
         */
        void onEntry(long key, long value);
    }

    private final ChronicleMap<LongValue, LongValue> map;
    private final String name;
    private final LongValue key = Values.newHeapInstance(LongValue.class);
    private final LongValue value = Values.newHeapInstance(LongValue.class);

    private LongLongTable(final ChronicleMap<LongValue, LongValue> map, final String name)
    {
        this.map = map;
        this.name = name;
    }

    /**
     * Open in memory or persisted.
     *
     * @param name    map name.
     * @param file    backing file or null for memory only.
     * @param entries expected entries.
     * @param recover run Chronicle's recovery first (after an unclean stop).
     * @return the table.
     */
    public static LongLongTable open(final String name, final File file, final long entries, final boolean recover)
    {
        final ChronicleMapBuilder<LongValue, LongValue> builder = ChronicleMapBuilder
            .of(LongValue.class, LongValue.class)
            .name(name)
            .checksumEntries(false)
            .skipCloseOnExitHook(true)
            .maxBloatFactor(4.0)
            .entries(Math.max(entries, 1024));
        try
        {
            if (null == file)
            {
                return new LongLongTable(builder.create(), name);
            }
            return new LongLongTable(recover && file.exists() && file.length() > 0 ?
                builder.recoverPersistedTo(file, true) : builder.createPersistedTo(file), name);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Store a value.
     *
     * @param key   key.
     * @param value value.
     */
    public void put(final long key, final long value)
    {
        this.key.setValue(key);
        this.value.setValue(value);
        try (ExternalMapQueryContext<LongValue, LongValue, ?> context = map.queryContext(this.key))
        {
            context.writeLock().lock();
            final MapEntry<LongValue, LongValue> entry = context.entry();
            if (null != entry)
            {
                context.replaceValue(entry, context.wrapValueAsData(this.value));
            }
            else
            {
                context.insert(context.absentEntry(), context.wrapValueAsData(this.value));
            }
        }
    }

    /**
     * Visit every pair.
     *
     * @param visitor called per pair.
     */
    public void forEach(final Visitor visitor)
    {
        map.forEachEntry((entry) -> visitor.onEntry(entry.key().get().getValue(), entry.value().get().getValue()));
    }

    /**
     * Write a copy into a new persisted file (snapshots of in-memory tables).
     *
     * @param target new file.
     */
    public void exportTo(final File target)
    {
        try (LongLongTable copy = open(name, target, Math.max(1024, map.longSize()), false))
        {
            forEach(copy::put);
        }
    }

    /**
     * The Chronicle Map underneath.
     *
     * @return the map.
     */
    public ChronicleMap<LongValue, LongValue> map()
    {
        return map;
    }

    /** Flush the mapped file to disk (msync); a no-op in memory. */
    public void sync()
    {
        if (null != map.file() && map instanceof VanillaChronicleHash)
        {
            ((VanillaChronicleHash<?, ?, ?, ?>)map).msync();
        }
    }

    public void close()
    {
        map.close();
    }

    /**
     * Append the table's content to an exact image (looked up by key only: the order of entries does not matter).
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        // by ascending key: Chronicle's iteration order depends on the insertion history, the image must not
        out.section(ImageSections.TABLE);
        final org.agrona.collections.Long2LongHashMap all = new org.agrona.collections.Long2LongHashMap(Long.MIN_VALUE);
        forEach(all::put);
        final long[] keys = new long[all.size()];
        final org.agrona.collections.Long2LongHashMap.KeyIterator iterator = all.keySet().iterator();
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = iterator.nextValue();
        }
        java.util.Arrays.sort(keys);
        out.putLong(keys.length);
        for (final long key : keys)
        {
            out.putLong(key).putLong(all.get(key));
        }
    }

    /**
     * Replace the table's content with what {@link #dump} wrote.
     *
     * @param in the image.
     */
    public void restore(final ImageReader in)
    {
        in.section(ImageSections.TABLE, name);
        map.clear();
        final long count = in.getLong();
        for (long i = 0; i < count; i++)
        {
            put(in.getLong(), in.getLong());
        }
    }
}

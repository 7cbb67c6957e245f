package io.acktracker.engine.stream;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapAbsentEntry;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.values.Values;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

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

    private final ChronicleMap<LongValue, LongValue> map;
    private final LongValue key = Values.newHeapInstance(LongValue.class);
    private final LongValue value = Values.newHeapInstance(LongValue.class);

    private StreamOffsetTable(final ChronicleMap<LongValue, LongValue> map)
    {
        this.map = map;
    }

    private static ChronicleMapBuilder<LongValue, LongValue> builder(final long entries)
    {
        return ChronicleMapBuilder.of(LongValue.class, LongValue.class)
            .name("acktracker-stream-offsets")
            .checksumEntries(false)
            .maxBloatFactor(4.0)
            .entries(Math.max(entries, 1024));
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
        try
        {
            final ChronicleMapBuilder<LongValue, LongValue> builder = builder(entries);
            if (null == file)
            {
                return new StreamOffsetTable(builder.create());
            }
            return new StreamOffsetTable(recover && file.exists() && file.length() > 0 ?
                builder.recoverPersistedTo(file, true) : builder.createPersistedTo(file));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
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
        key.setValue(((long)streamId << 8) | destination);
        value.setValue(offset);
        try (ExternalMapQueryContext<LongValue, LongValue, ?> context = map.queryContext(key))
        {
            context.writeLock().lock();
            final MapEntry<LongValue, LongValue> entry = context.entry();
            if (null != entry)
            {
                context.replaceValue(entry, context.wrapValueAsData(value));
            }
            else
            {
                final MapAbsentEntry<LongValue, LongValue> absent = context.absentEntry();
                context.insert(absent, context.wrapValueAsData(value));
            }
        }
    }

    /**
     * Visit every stored offset.
     *
     * @param visitor called per offset.
     */
    public void forEach(final OffsetVisitor visitor)
    {
        map.forEachEntry((entry) ->
        {
            final long packed = entry.key().get().getValue();
            visitor.onOffset((int)(packed >> 8), (int)(packed & 0xFF), entry.value().get().getValue());
        });
    }

    public ChronicleMap<LongValue, LongValue> map()
    {
        return map;
    }

    /**
     * Flush the mapped file to disk (msync). Any thread; a no-op in memory.
     */
    public void sync()
    {
        if (null != map.file() && map instanceof net.openhft.chronicle.hash.impl.VanillaChronicleHash)
        {
            ((net.openhft.chronicle.hash.impl.VanillaChronicleHash<?, ?, ?, ?>)map).msync();
        }
    }

    public void close()
    {
        map.close();
    }
}

package io.acktracker.engine.store;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.hash.Data;
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
 * The pending table: a Chronicle Map from 64-bit message id to a fixed-size {@link PendingRecord}, off-heap and,
 * when given a file, persisted to it.
 * <p>
 * Inserts and removes go through Chronicle's query context under its segment lock. Updates do not: insert hands
 * back the address of the record inside Chronicle's memory, and the single writer updates it in place through a
 * {@link PendingRecord} flyweight. Chronicle never moves a constant-size entry while it lives, so the address stays
 * valid until the entry is removed. Readers on other threads copy records through Chronicle (read lock) and use the
 * record's sequence lock to detect a copy torn by a concurrent in-place write.
 * <p>
 * Chronicle's own close-on-exit hook is skipped: it would unmap the table under an agent still running during JVM
 * shutdown. A tracker that is not closed leaves the files as a kill would (every write is in the page cache) and the
 * next start recovers.
 * <p>
 * Threading: {@link #insert}, {@link #remove} and {@link #forEach} on the single writer; {@link #readCopy} from any
 * thread.
 */
public final class PendingTable implements AutoCloseable
{
    /** Visitor over every entry, for recovery and tools. */
    @FunctionalInterface
    public interface EntryVisitor
    {
        /**
         * Called once per entry.
         *
         * @param messageId key of the entry.
         * @param address   of the record in off-heap memory; valid until the entry is removed.
         */
        void onEntry(long messageId, long address);
    }

    private final ChronicleMap<LongValue, RecordBytes> map;
    private final LongValue writerKey = Values.newHeapInstance(LongValue.class);
    private final File file;

    private PendingTable(final ChronicleMap<LongValue, RecordBytes> map, final File file)
    {
        this.map = map;
        this.file = file;
    }

    /**
     * Builder for the table's Chronicle Map, shared by every way of opening it so the header always matches.
     *
     * @param entries number of entries to size the table for.
     * @return a configured builder.
     */
    public static ChronicleMapBuilder<LongValue, RecordBytes> builder(final long entries)
    {
        return ChronicleMapBuilder.of(LongValue.class, RecordBytes.class)
            .name("acktracker-pending")
            .valueMarshallers(RecordBytesMarshaller.INSTANCE, RecordBytesMarshaller.INSTANCE)
            .constantValueSizeBySample(new RecordBytes())
            .checksumEntries(false)
            .skipCloseOnExitHook(true)
            .maxBloatFactor(2.0)
            .entries(Math.max(entries, 1024));
    }

    /**
     * An off-heap table in memory only.
     *
     * @param entries to size for.
     * @return the table.
     */
    public static PendingTable inMemory(final long entries)
    {
        return new PendingTable(builder(entries).create(), null);
    }

    /**
     * A table persisted to a file: created when missing, reopened when present. After an unclean stop pass
     * {@code recover} so Chronicle's recovery clears segment locks a dead process may still hold.
     *
     * @param file    backing file.
     * @param entries to size a new table for (an existing file keeps its own size).
     * @param recover run Chronicle's recovery before use.
     * @return the table.
     */
    public static PendingTable persisted(final File file, final long entries, final boolean recover)
    {
        try
        {
            final ChronicleMapBuilder<LongValue, RecordBytes> builder = builder(entries);
            final ChronicleMap<LongValue, RecordBytes> map = recover && file.exists() && file.length() > 0 ?
                builder.recoverPersistedTo(file, true) : builder.createPersistedTo(file);
            return new PendingTable(map, file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Insert a record for a message id that is not in the table.
     *
     * @param messageId key.
     * @param record    heap copy to insert.
     * @return the address of the record in off-heap memory, {@code 0} when the id is present, or {@code -1} when
     * Chronicle has no room left.
     */
    public long insert(final long messageId, final RecordBytes record)
    {
        writerKey.setValue(messageId);
        try (ExternalMapQueryContext<LongValue, RecordBytes, ?> context = map.queryContext(writerKey))
        {
            context.writeLock().lock();
            final MapAbsentEntry<LongValue, RecordBytes> absent = context.absentEntry();
            if (null == absent)
            {
                return 0;
            }

            context.insert(absent, context.wrapValueAsData(record));
            final MapEntry<LongValue, RecordBytes> entry = context.entry();
            final Data<RecordBytes> value = entry.value();
            return value.bytes().addressForRead(value.offset());
        }
        catch (final IllegalStateException ex)
        {
            return -1;
        }
    }

    /**
     * Remove a message's record. Any address held for it becomes invalid.
     *
     * @param messageId key.
     * @return true when it was present.
     */
    public boolean remove(final long messageId)
    {
        writerKey.setValue(messageId);
        try (ExternalMapQueryContext<LongValue, RecordBytes, ?> context = map.queryContext(writerKey))
        {
            context.writeLock().lock();
            final MapEntry<LongValue, RecordBytes> entry = context.entry();
            if (null == entry)
            {
                return false;
            }
            context.remove(entry);
            return true;
        }
    }

    /**
     * Visit every entry with its off-heap address.
     *
     * @param visitor called per entry.
     */
    public void forEach(final EntryVisitor visitor)
    {
        map.forEachEntry((entry) ->
        {
            final Data<RecordBytes> value = entry.value();
            visitor.onEntry(entry.key().get().getValue(), value.bytes().addressForRead(value.offset()));
        });
    }

    /**
     * Copy a record from any thread, retrying while the single writer is mid-update.
     *
     * @param messageId key.
     * @param into      holder to copy into.
     * @return true when found (the copy is consistent), false when absent.
     */
    public boolean readCopy(final long messageId, final RecordBytes into)
    {
        final LongValue key = Values.newHeapInstance(LongValue.class);
        key.setValue(messageId);
        for (int i = 0; i < 1_000_000; i++)
        {
            if (null == map.getUsing(key, into))
            {
                return false;
            }
            if (into.record().isConsistent())
            {
                return true;
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("record " + messageId + " never became consistent");
    }

    /**
     * Number of entries, pending and tombstones.
     *
     * @return entry count.
     */
    public long size()
    {
        return map.longSize();
    }

    /**
     * Backing file, or null when in memory.
     *
     * @return the file.
     */
    public File file()
    {
        return file;
    }

    /**
     * The Chronicle Map itself, for snapshots and offline tools.
     *
     * @return the map.
     */
    public ChronicleMap<LongValue, RecordBytes> map()
    {
        return map;
    }

    /**
     * Write a copy of every entry into a new persisted file (for snapshots of an in-memory table). Agent thread.
     *
     * @param target new file.
     */
    public void exportTo(final File target)
    {
        try (PendingTable copy = persisted(target, Math.max(1024, map.longSize()), false))
        {
            map.forEachEntry((entry) -> copy.map.put(entry.key().get(), entry.value().get()));
        }
    }

    /**
     * Flush the mapped file to disk (msync). Any thread; a no-op in memory.
     */
    public void sync()
    {
        if (null != file && map instanceof net.openhft.chronicle.hash.impl.VanillaChronicleHash)
        {
            ((net.openhft.chronicle.hash.impl.VanillaChronicleHash<?, ?, ?, ?>)map).msync();
        }
    }

    public void close()
    {
        map.close();
    }
}

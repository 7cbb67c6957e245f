package io.acktracker.engine.store;

import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import net.openhft.chronicle.core.values.IntValue;
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
 * The pending table: an arena of fixed-size {@link PendingRecord}s addressed by slot, held as a Chronicle Map from
 * slot number to record, off-heap and, when given a file, persisted to it.
 * <p>
 * Each slot's entry is created once, the first time the slot is used, and never removed: a message that leaves
 * frees its slot by writing {@link RecordStatus#NONE} into the record, and the next message to take the slot writes
 * its record over it. So the per-message cost is writes through a cached address; the Chronicle insert (under a
 * segment lock, ~1 µs measured here) is paid once per slot over the table's life, and no Chronicle remove is paid at
 * all. Chronicle never moves a constant-size entry while it lives, so an address taken at creation, or derived by
 * {@link #forEachSlot} after an open, stays valid until the table is closed.
 * <p>
 * What the slot-to-message mapping is lives in the records themselves (each holds its message id); the owner's
 * id index is derived from them at open.
 * <p>
 * Chronicle's own close-on-exit hook is skipped: it would unmap the table under an agent still running during JVM
 * shutdown. A tracker that is not closed leaves the file as a kill would (every write is in the page cache) and the
 * next start recovers.
 * <p>
 * Threading: single writer (the agent, or an offline tool that owns the directory) for every method except
 * {@link #size()} and {@link #sync()}.
 */
public final class PendingTable implements AutoCloseable
{
    /** Visitor over every created slot, for recovery. */
    @FunctionalInterface
    public interface SlotVisitor
    {
        /**
         * Called once per created slot, free or not.
         *
         * @param slot    the slot.
         * @param address of its record in off-heap memory; valid while the table is open.
         */
        void onSlot(int slot, long address);
    }

    /** Visitor over the records that hold a message, for tools and tests. */
    @FunctionalInterface
    public interface RecordVisitor
    {
        /**
         * Called once per slot that holds a message (pending or finished).
         *
         * @param messageId the message the record holds.
         * @param address   of the record in off-heap memory; valid while the table is open.
         */
        void onRecord(long messageId, long address);
    }

    private static final RecordBytes EMPTY_RECORD = new RecordBytes();

    private final ChronicleMap<IntValue, RecordBytes> map;
    private final IntValue writerKey = Values.newHeapInstance(IntValue.class);
    private final File file;
    private final PendingRecord visited = new PendingRecord();

    private PendingTable(final ChronicleMap<IntValue, RecordBytes> map, final File file)
    {
        this.map = map;
        this.file = file;
    }

    /**
     * Builder for the table's Chronicle Map, shared by every way of opening it so the header always matches.
     *
     * @param slots number of slots to size the table for.
     * @return a configured builder.
     */
    public static ChronicleMapBuilder<IntValue, RecordBytes> builder(final long slots)
    {
        return ChronicleMapBuilder.of(IntValue.class, RecordBytes.class)
            .name("acktracker-pending-slots")
            .valueMarshallers(RecordBytesMarshaller.INSTANCE, RecordBytesMarshaller.INSTANCE)
            .constantValueSizeBySample(new RecordBytes())
            .checksumEntries(false)
            .skipCloseOnExitHook(true)
            .maxBloatFactor(1.5)
            .entries(Math.max(slots, 1024));
    }

    /**
     * An off-heap table in memory only.
     *
     * @param slots to size for.
     * @return the table.
     */
    public static PendingTable inMemory(final long slots)
    {
        return new PendingTable(builder(slots).create(), null);
    }

    /**
     * A table persisted to a file: created when missing, reopened when present. After an unclean stop pass
     * {@code recover} so Chronicle's recovery clears segment locks a dead process may still hold.
     *
     * @param file    backing file.
     * @param slots   to size a new table for (an existing file keeps its own size).
     * @param recover run Chronicle's recovery before use.
     * @return the table.
     */
    public static PendingTable persisted(final File file, final long slots, final boolean recover)
    {
        try
        {
            final ChronicleMapBuilder<IntValue, RecordBytes> builder = builder(slots);
            final ChronicleMap<IntValue, RecordBytes> map = recover && file.exists() && file.length() > 0 ?
                builder.recoverPersistedTo(file, true) : builder.createPersistedTo(file);
            return new PendingTable(map, file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Create a slot's entry, once in the table's life, as a free record.
     *
     * @param slot a slot not yet created.
     * @return the address of its record in off-heap memory, {@code 0} when the slot already exists, or {@code -1}
     * when Chronicle has no room left.
     */
    public long create(final int slot)
    {
        writerKey.setValue(slot);
        try (ExternalMapQueryContext<IntValue, RecordBytes, ?> context = map.queryContext(writerKey))
        {
            context.writeLock().lock();
            final MapAbsentEntry<IntValue, RecordBytes> absent = context.absentEntry();
            if (null == absent)
            {
                return 0;
            }

            context.insert(absent, context.wrapValueAsData(EMPTY_RECORD));
            final MapEntry<IntValue, RecordBytes> entry = context.entry();
            final Data<RecordBytes> value = entry.value();
            return value.bytes().addressForRead(value.offset());
        }
        catch (final IllegalStateException ex)
        {
            return -1;
        }
    }

    /**
     * Look a slot's record up through Chronicle (not the hot path: checks of a loaded table).
     *
     * @param slot the slot.
     * @return the address of its record, or 0 when the slot was not created.
     */
    public long lookup(final int slot)
    {
        writerKey.setValue(slot);
        try (ExternalMapQueryContext<IntValue, RecordBytes, ?> context = map.queryContext(writerKey))
        {
            final MapEntry<IntValue, RecordBytes> entry = context.entry();
            if (null == entry)
            {
                return 0;
            }
            final Data<RecordBytes> value = entry.value();
            return value.bytes().addressForRead(value.offset());
        }
    }

    /**
     * Visit every created slot with its record's off-heap address, free or not (in Chronicle's order, not by slot).
     *
     * @param visitor called per slot.
     */
    public void forEachSlot(final SlotVisitor visitor)
    {
        map.forEachEntry((entry) ->
        {
            final Data<RecordBytes> value = entry.value();
            visitor.onSlot(entry.key().get().getValue(), value.bytes().addressForRead(value.offset()));
        });
    }

    /**
     * Visit every record that holds a message, pending or finished.
     *
     * @param visitor called per record.
     */
    public void forEachRecord(final RecordVisitor visitor)
    {
        forEachSlot((slot, address) ->
        {
            visited.wrap(address);
            if (RecordStatus.NONE != visited.status())
            {
                visitor.onRecord(visited.messageId(), address);
            }
        });
    }

    /**
     * Number of created slots, free or holding a message.
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
    public ChronicleMap<IntValue, RecordBytes> map()
    {
        return map;
    }

    /**
     * Write a copy of every slot into a new persisted file (for snapshots of an in-memory table). Agent thread.
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

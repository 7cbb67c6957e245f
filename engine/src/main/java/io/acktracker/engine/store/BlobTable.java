package io.acktracker.engine.store;

import io.acktracker.engine.api.TrackerException;
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
 * A Chronicle Map from message id to a variable-size blob, persisted when given a file: used for message extras
 * (metadata and attempt history while pending) and for dead letters. Allocation-free once the reused holders have
 * grown to the largest value.
 * <p>
 * Writes on the agent thread only; {@link #read} from any thread. While a checkpoint's copy is under way
 * ({@link #copy()}), each key's first change saves its pre-image first, under the key's segment lock.
 */
public final class BlobTable implements AutoCloseable
{
    /** Visitor over entries. */
    @FunctionalInterface
    public interface Visitor
    {
        /**
         * One entry; the blob is only valid during the call.
         *
         * @param messageId key.
         * @param blob      value.
         */
        void onEntry(long messageId, BlobBytes blob);
    }

    private final ChronicleMap<LongValue, BlobBytes> map;
    private final String name;
    private final int averageLength;
    private final LongValue key = Values.newHeapInstance(LongValue.class);
    private final BlobTableCopy copy = new BlobTableCopy(this);

    private BlobTable(final ChronicleMap<LongValue, BlobBytes> map, final String name, final int averageLength)
    {
        this.map = map;
        this.name = name;
        this.averageLength = averageLength;
    }

    /**
     * @return the copy-on-write of this table for checkpoints (see {@link BlobTableCopy} for who calls what).
     */
    public BlobTableCopy copy()
    {
        return copy;
    }

    /**
     * Open in memory or persisted.
     *
     * @param name          map name.
     * @param file          backing file, null for memory only.
     * @param entries       expected entries.
     * @param averageLength expected average value length.
     * @param recover       run Chronicle's recovery first.
     * @return the table.
     */
    public static BlobTable open(
        final String name, final File file, final long entries, final int averageLength, final boolean recover)
    {
        final ChronicleMapBuilder<LongValue, BlobBytes> builder = ChronicleMapBuilder.of(LongValue.class,
            BlobBytes.class)
            .name(name)
            .valueMarshallers(BlobMarshaller.INSTANCE, BlobMarshaller.INSTANCE)
            .averageValueSize(averageLength)
            .checksumEntries(false)
            .skipCloseOnExitHook(true)
            .maxBloatFactor(8.0)
            .entries(Math.max(entries, 1024));
        try
        {
            if (null == file)
            {
                return new BlobTable(builder.create(), name, averageLength);
            }
            return new BlobTable(recover && file.exists() && file.length() > 0 ?
                builder.recoverPersistedTo(file, true) : builder.createPersistedTo(file), name, averageLength);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Insert or replace a value.
     *
     * @param messageId key.
     * @param blob      value.
     * @return false when Chronicle has no room.
     */
    public boolean put(final long messageId, final BlobBytes blob)
    {
        key.setValue(messageId);
        try (ExternalMapQueryContext<LongValue, BlobBytes, ?> context = map.queryContext(key))
        {
            context.writeLock().lock();
            final MapEntry<LongValue, BlobBytes> entry = context.entry();
            if (copy.isActive() && copy.firstChange(messageId))
            {
                copy.save(messageId, null == entry ? null : entry.value().getUsing(copy.preImageHolder()));
            }
            if (null != entry)
            {
                context.replaceValue(entry, context.wrapValueAsData(blob));
            }
            else
            {
                context.insert(context.absentEntry(), context.wrapValueAsData(blob));
            }
            return true;
        }
        catch (final IllegalStateException ex)
        {
            return false;
        }
    }

    /**
     * Read a value into a holder (agent thread).
     *
     * @param messageId key.
     * @param into      holder.
     * @return true when present.
     */
    public boolean get(final long messageId, final BlobBytes into)
    {
        key.setValue(messageId);
        return null != map.getUsing(key, into);
    }

    /**
     * Read a value into a holder from any thread.
     *
     * @param messageId key.
     * @param into      holder.
     * @return true when present.
     */
    public boolean read(final long messageId, final BlobBytes into)
    {
        final LongValue readKey = Values.newHeapInstance(LongValue.class);
        readKey.setValue(messageId);
        return null != map.getUsing(readKey, into);
    }

    /**
     * Read a value with the caller's own key holder (a checkpoint's helper thread).
     *
     * @param readKey the caller's key holder, set to the key.
     * @param into    holder.
     * @return true when present.
     */
    boolean readUsing(final LongValue readKey, final BlobBytes into)
    {
        return null != map.getUsing(readKey, into);
    }

    /**
     * Remove a value.
     *
     * @param messageId key.
     * @return true when it was present.
     */
    public boolean remove(final long messageId)
    {
        key.setValue(messageId);
        try (ExternalMapQueryContext<LongValue, BlobBytes, ?> context = map.queryContext(key))
        {
            context.writeLock().lock();
            final MapEntry<LongValue, BlobBytes> entry = context.entry();
            if (null == entry)
            {
                return false;
            }
            if (copy.isActive() && copy.firstChange(messageId))
            {
                copy.save(messageId, entry.value().getUsing(copy.preImageHolder()));
            }
            context.remove(entry);
            return true;
        }
    }

    /**
     * Whether a key is present.
     *
     * @param messageId key.
     * @return true when present.
     */
    public boolean contains(final long messageId)
    {
        key.setValue(messageId);
        return map.containsKey(key);
    }

    /**
     * Visit every entry.
     *
     * @param visitor called per entry.
     */
    public void forEach(final Visitor visitor)
    {
        final BlobBytes holder = new BlobBytes(512);
        map.forEachEntry((entry) ->
        {
            entry.value().getUsing(holder);
            visitor.onEntry(entry.key().get().getValue(), holder);
        });
    }

    /**
     * Write a copy into a new persisted file (snapshots of in-memory tables).
     *
     * @param target new file.
     */
    public void exportTo(final File target)
    {
        try (BlobTable copy = open(name, target, Math.max(1024, map.longSize()), averageLength, false))
        {
            forEach(copy::put);
        }
    }

    /**
     * Entries held.
     *
     * @return the count.
     */
    public long size()
    {
        return map.longSize();
    }

    /**
     * The Chronicle Map underneath.
     *
     * @return the map.
     */
    public ChronicleMap<LongValue, BlobBytes> map()
    {
        return map;
    }

    /** Flush to disk (msync); a no-op in memory. */
    public void sync()
    {
        if (null != map.file() && map instanceof VanillaChronicleHash)
        {
            ((VanillaChronicleHash<?, ?, ?, ?>)map).msync();
        }
    }

    public void close()
    {
        copy.close();
        map.close();
    }

    /**
     * Append the table's content to an exact image (the machine only looks keys up, so the order of entries does
     * not matter; the content does). Allocates a holder; not for the hot path.
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        // by ascending key: Chronicle's iteration order depends on the insertion history, the image must not
        out.section(ImageSections.TABLE);
        final org.agrona.collections.LongArrayList keys = new org.agrona.collections.LongArrayList();
        if (map.longSize() > 0)
        {
            // an empty table sized for 1M entries still takes ~2 ms to walk, in the checkpoint's pause
            forEach((messageId, blob) -> keys.addLong(messageId));
        }
        final long[] sorted = keys.toLongArray();
        java.util.Arrays.sort(sorted);
        final BlobBytes blob = new BlobBytes(1024);
        out.putLong(sorted.length);
        for (final long messageId : sorted)
        {
            get(messageId, blob);
            out.putLong(messageId).putBytes(blob.buffer(), 0, blob.length());
        }
    }

    /**
     * Replace the table's content with what {@link #dump} wrote.
     *
     * @param in the image.
     * @throws TrackerException when an entry does not fit the table.
     */
    public void restore(final ImageReader in)
    {
        in.section(ImageSections.TABLE, name);
        map.clear();
        final long count = in.getLong();
        final BlobBytes blob = new BlobBytes(1024);
        byte[] scratch = new byte[1024];
        for (long i = 0; i < count; i++)
        {
            final long messageId = in.getLong();
            scratch = in.getBytes(scratch);
            final int length = in.lastCount();
            blob.length(length).buffer().putBytes(0, scratch, 0, length);
            if (!put(messageId, blob))
            {
                throw new TrackerException("the checkpoint's " + name + " table does not fit: no room for entry " +
                    i + " of " + count);
            }
        }
    }
}

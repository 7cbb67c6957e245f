package io.acktracker.engine.checkpoint;

import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.pending.SlotFiller;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.store.PendingTable;
import io.acktracker.engine.store.TableBulkLoad;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Restores a machine from a verified checkpoint: the image read into memory, the records loaded from the checkpoint's
 * Chronicle Map file (opened, read, closed; never written) into the fresh pending table, one of two ways:
 * <ul>
 *     <li><b>in one block</b> ({@link TableBulkLoad}) when the checkpoint has a {@value CheckpointStore#SLOTS_FILE}
 *     (each slot's record offset, written when the file was built like the tracker's table) and both tables have
 *     the same geometry: the slots' addresses are the offsets in the loaded table, checked against Chronicle's own
 *     lookups for a sample of slots before and after the copy;</li>
 *     <li><b>slot by slot</b> otherwise (a checkpoint sized for its slots only, an older one): the file's slots
 *     found by walking it, then one Chronicle insert and one copy per slot.</li>
 * </ul>
 * Threading: the thread building the tracker, before its agent runs.
 */
final class CheckpointRestore implements SlotFiller
{
    /** Every this many slots one is checked against Chronicle's lookup, and the first and last. */
    private static final int SAMPLE_EVERY = 256;

    private final Path dir;
    private final PendingTable source;
    private final int created;
    private final long[] offsets;
    private long[] sourceAddresses;
    private boolean bulk;

    private CheckpointRestore(final Path dir, final PendingTable source, final int created, final long[] offsets)
    {
        this.dir = dir;
        this.source = source;
        this.created = created;
        this.offsets = offsets;
    }

    /**
     * Restore a machine from a verified checkpoint.
     *
     * @param dir      the checkpoint's directory.
     * @param manifest its manifest.
     * @param restorer the machine's restore.
     * @throws TrackerException when the files do not match the manifest or the machine refuses the image.
     */
    static void restore(final Path dir, final CheckpointManifest manifest, final CheckpointStore.Restorer restorer)
    {
        final int created = manifest.createdSlots();
        final byte[] image;
        long[] offsets = null;
        try
        {
            image = Files.readAllBytes(dir.resolve(CheckpointStore.STATE_FILE));
            if (manifest.files().containsKey(CheckpointStore.SLOTS_FILE))
            {
                offsets = readOffsets(dir.resolve(CheckpointStore.SLOTS_FILE), created);
            }
        }
        catch (final IOException ex)
        {
            throw new TrackerException("checkpoint " + dir + ": a file cannot be read (" + ex + ")", ex);
        }
        try (PendingTable table = PendingTable.persisted(dir.resolve(CheckpointStore.PENDING_FILE).toFile(),
            Math.max(1, created), false))
        {
            restorer.restore(new ImageReader(new UnsafeBuffer(image), image.length), created,
                new CheckpointRestore(dir, table, created, offsets));
        }
    }

    public long fill(final int slot, final PendingTable table)
    {
        if (0 == slot)
        {
            prepare(table);
        }
        if (bulk)
        {
            final long address = TableBulkLoad.addressOf(table, offsets[slot]);
            if (address <= 0)
            {
                throw new TrackerException("checkpoint " + dir + ": " + CheckpointStore.SLOTS_FILE + " places slot " +
                    slot + " outside the table");
            }
            return address;
        }
        final long address = table.create(slot);
        if (address > 0)
        {
            UnsafeApi.copyMemory(sourceAddresses[slot], address, PendingRecord.LENGTH);
        }
        return address;
    }

    private void prepare(final PendingTable table)
    {
        if (null != offsets && TableBulkLoad.fits(source, table) && sampleMatches(source))
        {
            TableBulkLoad.copy(source, table);
            if (table.size() != created || !sampleMatches(table))
            {
                throw new TrackerException("checkpoint " + dir + ": its pending table, loaded in one block, does " +
                    "not hold its " + created + " slots where " + CheckpointStore.SLOTS_FILE + " says (a Chronicle " +
                    "Map that lays tables out otherwise?); move " + CheckpointStore.SLOTS_FILE + " aside to load " +
                    "it slot by slot");
            }
            bulk = true;
            return;
        }
        sourceAddresses = new long[created];
        source.forEachSlot((slot, address) ->
        {
            if (slot < 0 || slot >= created)
            {
                throw new TrackerException("checkpoint " + dir + ": its pending table holds slot " + slot +
                    ", beyond the " + created + " its manifest names");
            }
            sourceAddresses[slot] = address;
        });
        for (int slot = 0; slot < created; slot++)
        {
            if (0 == sourceAddresses[slot])
            {
                throw new TrackerException("checkpoint " + dir + ": its pending table misses slot " + slot);
            }
        }
    }

    /** Whether a sample of slots is where the offsets say, by the table's own lookup. */
    private boolean sampleMatches(final PendingTable table)
    {
        for (int slot = 0; slot < created; slot = nextSample(slot))
        {
            final long address = TableBulkLoad.addressOf(table, offsets[slot]);
            if (address <= 0 || table.lookup(slot) != address)
            {
                return false;
            }
        }
        return true;
    }

    private int nextSample(final int slot)
    {
        return slot == created - 1 ? created : Math.min(created - 1, slot + SAMPLE_EVERY);
    }

    private static long[] readOffsets(final Path file, final int created) throws IOException
    {
        final long expected = (long)created * Long.BYTES;
        if (Files.size(file) != expected)
        {
            throw new IOException(file + " is " + Files.size(file) + " bytes, " + expected + " expected");
        }
        final long[] offsets = new long[created];
        final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        final UnsafeBuffer view = new UnsafeBuffer(chunk);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            int slot = 0;
            while (slot < created)
            {
                chunk.clear().limit((int)Math.min(chunk.capacity(), (long)(created - slot) * Long.BYTES));
                while (chunk.hasRemaining())
                {
                    if (channel.read(chunk) < 0)
                    {
                        throw new IOException(file + " ends early");
                    }
                }
                for (int i = 0, count = chunk.position() / Long.BYTES; i < count; i++)
                {
                    offsets[slot++] = view.getLong(i * Long.BYTES);
                }
            }
        }
        return offsets;
    }
}

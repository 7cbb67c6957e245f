package io.acktracker.engine.checkpoint;

import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.pending.SlotFiller;
import io.acktracker.engine.pending.SlotSource;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.store.FileSpace;
import io.acktracker.engine.store.OwnerOnlyFiles;
import io.acktracker.engine.store.PendingTable;
import io.acktracker.engine.store.TableBulkLoad;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The {@code checkpoints/} directory beside the journal: each checkpoint is a directory {@code cp-<P>} named by the
 * journal position P its image corresponds to, holding
 * <ul>
 *     <li>{@value #PENDING_FILE}: the records, one Chronicle Map entry per slot, built with the pending table's own
 *     builder (so the tools open it as they open a table store's);</li>
 *     <li>{@value #STATE_FILE}: the exact image of everything else ({@code TrackerStateMachine.dump});</li>
 *     <li>{@value #SLOTS_FILE}, when {@value #PENDING_FILE} is built like the tracker's own table (at least half its
 *     slots created): each slot's record offset in it, one long per slot, so a start loads the table in one block
 *     ({@link CheckpointRestore});</li>
 *     <li>{@value #MANIFEST_FILE}, written last: see {@link CheckpointManifest}.</li>
 * </ul>
 * A checkpoint is written into {@code cp-<P>.tmp/}, every file forced, then renamed: a directory without the suffix
 * is complete, and one with it is what a crash interrupted, removed at the next start. Files are owner-only, as is
 * every directory. A start takes the newest checkpoint whose manifest and CRCs check ({@link #verify}).
 * <p>
 * Records' tables are reused ({@link SpareTables}): the newest retired checkpoint's table is kept, and the next
 * checkpoint of a table as large writes each record in place into it instead of inserting it.
 * <p>
 * Threading: one thread at a time (the agent's, or the thread building the tracker before it starts).
 */
public final class CheckpointStore
{
    /** The directory in the data directory. */
    public static final String DIRECTORY = "checkpoints";
    /** The records. */
    public static final String PENDING_FILE = "pending.cmap";
    /** The exact image of the rest. */
    public static final String STATE_FILE = "state.bin";
    /** Each slot's record offset in the records' table, when it is built like the tracker's (optional). */
    public static final String SLOTS_FILE = "slots.bin";
    /** Format, position, genesis values, CRCs; written last. */
    public static final String MANIFEST_FILE = "manifest.properties";

    private static final String PREFIX = "cp-";
    private static final String TEMP_SUFFIX = ".tmp";

    /** Restores a machine from an image and the records' slots ({@code TrackerStateMachine::restore}). */
    @FunctionalInterface
    public interface Restorer
    {
        /**
         * Restore.
         *
         * @param image   the exact image.
         * @param created slots in the pending table.
         * @param filler  writes a slot's record from the checkpoint.
         */
        void restore(ImageReader image, int created, SlotFiller filler);
    }

    private final Path directory;
    private final UnsafeBuffer from = new UnsafeBuffer(0, 0);
    /** Each slot's record offset while a checkpoint is written; kept, so a steady run allocates it once. */
    private final ExpandableDirectByteBuffer offsets = new ExpandableDirectByteBuffer(4096);
    private final UnsafeBuffer to = new UnsafeBuffer(0, 0);
    private final SpareTables spares;

    /**
     * The checkpoints of a data directory (the directory is created when a checkpoint is first written).
     *
     * @param directory the {@value #DIRECTORY} directory.
     */
    public CheckpointStore(final Path directory)
    {
        this.directory = directory;
        this.spares = new SpareTables(directory);
    }

    /**
     * @return the directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * Remove the checkpoints a crash left unfinished ({@code cp-<P>.tmp}).
     *
     * @return how many were removed.
     */
    public int removeUnfinished()
    {
        int removed = 0;
        for (final Path path : list())
        {
            final String name = path.getFileName().toString();
            if (name.endsWith(TEMP_SUFFIX))
            {
                deleteRecursively(path);
                removed++;
            }
            else if (SpareTables.isSpare(name))
            {
                // an earlier process's: what it holds is not known to be whole
                deleteRecursively(path);
            }
        }
        return removed;
    }

    /**
     * The complete checkpoints' positions, newest (highest) first.
     *
     * @return positions.
     */
    public long[] positions()
    {
        final List<Long> positions = new ArrayList<>();
        for (final Path path : list())
        {
            final String name = path.getFileName().toString();
            if (name.startsWith(PREFIX) && !name.endsWith(TEMP_SUFFIX))
            {
                try
                {
                    positions.add(Long.parseLong(name.substring(PREFIX.length())));
                }
                catch (final NumberFormatException ignore)
                {
                    // not a checkpoint of ours
                }
            }
        }
        positions.sort(Comparator.reverseOrder());
        return positions.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The directory of the checkpoint at a position.
     *
     * @param position its journal position.
     * @return the path.
     */
    public Path path(final long position)
    {
        return directory.resolve(PREFIX + position);
    }

    /**
     * Read a checkpoint's manifest and check every file it names against its length and CRC32C.
     *
     * @param position the checkpoint's position.
     * @return the manifest.
     * @throws TrackerException saying what is wrong when it is damaged.
     */
    public CheckpointManifest verify(final long position)
    {
        final Path dir = path(position);
        final String where = "checkpoint " + dir;
        final CheckpointManifest manifest;
        try
        {
            manifest = CheckpointManifest.parse(
                Files.readString(dir.resolve(MANIFEST_FILE), java.nio.charset.StandardCharsets.UTF_8), where);
        }
        catch (final IOException ex)
        {
            throw new TrackerException(where + ": no readable manifest (" + ex + ")", ex);
        }
        if (manifest.position() != position)
        {
            throw new TrackerException(where + ": its manifest is for position " + manifest.position());
        }
        if (!manifest.files().containsKey(PENDING_FILE) || !manifest.files().containsKey(STATE_FILE))
        {
            throw new TrackerException(where + ": its manifest does not name " + PENDING_FILE + " and " + STATE_FILE);
        }
        for (final Map.Entry<String, long[]> file : manifest.files().entrySet())
        {
            final Path path = dir.resolve(file.getKey());
            try
            {
                final long length = Files.size(path);
                if (length != file.getValue()[0])
                {
                    throw new TrackerException(where + ": " + file.getKey() + " is " + length + " bytes, the " +
                        "manifest says " + file.getValue()[0]);
                }
                final long crc = crc32c(path);
                if (crc != file.getValue()[1])
                {
                    throw new TrackerException(where + ": " + file.getKey() + " fails its CRC32C (" + crc + ", the " +
                        "manifest says " + file.getValue()[1] + ")");
                }
            }
            catch (final IOException ex)
            {
                throw new TrackerException(where + ": " + file.getKey() + " cannot be read (" + ex + ")", ex);
            }
        }
        return manifest;
    }

    /**
     * Write a checkpoint: the records into a Chronicle Map file, the image, the manifest last, each forced; then
     * rename the directory into place and force its parent. An existing checkpoint at the same position is kept as
     * it is (the state at a position is the state at that position).
     *
     * @param position    the journal position the state corresponds to.
     * @param seed        the machine's seed.
     * @param startNs     the machine's start time.
     * @param settings    the behaviour settings text.
     * @param image       the exact image of the rest of the state.
     * @param imageLength its length.
     * @param slots       the records, copied slot by slot from each created slot's address.
     * @param tableEntries the entries the tracker's pending table is built for: the records' table is built the same
     *                    way (and {@value #SLOTS_FILE} written) when at least half of them are created.
     * @param beforeManifest run after the records and the image are forced, before the manifest is written (the
     *                    wait for the journal's sync to the position); what it throws refuses the checkpoint.
     * @return the checkpoint's directory.
     * @throws UncheckedIOException when it cannot be written (the unfinished directory is removed).
     */
    public Path write(
        final long position,
        final long seed,
        final long startNs,
        final String settings,
        final DirectBuffer image,
        final int imageLength,
        final SlotSource slots,
        final long tableEntries,
        final Runnable beforeManifest)
    {
        final Path done = path(position);
        if (Files.isDirectory(done))
        {
            return done;
        }
        final Path temp = directory.resolve(PREFIX + position + TEMP_SUFFIX);
        try
        {
            OwnerOnlyFiles.createDirectories(directory);
            deleteRecursively(temp);
            OwnerOnlyFiles.createDirectories(temp);
            final int created = slots.createdSlots();
            final Path pending = temp.resolve(PENDING_FILE);
            final boolean withOffsets = writeRecords(pending, slots, created, tableEntries);
            final Path state = temp.resolve(STATE_FILE);
            writeBytes(state, image, imageLength);
            final Map<String, long[]> files = new LinkedHashMap<>();
            files.put(PENDING_FILE, new long[]{ Files.size(pending), crc32c(pending) });
            files.put(STATE_FILE, new long[]{ Files.size(state), crc32c(state) });
            if (withOffsets)
            {
                final Path slotsFile = temp.resolve(SLOTS_FILE);
                writeBytes(slotsFile, offsets, created * Long.BYTES);
                files.put(SLOTS_FILE, new long[]{ Files.size(slotsFile), crc32c(slotsFile) });
            }
            beforeManifest.run();
            final byte[] manifest =
                new CheckpointManifest(position, seed, startNs, settings, created, files).toBytes();
            writeBytes(temp.resolve(MANIFEST_FILE), new UnsafeBuffer(manifest), manifest.length);
            OwnerOnlyFiles.forceDirectory(temp);
            Files.move(temp, done, StandardCopyOption.ATOMIC_MOVE);
            OwnerOnlyFiles.forceDirectory(directory);
            if (withOffsets)
            {
                spares.written(position, tableEntries);
            }
            return done;
        }
        catch (final IOException | RuntimeException ex)
        {
            deleteRecursively(temp);
            throw ex instanceof IOException ? new UncheckedIOException("cannot write checkpoint " + temp + ": " + ex,
                (IOException)ex) : (RuntimeException)ex;
        }
    }

    /**
     * Restore a machine from a verified checkpoint ({@link CheckpointRestore}).
     *
     * @param manifest what {@link #verify} returned.
     * @param restorer the machine's restore.
     * @throws TrackerException when the files do not match the manifest or the machine refuses the image.
     */
    public void restore(final CheckpointManifest manifest, final Restorer restorer)
    {
        CheckpointRestore.restore(path(manifest.position()), manifest, restorer);
    }

    /**
     * Keep the {@code keep} newest checkpoints, deleting the older ones.
     *
     * @param keep how many to keep (at least 1).
     * @return the position of the oldest kept checkpoint, or -1 when none is kept.
     */
    public long retain(final int keep)
    {
        final long[] positions = positions();
        for (int i = keep; i < positions.length; i++)
        {
            // renamed first, so a crash half way through the deletion leaves an unfinished checkpoint (removed at
            // the next start), never one that looks complete and fails its checks
            final Path doomed = directory.resolve(PREFIX + positions[i] + TEMP_SUFFIX);
            try
            {
                deleteRecursively(doomed);
                Files.move(path(positions[i]), doomed, StandardCopyOption.ATOMIC_MOVE);
                // the newest retired one's records' table is kept for the next checkpoint to write into
                spares.retired(positions[i], doomed, i == keep);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot delete checkpoint " + path(positions[i]) + ": " + ex, ex);
            }
            deleteRecursively(doomed);
        }
        return 0 == positions.length ? -1 : positions[Math.min(keep, positions.length) - 1];
    }

    /**
     * Write the records' table: built like the tracker's ({@code tableEntries}) when at least half its slots are
     * created, so a start can load it in one block, else for the created slots only (a small file). A table built
     * like the tracker's reuses the spare of a retired checkpoint when there is one: its slots' entries exist, and
     * each record is written in place.
     *
     * @return whether it was built like the tracker's table, each slot's record offset in {@link #offsets}.
     */
    private boolean writeRecords(final Path file, final SlotSource slots, final int created, final long tableEntries)
        throws IOException
    {
        boolean withOffsets = tableEntries > 0 && 2L * created >= tableEntries;
        // a reused table's slot offsets are read into offsets: the same as the new checkpoint's for those slots
        final int reusable = withOffsets ? Math.max(0, spares.take(file, tableEntries, created, offsets)) : 0;
        OwnerOnlyFiles.createIfMissing(file);
        try (PendingTable table = PendingTable.persisted(file.toFile(), withOffsets ? tableEntries :
            Math.max(1, created), false))
        {
            // the file is mapped and sparse: without its blocks reserved, a full disk would be a SIGBUS on the
            // agent thread while the records are copied in, not a checkpoint refused
            FileSpace.reserve(file.toFile());
            for (int slot = 0; slot < created; slot++)
            {
                // a reused table's slots have their entries: the record goes in place, through the offset
                final long address = slot < reusable ?
                    TableBulkLoad.addressOf(table, offsets.getLong(slot * Long.BYTES)) : table.create(slot);
                if (address <= 0)
                {
                    throw new IOException("the checkpoint's pending table has no room for slot " + slot);
                }
                from.wrap(slots.recordAddress(slot), PendingRecord.LENGTH);
                to.wrap(address, PendingRecord.LENGTH);
                to.putBytes(0, from, 0, PendingRecord.LENGTH);
                if (withOffsets)
                {
                    final long offset = TableBulkLoad.offsetOf(table, address);
                    offsets.putLong(slot * Long.BYTES, offset);
                    withOffsets = offset >= 0;
                }
            }
            // a segment that overflowed into an extra tier: loaded slot by slot
            withOffsets &= TableBulkLoad.mainAreaOnly(table);
        }
        force(file);
        return withOffsets;
    }

    private static void writeBytes(final Path file, final DirectBuffer bytes, final int length) throws IOException
    {
        OwnerOnlyFiles.createIfMissing(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            for (int offset = 0; offset < length; )
            {
                final int count = Math.min(chunk.capacity(), length - offset);
                chunk.clear();
                bytes.getBytes(offset, chunk, count);
                chunk.flip();
                while (chunk.hasRemaining())
                {
                    channel.write(chunk);
                }
                offset += count;
            }
            channel.force(true);
        }
    }

    private static void force(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
    }

    /**
     * The CRC32C of a whole file.
     *
     * @param file the file.
     * @return its CRC32C.
     * @throws IOException when it cannot be read.
     */
    public static long crc32c(final Path file) throws IOException
    {
        final CRC32C crc = new CRC32C();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            while (channel.read(buffer) > 0)
            {
                buffer.flip();
                crc.update(buffer);
                buffer.clear();
            }
        }
        return crc.getValue();
    }

    private List<Path> list()
    {
        if (!Files.isDirectory(directory))
        {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + directory + ": " + ex, ex);
        }
    }

    static void deleteRecursively(final Path path)
    {
        if (!Files.exists(path))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(path))
        {
            for (final Path each : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(each);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + path + ": " + ex, ex);
        }
    }
}

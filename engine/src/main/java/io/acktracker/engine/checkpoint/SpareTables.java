package io.acktracker.engine.checkpoint;

import io.acktracker.engine.store.OwnerOnlyFiles;

import org.agrona.ExpandableDirectByteBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The records' table of the newest retired checkpoint, kept for the next checkpoint to write into: in
 * {@code spare-<entries>/} beside the checkpoints, its {@value CheckpointStore#PENDING_FILE} and
 * {@value CheckpointStore#SLOTS_FILE}. Its slots' entries exist, so the next checkpoint of a table with as many
 * entries copies each record in place through its slot's offset instead of inserting it (a Chronicle insert per slot,
 * 1M per checkpoint at 1M pending, was most of the checkpoint thread's time).
 * <p>
 * Only tables this process wrote are kept (their entry count is known); a spare left by an earlier process is removed
 * at start ({@link CheckpointStore#removeUnfinished()}). Moving the files is the whole cost of keeping one; a crash
 * half way leaves a directory without its table, which is never taken.
 * <p>
 * Threading: that of its {@link CheckpointStore}.
 */
final class SpareTables
{
    private static final String PREFIX = "spare-";

    private final Path directory;
    /** The table entries of each checkpoint written with a table built like the tracker's, by position. */
    private final Map<Long, Long> writtenWithOffsets = new HashMap<>();

    /**
     * @param directory the checkpoints' directory.
     */
    SpareTables(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * Whether a name in the checkpoints' directory is a spare's.
     *
     * @param name the file name.
     * @return true for a spare.
     */
    static boolean isSpare(final String name)
    {
        return name.startsWith(PREFIX);
    }

    /**
     * A checkpoint was written with a table built like the tracker's, of a number of entries.
     *
     * @param position its position.
     * @param entries  the table's entries.
     */
    void written(final long position, final long entries)
    {
        writtenWithOffsets.put(position, entries);
    }

    /**
     * A checkpoint is retired (renamed to its doomed directory, about to be deleted): keep its table as the spare
     * when it is the newest retired and this store wrote it like the tracker's.
     *
     * @param position its position.
     * @param doomed   where it lies now.
     * @param newest   whether it is the newest of those retired now.
     * @throws IOException when the files cannot be moved.
     */
    void retired(final long position, final Path doomed, final boolean newest) throws IOException
    {
        final Long entries = writtenWithOffsets.remove(position);
        final Path pending = doomed.resolve(CheckpointStore.PENDING_FILE);
        final Path slotsFile = doomed.resolve(CheckpointStore.SLOTS_FILE);
        if (!newest || null == entries || !Files.isRegularFile(pending) || !Files.isRegularFile(slotsFile))
        {
            return;
        }
        final Path spare = directory.resolve(PREFIX + entries);
        CheckpointStore.deleteRecursively(spare);
        OwnerOnlyFiles.createDirectories(spare);
        Files.move(slotsFile, spare.resolve(CheckpointStore.SLOTS_FILE), StandardCopyOption.ATOMIC_MOVE);
        // the table last: a spare without it is never taken
        Files.move(pending, spare.resolve(CheckpointStore.PENDING_FILE), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Take the spare table of a size into a new checkpoint's file, with its slots' offsets read into the buffer the
     * checkpoint keeps them in (so a steady run allocates nothing for it); the spare is gone after.
     *
     * @param file         where the new checkpoint's table goes.
     * @param tableEntries the table's entries.
     * @param created      the slots the new checkpoint holds (a spare with more is not taken).
     * @param offsets      receives each of the spare's slots' record offset, one long per slot from 0.
     * @return the number of the spare's slots, or -1 when none was taken (then nothing is at {@code file}).
     * @throws IOException when the files cannot be read or moved.
     */
    int take(final Path file, final long tableEntries, final int created, final ExpandableDirectByteBuffer offsets)
        throws IOException
    {
        final Path spare = directory.resolve(PREFIX + tableEntries);
        final Path pending = spare.resolve(CheckpointStore.PENDING_FILE);
        final Path slotsFile = spare.resolve(CheckpointStore.SLOTS_FILE);
        if (!Files.isRegularFile(pending) || !Files.isRegularFile(slotsFile))
        {
            return -1;
        }
        try
        {
            final long size = Files.size(slotsFile);
            if (size % Long.BYTES != 0 || size / Long.BYTES > created)
            {
                return -1;
            }
            offsets.checkLimit((int)size);
            final ByteBuffer view = offsets.byteBuffer();
            view.clear().limit((int)size);
            try (FileChannel channel = FileChannel.open(slotsFile, StandardOpenOption.READ))
            {
                while (view.hasRemaining())
                {
                    if (channel.read(view) < 0)
                    {
                        throw new IOException(slotsFile + " ends early");
                    }
                }
            }
            finally
            {
                view.clear();
            }
            Files.move(pending, file, StandardCopyOption.ATOMIC_MOVE);
            return (int)(size / Long.BYTES);
        }
        finally
        {
            CheckpointStore.deleteRecursively(spare);
        }
    }
}

package io.acktracker.engine.persistence;

import io.acktracker.engine.DestinationRegistry;
import io.acktracker.engine.TrackerException;
import io.acktracker.engine.pending.PendingTable;
import io.acktracker.engine.pending.RecordBytes;
import io.acktracker.engine.stream.StreamOffsetTable;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.values.Values;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Consistent snapshots of a tracker's tables, and restoring one into a data directory.
 * <p>
 * A snapshot is taken on the agent thread, so nothing changes while it is written: persisted tables are copied file
 * by file (every write is already in the page cache), in-memory tables are exported entry by entry into new
 * persisted files. The snapshot directory has the same layout as a data directory without the clean-shutdown
 * marker, so a tracker opened on a restored copy runs Chronicle's recovery first, which also clears any lock word
 * a reader held while the file was copied. The agent pauses for the copy: roughly the file size over disk bandwidth.
 */
public final class Snapshots
{
    /** Manifest file name inside a snapshot. */
    public static final String MANIFEST = "snapshot.properties";

    private Snapshots()
    {
    }

    /**
     * Write a snapshot. Agent thread only.
     *
     * @param target        new directory to create (must not exist or be empty).
     * @param pending       pending table.
     * @param streamOffsets cumulative offsets table.
     * @param registry      destination registry.
     * @param nowNs         snapshot time for the manifest.
     * @return what was written.
     */
    public static SnapshotInfo take(
        final Path target,
        final PendingTable pending,
        final StreamOffsetTable streamOffsets,
        final DestinationRegistry registry,
        final long nowNs)
    {
        final long startNs = System.nanoTime();
        try
        {
            if (Files.exists(target))
            {
                try (var entries = Files.list(target))
                {
                    if (entries.findAny().isPresent())
                    {
                        throw new TrackerException("snapshot directory " + target + " is not empty");
                    }
                }
            }
            else
            {
                Files.createDirectories(target, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            }

            final long entries = pending.size();
            copyOrExport(pending.map(), pending.file(), target.resolve(DataDirectory.PENDING_FILE), true);
            copyOrExport(streamOffsets.map(), streamOffsets.map().file(),
                target.resolve(DataDirectory.STREAMS_FILE), false);
            Files.write(target.resolve(DestinationRegistry.FILE_NAME), registry.names());
            Files.write(target.resolve(MANIFEST), List.of(
                "format=1",
                "entries=" + entries,
                "epochNs=" + nowNs,
                "createdMs=" + System.currentTimeMillis()));

            long bytes = 0;
            try (var files = Files.list(target))
            {
                for (final Path file : (Iterable<Path>)files::iterator)
                {
                    Files.setPosixFilePermissions(file, DataDirectory.filePermissions());
                    bytes += Files.size(file);
                }
            }
            return new SnapshotInfo(target, entries, bytes, System.nanoTime() - startNs);
        }
        catch (final IOException ex)
        {
            throw new TrackerException("snapshot to " + target + " failed: " + ex.getMessage(), ex);
        }
    }

    @SuppressWarnings("unchecked")
    private static void copyOrExport(
        final ChronicleMap<LongValue, ?> map, final java.io.File file, final Path target, final boolean pending)
        throws IOException
    {
        if (null != file)
        {
            Files.copy(file.toPath(), target, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }

        if (pending)
        {
            final ChronicleMap<LongValue, RecordBytes> source = (ChronicleMap<LongValue, RecordBytes>)map;
            final PendingTable copy = PendingTable.persisted(target.toFile(), Math.max(1024, source.longSize()), false);
            try
            {
                source.forEachEntry((entry) -> copy.map().put(entry.key().get(), entry.value().get()));
            }
            finally
            {
                copy.close();
            }
        }
        else
        {
            final ChronicleMap<LongValue, LongValue> source = (ChronicleMap<LongValue, LongValue>)map;
            final StreamOffsetTable copy = StreamOffsetTable.open(target.toFile(), 1024, false);
            try
            {
                source.forEachEntry((entry) ->
                {
                    final long packed = entry.key().get().getValue();
                    copy.put((int)(packed >> 8), (int)(packed & 0xFF), entry.value().get().getValue());
                });
            }
            finally
            {
                copy.close();
            }
        }
    }

    /**
     * Copy a snapshot into a new data directory, ready for a tracker to open (it will run recovery).
     *
     * @param snapshot snapshot directory.
     * @param dataDir  data directory to create; must not hold tables.
     */
    public static void restore(final Path snapshot, final Path dataDir)
    {
        try
        {
            if (!Files.exists(snapshot.resolve(MANIFEST)))
            {
                throw new TrackerException(snapshot + " is not a snapshot (no " + MANIFEST + ")");
            }
            if (Files.exists(dataDir.resolve(DataDirectory.PENDING_FILE)))
            {
                throw new TrackerException("data directory " + dataDir + " already holds tables");
            }
            Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
            for (final String name : List.of(
                DataDirectory.PENDING_FILE, DataDirectory.STREAMS_FILE, DestinationRegistry.FILE_NAME))
            {
                final Path source = snapshot.resolve(name);
                if (Files.exists(source))
                {
                    Files.copy(source, dataDir.resolve(name));
                    Files.setPosixFilePermissions(dataDir.resolve(name), DataDirectory.filePermissions());
                }
            }
            Files.deleteIfExists(dataDir.resolve(DataDirectory.CLEAN_MARKER));
        }
        catch (final IOException ex)
        {
            throw new TrackerException("restore of " + snapshot + " failed: " + ex.getMessage(), ex);
        }
    }

    static LongValue longValue(final long value)
    {
        final LongValue result = Values.newHeapInstance(LongValue.class);
        result.setValue(value);
        return result;
    }
}

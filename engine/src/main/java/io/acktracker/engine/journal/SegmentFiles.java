package io.acktracker.engine.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Naming, listing and mapping of segment files. A segment is named by the journal position of its first byte, in
 * 16 hex digits so names sort in position order: {@code journal-0000000000010000.seg}. A segment being prepared is
 * {@code journal-<position>.seg.tmp} until it is complete.
 * <p>
 * Threading: stateless; any thread.
 */
final class SegmentFiles
{
    static final String PREFIX = "journal-";
    static final String SUFFIX = ".seg";
    static final String TMP_SUFFIX = ".seg.tmp";
    private static final int HEX_DIGITS = 16;

    /** A segment file found in the directory. */
    record SegmentFile(long basePosition, Path path, long size)
    {
    }

    private SegmentFiles()
    {
    }

    static String fileName(final long basePosition)
    {
        final String hex = Long.toHexString(basePosition);
        return PREFIX + "0".repeat(HEX_DIGITS - hex.length()) + hex + SUFFIX;
    }

    static String tmpFileName(final long basePosition)
    {
        return fileName(basePosition) + ".tmp";
    }

    /**
     * @param name a file name.
     * @return the base position it names, or -1 when it is not a segment's name.
     */
    static long basePosition(final String name)
    {
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX) ||
            name.length() != PREFIX.length() + HEX_DIGITS + SUFFIX.length())
        {
            return -1;
        }
        try
        {
            final long base = Long.parseUnsignedLong(name.substring(PREFIX.length(), PREFIX.length() + HEX_DIGITS), 16);
            return base < 0 ? -1 : base;
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * @param directory the journal's directory.
     * @return its segment files in position order; other files are left out.
     */
    static List<SegmentFile> list(final Path directory)
    {
        final List<SegmentFile> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX))
        {
            for (final Path path : stream)
            {
                final long base = basePosition(path.getFileName().toString());
                if (base >= 0)
                {
                    files.add(new SegmentFile(base, path, Files.size(path)));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list journal directory " + directory + ": " + ex, ex);
        }
        files.sort(Comparator.comparingLong(SegmentFile::basePosition));
        return files;
    }

    /**
     * Delete the leftovers of preparations a stopped process did not finish.
     *
     * @param directory the journal's directory.
     * @return how many were deleted.
     */
    static int deleteTemporaryFiles(final Path directory)
    {
        int deleted = 0;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, PREFIX + "*" + TMP_SUFFIX))
        {
            for (final Path path : stream)
            {
                Files.delete(path);
                deleted++;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete temporary journal files in " + directory + ": " + ex, ex);
        }
        return deleted;
    }

    /**
     * Map a whole segment file.
     *
     * @param path      the file.
     * @param length    the segment length (the file's size).
     * @param writable  map read-write, else read-only.
     * @return the mapping; the channel is closed, the mapping stays valid.
     * @throws IOException when it cannot be opened or mapped.
     */
    static MappedByteBuffer map(final Path path, final int length, final boolean writable) throws IOException
    {
        try (FileChannel channel = writable ?
            FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE) :
            FileChannel.open(path, StandardOpenOption.READ))
        {
            return channel.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, 0, length);
        }
    }

    /**
     * fsync a directory, so a file created or renamed in it survives a power loss.
     *
     * @param directory the directory.
     * @throws IOException when it fails.
     */
    static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}

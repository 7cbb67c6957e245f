package io.acktracker.bench.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch directories for persisted trackers. The parent defaults to {@code java.io.tmpdir} and can be moved with
 * {@code -Dacktracker.bench.dir=/path} (for example onto the disk the real deployment uses).
 * <p>
 * Any thread.
 */
public final class TempDirs
{
    /** System property naming the parent of scratch directories. */
    public static final String DIR_PROPERTY = "acktracker.bench.dir";

    private TempDirs()
    {
    }

    /**
     * Create a new empty scratch directory.
     *
     * @param prefix name prefix.
     * @return the directory.
     */
    public static Path create(final String prefix)
    {
        try
        {
            final Path parent = Paths.get(System.getProperty(DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Delete a directory and everything in it; nothing happens for null or a missing directory.
     *
     * @param dir to delete.
     */
    public static void delete(final Path dir)
    {
        if (null == dir || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(TempDirs::deleteOne);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Total size of the regular files under a directory.
     *
     * @param dir to measure.
     * @return bytes.
     */
    public static long sizeOf(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            return paths.filter(Files::isRegularFile).mapToLong(TempDirs::sizeOne).sum();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void deleteOne(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static long sizeOne(final Path path)
    {
        try
        {
            return Files.size(path);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}

package io.acktracker.engine.testing;

import io.acktracker.engine.store.StoreLayout;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What every file in a directory holds, when it was last modified and its mode, so a test can show that a refused
 * open or a read-only tool changed nothing (compare two states with {@code equals}) and that every file is
 * owner-only. {@code tracker.lock} is described by size, time and mode, never opened: a test holding the lock
 * in its own JVM would drop it by closing a descriptor of the file.
 * <p>
 * Threading: the test's thread.
 *
 * @param files file name to "sha256 mtime(ns) mode".
 */
public record DirectoryState(Map<String, String> files)
{
    /**
     * Read a directory's state (regular files directly in it, and its own mode under ".").
     *
     * @param dir the directory.
     * @return the state.
     */
    public static DirectoryState of(final Path dir)
    {
        return of(dir, false);
    }

    /**
     * Read the state of a directory a tracker is running in: its counters files ({@code *.dat}, written live
     * through a mapping) are described by inode, size and mode, so a file replaced by another process shows as a
     * new inode while the running tracker's own counting does not count as a change.
     *
     * @param dir the directory.
     * @return the state.
     */
    public static DirectoryState ofRunning(final Path dir)
    {
        return of(dir, true);
    }

    private static DirectoryState of(final Path dir, final boolean running)
    {
        final Map<String, String> files = new TreeMap<>();
        try (var entries = Files.list(dir))
        {
            files.put(".", mode(dir));
            for (final Path file : (Iterable<Path>)entries::iterator)
            {
                if (StoreLayout.LOCK_FILE.equals(file.getFileName().toString()))
                {
                    // never opened: closing a descriptor of it would drop this process's lock (DirectoryLock)
                    files.put(StoreLayout.LOCK_FILE, Files.size(file) + " bytes " +
                        Files.getLastModifiedTime(file).toInstant() + " " + mode(file));
                }
                else if (running && file.getFileName().toString().endsWith(".dat"))
                {
                    files.put(file.getFileName().toString(), "inode " +
                        Files.readAttributes(file, BasicFileAttributes.class).fileKey() + " " + Files.size(file) +
                        " bytes " + mode(file));
                }
                else if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                {
                    files.put(file.getFileName().toString(), sha256(file) + " " +
                        Files.getLastModifiedTime(file).toInstant() + " " + mode(file));
                }
                else
                {
                    files.put(file.getFileName().toString(), "not a regular file, " + mode(file));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return new DirectoryState(files);
    }

    /**
     * Files (and the directory, as ".") whose mode is not owner-only: {@code rw-------} for a file,
     * {@code rwx------} for the directory.
     *
     * @param dir the directory.
     * @return name to mode for each one that is wrong.
     */
    public static Map<String, String> notOwnerOnly(final Path dir)
    {
        final Map<String, String> wrong = new TreeMap<>();
        try (var entries = Files.list(dir))
        {
            if (!"rwx------".equals(mode(dir)))
            {
                wrong.put(".", mode(dir));
            }
            for (final Path file : (Iterable<Path>)entries::iterator)
            {
                final String expected = Files.isDirectory(file) ? "rwx------" : "rw-------";
                if (!expected.equals(mode(file)))
                {
                    wrong.put(file.getFileName().toString(), mode(file));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return wrong;
    }

    private static String mode(final Path path) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static String sha256(final Path file) throws IOException
    {
        try (InputStream in = Files.newInputStream(file))
        {
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            final byte[] buffer = new byte[1 << 16];
            for (int read; (read = in.read(buffer)) > 0; )
            {
                digest.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}

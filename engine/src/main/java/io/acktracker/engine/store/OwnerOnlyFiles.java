package io.acktracker.engine.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creating and replacing files so they are owner-only from their first byte, whatever the process umask: a file is
 * created {@code 0600} (a directory {@code 0700}) and its mode is then set explicitly, because a creation mode is
 * only ever narrowed by the umask, and a file created without one (Chronicle's, {@code Files.newOutputStream}) is
 * world-readable under the usual umask. Every file the tracker and the transport put in a data directory goes
 * through here or is secured right after the library that made it returns.
 * <p>
 * Threading: stateless; any thread.
 */
public final class OwnerOnlyFiles
{
    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    /** {@code rwx------}. */
    public static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");

    private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTRIBUTE =
        PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS);
    private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY_ATTRIBUTE =
        PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS);

    private OwnerOnlyFiles()
    {
    }

    /**
     * Create a directory and any missing parents, each {@code 0700}; an existing one is left as it is.
     *
     * @param dir the directory.
     * @throws IOException when it cannot be created.
     */
    public static void createDirectories(final Path dir) throws IOException
    {
        if (Files.isDirectory(dir))
        {
            return;
        }
        final Path parent = dir.toAbsolutePath().getParent();
        if (null != parent)
        {
            createDirectories(parent);
        }
        try
        {
            Files.createDirectory(dir, DIRECTORY_ATTRIBUTE);
            Files.setPosixFilePermissions(dir, DIRECTORY_PERMISSIONS);
        }
        catch (final FileAlreadyExistsException ex)
        {
            if (!Files.isDirectory(dir))
            {
                throw ex;
            }
        }
    }

    /**
     * Create an empty owner-only file, or leave an existing one untouched.
     *
     * @param file the file.
     * @return true when it was created.
     * @throws IOException when it cannot be created.
     */
    public static boolean createIfMissing(final Path file) throws IOException
    {
        try
        {
            Files.createFile(file, FILE_ATTRIBUTE);
        }
        catch (final FileAlreadyExistsException ex)
        {
            return false;
        }
        Files.setPosixFilePermissions(file, FILE_PERMISSIONS);
        return true;
    }

    /**
     * Replace a file's content atomically: write a new owner-only file beside it, force it to disk, move it into
     * place and force the directory, so a crash leaves the old content or the new, never a mix.
     *
     * @param file    the file.
     * @param content its new content.
     * @throws IOException when it cannot be written.
     */
    public static void replace(final Path file, final byte[] content) throws IOException
    {
        final Path temp = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(temp);
        createIfMissing(temp);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(file.toAbsolutePath().getParent());
    }

    /**
     * Copy a file into a new owner-only file (never world-readable, even for a moment).
     *
     * @param source the file to copy.
     * @param target the new file; must not exist.
     * @throws IOException when it cannot be copied.
     */
    public static void copy(final Path source, final Path target) throws IOException
    {
        Files.createFile(target, FILE_ATTRIBUTE);
        Files.setPosixFilePermissions(target, FILE_PERMISSIONS);
        try (var out = Files.newOutputStream(target, StandardOpenOption.WRITE))
        {
            Files.copy(source, out);
        }
    }

    /**
     * Set owner-only modes on a directory and every file and directory directly in it, changing only those that
     * differ (a mode change is no write: contents and modification times stay as they are).
     *
     * @param dir the directory.
     * @throws IOException when a mode cannot be read or set.
     */
    public static void secure(final Path dir) throws IOException
    {
        secureOne(dir, DIRECTORY_PERMISSIONS);
        try (var entries = Files.list(dir))
        {
            for (final Path entry : (Iterable<Path>)entries::iterator)
            {
                if (Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                {
                    secureOne(entry, DIRECTORY_PERMISSIONS);
                }
                else if (Files.isRegularFile(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                {
                    secureOne(entry, FILE_PERMISSIONS);
                }
            }
        }
    }

    private static void secureOne(final Path path, final Set<PosixFilePermission> permissions) throws IOException
    {
        if (!Files.getPosixFilePermissions(path).equals(permissions))
        {
            Files.setPosixFilePermissions(path, permissions);
        }
    }

    /**
     * Force a directory's entries (a created, moved or deleted file) to disk.
     *
     * @param dir the directory.
     * @throws IOException when it cannot be forced.
     */
    public static void forceDirectory(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}

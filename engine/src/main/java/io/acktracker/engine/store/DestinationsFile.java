package io.acktracker.engine.store;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.TrackerException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The destination registry's file, {@code destinations.txt}: a header line, then one name per line, a destination's
 * id being its line's place after the header. Persisted records name destinations by id, so this file is as
 * precious as the tables: a missing, empty, cut or edited one would give ids the wrong names, or none.
 * <pre>
 * # acktracker destinations: id = line number after this one
 * venue-a
 * venue-b
 * </pre>
 * Every line ends with a newline (a registration is written as one line and forced), so a last line without one
 * means the file was cut. A file from before the header existed (names only) is read as it is and kept so.
 * <p>
 * Threading: stateless; the tracker calls it from the thread that opens it and, for a registration, from the
 * registry's synchronised path.
 */
public final class DestinationsFile
{
    /** First line of a registry file. */
    public static final String HEADER = "# acktracker destinations: id = line number after this one";

    private DestinationsFile()
    {
    }

    /**
     * Create the file of a brand-new directory: the header and no names, owner-only, forced.
     *
     * @param file the file.
     * @throws TrackerException when it cannot be written.
     */
    public static void create(final Path file)
    {
        write(file, List.of());
    }

    /**
     * Write a whole registry (a new directory, a snapshot), replacing the file atomically.
     *
     * @param file  the file.
     * @param names names in id order.
     * @throws TrackerException when it cannot be written.
     */
    public static void write(final Path file, final List<String> names)
    {
        final StringBuilder text = new StringBuilder(HEADER).append('\n');
        names.forEach((name) -> text.append(name).append('\n'));
        try
        {
            OwnerOnlyFiles.replace(file, text.toString().getBytes(StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new TrackerException("cannot write the destination registry " + file + ": " + ex.getMessage() +
                "; check free space and permissions", ex);
        }
    }

    /**
     * Read and check the names: present, not empty, not cut, every name valid, none twice.
     *
     * @param file the file.
     * @return names in id order.
     * @throws TrackerException naming the file and what is wrong.
     */
    public static List<String> read(final Path file)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw damaged(file, "is missing");
        }
        catch (final IOException ex)
        {
            throw damaged(file, "cannot be read (" + ex.getMessage() + ")");
        }
        if (0 == bytes.length)
        {
            throw damaged(file, "is empty (0 bytes)");
        }
        if ('\n' != bytes[bytes.length - 1])
        {
            throw damaged(file, "is cut short (its last line has no end)");
        }
        final String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        final List<String> names = new ArrayList<>();
        final Map<String, Integer> lineOf = new HashMap<>();
        final int first = lines[0].startsWith("#") ? 1 : 0;
        for (int i = first; i < lines.length - 1; i++)
        {
            final String name = lines[i];
            final int lineNumber = i + 1;
            if (!DestinationRegistry.isValidName(name))
            {
                throw damaged(file, "has an invalid name on line " + lineNumber + " ('" + name + "')");
            }
            final Integer earlier = lineOf.putIfAbsent(name, lineNumber);
            if (null != earlier)
            {
                throw damaged(file, "names '" + name + "' twice (lines " + earlier + " and " + lineNumber + ")");
            }
            names.add(name);
        }
        if (names.size() > DestinationRegistry.MAX_DESTINATIONS)
        {
            throw damaged(file, "holds " + names.size() + " names, more than " + DestinationRegistry.MAX_DESTINATIONS);
        }
        return names;
    }

    /**
     * Append one registration and force it to disk. The file must exist: it is created with the directory, and a
     * registry that vanished while the tracker ran must not be started again from nothing.
     *
     * @param file the file.
     * @param name a valid name not yet in it.
     * @throws TrackerException when it cannot be written.
     */
    public static void append(final Path file, final String name)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND))
        {
            final ByteBuffer buffer = ByteBuffer.wrap((name + "\n").getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            channel.force(true);
        }
        catch (final NoSuchFileException ex)
        {
            throw new TrackerException("cannot register destination '" + name + "': the registry " + file +
                " is gone; stop the tracker and restore the data directory from a snapshot", ex);
        }
        catch (final IOException ex)
        {
            throw new TrackerException("cannot register destination '" + name + "' in " + file + ": " +
                ex.getMessage() + "; check free space", ex);
        }
    }

    private static TrackerException damaged(final Path file, final String what)
    {
        return new TrackerException("destination registry " + file + " " + what + ": destination ids would get " +
            "the wrong names; restore the data directory from a snapshot (Snapshots.restore) or move it aside");
    }
}

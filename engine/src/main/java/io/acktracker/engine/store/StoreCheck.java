package io.acktracker.engine.store;

import io.acktracker.engine.api.TrackerException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Properties;

/**
 * Decides whether a data directory is brand new or has been used, and refuses a used one that is not whole, before
 * anything in it is opened for writing.
 * <p>
 * Why: Chronicle Map treats an empty or missing file as a new map, and the registry was read as "no names" when
 * missing, so a zero-length {@code pending.cmap} started a tracker empty (every pending message gone without a
 * word) and a deleted {@code destinations.txt} turned destination names into {@code #0}, {@code #1}. A directory
 * holding any table, the registry, the incarnation or the clean-shutdown marker has been used; it must then hold
 * every table and the registry, each with a sound start. What is checked (reads only, nothing is written):
 * <ul>
 *     <li>each table: present, not empty, at least a Chronicle header long, its first {@value #HEADER_PREFIX}
 *     bytes (header checksum and length) not all zero, and its header no longer than the file (Chronicle itself
 *     then refuses a file shorter than its data store, without writing);</li>
 *     <li>the registry: see {@link DestinationsFile#read};</li>
 *     <li>the incarnation, lease secret and sizing, when present: parseable, the right length.</li>
 * </ul>
 * Every refusal is one line naming the file and what is wrong, and says to restore a snapshot.
 * <p>
 * Threading: stateless; the thread that opens the directory, holding its lock.
 */
public final class StoreCheck
{
    /** Chronicle Map's self-bootstrapping header starts with an 8-byte checksum and a 4-byte length. */
    static final int HEADER_PREFIX = 12;
    private static final int HEADER_LENGTH_MASK = 0x3FFF_FFFF;
    private static final int LEASE_SECRET_LENGTH = 16;

    /** Files whose presence means the directory has been used. */
    private static final List<String> USED_MARKS = List.of(StoreLayout.PENDING_FILE, StoreLayout.STREAMS_FILE,
        StoreLayout.EXTRAS_FILE, StoreLayout.DEAD_LETTERS_FILE, StoreLayout.STATE_FILE,
        StoreLayout.DESTINATIONS_FILE, StoreLayout.INCARNATION_FILE, StoreLayout.CLEAN_MARKER);

    private StoreCheck()
    {
    }

    /**
     * Whether a directory holds none of a tracker's state (no table, registry, incarnation or clean marker): a
     * tracker may create everything in it.
     *
     * @param dir the directory.
     * @return true when brand new.
     */
    public static boolean isBrandNew(final Path dir)
    {
        for (final String name : USED_MARKS)
        {
            if (Files.exists(dir.resolve(name)))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Refuse a used directory that lacks a file or has a damaged one.
     *
     * @param dir the directory.
     * @throws TrackerException naming the first file that is wrong.
     */
    public static void requireWhole(final Path dir)
    {
        if (StoreLayout.STORE_JOURNAL.equals(DataDirectory.storeKind(dir)))
        {
            checkJournal(dir.resolve(StoreLayout.JOURNAL_DIRECTORY));
        }
        else
        {
            for (final String name : StoreLayout.TABLE_FILES)
            {
                checkTable(dir.resolve(name));
            }
        }
        DestinationsFile.read(dir.resolve(StoreLayout.DESTINATIONS_FILE));
        checkIncarnation(dir.resolve(StoreLayout.INCARNATION_FILE));
        checkLeaseSecret(dir.resolve(StoreLayout.LEASE_SECRET_FILE));
        checkSizing(dir.resolve(StoreLayout.PROPERTIES_FILE));
    }

    /** A journal store's journal: the directory with at least one segment (the reader checks each at open). */
    private static void checkJournal(final Path journal)
    {
        if (!Files.isDirectory(journal))
        {
            throw damaged(journal, "is missing");
        }
        try (var files = Files.list(journal))
        {
            if (files.noneMatch((file) -> file.getFileName().toString().endsWith(".seg")))
            {
                throw damaged(journal, "holds no journal segment");
            }
        }
        catch (final IOException ex)
        {
            throw damaged(journal, "cannot be read (" + ex.getMessage() + ")");
        }
    }

    private static void checkTable(final Path file)
    {
        if (!Files.exists(file))
        {
            throw damaged(file, "is missing");
        }
        if (!Files.isRegularFile(file))
        {
            throw damaged(file, "is not a regular file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (0 == size)
            {
                throw damaged(file, "is empty (0 bytes)");
            }
            if (size < HEADER_PREFIX)
            {
                throw damaged(file, "is truncated (" + size + " bytes, shorter than a Chronicle Map header)");
            }
            final ByteBuffer prefix = ByteBuffer.allocate(HEADER_PREFIX).order(ByteOrder.LITTLE_ENDIAN);
            while (prefix.hasRemaining() && channel.read(prefix, prefix.position()) > 0)
            {
                // read the whole prefix
            }
            if (isAllZero(prefix.array()))
            {
                throw damaged(file, "has a zeroed header (its first " + HEADER_PREFIX + " bytes are 0)");
            }
            final long headerLength = prefix.getInt(8) & HEADER_LENGTH_MASK;
            if (0 == headerLength || HEADER_PREFIX + headerLength > size)
            {
                throw damaged(file, "is truncated or its header is damaged (" + size + " bytes, header of " +
                    headerLength + ")");
            }
        }
        catch (final IOException ex)
        {
            throw damaged(file, "cannot be read (" + ex.getMessage() + ")");
        }
    }

    private static boolean isAllZero(final byte[] bytes)
    {
        for (final byte b : bytes)
        {
            if (0 != b)
            {
                return false;
            }
        }
        return true;
    }

    private static void checkIncarnation(final Path file)
    {
        if (!Files.exists(file))
        {
            return;
        }
        final String text = readText(file).strip();
        try
        {
            if (Long.parseLong(text) > 0)
            {
                return;
            }
        }
        catch (final NumberFormatException ex)
        {
            // refused below
        }
        throw damaged(file, "is damaged ('" + text + "', expected the count of starts)");
    }

    private static void checkLeaseSecret(final Path file)
    {
        try
        {
            if (Files.exists(file) && LEASE_SECRET_LENGTH != Files.size(file))
            {
                throw damaged(file, "is damaged (" + Files.size(file) + " bytes, expected " + LEASE_SECRET_LENGTH +
                    ")");
            }
        }
        catch (final IOException ex)
        {
            throw damaged(file, "cannot be read (" + ex.getMessage() + ")");
        }
    }

    private static void checkSizing(final Path file)
    {
        if (!Files.exists(file))
        {
            return;
        }
        final Properties properties = new Properties();
        try
        {
            properties.load(new java.io.StringReader(readText(file)));
            Integer.parseInt(properties.getProperty("capacity", "0"));
            Integer.parseInt(properties.getProperty("tombstoneCapacity", "0"));
        }
        catch (final IOException | NumberFormatException ex)
        {
            throw damaged(file, "is damaged (" + ex.getMessage() + ")");
        }
    }

    private static String readText(final Path file)
    {
        try
        {
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            throw damaged(file, "cannot be read (" + ex.getMessage() + ")");
        }
    }

    private static TrackerException damaged(final Path file, final String what)
    {
        return new TrackerException("data directory file " + file + " " + what + "; the directory has been used, " +
            "so starting without it would lose state: restore a snapshot (Snapshots.restore) or move the directory " +
            "aside (delete it only if it never held data)");
    }
}

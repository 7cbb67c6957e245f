package io.acktracker.transport.service.soak;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A soak client's journal: one line per event, written through to the file before the client goes on (so a
 * SIGKILL loses at most the line being written), read back by the client's next process and by the test. A line
 * cut short by a kill is ended by the next writer and skipped by readers ({@link #readNew}). Lines are words
 * separated by single spaces, the first word naming the event.
 * <p>
 * Threading: one writer; readers in other processes read complete lines only.
 */
final class SoakLog implements AutoCloseable
{
    private final RandomAccessFile file;

    /**
     * Open for appending, ending a line the previous writer's kill cut short.
     *
     * @param path the journal.
     */
    SoakLog(final Path path)
    {
        try
        {
            file = new RandomAccessFile(path.toFile(), "rw");
            final long length = file.length();
            if (length > 0)
            {
                file.seek(length - 1);
                if ('\n' != file.read())
                {
                    file.write('\n');
                }
            }
            file.seek(file.length());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Append one line; it is in the file (the page cache, which outlives the process) when this returns.
     *
     * @param words the line's words.
     */
    void write(final Object... words)
    {
        final StringBuilder line = new StringBuilder(64);
        for (int i = 0; i < words.length; i++)
        {
            line.append(0 == i ? "" : " ").append(words[i]);
        }
        line.append('\n');
        try
        {
            file.write(line.toString().getBytes(StandardCharsets.US_ASCII));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public void close()
    {
        try
        {
            file.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** A reader's place in a journal another process writes. */
    static final class Cursor
    {
        private long position;
        private long malformed;

        long malformed()
        {
            return malformed;
        }
    }

    /**
     * The complete lines written since the cursor's place, split into words; moves the cursor past them. A line
     * whose words do not parse as expected is the caller's to count; a line cut short by a kill was ended by the
     * next writer and is returned as written (callers check its word count).
     *
     * @param path   the journal (may not exist yet).
     * @param cursor where the last read ended.
     * @return the new lines.
     */
    static List<String[]> readNew(final Path path, final Cursor cursor)
    {
        final List<String[]> lines = new ArrayList<>();
        if (!Files.exists(path))
        {
            return lines;
        }
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r"))
        {
            final long length = file.length();
            if (length <= cursor.position)
            {
                return lines;
            }
            final byte[] bytes = new byte[(int)Math.min(length - cursor.position, 64 << 20)];
            file.seek(cursor.position);
            file.readFully(bytes);
            int start = 0;
            for (int i = 0; i < bytes.length; i++)
            {
                if ('\n' == bytes[i])
                {
                    if (i > start)
                    {
                        lines.add(new String(bytes, start, i - start, StandardCharsets.US_ASCII).split(" "));
                    }
                    start = i + 1;
                }
            }
            cursor.position += start;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return lines;
    }

    /**
     * Whether a line is an event of the given kind with the given number of words, all after the first numeric.
     *
     * @param line  the words.
     * @param kind  the first word.
     * @param words how many words the event has.
     * @param cursor counts the lines of that kind that do not parse (a kill cut them short).
     * @return true when it parses.
     */
    static boolean is(final String[] line, final String kind, final int words, final Cursor cursor)
    {
        if (!kind.equals(line[0]))
        {
            return false;
        }
        if (line.length != words)
        {
            cursor.malformed++;
            return false;
        }
        for (int i = 1; i < words; i++)
        {
            if (line[i].isEmpty() || !line[i].chars().allMatch((c) -> (c >= '0' && c <= '9') || '-' == c))
            {
                cursor.malformed++;
                return false;
            }
        }
        return true;
    }
}

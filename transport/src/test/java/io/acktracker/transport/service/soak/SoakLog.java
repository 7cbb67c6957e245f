package io.acktracker.transport.service.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

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
     * The complete lines written since the cursor's place, split into words, read as they are iterated (a long
     * soak's journals reach hundreds of megabytes: they are streamed, never held); the cursor moves past each line
     * returned. A line whose words do not parse as expected is the caller's to count; a line cut short by a kill was
     * ended by the next writer and is returned as written (callers check its word count); a last line not ended yet
     * is left for the next read. Iterate to the end: the file is closed there.
     *
     * @param path   the journal (may not exist yet).
     * @param cursor where the last read ended.
     * @return the new lines.
     */
    static Iterable<String[]> readNew(final Path path, final Cursor cursor)
    {
        return () -> new LineIterator(path, cursor);
    }

    /** The complete lines after a cursor, read in blocks. */
    private static final class LineIterator implements Iterator<String[]>
    {
        private final Cursor cursor;
        private final byte[] block = new byte[1 << 16];
        private byte[] line = new byte[256];
        private InputStream in;
        private int blockLength;
        private int blockIndex;
        private String[] next;

        LineIterator(final Path path, final Cursor cursor)
        {
            this.cursor = cursor;
            try
            {
                if (Files.exists(path))
                {
                    in = Files.newInputStream(path);
                    in.skipNBytes(cursor.position);
                }
            }
            catch (final IOException ex)
            {
                close();
                throw new UncheckedIOException(ex);
            }
        }

        public boolean hasNext()
        {
            try
            {
                int length = 0;
                while (null == next && null != in)
                {
                    if (blockIndex == blockLength)
                    {
                        blockLength = Math.max(0, in.read(block));
                        blockIndex = 0;
                        if (0 == blockLength)
                        {
                            // the end for now: a line without its newline yet is read next time
                            close();
                            break;
                        }
                    }
                    final byte b = block[blockIndex++];
                    if ('\n' == b)
                    {
                        cursor.position += length + 1;
                        if (length > 0)
                        {
                            next = new String(line, 0, length, StandardCharsets.US_ASCII).split(" ");
                        }
                        length = 0;
                    }
                    else
                    {
                        if (length == line.length)
                        {
                            line = Arrays.copyOf(line, 2 * length);
                        }
                        line[length++] = b;
                    }
                }
                return null != next;
            }
            catch (final IOException ex)
            {
                close();
                throw new UncheckedIOException(ex);
            }
        }

        public String[] next()
        {
            if (!hasNext())
            {
                throw new NoSuchElementException();
            }
            final String[] words = next;
            next = null;
            return words;
        }

        private void close()
        {
            if (null != in)
            {
                try
                {
                    in.close();
                }
                catch (final IOException ignore)
                {
                    // read-only: nothing was lost
                }
                in = null;
            }
        }
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

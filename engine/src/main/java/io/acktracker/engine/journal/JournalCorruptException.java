package io.acktracker.engine.journal;

import java.nio.file.Path;

/**
 * The journal on disk is not what the appender could have left: a gap between segments, a segment of the wrong size,
 * a bad frame followed by more data. Recovery must stop here; nothing is skipped silently.
 * <p>
 * Threading: any.
 */
public final class JournalCorruptException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    /** Journal position at fault, -1 when the fault is the file as a whole. */
    private final long position;

    /**
     * @param file     the segment file at fault.
     * @param position journal position at fault, -1 when the fault is the file as a whole.
     * @param what     what is wrong, as one line.
     */
    public JournalCorruptException(final Path file, final long position, final String what)
    {
        super("journal corrupt: " + file + (position >= 0 ? " at position " + position : "") + ": " + what);
        this.file = file;
        this.position = position;
    }

    /**
     * @return the segment file at fault.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @return journal position at fault, -1 when the fault is the file as a whole.
     */
    public long position()
    {
        return position;
    }
}

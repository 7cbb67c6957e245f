package io.acktracker.engine.journal;

import java.nio.file.Path;

/**
 * Where a replayed journal ends, as the {@link JournalReader} found it: the position the appender resumes at, and how
 * many bytes of a torn tail (a frame only partly on disk after a power loss) were dropped there. Only the reader
 * makes one, so the appender cannot open at a position no reader checked.
 * <p>
 * Threading: immutable; any thread.
 */
public final class JournalEnd
{
    private final Path directory;
    private final int segmentLength;
    private final long startPosition;
    private final long endPosition;
    private final int tornBytes;
    private final long frameCount;

    JournalEnd(
        final Path directory,
        final int segmentLength,
        final long startPosition,
        final long endPosition,
        final int tornBytes,
        final long frameCount)
    {
        this.directory = directory;
        this.segmentLength = segmentLength;
        this.startPosition = startPosition;
        this.endPosition = endPosition;
        this.tornBytes = tornBytes;
        this.frameCount = frameCount;
    }

    Path directory()
    {
        return directory;
    }

    int segmentLength()
    {
        return segmentLength;
    }

    /**
     * @return position of the journal's first byte (0, or the base of the oldest segment kept after deletions).
     */
    public long startPosition()
    {
        return startPosition;
    }

    /**
     * @return the position after the last valid frame: where the appender resumes.
     */
    public long endPosition()
    {
        return endPosition;
    }

    /**
     * @return bytes of a torn tail dropped at {@link #endPosition()} (the appender zeroes them), 0 for a clean end.
     */
    public int tornBytes()
    {
        return tornBytes;
    }

    /**
     * @return frames passed to the handler (padding not counted).
     */
    public long frameCount()
    {
        return frameCount;
    }

    public String toString()
    {
        return "JournalEnd{directory=" + directory + ", start=" + startPosition + ", end=" + endPosition +
            ", tornBytes=" + tornBytes + ", frames=" + frameCount + '}';
    }
}

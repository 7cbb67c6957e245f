package io.acktracker.engine.journal;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The command journal: an append-only run of mapped segment files holding every applied command, from which
 * recovery replays the tail after the latest checkpoint. This class opens it where the {@link JournalReader} found
 * its end and composes the parts, each owning its own state:
 * <ul>
 *     <li>the {@link JournalAppender}, the agent thread's writer (no allocation, lock or system call);</li>
 *     <li>the {@link JournalHelperAgent}, which prepares segments ahead, group-commits, retires and deletes; the
 *     owner picks its threading (an {@code AgentRunner} names the thread {@value JournalHelperAgent#ROLE_NAME});</li>
 *     <li>the {@link JournalStatus} and {@link JournalCounters} they publish.</li>
 * </ul>
 * Order of use: {@code JournalReader.open(config).replay(checkpointPosition, handler)} gives a {@link JournalEnd};
 * {@code Journal.open(config, end)}; start the helper; append on the agent thread; after a checkpoint at position P,
 * {@link #deleteSegmentsBelow(long) deleteSegmentsBelow(P)}. To stop: stop the appender's thread, then the helper
 * (its runner's close calls {@link JournalHelperAgent#onClose()}), then {@link #close()}.
 * <p>
 * Durability: see {@link JournalConfig#syncIntervalNs(long)}. One process at a time may open a directory; the
 * engine's data-directory lock is what ensures it.
 * <p>
 * Threading: {@link #open}, {@link #deleteSegmentsBelow}, {@link #close} and the getters: the owner's thread.
 */
public final class Journal implements AutoCloseable
{
    private final JournalAppender appender;
    private final JournalHelperAgent helper;
    private final JournalStatus status;
    private final JournalCounters counters;
    private boolean closed;

    private Journal(
        final JournalAppender appender,
        final JournalHelperAgent helper,
        final JournalStatus status,
        final JournalCounters counters)
    {
        this.appender = appender;
        this.helper = helper;
        this.status = status;
        this.counters = counters;
    }

    /**
     * Open the journal for appending at the end a reader found: zero a torn tail, map (or create, when the end is a
     * segment boundary) the segment holding the end. The next segment is prepared by the helper, not here.
     *
     * @param config the journal's settings, the same the reader used.
     * @param end    what {@link JournalReader#replay} returned.
     * @return the open journal.
     * @throws UncheckedIOException when the current segment cannot be mapped or created (e.g. the disk is full).
     */
    public static Journal open(final JournalConfig config, final JournalEnd end)
    {
        config.conclude();
        final Path directory = config.directory();
        final int segmentLength = config.segmentLength();
        if (!directory.equals(end.directory()) || segmentLength != end.segmentLength())
        {
            throw new IllegalArgumentException("journal end " + end + " was found with other settings than " +
                directory + " and segment length " + segmentLength);
        }
        final long position = end.endPosition();
        final long basePosition = position - (position & (segmentLength - 1));
        final Segment segment = Files.exists(directory.resolve(SegmentFiles.fileName(basePosition))) ?
            resume(directory, segmentLength, basePosition, (int)(position - basePosition), end.tornBytes()) :
            create(config, basePosition);

        final JournalStatus status = new JournalStatus(position);
        final JournalCounters counters = new JournalCounters();
        final SegmentHandoff handoff = new SegmentHandoff();
        return new Journal(
            new JournalAppender(segment, position, config.maxFrameLength(), handoff, status, counters),
            new JournalHelperAgent(config, segment, position, handoff, status, counters),
            status,
            counters);
    }

    /**
     * @return the writer; agent thread only.
     */
    public JournalAppender appender()
    {
        return appender;
    }

    /**
     * @return the helper agent, for the owner to run.
     */
    public JournalHelperAgent helperAgent()
    {
        return helper;
    }

    /**
     * @return positions and preparation health; readable from any thread.
     */
    public JournalStatus status()
    {
        return status;
    }

    /**
     * @return refusals and the helper's work; readable from any thread.
     */
    public JournalCounters counters()
    {
        return counters;
    }

    /**
     * Ask the helper to delete every segment file wholly below a position, e.g. once a checkpoint holds the state at
     * that position. Segments the appender may still use are kept whatever the position.
     *
     * @param position the checkpoint's journal position.
     */
    public void deleteSegmentsBelow(final long position)
    {
        status.requestDeleteBelow(position);
    }

    /**
     * Close after the appender and the helper have stopped: unmap everything, msyncing what was appended first when
     * group commit is on.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            helper.onClose();
        }
    }

    private static Segment resume(
        final Path directory, final int segmentLength, final long basePosition, final int offset, final int tornBytes)
    {
        final Path path = directory.resolve(SegmentFiles.fileName(basePosition));
        try
        {
            final long size = Files.size(path);
            if (size != segmentLength)
            {
                throw new JournalCorruptException(path, -1, "segment is " + size + " bytes, expected " + segmentLength);
            }
            final MappedByteBuffer mapped = SegmentFiles.map(path, segmentLength, true);
            final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            if (tornBytes > 0)
            {
                buffer.setMemory(offset, tornBytes, (byte)0);
                mapped.force(offset, tornBytes);
            }
            // Pre-touch the pages still to be written, writing a zero over a byte that is already zero in each.
            final int pageSize = UnsafeApi.pageSize();
            for (int page = offset & -pageSize; page < segmentLength; page += pageSize)
            {
                buffer.putByte(Math.max(page, offset), (byte)0);
            }
            return new Segment(basePosition, path, mapped);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open journal segment " + path + ": " + ex, ex);
        }
    }

    private static Segment create(final JournalConfig config, final long basePosition)
    {
        final SegmentPreparer preparer =
            new SegmentPreparer(config.directory(), config.segmentLength(), config.prepareChunkLength());
        try
        {
            return preparer.prepareNow(basePosition);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create journal segment " +
                config.directory().resolve(SegmentFiles.fileName(basePosition)) + ": " + ex, ex);
        }
    }
}

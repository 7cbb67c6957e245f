package io.acktracker.engine.journal;

import io.acktracker.engine.store.OwnerOnlyFiles;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.acktracker.engine.journal.JournalFrameDescriptor.BODY_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.CHECKSUM_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.CLIENT_ID_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.CLIENT_SEQUENCE_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.FRAME_ALIGNMENT;
import static io.acktracker.engine.journal.JournalFrameDescriptor.HEADER_LENGTH;
import static io.acktracker.engine.journal.JournalFrameDescriptor.LENGTH_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.PADDING_TYPE;
import static io.acktracker.engine.journal.JournalFrameDescriptor.TIMESTAMP_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.TYPE_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.alignedLength;

/**
 * Recovery's view of the journal: opens the directory, checks the segments form one contiguous run, and replays the
 * frames from a position, checking every frame's bounds and checksum.
 * <p>
 * At open: leftover {@code *.seg.tmp} files (preparations a stopped process did not finish) are deleted; every
 * segment must be exactly the configured length (a zero-length, truncated or longer file is refused), start at a
 * multiple of it, and follow the previous one with no gap. An empty (or missing, then created) directory is an empty
 * journal starting at 0.
 * <p>
 * The end, and what is refused ({@link JournalCorruptException}, naming the file and position):
 * <ul>
 *     <li>a frame length of 0 where a frame should start is the end of the written data;</li>
 *     <li>a frame that fails its checks (length out of bounds, checksum mismatch) also ends the valid data;</li>
 *     <li>what follows that end decides: only zeros up to the end of the last segment is a clean end. Non-zero
 *     bytes in the same segment that contain no valid frame are a <b>torn tail</b>, the last writes only partly on
 *     disk after a power loss: replay stops there, reports the bytes dropped, and the appender resumes at the end,
 *     zeroing them. A valid frame after the end, or any non-zero byte in a later segment, means data after a hole:
 *     corruption, never skipped.</li>
 * </ul>
 * Why a frame with a broken length but no valid frame after it is still a torn tail: after a power loss the disk
 * can hold any subset of the pages the kernel had not written back, so the last frames may be partly there in any
 * order; a valid frame after a broken one is the one thing a torn write cannot explain away.
 * <p>
 * Cost: replay reads every segment from the given position to the last one, including the zeros after the end
 * (up to two segments' worth), to tell a clean end from a hole.
 * <p>
 * Threading: any one thread, before the appender opens.
 */
public final class JournalReader
{
    private final Path directory;
    private final int segmentLength;
    private final int maxFrameLength;
    private final List<SegmentFiles.SegmentFile> segments;
    private final FrameChecksum checksum = new FrameChecksum();

    private JournalReader(final JournalConfig config, final List<SegmentFiles.SegmentFile> segments)
    {
        this.directory = config.directory();
        this.segmentLength = config.segmentLength();
        this.maxFrameLength = config.maxFrameLength();
        this.segments = segments;
    }

    /**
     * Open a journal directory and check its segments.
     *
     * @param config the journal's settings (concluded here).
     * @return the reader.
     * @throws JournalCorruptException when the segments are not one contiguous run of full segments.
     */
    public static JournalReader open(final JournalConfig config)
    {
        config.conclude();
        final Path directory = config.directory();
        try
        {
            OwnerOnlyFiles.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create journal directory " + directory + ": " + ex, ex);
        }
        SegmentFiles.deleteTemporaryFiles(directory);
        final List<SegmentFiles.SegmentFile> segments = SegmentFiles.list(directory);
        final int segmentLength = config.segmentLength();
        long expectedBase = segments.isEmpty() ? 0 : segments.get(0).basePosition();
        for (final SegmentFiles.SegmentFile segment : segments)
        {
            if (segment.basePosition() % segmentLength != 0)
            {
                throw new JournalCorruptException(segment.path(), segment.basePosition(),
                    "segment does not start at a multiple of the segment length " + segmentLength);
            }
            if (segment.basePosition() != expectedBase)
            {
                throw new JournalCorruptException(segment.path(), expectedBase, "gap: missing segment " +
                    SegmentFiles.fileName(expectedBase) + " (positions " + expectedBase + " to " +
                    segment.basePosition() + " are absent)");
            }
            if (segment.size() != segmentLength)
            {
                throw new JournalCorruptException(segment.path(), -1, (0 == segment.size() ? "zero-length" :
                    segment.size() < segmentLength ? "truncated" : "oversized") + " segment: " + segment.size() +
                    " bytes, expected " + segmentLength);
            }
            expectedBase += segmentLength;
        }
        return new JournalReader(config, List.copyOf(segments));
    }

    /**
     * @return position of the journal's first byte: 0, or the oldest segment kept after deletions.
     */
    public long startPosition()
    {
        return segments.isEmpty() ? 0 : segments.get(0).basePosition();
    }

    /**
     * @return segment files found.
     */
    public int segmentCount()
    {
        return segments.size();
    }

    /**
     * Replay every frame from a position to the end, checking each.
     *
     * @param fromPosition a position {@link JournalAppender#append} returned (or the start): a frame boundary.
     * @param handler      receives each frame.
     * @return where the journal ends, for {@link Journal#open}.
     * @throws JournalCorruptException on a bad frame that is not a torn tail, or data after the end.
     * @throws IllegalArgumentException when the position is outside the journal or not frame-aligned.
     */
    public JournalEnd replay(final long fromPosition, final JournalFrameHandler handler)
    {
        return replay(fromPosition, handler, Long.MAX_VALUE);
    }

    /**
     * Read the journal's first frame (the tracker's genesis), without replaying the rest.
     *
     * @param handler receives the frame.
     * @return true when there was one; false for an empty journal.
     * @throws JournalCorruptException when the first frame is damaged and not a torn tail.
     */
    public boolean readFirst(final JournalFrameHandler handler)
    {
        return replay(startPosition(), handler, 1).frameCount() > 0;
    }

    private JournalEnd replay(final long fromPosition, final JournalFrameHandler handler, final long maxFrames)
    {
        final long start = startPosition();
        final long end = start + (long)segments.size() * segmentLength;
        if (fromPosition < start || fromPosition > end || 0 != (fromPosition & (FRAME_ALIGNMENT - 1)))
        {
            throw new IllegalArgumentException("cannot replay journal " + directory + " from position " +
                fromPosition + ": it holds positions " + start + " to " + end + " (frame-aligned)");
        }
        long frames = 0;
        for (int index = (int)((fromPosition - start) / segmentLength); index < segments.size(); index++)
        {
            final SegmentFiles.SegmentFile file = segments.get(index);
            final MappedByteBuffer mapped = map(file);
            try
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
                final ByteBuffer view = mapped.duplicate();
                int offset = (int)Math.max(0, fromPosition - file.basePosition());
                while (offset < segmentLength)
                {
                    final int frameLength = validFrameLength(buffer, view, offset);
                    if (frameLength <= 0)
                    {
                        return tail(index, buffer, view, offset, frames);
                    }
                    final int aligned = alignedLength(frameLength);
                    if (frameLength >= HEADER_LENGTH && PADDING_TYPE != buffer.getInt(offset + TYPE_OFFSET))
                    {
                        handler.onFrame(
                            buffer.getInt(offset + TYPE_OFFSET),
                            buffer.getLong(offset + TIMESTAMP_OFFSET),
                            buffer.getLong(offset + CLIENT_ID_OFFSET),
                            buffer.getLong(offset + CLIENT_SEQUENCE_OFFSET),
                            buffer,
                            offset + BODY_OFFSET,
                            frameLength - HEADER_LENGTH,
                            file.basePosition() + offset + aligned);
                        if (++frames >= maxFrames)
                        {
                            return new JournalEnd(directory, segmentLength, start,
                                file.basePosition() + offset + aligned, 0, frames);
                        }
                    }
                    offset += aligned;
                }
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
        return new JournalEnd(directory, segmentLength, start, end, 0, frames);
    }

    /**
     * @return the frame's length when a valid frame (or padding) starts here, else 0 (nothing written) or -1 (bad).
     */
    private int validFrameLength(final UnsafeBuffer buffer, final ByteBuffer view, final int offset)
    {
        final int length = buffer.getInt(offset + LENGTH_OFFSET);
        if (0 == length)
        {
            return 0;
        }
        final int remaining = segmentLength - offset;
        if (length < HEADER_LENGTH)
        {
            return length == remaining ? length : -1; // only padding the rest of a segment is shorter than a header
        }
        if (PADDING_TYPE == buffer.getInt(offset + TYPE_OFFSET))
        {
            return 0 == (length & (FRAME_ALIGNMENT - 1)) && length <= remaining &&
                buffer.getInt(offset + CHECKSUM_OFFSET) == checksum.compute(view, offset, HEADER_LENGTH) ? length : -1;
        }
        return length <= maxFrameLength && alignedLength(length) <= remaining &&
            buffer.getInt(offset + CHECKSUM_OFFSET) == checksum.compute(view, offset, length) ? length : -1;
    }

    /**
     * The valid data ends at {@code offset} of segment {@code index}: tell a clean end and a torn tail from a hole.
     */
    private JournalEnd tail(
        final int index, final UnsafeBuffer buffer, final ByteBuffer view, final int offset, final long frames)
    {
        final SegmentFiles.SegmentFile file = segments.get(index);
        final long endPosition = file.basePosition() + offset;
        final int lastNonZero = lastNonZeroWord(buffer, offset);
        int tornBytes = 0;
        if (lastNonZero >= 0)
        {
            // Any valid frame after the end means the end is a hole, not a torn tail. Only aligned starts can hold one.
            for (int candidate = offset + FRAME_ALIGNMENT; candidate <= lastNonZero; candidate += FRAME_ALIGNMENT)
            {
                if (validFrameLength(buffer, view, candidate) > 0)
                {
                    throw new JournalCorruptException(file.path(), endPosition, describe(buffer, view, offset) +
                        ", followed by a valid frame at position " + (file.basePosition() + candidate));
                }
            }
            tornBytes = lastNonZero + Long.BYTES - offset;
        }
        for (int later = index + 1; later < segments.size(); later++)
        {
            final SegmentFiles.SegmentFile laterFile = segments.get(later);
            final MappedByteBuffer mapped = map(laterFile);
            try
            {
                final int nonZero = lastNonZeroWord(new UnsafeBuffer(mapped), 0);
                if (nonZero >= 0)
                {
                    throw new JournalCorruptException(laterFile.path(), laterFile.basePosition() + nonZero,
                        "data after the end of the journal at position " + endPosition + " in " +
                        file.path().getFileName() + " (" + describe(buffer, view, offset) + ")");
                }
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
        return new JournalEnd(
            directory, segmentLength, startPosition(), endPosition, tornBytes, frames);
    }

    /** Offset of the last 8-byte word at or after {@code from} holding a non-zero byte, -1 when all are zero. */
    private int lastNonZeroWord(final UnsafeBuffer buffer, final int from)
    {
        for (int offset = segmentLength - Long.BYTES; offset >= from; offset -= Long.BYTES)
        {
            if (0 != buffer.getLong(offset))
            {
                return offset;
            }
        }
        return -1;
    }

    private String describe(final UnsafeBuffer buffer, final ByteBuffer view, final int offset)
    {
        final int length = buffer.getInt(offset + LENGTH_OFFSET);
        if (0 == length)
        {
            return "no frame (length 0)";
        }
        if (length < HEADER_LENGTH || length > maxFrameLength || alignedLength(length) > segmentLength - offset)
        {
            return "bad frame: length " + length + " out of bounds";
        }
        final int type = buffer.getInt(offset + TYPE_OFFSET);
        return "bad frame: checksum " + Integer.toHexString(buffer.getInt(offset + CHECKSUM_OFFSET)) +
            " does not match the computed " +
            Integer.toHexString(checksum.compute(view, offset, PADDING_TYPE == type ? HEADER_LENGTH : length)) +
            " (type " + type + ", length " + length + ")";
    }

    private MappedByteBuffer map(final SegmentFiles.SegmentFile file)
    {
        try
        {
            return SegmentFiles.map(file.path(), segmentLength, false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map journal segment " + file.path() + ": " + ex, ex);
        }
    }
}

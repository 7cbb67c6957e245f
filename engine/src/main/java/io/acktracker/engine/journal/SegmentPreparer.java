package io.acktracker.engine.journal;

import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.FileSpace;
import io.acktracker.engine.store.OwnerOnlyFiles;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Prepares one segment file, a bounded step per call, so the helper's duty cycle can interleave group commits with a
 * preparation that writes a whole segment:
 * <ol>
 *     <li>create {@code journal-<base>.seg.tmp};</li>
 *     <li>reserve its disk blocks for real ({@code setLength} would make a sparse file whose blocks are allocated only
 *     when a page is written back, so a full disk would surface as a SIGBUS in the appender; here it is an
 *     {@link IOException} on this thread): {@code fallocate} in one step, which allocates the blocks without writing
 *     them (they read as zeros); where the platform or filesystem has no {@code fallocate}, or it fails, zeros
 *     written over the whole length through the channel, a chunk per step (twice the disk writes of the journal
 *     itself, and the helper's CPU for every byte), which also names the cause of a failure;</li>
 *     <li>fsync it, rename it to {@code journal-<base>.seg} (atomically, replacing an empty segment a previous run
 *     prepared and never used) and fsync the directory, so a segment file under its final name is always complete;</li>
 *     <li>map it and pre-touch every page by writing a zero through the mapping, a chunk per step, so the appender's
 *     first write to a page does not take the page fault that maps it.</li>
 * </ol>
 * A failure leaves nothing behind: the temporary file is deleted and the next {@link #begin} starts over.
 * <p>
 * Threading: the helper thread, or the opener before the appender exists.
 */
final class SegmentPreparer
{
    private enum Step
    {
        IDLE, FILLING, PRETOUCHING, READY
    }

    private final Path directory;
    private final int segmentLength;
    private final int chunkLength;
    private final int pageSize = UnsafeApi.pageSize();
    private final ByteBuffer zeros;

    private Step step = Step.IDLE;
    private long basePosition;
    private Path tmpPath;
    private Path finalPath;
    private FileChannel channel;
    private long filled;
    /** Set once {@code fallocate} is found missing here: every later segment is reserved by writing zeros. */
    private boolean allocateUnsupported;
    private MappedByteBuffer mapped;
    private UnsafeBuffer touchBuffer;
    private int touched;

    SegmentPreparer(final Path directory, final int segmentLength, final int chunkLength)
    {
        this.directory = directory;
        this.segmentLength = segmentLength;
        this.chunkLength = chunkLength;
        this.zeros = ByteBuffer.allocateDirect(chunkLength);
    }

    boolean isIdle()
    {
        return Step.IDLE == step;
    }

    boolean isReady()
    {
        return Step.READY == step;
    }

    /**
     * @return the position of the segment being prepared.
     */
    long basePosition()
    {
        return basePosition;
    }

    /**
     * @return the file being prepared (its temporary name until it is complete), for error messages.
     */
    Path currentPath()
    {
        return Step.FILLING == step || Step.IDLE == step ? tmpPath : finalPath;
    }

    /**
     * Start preparing a segment.
     *
     * @param basePosition its first byte's journal position.
     * @throws IOException when the temporary file cannot be created.
     */
    void begin(final long basePosition) throws IOException
    {
        if (Step.IDLE != step)
        {
            throw new IllegalStateException("journal segment preparation already under way: " + currentPath());
        }
        this.basePosition = basePosition;
        tmpPath = directory.resolve(SegmentFiles.tmpFileName(basePosition));
        finalPath = directory.resolve(SegmentFiles.fileName(basePosition));
        // owner-only from creation: a segment holds receipt handles and message ids
        channel = FileChannel.open(tmpPath, java.util.EnumSet.of(
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(OwnerOnlyFiles.FILE_PERMISSIONS));
        filled = 0;
        touched = 0;
        step = Step.FILLING;
    }

    /**
     * Do one bounded step.
     *
     * @return 1 when something was done, 0 when idle or ready.
     * @throws IOException on failure; call {@link #abandon()} then.
     */
    int doStep() throws IOException
    {
        switch (step)
        {
            case FILLING:
                fillChunk();
                return 1;
            case PRETOUCHING:
                pretouchChunk();
                return 1;
            default:
                return 0;
        }
    }

    /**
     * Run every step now (blocking): for the opener, before the appender exists.
     *
     * @param basePosition the segment's first byte's journal position.
     * @return the mapped, pre-touched segment.
     * @throws IOException on failure (nothing is left behind).
     */
    Segment prepareNow(final long basePosition) throws IOException
    {
        try
        {
            begin(basePosition);
            while (!isReady())
            {
                doStep();
            }
            return take();
        }
        catch (final IOException | RuntimeException ex)
        {
            abandon();
            throw ex;
        }
    }

    /**
     * @return the prepared segment; the preparer is idle again.
     */
    Segment take()
    {
        if (Step.READY != step)
        {
            throw new IllegalStateException("journal segment not prepared: " + currentPath());
        }
        final Segment segment = new Segment(basePosition, finalPath, mapped);
        mapped = null;
        touchBuffer = null;
        step = Step.IDLE;
        return segment;
    }

    /**
     * Give up the preparation under way: close and delete what was made, so the next attempt starts clean.
     */
    void abandon()
    {
        closeChannel();
        if (null != mapped)
        {
            org.agrona.IoUtil.unmap(mapped);
            mapped = null;
            touchBuffer = null;
        }
        if (Step.FILLING == step && null != tmpPath)
        {
            deleteQuietly(tmpPath);
        }
        else if (Step.PRETOUCHING == step || Step.READY == step)
        {
            deleteQuietly(finalPath); // complete and all zeros, but not handed over: the next attempt makes it again
        }
        step = Step.IDLE;
    }

    private void fillChunk() throws IOException
    {
        if (0 == filled && !allocateUnsupported)
        {
            // fallocate first; when it fails for any reason, the zeros below either reserve the space or fail with
            // the true cause (OpenHFT's binding falls back to posix_fallocate, and the errno it leaves after a failure
            // can be another call's, so it is not trusted for the message)
            final int errno;
            try
            {
                errno = FileSpace.allocate(tmpPath.toFile(), segmentLength);
            }
            catch (final TrackerException ex)
            {
                throw new IOException(ex.getMessage(), ex);
            }
            if (0 == errno)
            {
                filled = segmentLength;
            }
            else if (FileSpace.UNSUPPORTED == errno || FileSpace.UNAVAILABLE == errno)
            {
                allocateUnsupported = true;
            }
        }
        if (filled < segmentLength)
        {
            final int length = (int)Math.min(chunkLength, segmentLength - filled);
            zeros.clear().limit(length);
            while (zeros.hasRemaining())
            {
                filled += channel.write(zeros, filled);
            }
        }
        if (filled == segmentLength)
        {
            channel.force(true);
            closeChannel();
            Files.move(tmpPath, finalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            SegmentFiles.forceDirectory(directory);
            mapped = SegmentFiles.map(finalPath, segmentLength, true);
            touchBuffer = new UnsafeBuffer(mapped);
            step = Step.PRETOUCHING;
        }
    }

    private void pretouchChunk()
    {
        final int end = Math.min(segmentLength, touched + chunkLength);
        // A write, not a read: a read maps the page read-only, and the appender's first write would still fault to make
        // it writable and dirty.
        for (int offset = touched; offset < end; offset += pageSize)
        {
            touchBuffer.putByte(offset, (byte)0);
        }
        touched = end;
        if (touched == segmentLength)
        {
            step = Step.READY;
        }
    }

    private void closeChannel()
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // closing after a failure: the failure already says what went wrong
            }
            channel = null;
        }
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignore)
        {
            // best effort: a leftover .tmp is deleted at the next open, a leftover zero segment is replaced
        }
    }
}

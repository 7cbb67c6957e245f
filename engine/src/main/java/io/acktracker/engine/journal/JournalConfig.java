package io.acktracker.engine.journal;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The journal's settings in one place, checked once by {@link #conclude()} before anything opens files.
 * <p>
 * Threading: set up by the owner before opening; read-only afterwards.
 */
public final class JournalConfig
{
    /** Default segment size: 64 MiB. */
    public static final int DEFAULT_SEGMENT_LENGTH = 64 * 1024 * 1024;
    /** Largest segment: 1 GiB, so every offset in a segment is a positive int. */
    public static final int MAX_SEGMENT_LENGTH = 1 << 30;
    /** Default largest frame (header and body): 1 MiB, or the segment length when smaller. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 1024 * 1024;
    /** Default group-commit interval: 0, never msync (see {@link #syncIntervalNs(long)}). */
    public static final long DEFAULT_SYNC_INTERVAL_NS = 0;
    /** Default first wait before retrying a failed segment preparation. */
    public static final long DEFAULT_RETRY_MIN_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Default longest wait between retries of a failed segment preparation. */
    public static final long DEFAULT_RETRY_MAX_NS = TimeUnit.SECONDS.toNanos(1);
    /** Default bytes of zeros written, or pages touched, per helper duty cycle while preparing a segment. */
    public static final int DEFAULT_PREPARE_CHUNK_LENGTH = 1024 * 1024;

    private Path directory;
    private int segmentLength = DEFAULT_SEGMENT_LENGTH;
    private int maxFrameLength = -1;
    private long syncIntervalNs = DEFAULT_SYNC_INTERVAL_NS;
    private long retryMinNs = DEFAULT_RETRY_MIN_NS;
    private long retryMaxNs = DEFAULT_RETRY_MAX_NS;
    private int prepareChunkLength = DEFAULT_PREPARE_CHUNK_LENGTH;
    private NanoClock clock = SystemNanoClock.INSTANCE;

    /**
     * @param directory where the segment files live (created when missing).
     * @return this.
     */
    public JournalConfig directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    /**
     * @return where the segment files live.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @param segmentLength bytes per segment file: a power of two, at least a page, at most {@link #MAX_SEGMENT_LENGTH}.
     *                      Every segment of a journal has the same length; reopening with another is refused.
     * @return this.
     */
    public JournalConfig segmentLength(final int segmentLength)
    {
        this.segmentLength = segmentLength;
        return this;
    }

    /**
     * @return bytes per segment file.
     */
    public int segmentLength()
    {
        return segmentLength;
    }

    /**
     * @param maxFrameLength largest frame the appender accepts (header and body); longer ones are refused with
     *                       {@link JournalAppender#FRAME_TOO_LONG}. At most the segment length. The reader takes a
     *                       longer frame for a bad one: never lower it while the journal holds longer frames.
     * @return this.
     */
    public JournalConfig maxFrameLength(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
        return this;
    }

    /**
     * @return largest frame the appender accepts.
     */
    public int maxFrameLength()
    {
        return maxFrameLength < 0 ? Math.min(DEFAULT_MAX_FRAME_LENGTH, segmentLength) : maxFrameLength;
    }

    /**
     * Group commit. With an interval above 0 the helper msyncs what was appended and not yet synced every interval,
     * and publishes {@link JournalStatus#syncedPosition()}. With 0 it never msyncs: a process crash (kill -9, an
     * uncaught error) still loses nothing appended, because the written pages are in the kernel's page cache and
     * reach the disk on their own; a power loss or kernel crash can lose whatever the kernel had not written back
     * (up to {@code vm.dirty_expire_centisecs}, 30 s by default). With an interval, a power loss loses at most the
     * last interval's appends (plus the time one msync takes).
     *
     * @param syncIntervalNs 0, or the group-commit interval.
     * @return this.
     */
    public JournalConfig syncIntervalNs(final long syncIntervalNs)
    {
        this.syncIntervalNs = syncIntervalNs;
        return this;
    }

    /**
     * @return the group-commit interval, 0 for never.
     */
    public long syncIntervalNs()
    {
        return syncIntervalNs;
    }

    /**
     * @param retryMinNs first wait after a failed segment preparation; doubled after each further failure.
     * @param retryMaxNs longest wait.
     * @return this.
     */
    public JournalConfig preparationRetryNs(final long retryMinNs, final long retryMaxNs)
    {
        this.retryMinNs = retryMinNs;
        this.retryMaxNs = retryMaxNs;
        return this;
    }

    /**
     * @return first wait after a failed segment preparation.
     */
    public long retryMinNs()
    {
        return retryMinNs;
    }

    /**
     * @return longest wait between retries of a failed segment preparation.
     */
    public long retryMaxNs()
    {
        return retryMaxNs;
    }

    /**
     * @param prepareChunkLength bytes zeroed or pre-touched per helper duty cycle, so a group commit is never held
     *                           up by a whole segment's preparation. A multiple of the page size.
     * @return this.
     */
    public JournalConfig prepareChunkLength(final int prepareChunkLength)
    {
        this.prepareChunkLength = prepareChunkLength;
        return this;
    }

    /**
     * @return bytes zeroed or pre-touched per helper duty cycle.
     */
    public int prepareChunkLength()
    {
        return Math.min(prepareChunkLength, segmentLength);
    }

    /**
     * @param clock the helper's clock (group commit, retry backoff); a settable one in tests.
     * @return this.
     */
    public JournalConfig clock(final NanoClock clock)
    {
        this.clock = clock;
        return this;
    }

    /**
     * @return the helper's clock.
     */
    public NanoClock clock()
    {
        return clock;
    }

    /**
     * Check the settings.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first wrong setting.
     */
    public JournalConfig conclude()
    {
        final int pageSize = UnsafeApi.pageSize();
        if (null == directory)
        {
            throw new IllegalArgumentException("journal directory not set");
        }
        if (Integer.bitCount(segmentLength) != 1 || segmentLength < pageSize || segmentLength > MAX_SEGMENT_LENGTH)
        {
            throw new IllegalArgumentException("journal segment length must be a power of two between the page size " +
                pageSize + " and " + MAX_SEGMENT_LENGTH + ": " + segmentLength);
        }
        final int maxFrame = maxFrameLength();
        if (maxFrame < JournalFrameDescriptor.HEADER_LENGTH || maxFrame > segmentLength)
        {
            throw new IllegalArgumentException("journal max frame length must be between " +
                JournalFrameDescriptor.HEADER_LENGTH + " and the segment length " + segmentLength + ": " + maxFrame);
        }
        if (syncIntervalNs < 0)
        {
            throw new IllegalArgumentException("journal sync interval must be 0 (never) or more: " + syncIntervalNs);
        }
        if (retryMinNs <= 0 || retryMaxNs < retryMinNs)
        {
            throw new IllegalArgumentException(
                "journal preparation retry must be 0 < min <= max: " + retryMinNs + ", " + retryMaxNs);
        }
        if (prepareChunkLength < pageSize || prepareChunkLength % pageSize != 0)
        {
            throw new IllegalArgumentException(
                "journal prepare chunk must be a multiple of the page size " + pageSize + ": " + prepareChunkLength);
        }
        if (null == clock)
        {
            throw new IllegalArgumentException("journal clock not set");
        }
        return this;
    }
}

package io.acktracker.engine.journal;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;

/**
 * The journal's helper, everything that may block so the appender never does:
 * <ul>
 *     <li><b>prepare</b> the next segment ({@link SegmentPreparer}, a chunk per duty cycle) and hand it over
 *     through the {@link SegmentHandoff} as soon as the appender has taken the previous one. A failure (disk full,
 *     I/O error) is counted, recorded in {@link JournalStatus#lastPreparationError()} and retried after a backoff
 *     that doubles up to the configured maximum; meanwhile the appender refuses with
 *     {@link JournalAppender#NEXT_SEGMENT_NOT_READY} once it needs the segment;</li>
 *     <li><b>retire</b> a segment once the appender has published a position at or past its end: msync what was
 *     not synced yet (when group commit is on), then unmap it;</li>
 *     <li><b>group commit</b>: with a sync interval above 0, every interval msync the range appended since the last
 *     sync and publish {@link JournalStatus#syncedPosition()} (see {@link JournalConfig#syncIntervalNs(long)} for
 *     what each setting loses on a crash or a power loss);</li>
 *     <li><b>delete</b> segment files wholly below the position the owner asked for (after a checkpoint), never one
 *     the appender may still use.</li>
 * </ul>
 * An Agrona {@link Agent}: run it on its own thread with an {@code AgentRunner} (its role name,
 * {@value #ROLE_NAME}, names the thread), share a thread with a {@code CompositeAgent}, or call {@link #doWork()}
 * from a test. An idle strategy that parks (sleeping or backoff) suits it: it has work a few times per segment and
 * per sync interval.
 * <p>
 * Threading: one thread at a time calls {@link #doWork()} and {@link #onClose()}.
 */
public final class JournalHelperAgent implements Agent
{
    /** Role name, and the thread's name under an {@code AgentRunner}. */
    public static final String ROLE_NAME = "acktracker-journal";

    private final Path directory;
    private final int segmentLength;
    private final long syncIntervalNs;
    private final long retryMinNs;
    private final long retryMaxNs;
    private final NanoClock clock;
    private final SegmentHandoff handoff;
    private final JournalStatus status;
    private final JournalCounters counters;
    private final SegmentPreparer preparer;
    /** Segments handed to the appender and not yet unmapped, oldest first (at most the current and the next). */
    private final ArrayDeque<Segment> handedOut = new ArrayDeque<>(4);

    private long nextBasePosition;
    private long syncedPosition;
    private long lastSyncNs;
    private long retryAtNs;
    private long retryDelayNs;
    private long deletedBelow;
    private boolean closed;

    JournalHelperAgent(
        final JournalConfig config,
        final Segment currentSegment,
        final long openPosition,
        final SegmentHandoff handoff,
        final JournalStatus status,
        final JournalCounters counters)
    {
        this.directory = config.directory();
        this.segmentLength = config.segmentLength();
        this.syncIntervalNs = config.syncIntervalNs();
        this.retryMinNs = config.retryMinNs();
        this.retryMaxNs = config.retryMaxNs();
        this.clock = config.clock();
        this.handoff = handoff;
        this.status = status;
        this.counters = counters;
        this.preparer = new SegmentPreparer(directory, segmentLength, config.prepareChunkLength());
        this.handedOut.add(currentSegment);
        this.nextBasePosition = currentSegment.endPosition();
        this.syncedPosition = openPosition;
        this.lastSyncNs = clock.nanoTime();
        this.retryAtNs = lastSyncNs;
        this.retryDelayNs = retryMinNs;
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return ROLE_NAME;
    }

    /**
     * One duty cycle: retire, prepare a step, group commit when due, delete when asked. Never throws for an I/O
     * failure: a preparation failure is retried and made visible, a sync failure is thrown (the owner's
     * {@code ErrorHandler} must see that durability is broken).
     *
     * @return work done, 0 when idle.
     */
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        int workCount = retireLeftSegments();
        workCount += prepareNextSegment(nowNs);
        workCount += syncIfDue(nowNs);
        workCount += deleteRequestedSegments();
        return workCount;
    }

    /**
     * Unmap the segments still held (after a last msync when group commit is on) and abandon a preparation under
     * way. The appender must have stopped. Idempotent: the runner and {@link Journal#close()} may both call it.
     */
    public void onClose()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (preparer.isReady())
        {
            preparer.take().unmap(); // complete and zeroed: a valid empty segment the next run may use
        }
        else
        {
            preparer.abandon();
        }
        final Segment offered = handoff.poll();
        if (null != offered && !handedOut.contains(offered))
        {
            offered.unmap();
        }
        final long appendPosition = status.appendPosition();
        for (final Segment segment : handedOut)
        {
            if (syncIntervalNs > 0)
            {
                syncRange(segment, appendPosition);
            }
            segment.unmap();
        }
        handedOut.clear();
        if (syncIntervalNs > 0)
        {
            // a closing checkpoint written after this needs to know the journal reaches it
            publishSynced(appendPosition);
        }
    }

    /**
     * A segment is left once the appender published a position at or past its end (it may still hold a reference
     * to it, but from then on only does arithmetic until it switches to the next). Only looked at once the next
     * segment was taken, so the append position's cache line is not read on every duty cycle.
     */
    private int retireLeftSegments()
    {
        int retired = 0;
        while (handedOut.size() > 1 && handoff.isEmpty())
        {
            final Segment oldest = handedOut.peekFirst();
            final long appendPosition = status.appendPosition();
            if (appendPosition < oldest.endPosition())
            {
                break;
            }
            if (syncIntervalNs > 0)
            {
                syncRange(oldest, oldest.endPosition());
                publishSynced(oldest.endPosition());
            }
            handedOut.pollFirst();
            oldest.unmap();
            counters.increment(JournalCounter.SEGMENTS_RETIRED);
            retired++;
        }
        return retired;
    }

    private int prepareNextSegment(final long nowNs)
    {
        if (preparer.isIdle())
        {
            if (!handoff.isEmpty() || nowNs - retryAtNs < 0)
            {
                return 0;
            }
            try
            {
                preparer.begin(nextBasePosition);
                return 1;
            }
            catch (final IOException | RuntimeException ex)
            {
                return preparationFailed(nowNs, ex);
            }
        }
        if (preparer.isReady())
        {
            final Segment segment = preparer.take();
            handedOut.addLast(segment);
            handoff.offer(segment);
            nextBasePosition = segment.endPosition();
            retryDelayNs = retryMinNs;
            status.preparationSucceeded();
            counters.increment(JournalCounter.SEGMENTS_PREPARED);
            return 1;
        }
        try
        {
            return preparer.doStep();
        }
        catch (final IOException | RuntimeException ex)
        {
            return preparationFailed(nowNs, ex);
        }
    }

    private int preparationFailed(final long nowNs, final Exception ex)
    {
        final Path path = preparer.currentPath();
        preparer.abandon();
        counters.increment(JournalCounter.PREPARATION_FAILURES);
        status.preparationFailed("cannot prepare journal segment " + path + ": " + ex);
        retryAtNs = nowNs + retryDelayNs;
        retryDelayNs = Math.min(retryMaxNs, retryDelayNs * 2);
        return 1;
    }

    private int syncIfDue(final long nowNs)
    {
        if (0 == syncIntervalNs || nowNs - (lastSyncNs + syncIntervalNs) < 0)
        {
            return 0;
        }
        lastSyncNs = nowNs;
        final long appendPosition = status.appendPosition();
        if (appendPosition <= syncedPosition)
        {
            return 0;
        }
        for (final Segment segment : handedOut)
        {
            syncRange(segment, appendPosition);
        }
        publishSynced(appendPosition);
        counters.increment(JournalCounter.SYNCS);
        return 1;
    }

    /** msync the part of {@code [syncedPosition, upTo)} that lies in the segment. */
    private void syncRange(final Segment segment, final long upTo)
    {
        final long from = Math.max(syncedPosition, segment.basePosition());
        final long to = Math.min(upTo, segment.endPosition());
        if (to > from)
        {
            segment.force((int)(from - segment.basePosition()), (int)(to - from));
        }
    }

    private void publishSynced(final long position)
    {
        if (position > syncedPosition)
        {
            syncedPosition = position;
            status.syncedPosition(position);
        }
    }

    /**
     * Delete the files of segments wholly below the requested position and below every segment the appender may
     * use, oldest first; a failure is counted and retried at the next, higher request.
     */
    private int deleteRequestedSegments()
    {
        final long requested = Math.min(status.deleteBelowPosition(), handedOut.peekFirst().basePosition());
        if (requested <= deletedBelow)
        {
            return 0;
        }
        int deleted = 0;
        for (final SegmentFiles.SegmentFile file : SegmentFiles.list(directory))
        {
            if (file.basePosition() + segmentLength > requested)
            {
                break;
            }
            try
            {
                Files.delete(file.path());
                counters.increment(JournalCounter.SEGMENTS_DELETED);
                deleted++;
            }
            catch (final IOException ex)
            {
                counters.increment(JournalCounter.DELETE_FAILURES); // retried at the next, higher request
            }
        }
        deletedBelow = requested;
        return deleted;
    }
}

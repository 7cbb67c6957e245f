package io.acktracker.engine.agent;

import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.machine.TrackerStateMachine;
import org.agrona.DirectBuffer;

import static io.acktracker.engine.journal.JournalFrameDescriptor.BODY_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.HEADER_LENGTH;
import static io.acktracker.engine.journal.JournalFrameDescriptor.LENGTH_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.PADDING_TYPE;
import static io.acktracker.engine.journal.JournalFrameDescriptor.TYPE_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.alignedLength;

/**
 * The first pass of a journal replay, as {@link BatchPrefetch} is for a batch of queued commands: a cursor runs
 * {@link #FRAMES_AHEAD} frames ahead of the frame being replayed, in the same mapped segment, and looks up the
 * message of each command there and reads its record, so the replay's cache misses overlap instead of coming one
 * per command inside {@code apply}.
 * <p>
 * It reads frames the reader has not checked yet (each is checked when its turn comes): a torn or damaged frame ahead
 * can only make it look up a wrong id or stop early. It reads, never writes, and stays inside the segment's buffer.
 * <p>
 * Threading: the thread that replays (the opener, before the agent runs).
 */
final class ReplayPrefetch
{
    /** How far ahead of the replay the lookups run: enough misses in flight to overlap, few enough to stay cached. */
    static final int FRAMES_AHEAD = 16;

    /** Looks a message up and reads its record ({@link TrackerStateMachine#touch}). */
    interface Lookup
    {
        /**
         * @param messageId a message id read from a frame ahead.
         * @return anything read (kept so the reads are not optimised away).
         */
        long touch(long messageId);
    }

    private final Lookup lookup;
    private DirectBuffer segment;
    private int lastFrameOffset = -1;
    private int aheadOffset;
    private int framesAhead;
    /** Where the pass leaves what it read, so the JIT cannot drop the reads. */
    private long touched;

    ReplayPrefetch(final Lookup lookup)
    {
        this.lookup = lookup;
    }

    /**
     * Called with each frame about to be replayed: keep the cursor {@link #FRAMES_AHEAD} frames past it.
     *
     * @param buffer     the frame's segment.
     * @param bodyOffset where the frame's body starts in it.
     */
    void beforeReplaying(final DirectBuffer buffer, final int bodyOffset)
    {
        final int frameOffset = bodyOffset - BODY_OFFSET;
        if (buffer != segment || frameOffset <= lastFrameOffset || aheadOffset <= frameOffset)
        {
            // a new segment, or the cursor stopped (the written part ended) and the replay caught up with it
            segment = buffer;
            aheadOffset = frameOffset;
            framesAhead = 0;
        }
        else
        {
            framesAhead--; // this frame was one of those looked at
        }
        lastFrameOffset = frameOffset;

        long sum = 0;
        final int limit = buffer.capacity() - HEADER_LENGTH - Long.BYTES;
        while (framesAhead < FRAMES_AHEAD && aheadOffset <= limit)
        {
            final int frameLength = buffer.getInt(aheadOffset + LENGTH_OFFSET);
            if (frameLength < HEADER_LENGTH || frameLength > buffer.capacity() - aheadOffset)
            {
                break; // nothing written yet, the short padding that ends a segment, or a damaged length
            }
            final int type = buffer.getInt(aheadOffset + TYPE_OFFSET);
            if (frameLength >= HEADER_LENGTH + Long.BYTES && CommandLayout.hasMessageId(type))
            {
                sum += lookup.touch(buffer.getLong(aheadOffset + BODY_OFFSET));
            }
            aheadOffset += alignedLength(frameLength);
            if (PADDING_TYPE != type)
            {
                framesAhead++; // padding is never handed to the replay, so it is not counted
            }
        }
        touched += sum;
    }

    /**
     * @return what the lookups read (meaningless; it keeps them from being optimised away).
     */
    long touched()
    {
        return touched;
    }
}

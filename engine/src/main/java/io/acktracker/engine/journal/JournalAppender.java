package io.acktracker.engine.journal;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.acktracker.engine.journal.JournalFrameDescriptor.BODY_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.CHECKSUM_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.CLIENT_ID_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.CLIENT_SEQUENCE_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.HEADER_LENGTH;
import static io.acktracker.engine.journal.JournalFrameDescriptor.LENGTH_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.PADDING_HEADER_CHECKSUM;
import static io.acktracker.engine.journal.JournalFrameDescriptor.PADDING_TYPE;
import static io.acktracker.engine.journal.JournalFrameDescriptor.RESERVED_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.TIMESTAMP_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.TYPE_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.alignedLength;

/**
 * Appends frames to the journal: the agent's one writer. No allocation, no lock, no system call: a frame is copied
 * into a mapped, pre-touched segment, checksummed, and made visible by writing its length last with a release
 * store; then the new position is published (a release store) for the helper's group commit.
 * <p>
 * When a frame does not fit in the rest of the segment, the rest becomes a padding frame and the appender takes the
 * next segment the helper prepared ({@link SegmentHandoff}); it never creates or maps a file itself. When none is
 * ready yet the append is refused with {@link #NEXT_SEGMENT_NOT_READY} and counted: back pressure, retried by the
 * caller. Refusals change nothing but the counters (the padding, once written, stays written).
 * <p>
 * Threading: one thread, the agent's, for every method.
 */
public final class JournalAppender
{
    /** The frame does not fit in this segment and the next one is not prepared yet: try again later. */
    public static final long NEXT_SEGMENT_NOT_READY = -1;
    /** Header and body are longer than {@link JournalConfig#maxFrameLength()}. */
    public static final long FRAME_TOO_LONG = -2;
    /** The type is {@link JournalFrameDescriptor#PADDING_TYPE}, reserved for padding. */
    public static final long INVALID_TYPE = -3;

    private static final int NO_CLAIM = -1;

    private final int segmentLength;
    private final int maxFrameLength;
    private final SegmentHandoff handoff;
    private final JournalStatus status;
    private final JournalCounters counters;
    private final FrameChecksum checksum = new FrameChecksum();

    private UnsafeBuffer buffer;
    private ByteBuffer checksumView;
    private long segmentBase;
    private int segmentOffset;
    private int claimOffset = NO_CLAIM;
    private int claimLength;

    JournalAppender(
        final Segment segment,
        final long position,
        final int maxFrameLength,
        final SegmentHandoff handoff,
        final JournalStatus status,
        final JournalCounters counters)
    {
        this.segmentLength = segment.length();
        this.maxFrameLength = maxFrameLength;
        this.handoff = handoff;
        this.status = status;
        this.counters = counters;
        use(segment);
        this.segmentOffset = (int)(position - segmentBase);
    }

    /**
     * Append one frame.
     *
     * @param type           the command's type; not {@link JournalFrameDescriptor#PADDING_TYPE}.
     * @param timestampNs    the time the command is applied at.
     * @param clientId       the client that numbered the command, 0 when none.
     * @param clientSequence the client's sequence number of it, 0 when none.
     * @param body           holding the command's body.
     * @param offset         where the body starts.
     * @param length         bytes of body.
     * @return the journal position after the frame, or {@link #NEXT_SEGMENT_NOT_READY}, {@link #FRAME_TOO_LONG},
     * {@link #INVALID_TYPE}.
     */
    public long append(
        final int type,
        final long timestampNs,
        final long clientId,
        final long clientSequence,
        final DirectBuffer body,
        final int offset,
        final int length)
    {
        body.boundsCheck(offset, length); // before the claim, so a bad argument cannot leave a claim open
        final long claimed = claim(type, timestampNs, clientId, clientSequence, length);
        if (claimed < 0)
        {
            return claimed;
        }
        buffer.putBytes(claimOffset + BODY_OFFSET, body, offset, length);
        return commit();
    }

    /**
     * Claim room for a frame, so the caller can encode its body straight into the journal: write the body into
     * {@link #claimBuffer()} at {@link #claimBodyOffset()}, then {@link #commit()} (or {@link #abort()}). Nothing is
     * visible to a reader, or published, before the commit.
     *
     * @param type           the command's type; not {@link JournalFrameDescriptor#PADDING_TYPE}.
     * @param timestampNs    the time the command is applied at.
     * @param clientId       the client that numbered the command, 0 when none.
     * @param clientSequence the client's sequence number of it, 0 when none.
     * @param length         bytes of body.
     * @return the journal position after the frame once committed, or a refusal code as for {@link #append}.
     */
    public long claim(
        final int type, final long timestampNs, final long clientId, final long clientSequence, final int length)
    {
        if (NO_CLAIM != claimOffset)
        {
            throw new IllegalStateException("journal claim already open at position " + (segmentBase + claimOffset));
        }
        final int frameLength = HEADER_LENGTH + length;
        if (length < 0 || frameLength > maxFrameLength)
        {
            counters.increment(JournalCounter.REFUSED_FRAME_TOO_LONG);
            return FRAME_TOO_LONG;
        }
        if (PADDING_TYPE == type)
        {
            counters.increment(JournalCounter.REFUSED_INVALID_TYPE);
            return INVALID_TYPE;
        }
        final int aligned = alignedLength(frameLength);
        if (segmentOffset + aligned > segmentLength && !roll())
        {
            counters.increment(JournalCounter.REFUSED_NEXT_SEGMENT_NOT_READY);
            return NEXT_SEGMENT_NOT_READY;
        }

        final int frameOffset = segmentOffset;
        buffer.putInt(frameOffset + TYPE_OFFSET, type);
        buffer.putLong(frameOffset + TIMESTAMP_OFFSET, timestampNs);
        buffer.putLong(frameOffset + CLIENT_ID_OFFSET, clientId);
        buffer.putLong(frameOffset + CLIENT_SEQUENCE_OFFSET, clientSequence);
        claimOffset = frameOffset;
        claimLength = frameLength;
        return segmentBase + frameOffset + aligned;
    }

    /**
     * @return the buffer to encode a claimed body into (the current segment).
     */
    public MutableDirectBuffer claimBuffer()
    {
        return buffer;
    }

    /**
     * @return where the claimed body starts in {@link #claimBuffer()}.
     */
    public int claimBodyOffset()
    {
        return claimOffset + BODY_OFFSET;
    }

    /**
     * Checksum the claimed frame, make it visible (length last, release) and publish the new position.
     *
     * @return the journal position after the frame.
     */
    public long commit()
    {
        return commit(0);
    }

    /**
     * Checksum the claimed frame with a value in its header's reserved field (the tracker keeps there the result
     * the command had, so a replay can check it gets the same), make it visible and publish the new position.
     *
     * @param reserved the value of the header's reserved field.
     * @return the journal position after the frame.
     */
    public long commit(final int reserved)
    {
        final int frameOffset = requireClaim();
        buffer.putInt(frameOffset + RESERVED_OFFSET, reserved);
        buffer.putInt(frameOffset + CHECKSUM_OFFSET, checksum.compute(checksumView, frameOffset, claimLength));
        buffer.putIntRelease(frameOffset + LENGTH_OFFSET, claimLength);
        return advance(frameOffset + alignedLength(claimLength));
    }

    /**
     * Give up the claim: its room becomes a padding frame (a reader skips it), so positions stay contiguous.
     *
     * @return the journal position after the padding.
     */
    public long abort()
    {
        final int frameOffset = requireClaim();
        final int aligned = alignedLength(claimLength);
        buffer.setMemory(frameOffset + CHECKSUM_OFFSET, aligned - CHECKSUM_OFFSET, (byte)0);
        writePadding(frameOffset, aligned);
        return advance(frameOffset + aligned);
    }

    /**
     * Take the claim back as if it had never been made: nothing is written and the position stays. For a command
     * that turned out to change nothing (an idle tick), so it costs no journal space. The header fields the claim
     * wrote and any body bytes are zeroed again, as the segment was before the claim.
     */
    public void cancel()
    {
        final int frameOffset = requireClaim();
        buffer.setMemory(frameOffset, alignedLength(claimLength), (byte)0);
    }

    /**
     * @return whether a claim is open.
     */
    public boolean hasClaim()
    {
        return NO_CLAIM != claimOffset;
    }

    /**
     * @return the journal position after the last committed frame (or padding).
     */
    public long position()
    {
        return segmentBase + segmentOffset;
    }

    private int requireClaim()
    {
        final int frameOffset = claimOffset;
        if (NO_CLAIM == frameOffset)
        {
            throw new IllegalStateException("no journal claim open");
        }
        claimOffset = NO_CLAIM;
        return frameOffset;
    }

    private long advance(final int newOffset)
    {
        segmentOffset = newOffset;
        final long position = segmentBase + newOffset;
        status.appendPosition(position);
        return position;
    }

    /**
     * Pad out the segment (once) and move to the prepared next one.
     *
     * @return false when the next segment is not ready; the segment stays padded out.
     */
    private boolean roll()
    {
        if (segmentOffset < segmentLength)
        {
            writePadding(segmentOffset, segmentLength - segmentOffset);
            // Published before the next segment is taken: once the helper sees a position at this segment's end it
            // may unmap it, and from here on the appender only does arithmetic on its fields until it switches.
            advance(segmentLength);
        }
        final Segment next = handoff.poll();
        if (null == next)
        {
            return false;
        }
        use(next);
        segmentOffset = 0;
        counters.increment(JournalCounter.SEGMENT_ROLLS);
        return true;
    }

    private void writePadding(final int frameOffset, final int length)
    {
        // The segment was zeroed when prepared, so a padding header only needs its type and checksum; a rest shorter
        // than a header is padded by its length alone.
        if (length >= HEADER_LENGTH)
        {
            buffer.putInt(frameOffset + TYPE_OFFSET, PADDING_TYPE);
            buffer.putInt(frameOffset + CHECKSUM_OFFSET, PADDING_HEADER_CHECKSUM);
        }
        buffer.putIntRelease(frameOffset + LENGTH_OFFSET, length);
    }

    private void use(final Segment segment)
    {
        buffer = segment.buffer();
        checksumView = segment.checksumView();
        segmentBase = segment.basePosition();
    }
}

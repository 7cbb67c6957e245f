package io.acktracker.engine.journal;

import org.agrona.DirectBuffer;

/**
 * Receives the frames a {@link JournalReader} replays, in journal order; padding is never passed on.
 * <p>
 * Threading: called on the thread that called {@link JournalReader#replay}.
 */
@FunctionalInterface
public interface JournalFrameHandler
{
    /**
     * One journaled command. The buffer is valid only during the call; the frame's header
     * ({@link JournalFrameDescriptor}) precedes the body in it, so its reserved field is at
     * {@code offset - JournalFrameDescriptor.BODY_OFFSET + JournalFrameDescriptor.RESERVED_OFFSET}.
     *
     * @param type           the command's type.
     * @param timestampNs    the time it was applied at.
     * @param clientId       the client that numbered it, 0 when none.
     * @param clientSequence the client's sequence number of it, 0 when none.
     * @param buffer         holding the body.
     * @param offset         where the body starts.
     * @param length         bytes of body.
     * @param position       the journal position after this frame, as {@link JournalAppender#append} returned it:
     *                       a state that includes this command is at this position (a checkpoint records it).
     */
    void onFrame(
        int type,
        long timestampNs,
        long clientId,
        long clientSequence,
        DirectBuffer buffer,
        int offset,
        int length,
        long position);
}

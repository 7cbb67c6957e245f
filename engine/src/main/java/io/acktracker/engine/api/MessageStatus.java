package io.acktracker.engine.api;


/**
 * A consistent copy of one message's record: its state, which destinations acked, its deadlines.
 *
 * @param messageId     id.
 * @param state         where it stands.
 * @param destinations  bitset of destination ids.
 * @param acked         bitset of destinations that acked.
 * @param failed        bitset of destinations given up on.
 * @param requiredAcks  acks needed.
 * @param attempts      delivery attempts so far.
 * @param createdNs     when it was tracked (epoch ns).
 * @param deadlineNs    next ack or retry deadline (epoch ns), {@link Long#MAX_VALUE} when none.
 * @param ttlDeadlineNs when it expires (epoch ns), {@link Long#MAX_VALUE} when never.
 * @param finishedNs    when it reached its outcome (epoch ns), 0 while pending.
 * @param reason        why it failed or expired.
 * @param streamId      stream, when {@code hasStream}.
 * @param sequence      sequence on the stream, when {@code hasStream}.
 * @param hasStream     whether it is on a stream.
 */
public record MessageStatus(
    long messageId,
    MessageState state,
    long destinations,
    long acked,
    long failed,
    int requiredAcks,
    int attempts,
    long createdNs,
    long deadlineNs,
    long ttlDeadlineNs,
    long finishedNs,
    FailureReason reason,
    int streamId,
    long sequence,
    boolean hasStream)
{
    /**
     * The status of an id the tracker does not know.
     *
     * @param messageId the id asked about.
     * @return its status: {@link MessageState#UNKNOWN}, everything else zero.
     */
    public static MessageStatus unknown(final long messageId)
    {
        return new MessageStatus(messageId, MessageState.UNKNOWN, 0, 0, 0, 0, 0, 0, 0, 0, 0, FailureReason.NONE, 0, 0,
            false);
    }

    /**
     * Whether a destination acked.
     *
     * @param destination id.
     * @return true when acked.
     */
    public boolean hasAcked(final int destination)
    {
        return (acked & (1L << destination)) != 0;
    }
}

package io.acktracker.bench.compare;

/**
 * Where a peer reports each message's outcome, exactly once per tracked message.
 * <p>
 * Any thread: each peer calls it from its natural thread (the acking thread, a timer thread or its agent).
 */
public interface OutcomeSink
{
    /**
     * The message reached its quorum of acks.
     *
     * @param messageId message.
     */
    void onCompleted(long messageId);

    /**
     * The message's ack timeout passed first.
     *
     * @param messageId message.
     */
    void onTimedOut(long messageId);
}

package io.acktracker.engine.api;

/**
 * Read access to the client sessions and their outboxes, for a transport on the agent thread: which clients have a
 * session, what each had applied, and the entries kept for each until it confirms them (see the engine's
 * {@code ClientSessions}). Changes go through commands (SESSION_OPEN, OUTBOX_CONFIRM, numbered commands).
 * <p>
 * Agent thread only.
 */
public interface ClientOutboxes
{
    /** Receives one outbox entry. */
    interface EntryHandler
    {
        /**
         * The outcome of a message the client tracked.
         *
         * @param messageId the message.
         * @param outcome   its outcome.
         * @param reason    why it failed or expired, NONE when it completed.
         * @param latencyNs track to outcome.
         * @param attempts  highest attempt.
         */
        void onOutcome(long messageId, Outcome outcome, FailureReason reason, long latencyNs, int attempts);

        /**
         * A message the client tracked must be delivered again.
         *
         * @param messageId   the message.
         * @param destination the destination, or {@link RedeliveryListener#CONSUMER}.
         * @param attempt     the attempt.
         */
        void onRedelivery(long messageId, int destination, int attempt);

        /**
         * A numbered command of the client was refused (its sequence was used).
         *
         * @param command   the command's type.
         * @param subjectId its message id (or stream id).
         * @param result    the refusal.
         * @param sequence  the command's sequence.
         */
        void onRefusal(CommandType command, long subjectId, Result result, long sequence);
    }

    /**
     * Client sessions, indexed 0 to this minus 1 in the order they opened.
     *
     * @return the count.
     */
    int clientCount();

    /**
     * The index of a client.
     *
     * @param clientId the client.
     * @return its index, or -1 when it has no session.
     */
    int indexOf(long clientId);

    /**
     * The client at an index.
     *
     * @param index from 0 to {@link #clientCount()} - 1.
     * @return its id.
     */
    long clientId(int index);

    /**
     * The highest sequence of the client's numbered commands applied.
     *
     * @param index the client's index.
     * @return the sequence, 0 for none.
     */
    long appliedThrough(int index);

    /**
     * Entries ever written to the client's outbox: the newest one's number, entries being numbered from 1.
     *
     * @param index the client's index.
     * @return the number.
     */
    long outboxWritten(int index);

    /**
     * The entry through which the client confirmed its outbox: entries after it are kept.
     *
     * @param index the client's index.
     * @return the number.
     */
    long outboxConfirmed(int index);

    /**
     * Hand one kept entry to a handler.
     *
     * @param index   the client's index.
     * @param number  the entry, within ({@link #outboxConfirmed}, {@link #outboxWritten}].
     * @param handler receives it.
     */
    void readEntry(int index, long number, EntryHandler handler);
}

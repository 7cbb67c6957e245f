package io.acktracker.engine.api;

/**
 * The tracker's synchronous commands, for code that runs on the agent thread: a host that drives the agent, a
 * {@link TrackerExtension} such as the Aeron transport, an admin task. Each call applies one command, stamped with
 * the current duty cycle's time, and returns its final result after the command's effects have been told.
 * <p>
 * Threading: agent thread only.
 */
public interface TrackerCommands
{
    /**
     * Track a message with the tracker's defaults: every destination must ack.
     *
     * @param messageId    id, unique among live and recently finished messages.
     * @param destinations bitset of destination ids.
     * @return OK or a refusal.
     */
    Result track(long messageId, long destinations);

    /**
     * Track a message.
     *
     * @param request arguments; not kept.
     * @return OK or a refusal.
     */
    Result track(TrackRequest request);

    /**
     * Record that a destination acked a message.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @return OK, COMPLETED, HELD, or a refusal.
     */
    Result recordAck(long messageId, int destination);

    /**
     * Record that a destination could not process a message: retry it to that destination after the delay (its
     * backoff when 0), or give up when its attempts are spent.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @param delayNs     retry delay; 0 for the message's backoff.
     * @param code        error code kept in the attempt history.
     * @return OK or a refusal.
     */
    Result recordNack(long messageId, int destination, long delayNs, int code);

    /**
     * Record that a destination rejected a message as poison: it fails at once and is dead-lettered.
     *
     * @param messageId   message.
     * @param destination destination id.
     * @param code        error code kept with the dead letter.
     * @return OK or a refusal.
     */
    Result recordReject(long messageId, int destination, int code);

    /**
     * Record a cumulative ack: the destination confirms every message of the stream with a sequence up to and
     * including {@code offset}.
     *
     * @param streamId    stream.
     * @param destination destination id.
     * @param offset      highest confirmed sequence.
     * @return OK, DUPLICATE_ACK when the offset does not move forward, or a refusal.
     */
    Result recordCumulativeAck(int streamId, int destination, long offset);

    /**
     * Lease a pending message to a consumer.
     *
     * @param messageId    message.
     * @param consumerId   who holds it (opaque to the tracker).
     * @param visibilityNs how long before it becomes available again unless settled or extended.
     * @param handle       filled with the receipt handle on success.
     * @return OK, or UNKNOWN_MESSAGE, LATE_ACK, ALREADY_LEASED, INVALID_TIMEOUT.
     */
    Result lease(long messageId, long consumerId, long visibilityNs, ReceiptHandle handle);

    /**
     * Settle a lease by completing the message.
     *
     * @param handle receipt handle of the current lease.
     * @return OK or a refusal.
     */
    Result leaseAck(ReceiptHandle handle);

    /**
     * Release a lease: the message becomes available again after the delay, or its backoff when 0.
     *
     * @param handle  receipt handle of the current lease.
     * @param delayNs delay; 0 for the backoff.
     * @return OK or a refusal.
     */
    Result leaseNack(ReceiptHandle handle, long delayNs);

    /**
     * Extend a lease: the consumer is still working.
     *
     * @param handle  receipt handle of the current lease.
     * @param extraNs added to the lease deadline.
     * @return OK, MAX_EXTENSIONS, INVALID_TIMEOUT, or a handle refusal.
     */
    Result leaseExtend(ReceiptHandle handle, long extraNs);

    /**
     * Settle a lease by rejecting the message as poison.
     *
     * @param handle receipt handle of the current lease.
     * @param code   error code kept with the dead letter.
     * @return OK or a refusal.
     */
    Result leaseReject(ReceiptHandle handle, int code);

    /**
     * The time of the current duty cycle, which the commands are stamped with.
     *
     * @return epoch ns.
     */
    long nowNs();

    /**
     * The destination registry.
     *
     * @return the registry.
     */
    DestinationRegistry registry();

    /**
     * Apply a command already encoded in the command layout ({@code io.acktracker.engine.command.CommandLayout}):
     * how a transport that decodes client frames applies the session commands (SESSION_OPEN, OUTBOX_CONFIRM) and
     * commands numbered by a client (type plus {@code SEQUENCED}, the body followed by the client id and sequence).
     * Nothing is checked before the machine: its checks are the only ones, so a numbered command always reaches the
     * client's session and its sequence. Commands only the agent applies are refused.
     *
     * @param type   the command's type.
     * @param body   its body.
     * @param offset where the body starts.
     * @param length the body's length.
     * @return the result (null never: back pressure from a full journal is {@link Result#BACK_PRESSURED}).
     */
    Result apply(int type, org.agrona.DirectBuffer body, int offset, int length);

    /**
     * Number the next command applied through this interface (or {@link #apply}): it becomes the client's command
     * with that sequence, applied at most once (see {@code SESSION_OPEN}). Used by a transport that decoded a
     * numbered frame: {@code commands.numbered(client, sequence).recordAck(id, destination)}. The numbering applies
     * to exactly the next command, whatever its result.
     *
     * @param clientId the client, which must have opened its session.
     * @param sequence its sequence of the command, from 1.
     * @return this.
     */
    TrackerCommands numbered(long clientId, long sequence);

    /**
     * Read a message's id index entry and the first cache lines of its record, changing nothing: the first pass over
     * a batch of commands a transport is about to apply (see {@code TrackerConfig.prefetchCommands} for the queued
     * path), so the batch's cache misses are taken together instead of one per command. Any id may be passed, also
     * one that is not pending (then only its index entry is read).
     *
     * @param messageId the message.
     * @return a value that depends on what was read: keep it (sum it into a field) so the reads are not optimised
     * away. 0 from a tracker that has nothing to read.
     */
    default long touch(final long messageId)
    {
        return 0;
    }

    /**
     * The client sessions and their outboxes, to read.
     *
     * @return the sessions.
     */
    ClientOutboxes clientOutboxes();
}

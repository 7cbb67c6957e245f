package io.acktracker.transport.inbound;

import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.transport.codecs.HelloCredential;
import io.acktracker.transport.codecs.SettleAction;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

/**
 * Receives each inbound command once {@link CommandAdapter} has checked and decoded it. Every field is within its
 * wire bounds; whether the command makes sense (identity, ids, timeouts) is for the handler to decide.
 * <p>
 * Destination ids are 0..63, or {@link io.acktracker.transport.Protocol#BOUND_DESTINATION} for "the destination
 * bound to this session". Text, data, the track request and receipt handles are views or flyweights reused by the
 * adapter: valid only during the call.
 * <p>
 * Threading: agent thread only.
 */
public interface CommandHandler
{
    /**
     * A destination publisher introduced itself.
     *
     * @param header        Aeron header of the frame: session and image.
     * @param destinationId id the destination claims, or BOUND_DESTINATION to take the registry's id for the name.
     * @param name          destination name, printable ASCII.
     * @param credential    what the hello carries: NONE (also every version 2 hello), CHALLENGE or PROOF.
     * @param nonce         for PROOF: the {@link io.acktracker.transport.auth.HelloProof#NONCE_LENGTH} bytes of the
     *                      challenge it answers (a view; unspecified otherwise).
     * @param proof         for PROOF: the {@link io.acktracker.transport.auth.HelloProof#LENGTH} bytes of its HMAC
     *                      (a view; unspecified otherwise).
     */
    void onHello(
        Header header,
        int destinationId,
        DirectBuffer name,
        HelloCredential credential,
        DirectBuffer nonce,
        DirectBuffer proof);

    /**
     * A sender asked to track a message.
     *
     * @param header  Aeron header of the frame.
     * @param request the track with every field of the frame, its metadata a view over the frame; reused after the
     *                call.
     */
    void onTrack(Header header, TrackRequest request);

    /**
     * A destination acked a message.
     *
     * @param header        Aeron header of the frame.
     * @param messageId     message.
     * @param destinationId claimed destination.
     */
    void onAck(Header header, long messageId, int destinationId);

    /**
     * A destination asked for a message to be redelivered.
     *
     * @param header           Aeron header of the frame.
     * @param messageId        message.
     * @param destinationId    claimed destination.
     * @param redeliverDelayNs delay before redelivery, 0 for the tracker's policy.
     * @param errorCode        the destination's error code, kept in the attempt history.
     * @param reason           why, possibly empty.
     */
    void onNack(
        Header header, long messageId, int destinationId, long redeliverDelayNs, int errorCode, DirectBuffer reason);

    /**
     * A destination rejected a message as poison.
     *
     * @param header        Aeron header of the frame.
     * @param messageId     message.
     * @param destinationId claimed destination.
     * @param errorCode     the destination's error code, kept with the dead letter.
     * @param reason        why, possibly empty.
     */
    void onReject(Header header, long messageId, int destinationId, int errorCode, DirectBuffer reason);

    /**
     * A destination confirmed every message of a stream up to an offset.
     *
     * @param header        Aeron header of the frame.
     * @param streamId      stream.
     * @param destinationId claimed destination.
     * @param offset        highest confirmed sequence.
     */
    void onCumulativeAck(Header header, int streamId, int destinationId, long offset);

    /**
     * A destination asked for a lease on a message.
     *
     * @param header         Aeron header of the frame.
     * @param correlationId  echoed in the answer.
     * @param messageId      message.
     * @param destinationId  claimed destination.
     * @param leaseTimeoutNs how long the lease should last, 0 for the default.
     */
    void onLease(Header header, long correlationId, long messageId, int destinationId, long leaseTimeoutNs);

    /**
     * A lease holder extended its lease.
     *
     * @param header        Aeron header of the frame.
     * @param handle        the receipt handle as it came (authenticity is for the tracker to check).
     * @param destinationId claimed destination.
     * @param extensionNs   by how much.
     */
    void onExtend(Header header, ReceiptHandle handle, int destinationId, long extensionNs);

    /**
     * A lease holder settled its lease: ack, nack or reject.
     *
     * @param header           Aeron header of the frame.
     * @param action           how.
     * @param handle           the receipt handle as it came.
     * @param destinationId    claimed destination.
     * @param redeliverDelayNs for a nack, delay before the message may be leased again; 0 for its backoff.
     * @param errorCode        for a reject, the consumer's error code, kept with the dead letter.
     * @param reason           why, possibly empty.
     */
    void onSettle(
        Header header,
        SettleAction action,
        ReceiptHandle handle,
        int destinationId,
        long redeliverDelayNs,
        int errorCode,
        DirectBuffer reason);

    /**
     * A command of a retired template (version 1's Extend or Settle) that this tracker answers "not supported".
     *
     * @param header        Aeron header of the frame.
     * @param templateId    the retired template id.
     * @param correlationId the message id the frame begins with.
     */
    void onRetired(Header header, int templateId, long correlationId);

    /**
     * The client numbering of the frame about to be handed over (version 3): called before every Track, Ack, Nack,
     * Reject, CumulativeAck, Extend and Settle, with sequence 0 for an unnumbered one.
     *
     * @param clientId the client.
     * @param sequence its sequence of the command, 0 when unnumbered.
     */
    default void onNumbering(long clientId, long sequence)
    {
    }

    /**
     * A client opens or binds again its session (version 3), with its credential (version 4; NONE before).
     *
     * @param header          the frame's header (its session).
     * @param clientId        the client.
     * @param appliedThrough  the highest sequence a tracker confirmed to it.
     * @param outboxConfirmed the entry through which it received its outbox.
     * @param name            its name, for logs.
     * @param credential      NONE, CHALLENGE (asks for a nonce) or PROOF.
     * @param nonce           the nonce a PROOF echoes (16 bytes; meaningful for PROOF only).
     * @param proof           the proof (32 bytes; meaningful for PROOF only).
     */
    default void onSessionOpen(
        Header header,
        long clientId,
        long appliedThrough,
        long outboxConfirmed,
        DirectBuffer name,
        HelloCredential credential,
        DirectBuffer nonce,
        DirectBuffer proof)
    {
    }

    /**
     * A client received its outbox through an entry (version 3).
     *
     * @param header   the frame's header.
     * @param clientId the client.
     * @param through  the entry.
     */
    default void onOutboxConfirm(Header header, long clientId, long through)
    {
    }
}

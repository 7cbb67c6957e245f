package io.acktracker.transport.client;

import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.codecs.AckEncoder;
import io.acktracker.transport.codecs.CumulativeAckEncoder;
import io.acktracker.transport.codecs.ExtendEncoder;
import io.acktracker.transport.codecs.LeaseEncoder;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.acktracker.transport.codecs.NackEncoder;
import io.acktracker.transport.codecs.RejectEncoder;
import io.acktracker.transport.codecs.SettleAction;
import io.acktracker.transport.codecs.SettleEncoder;
import io.aeron.Aeron;
import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A destination's publisher of commands to a tracker: acks, nacks, rejects and cumulative acks by message id, and,
 * for consumer-style delivery, leases and their extension and settlement by receipt handle. Each {@code try*}
 * encodes into one reused buffer and offers it once, returning Aeron's offer result: a new stream position when
 * positive, otherwise NOT_CONNECTED, BACK_PRESSURED, ADMIN_ACTION, CLOSED or MAX_POSITION_EXCEEDED, and then nothing
 * was sent: try again. Zero allocation. The tracker's answers (LeaseGranted, Refused) come on its outbound stream:
 * {@link DestinationClient} reads them for this publisher's session.
 * <p>
 * The publisher introduces itself with a DestinationHello before its first command and again after it has seen
 * its publication disconnected or (through its {@link DestinationClient}) a Refused UNBOUND_SESSION for its session,
 * which is what a restarted tracker answers, so the tracker binds its session to the destination again. Each publisher uses its own
 * exclusive publication (its own session): use one per thread.
 * <p>
 * A destination with a key at the tracker proves its name: use a {@link DestinationClient} with the key. Its
 * publisher first asks for a challenge, answers {@code BACK_PRESSURED} (nothing sent: try again, and keep polling
 * the client) until the tracker's nonce arrives, then sends the proof ahead of the command. The key never goes on
 * the wire; a proof is good for one nonce of one session.
 * <p>
 * A publisher with a client session ({@link DestinationClient} with {@link ClientSession.Settings}) numbers its
 * acks, nacks, rejects, cumulative acks, extensions and settlements: each {@code try*} of those then returns the
 * command's sequence (kept and sent until the tracker confirms it applied it: {@link ClientSession#isApplied}), or
 * NOT_CONNECTED / BACK_PRESSURED when not taken; their refusals arrive once each, from the client's outbox. A
 * Lease request is not numbered: its answer is a grant to this session, and a lost request or grant ends as an
 * expired lease and a new delivery, never as a lost or doubled outcome.
 * <p>
 * Threading: one thread.
 */
public final class AckPublisher implements AutoCloseable
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Protocol.MAX_FRAME_LENGTH));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final AckEncoder ackEncoder = new AckEncoder();
    private final NackEncoder nackEncoder = new NackEncoder();
    private final RejectEncoder rejectEncoder = new RejectEncoder();
    private final CumulativeAckEncoder cumulativeAckEncoder = new CumulativeAckEncoder();
    private final LeaseEncoder leaseEncoder = new LeaseEncoder();
    private final ExtendEncoder extendEncoder = new ExtendEncoder();
    private final SettleEncoder settleEncoder = new SettleEncoder();
    private TrackerLink link;
    private long linkEpoch;
    private final short destinationId;
    private final DestinationHello hello;
    private final ClientSession session;
    private long incarnationSeen;

    /**
     * A publisher over IPC on the default inbound stream, identified by name only.
     *
     * @param aeron           connected client; not closed by this.
     * @param destinationName the destination's registered name.
     */
    public AckPublisher(final Aeron aeron, final String destinationName)
    {
        this(aeron, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_INBOUND_STREAM_ID, destinationName,
            Protocol.BOUND_DESTINATION);
    }

    /**
     * A publisher on a given channel.
     *
     * @param aeron           connected client; not closed by this.
     * @param channel         the tracker's inbound channel as seen from here, e.g.
     *                        {@code aeron:udp?endpoint=tracker-host:40123}.
     * @param streamId        the tracker's inbound stream id.
     * @param destinationName the destination's registered name.
     * @param destinationId   its id when known (the tracker checks it matches the name), or
     *                        {@link Protocol#BOUND_DESTINATION} to let the tracker resolve the name.
     */
    public AckPublisher(
        final Aeron aeron,
        final String channel,
        final int streamId,
        final String destinationName,
        final int destinationId)
    {
        this(aeron, channel, streamId, destinationName, destinationId, null);
    }

    /**
     * A publisher that proves its destination's name with a key: created by {@link DestinationClient}, which reads
     * the tracker's challenge for it.
     *
     * @param key the destination's key (the same as in the tracker's destination key file), or null for none.
     */
    AckPublisher(
        final Aeron aeron,
        final String channel,
        final int streamId,
        final String destinationName,
        final int destinationId,
        final byte[] key)
    {
        this(aeron, channel, streamId, destinationName, destinationId, key, null);
    }

    /**
     * A publisher with a client session (exactly once): its acks, nacks, rejects, cumulative acks, extensions and
     * settlements are numbered and kept until the tracker confirms it applied them, and sent again whenever they
     * may not have arrived (a reconnect, a tracker restart, a refusal of an unknown session, the resend timeout);
     * created by {@link DestinationClient}, which reads the confirmations and the outbox for it and calls
     * {@link #doWork()}.
     *
     * @param key     the destination's key, or null for none.
     * @param session who this client is, or null for a publisher without a session.
     */
    AckPublisher(
        final Aeron aeron,
        final String channel,
        final int streamId,
        final String destinationName,
        final int destinationId,
        final byte[] key,
        final ClientSession.Settings session)
    {
        this(AeronTrackerLink.sendOnly(aeron, channel, streamId), destinationName, destinationId, key, session);
    }

    /**
     * A publisher over a link, with or without a key and a session: created by {@link DestinationClient}, which
     * polls the link for it (its answers, challenges and confirmations) and calls {@link #doWork()}.
     *
     * @param link            the link to the tracker; closed with this publisher.
     * @param destinationName the destination's registered name.
     * @param destinationId   its id when known, or {@link Protocol#BOUND_DESTINATION}.
     * @param key             the destination's key, or null for none.
     * @param session         who this client is, or null for a publisher without a session.
     */
    AckPublisher(
        final TrackerLink link,
        final String destinationName,
        final int destinationId,
        final byte[] key,
        final ClientSession.Settings session)
    {
        if (null == destinationName || destinationName.isEmpty() ||
            destinationName.length() > Protocol.MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("destination name must be 1.." + Protocol.MAX_NAME_LENGTH +
                " characters: " + destinationName);
        }
        if ((destinationId < 0 || destinationId > Protocol.MAX_DESTINATION_ID) &&
            Protocol.BOUND_DESTINATION != destinationId)
        {
            throw new IllegalArgumentException("destination id out of range: " + destinationId);
        }
        this.destinationId = (short)destinationId;
        this.hello = new DestinationHello(destinationName, destinationId, key);
        this.link = link;
        this.linkEpoch = link.epoch();
        this.session = null == session ? null : new ClientSession(session, link);
    }

    /**
     * Go on over a new link (the old one's driver died, or the old link was replaced): it introduces itself again
     * before its next command; with a session, everything unconfirmed goes again once bound. The old link is closed.
     * Called by {@link DestinationClient#reconnect}.
     *
     * @param link the new link.
     */
    void reconnect(final TrackerLink link)
    {
        if (link != this.link)
        {
            CloseHelper.quietClose(this.link);
        }
        this.link = link;
        this.linkEpoch = link.epoch();
        rehello();
        if (null != session)
        {
            session.reconnect(link);
        }
    }

    /**
     * The link this publisher sends over (its {@link DestinationClient} polls it).
     *
     * @return the link.
     */
    TrackerLink link()
    {
        return link;
    }

    /**
     * Introduce this publisher again when its link changed its path by itself (a new cluster session: the tracker
     * knows this destination under its old session id only).
     */
    private void followLink()
    {
        if (link.epoch() != linkEpoch)
        {
            linkEpoch = link.epoch();
            rehello();
        }
    }

    /**
     * The publisher's client session, or null without one.
     *
     * @return the session.
     */
    public ClientSession session()
    {
        return session;
    }

    /**
     * With a session: introduce this publisher again when the tracker restarted or the connection came back, then
     * let the session bind, resend and confirm. Called from {@link DestinationClient#poll(int)}.
     *
     * @return work done.
     */
    int doWork()
    {
        if (null == session)
        {
            return 0;
        }
        followLink();
        if (!link.isConnected())
        {
            if (hello.isSent())
            {
                rehello();
            }
            return session.doWork();
        }
        if (session.incarnation() != incarnationSeen)
        {
            if (0 != incarnationSeen)
            {
                // a restarted tracker binds sessions to destinations anew
                rehello();
            }
            incarnationSeen = session.incarnation();
        }
        if (!hello.isSent() && hello.send(link) < 0)
        {
            // the session's frames wait for the hello (or, with a key, for the challenge's answer)
            return 0;
        }
        return session.doWork();
    }

    /**
     * The tracker's challenge to this session arrived: the proof goes before the next command. Ignored unless this
     * publisher has a key and is waiting for one.
     *
     * @param buffer      holding the nonce.
     * @param nonceOffset where it starts.
     */
    void onHelloChallenge(final DirectBuffer buffer, final int nonceOffset)
    {
        hello.onChallenge(buffer, nonceOffset, link.sessionId());
    }

    /**
     * Whether this publisher proves its name with a key.
     *
     * @return true with a key.
     */
    public boolean hasKey()
    {
        return hello.hasKey();
    }

    /**
     * Ack one message.
     *
     * @param messageId message.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long tryAck(final long messageId)
    {
        ackEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .messageId(messageId)
            .destinationId(destinationId)
            .clientId(clientId())
            .clientSequence(nextSequence());
        return offerNumbered(MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength());
    }

    /**
     * Ask for a message to be redelivered.
     *
     * @param messageId        message.
     * @param redeliverDelayNs delay before redelivery, 0 for the tracker's policy.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long tryNack(final long messageId, final long redeliverDelayNs)
    {
        return tryNack(messageId, redeliverDelayNs, 0, "");
    }

    /**
     * Ask for a message to be redelivered, saying why.
     *
     * @param messageId        message.
     * @param redeliverDelayNs delay before redelivery, 0 for the tracker's policy.
     * @param errorCode        the destination's error code, kept in the attempt history.
     * @param reason           ASCII, at most {@link Protocol#MAX_REASON_LENGTH} characters.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long tryNack(
        final long messageId, final long redeliverDelayNs, final int errorCode, final CharSequence reason)
    {
        checkReason(reason);
        nackEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .messageId(messageId)
            .redeliverDelayNs(redeliverDelayNs)
            .errorCode(errorCode)
            .destinationId(destinationId)
            .clientId(clientId())
            .clientSequence(nextSequence())
            .reason(reason);
        return offerNumbered(MessageHeaderEncoder.ENCODED_LENGTH + nackEncoder.encodedLength());
    }

    /**
     * Reject a message as poison.
     *
     * @param messageId message.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long tryReject(final long messageId)
    {
        return tryReject(messageId, 0, "");
    }

    /**
     * Reject a message as poison, saying why.
     *
     * @param messageId message.
     * @param errorCode the destination's error code, kept with the dead letter.
     * @param reason    ASCII, at most {@link Protocol#MAX_REASON_LENGTH} characters.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long tryReject(final long messageId, final int errorCode, final CharSequence reason)
    {
        checkReason(reason);
        rejectEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .messageId(messageId)
            .errorCode(errorCode)
            .destinationId(destinationId)
            .clientId(clientId())
            .clientSequence(nextSequence())
            .reason(reason);
        return offerNumbered(MessageHeaderEncoder.ENCODED_LENGTH + rejectEncoder.encodedLength());
    }

    /**
     * Confirm every message of a stream up to and including an offset.
     *
     * @param streamId stream.
     * @param offset   highest confirmed sequence.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long tryCumulativeAck(final int streamId, final long offset)
    {
        cumulativeAckEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .streamOffset(offset)
            .streamId(streamId)
            .destinationId(destinationId)
            .clientId(clientId())
            .clientSequence(nextSequence());
        return offerNumbered(MessageHeaderEncoder.ENCODED_LENGTH + cumulativeAckEncoder.encodedLength());
    }

    /**
     * Ask for an exclusive lease on a message: answered with a LeaseGranted (carrying the receipt handle) or a
     * Refused, both with this correlation id, to this publisher's session.
     *
     * @param correlationId  echoed in the answer.
     * @param messageId      message.
     * @param leaseTimeoutNs visibility timeout; 0 for the tracker's default.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long tryLease(final long correlationId, final long messageId, final long leaseTimeoutNs)
    {
        leaseEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .messageId(messageId)
            .leaseTimeoutNs(leaseTimeoutNs)
            .destinationId(destinationId);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + leaseEncoder.encodedLength());
    }

    /**
     * Extend a lease: still working on it. Answered only when refused.
     *
     * @param handle      receipt handle of the lease.
     * @param extensionNs added to the lease deadline.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long tryExtend(final ReceiptHandle handle, final long extensionNs)
    {
        extendEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .extensionNs(extensionNs)
            .destinationId(destinationId)
            .clientId(clientId())
            .clientSequence(nextSequence());
        handle.encode(buffer, MessageHeaderEncoder.ENCODED_LENGTH + ExtendEncoder.receiptHandleEncodingOffset());
        return offerNumbered(MessageHeaderEncoder.ENCODED_LENGTH + extendEncoder.encodedLength());
    }

    /**
     * Settle a lease by acking: the message is done. Answered only when refused.
     *
     * @param handle receipt handle of the lease.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long tryAck(final ReceiptHandle handle)
    {
        return trySettle(handle, SettleAction.ACK, 0, 0, "");
    }

    /**
     * Settle a lease by nacking: release the message, to be leased again after the delay. Answered only when
     * refused.
     *
     * @param handle           receipt handle of the lease.
     * @param redeliverDelayNs delay before it may be leased again; 0 for its backoff.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long tryNack(final ReceiptHandle handle, final long redeliverDelayNs)
    {
        return trySettle(handle, SettleAction.NACK, redeliverDelayNs, 0, "");
    }

    /**
     * Settle a lease by rejecting the message as poison: it fails and is dead-lettered. Answered only when refused.
     *
     * @param handle    receipt handle of the lease.
     * @param errorCode kept with the dead letter.
     * @param reason    ASCII, at most {@link Protocol#MAX_REASON_LENGTH} characters.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long tryReject(final ReceiptHandle handle, final int errorCode, final CharSequence reason)
    {
        return trySettle(handle, SettleAction.REJECT, 0, errorCode, reason);
    }

    /**
     * Settle a lease.
     *
     * @param handle           receipt handle of the lease.
     * @param action           ack, nack or reject.
     * @param redeliverDelayNs for a nack: delay before it may be leased again, 0 for its backoff.
     * @param errorCode        for a reject: kept with the dead letter.
     * @param reason           ASCII, at most {@link Protocol#MAX_REASON_LENGTH} characters.
     * @return new position, or a negative Aeron offer result (nothing sent).
     */
    public long trySettle(
        final ReceiptHandle handle,
        final SettleAction action,
        final long redeliverDelayNs,
        final int errorCode,
        final CharSequence reason)
    {
        checkReason(reason);
        settleEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .redeliverDelayNs(redeliverDelayNs)
            .errorCode(errorCode)
            .action(action)
            .destinationId(destinationId)
            .clientId(clientId())
            .clientSequence(nextSequence())
            .reason(reason);
        handle.encode(buffer, MessageHeaderEncoder.ENCODED_LENGTH + SettleEncoder.receiptHandleEncodingOffset());
        return offerNumbered(MessageHeaderEncoder.ENCODED_LENGTH + settleEncoder.encodedLength());
    }

    /**
     * Whether a tracker is subscribed.
     *
     * @return true when connected.
     */
    public boolean isConnected()
    {
        return link.isConnected();
    }

    /**
     * Session id of this publisher, as the tracker sees it.
     *
     * @return the session id.
     */
    public int sessionId()
    {
        return link.sessionId();
    }

    public void close()
    {
        link.close();
    }

    /**
     * Send a command that a session numbers: without a session, offer it once; with one, keep it until confirmed
     * (after the hello, which goes first).
     *
     * @return without a session, Aeron's offer result; with one, the command's sequence (above 0), or
     * NOT_CONNECTED before the session is bound, BACK_PRESSURED while the hello waits or the retransmit buffer is
     * full: not taken, try again.
     */
    private long offerNumbered(final int length)
    {
        if (null == session)
        {
            return offer(length);
        }
        followLink();
        if (!hello.isSent())
        {
            final long result = hello.send(link);
            if (result < 0)
            {
                return result;
            }
        }
        if (!session.canSend())
        {
            return session.isBound() ? Publication.BACK_PRESSURED : Publication.NOT_CONNECTED;
        }
        return session.send(buffer, 0, length);
    }

    private long clientId()
    {
        return null == session ? 0 : session.clientId();
    }

    private long nextSequence()
    {
        return null == session ? 0 : session.nextSequence();
    }

    private long offer(final int length)
    {
        followLink();
        if (!hello.isSent())
        {
            final long result = hello.send(link);
            if (result < 0)
            {
                return result;
            }
        }
        final long result = link.offer(buffer, 0, length);
        if (Publication.NOT_CONNECTED == result)
        {
            rehello();
        }
        return result;
    }

    /**
     * Say hello again before the next command (the publication was disconnected, or the tracker no longer knows
     * this session): with a key, that means a new challenge.
     */
    void rehello()
    {
        hello.reset();
    }

    private static void checkReason(final CharSequence reason)
    {
        if (reason.length() > Protocol.MAX_REASON_LENGTH)
        {
            throw new IllegalArgumentException("reason longer than " + Protocol.MAX_REASON_LENGTH);
        }
    }
}

package io.acktracker.transport.outbound;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.api.Result;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.WireCodes;
import io.acktracker.transport.codecs.BooleanType;
import io.acktracker.transport.codecs.HelloChallengeEncoder;
import io.acktracker.transport.codecs.LeaseGrantedEncoder;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.acktracker.transport.codecs.OutcomeEncoder;
import io.acktracker.transport.codecs.RedeliverEncoder;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.RefusedEncoder;
import io.acktracker.transport.codecs.SessionChallengeEncoder;
import io.acktracker.transport.codecs.SessionConfirmEncoder;
import io.aeron.Publication;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Encodes the tracker's outbound frames (Outcome, Redeliver, Refused, LeaseGranted, HelloChallenge, SessionChallenge) with SBE encoders kept as
 * fields, and publishes them without loss under back pressure:
 * <ol>
 *     <li>offer, retrying a bounded number of times within the duty cycle on BACK_PRESSURED or ADMIN_ACTION;</li>
 *     <li>then append to the {@link OutboundBacklog}, and keep appending while it is not empty, so frames stay in
 *     order; {@link #drainBacklog(int)} publishes the backlog at the start of each duty cycle;</li>
 *     <li>when the backlog reaches its cap, {@link #isBacklogFull()} tells the transport to stop polling inbound
 *     commands, so back pressure reaches the senders instead of anything being dropped.</li>
 * </ol>
 * With no subscriber connected (NOT_CONNECTED) there is nobody to deliver to: the frame is counted and not kept,
 * unless the proxy is configured to backlog it for a subscriber that joins later.
 * <p>
 * Outbox entries of client sessions (version 3) are offered once and never backlogged ({@code tryOutbox*}): the
 * outbox keeps them, and {@link OutboxSender} offers them again in a later duty cycle.
 * <p>
 * Zero allocation per frame below the cap. Threading: agent thread only.
 * <p>
 * Why this file is long: every outbound frame's encoding, beside the one path that publishes them (offer, retry,
 * backlog, counters), which they share.
 */
public final class OutboundProxy
{

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Protocol.MAX_FRAME_LENGTH));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final OutcomeEncoder outcomeEncoder = new OutcomeEncoder();
    private final RedeliverEncoder redeliverEncoder = new RedeliverEncoder();
    private final RefusedEncoder refusedEncoder = new RefusedEncoder();
    private final LeaseGrantedEncoder leaseGrantedEncoder = new LeaseGrantedEncoder();
    private final SessionConfirmEncoder sessionConfirmEncoder = new SessionConfirmEncoder();
    private final HelloChallengeEncoder helloChallengeEncoder = new HelloChallengeEncoder();
    private final SessionChallengeEncoder sessionChallengeEncoder = new SessionChallengeEncoder();

    private final FrameSink sink;
    private final OutboundBacklog backlog;
    private final TransportCounters counters;
    private final int retries;
    private final boolean backlogWhenNotConnected;

    /**
     * A proxy over a sink.
     *
     * @param sink                    where frames go.
     * @param counters                transport counters.
     * @param backlogCap              backlog bytes at which inbound polling stops.
     * @param retries                 extra offers within the duty cycle before backlogging.
     * @param backlogWhenNotConnected keep frames for a subscriber that joins later rather than counting them as
     *                                undeliverable.
     */
    public OutboundProxy(
        final FrameSink sink,
        final TransportCounters counters,
        final int backlogCap,
        final int retries,
        final boolean backlogWhenNotConnected)
    {
        this.sink = sink;
        this.counters = counters;
        this.backlog = new OutboundBacklog(backlogCap);
        this.retries = retries;
        this.backlogWhenNotConnected = backlogWhenNotConnected;
    }

    /**
     * Publish an outcome.
     *
     * @param messageId message.
     * @param outcome   final state.
     * @param reason    why it failed or expired.
     * @param latencyNs track to outcome.
     * @param attempts  delivery attempts.
     * @param replay    may have been told before a crash.
     */
    public void outcome(
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts,
        final boolean replay)
    {
        encodeOutcome(messageId, outcome, reason, latencyNs, attempts, replay, 0, 0);
        send(MessageHeaderEncoder.ENCODED_LENGTH + outcomeEncoder.encodedLength());
    }

    /**
     * Publish the outcome kept as an entry of a client's outbox, now, or not at all: the outbox keeps it, so a frame
     * that cannot go now goes in a later duty cycle (never through the backlog, never ahead of it).
     *
     * @param clientId  the client.
     * @param entry     the entry's number.
     * @param messageId message.
     * @param outcome   final state.
     * @param reason    why it failed or expired.
     * @param latencyNs track to outcome.
     * @param attempts  delivery attempts.
     * @return true when published.
     */
    public boolean tryOutboxOutcome(
        final long clientId,
        final long entry,
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts)
    {
        encodeOutcome(messageId, outcome, reason, latencyNs, attempts, false, clientId, entry);
        return tryNow(MessageHeaderEncoder.ENCODED_LENGTH + outcomeEncoder.encodedLength());
    }

    private void encodeOutcome(
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts,
        final boolean replay,
        final long clientId,
        final long entry)
    {
        outcomeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .messageId(messageId)
            .latencyNs(latencyNs)
            .attempts(attempts)
            .outcome(WireCodes.outcomeCode(outcome))
            .reason(WireCodes.reasonCode(reason))
            .replay(replay ? BooleanType.TRUE : BooleanType.FALSE)
            .clientId(clientId)
            .entry(entry);
    }

    /**
     * Publish a redelivery kept in a client's outbox, now or not at all (see {@link #tryOutboxOutcome}).
     *
     * @param clientId      the client.
     * @param entry         the entry's number.
     * @param messageId     message.
     * @param destinationId destination, or {@link RedeliveryListener#CONSUMER}.
     * @param attempt       the attempt.
     * @return true when published.
     */
    public boolean tryOutboxRedelivery(
        final long clientId, final long entry, final long messageId, final int destinationId, final int attempt)
    {
        encodeRedeliver(messageId, destinationId, attempt, clientId, entry);
        return tryNow(MessageHeaderEncoder.ENCODED_LENGTH + redeliverEncoder.encodedLength());
    }

    /**
     * Publish the refusal of a client's numbered command kept in its outbox, now or not at all (see
     * {@link #tryOutboxOutcome}).
     *
     * @param clientId          the client.
     * @param entry             the entry's number.
     * @param correlationId     the command's message or stream id.
     * @param refusedTemplateId the command's template.
     * @param code              why.
     * @param clientSequence    the command's sequence.
     * @return true when published.
     */
    public boolean tryOutboxRefusal(
        final long clientId,
        final long entry,
        final long correlationId,
        final int refusedTemplateId,
        final RefusalCode code,
        final long clientSequence)
    {
        encodeRefused(correlationId, 0, refusedTemplateId, code, Protocol.BOUND_DESTINATION, clientId, entry,
            clientSequence);
        return tryNow(MessageHeaderEncoder.ENCODED_LENGTH + refusedEncoder.encodedLength());
    }

    /**
     * Tell a client that its commands are applied through a sequence (cumulative: a lost one is made good by the
     * next), with the tracker's incarnation and how far its outbox was written.
     *
     * @param clientId       the client.
     * @param incarnation    this tracker start's id.
     * @param appliedThrough the client's highest applied sequence.
     * @param outboxWritten   its outbox's newest entry.
     * @param outboxConfirmed the entry through which it confirmed its outbox.
     */
    public void sessionConfirm(
        final long clientId,
        final long incarnation,
        final long appliedThrough,
        final long outboxWritten,
        final long outboxConfirmed)
    {
        sessionConfirmEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(clientId)
            .incarnation(incarnation)
            .appliedThrough(appliedThrough)
            .outboxWritten(outboxWritten)
            .outboxConfirmed(outboxConfirmed);
        send(MessageHeaderEncoder.ENCODED_LENGTH + sessionConfirmEncoder.encodedLength());
    }

    /**
     * Ask senders to deliver a message to a destination again, or tell consumers a leased message is available to
     * lease again.
     *
     * @param messageId     message.
     * @param destinationId destination, or {@link RedeliveryListener#CONSUMER} (sent as
     *                      {@link Protocol#CONSUMER_DESTINATION}).
     * @param attempt       the attempt this redelivery is, or the next delivery number for consumers.
     */
    public void redeliver(final long messageId, final int destinationId, final int attempt)
    {
        encodeRedeliver(messageId, destinationId, attempt, 0, 0);
        send(MessageHeaderEncoder.ENCODED_LENGTH + redeliverEncoder.encodedLength());
    }

    private void encodeRedeliver(
        final long messageId, final int destinationId, final int attempt, final long clientId, final long entry)
    {
        redeliverEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .messageId(messageId)
            .attempt(attempt)
            .destinationId((short)(RedeliveryListener.CONSUMER == destinationId ?
                Protocol.CONSUMER_DESTINATION : destinationId))
            .clientId(clientId)
            .entry(entry);
    }

    /**
     * Tell the sending session its command was refused.
     *
     * @param correlationId     message id, stream id or lease correlation id of the command.
     * @param sessionId         Aeron session the command came from.
     * @param refusedTemplateId template of the command.
     * @param code              why.
     * @param destinationId     destination concerned, or {@link Protocol#BOUND_DESTINATION} when none.
     */
    public void refused(
        final long correlationId,
        final int sessionId,
        final int refusedTemplateId,
        final RefusalCode code,
        final int destinationId)
    {
        encodeRefused(correlationId, sessionId, refusedTemplateId, code, destinationId, 0, 0, 0);
        send(MessageHeaderEncoder.ENCODED_LENGTH + refusedEncoder.encodedLength());
    }

    /**
     * Tell a client at once that its numbered command was refused without using its sequence (a gap, no session,
     * a full outbox): not kept, the client acts on it (resends, opens its session, confirms its outbox).
     *
     * @param correlationId     message id or stream id of the command.
     * @param sessionId         Aeron session the command came from.
     * @param refusedTemplateId template of the command.
     * @param code              why.
     * @param clientId          the client.
     * @param clientSequence    the command's sequence.
     */
    public void refusedNumbered(
        final long correlationId,
        final int sessionId,
        final int refusedTemplateId,
        final RefusalCode code,
        final long clientId,
        final long clientSequence)
    {
        encodeRefused(correlationId, sessionId, refusedTemplateId, code, Protocol.BOUND_DESTINATION, clientId, 0,
            clientSequence);
        send(MessageHeaderEncoder.ENCODED_LENGTH + refusedEncoder.encodedLength());
    }

    private void encodeRefused(
        final long correlationId,
        final int sessionId,
        final int refusedTemplateId,
        final RefusalCode code,
        final int destinationId,
        final long clientId,
        final long entry,
        final long clientSequence)
    {
        refusedEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .refusedTemplateId(refusedTemplateId)
            .code(code)
            .destinationId((short)destinationId)
            .clientId(clientId)
            .entry(entry)
            .clientSequence(clientSequence);
    }

    /**
     * Tell a consumer its lease was granted: the receipt handle goes out in its binary form.
     *
     * @param correlationId   of the Lease request.
     * @param handle          the receipt handle just issued.
     * @param leaseDeadlineNs when the lease ends unless extended (epoch ns).
     * @param sessionId       Aeron session of the Lease request, so only its sender keeps the grant.
     * @param destinationId   lease holder.
     */
    public void leaseGranted(
        final long correlationId,
        final ReceiptHandle handle,
        final long leaseDeadlineNs,
        final int sessionId,
        final int destinationId)
    {
        leaseGrantedEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .messageId(handle.messageId())
            .leaseDeadlineNs(leaseDeadlineNs)
            .delivery(handle.delivery())
            .sessionId(sessionId)
            .destinationId((short)destinationId);
        handle.encode(buffer, MessageHeaderEncoder.ENCODED_LENGTH + LeaseGrantedEncoder.receiptHandleEncodingOffset());
        send(MessageHeaderEncoder.ENCODED_LENGTH + leaseGrantedEncoder.encodedLength());
    }

    /**
     * Challenge a session's hello: it proves its destination's name with this nonce.
     *
     * @param sessionId     Aeron session of the hello, so only its sender answers.
     * @param destinationId the destination it named.
     * @param nonce         {@link io.acktracker.transport.auth.HelloProof#NONCE_LENGTH} random bytes.
     */
    public void helloChallenge(final int sessionId, final int destinationId, final byte[] nonce)
    {
        helloChallengeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .destinationId((short)destinationId)
            .putNonce(nonce, 0, nonce.length);
        send(MessageHeaderEncoder.ENCODED_LENGTH + helloChallengeEncoder.encodedLength());
    }

    /**
     * A SessionChallenge: the nonce a client proves its id with, to the session whose SessionOpen asked for it.
     *
     * @param clientId  the client id the open named.
     * @param sessionId the Aeron session of that open.
     * @param nonce     the nonce.
     */
    public void sessionChallenge(final long clientId, final int sessionId, final byte[] nonce)
    {
        sessionChallengeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(clientId)
            .sessionId(sessionId)
            .putNonce(nonce, 0, nonce.length);
        send(MessageHeaderEncoder.ENCODED_LENGTH + sessionChallengeEncoder.encodedLength());
    }

    /**
     * The refusal code for an engine result.
     *
     * @param result an engine refusal.
     * @return its wire code, OTHER when the schema has none.
     */
    public static RefusalCode refusalCode(final Result result)
    {
        return WireCodes.refusalCode(result);
    }

    /**
     * Publish backlogged frames, oldest first, until one is refused or the limit is reached.
     *
     * @param limit most frames to publish.
     * @return frames published (or given up on for want of a subscriber).
     */
    public int drainBacklog(final int limit)
    {
        int work = 0;
        while (!backlog.isEmpty() && work < limit)
        {
            final int offset = backlog.headOffset();
            final int length = backlog.headLength();
            final long result = sink.offer(backlog.buffer(), offset, length);
            if (result > 0)
            {
                counters.increment(sentCounter(templateIdAt(backlog.buffer(), offset)));
            }
            else if (Publication.NOT_CONNECTED == result && !backlogWhenNotConnected)
            {
                counters.increment(TransportCounter.OUTBOUND_NO_SUBSCRIBER);
            }
            else
            {
                if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                {
                    counters.increment(TransportCounter.OUTBOUND_ERRORS);
                }
                break;
            }
            backlog.pop();
            work++;
        }
        if (work > 0)
        {
            updateBacklogGauges();
        }
        return work;
    }

    /**
     * Whether the backlog is at its cap: the transport then stops polling inbound commands.
     *
     * @return true at or over the cap.
     */
    public boolean isBacklogFull()
    {
        return backlog.isFull();
    }

    /**
     * Frames waiting in the backlog.
     *
     * @return the count.
     */
    public int backlogFrames()
    {
        return backlog.frames();
    }

    /** One offer, only behind an empty backlog; counted either way. */
    private boolean tryNow(final int length)
    {
        if (backlog.isEmpty())
        {
            final long result = sink.offer(buffer, 0, length);
            if (result > 0)
            {
                counters.increment(TransportCounter.OUTBOX_ENTRIES_SENT);
                return true;
            }
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                counters.increment(TransportCounter.OUTBOUND_ERRORS);
            }
        }
        counters.increment(TransportCounter.OUTBOX_SEND_DEFERRED);
        return false;
    }

    private void send(final int length)
    {
        if (!backlog.isEmpty())
        {
            toBacklog(length);
            return;
        }

        for (int attempt = 0; attempt <= retries; attempt++)
        {
            final long result = sink.offer(buffer, 0, length);
            if (result > 0)
            {
                counters.increment(sentCounter(templateIdAt(buffer, 0)));
                return;
            }
            if (Publication.NOT_CONNECTED == result && !backlogWhenNotConnected)
            {
                counters.increment(TransportCounter.OUTBOUND_NO_SUBSCRIBER);
                return;
            }
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                counters.increment(TransportCounter.OUTBOUND_ERRORS);
                break;
            }
            if (attempt < retries)
            {
                counters.increment(TransportCounter.OUTBOUND_RETRIES);
            }
        }
        toBacklog(length);
    }

    private static int templateIdAt(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getShort(frameOffset + MessageHeaderEncoder.templateIdEncodingOffset(),
            MessageHeaderEncoder.BYTE_ORDER) & 0xFFFF;
    }

    private void toBacklog(final int length)
    {
        if (backlog.append(buffer, 0, length))
        {
            counters.increment(TransportCounter.BACKLOG_GROWTHS);
        }
        counters.increment(TransportCounter.OUTBOUND_BACKLOGGED);
        updateBacklogGauges();
    }

    private void updateBacklogGauges()
    {
        counters.set(TransportCounter.BACKLOG_BYTES, backlog.bytes());
        counters.set(TransportCounter.BACKLOG_FRAMES, backlog.frames());
    }

    private static TransportCounter sentCounter(final int templateId)
    {
        switch (templateId)
        {
            case OutcomeEncoder.TEMPLATE_ID:
                return TransportCounter.OUTCOMES_SENT;
            case RedeliverEncoder.TEMPLATE_ID:
                return TransportCounter.REDELIVERS_SENT;
            case LeaseGrantedEncoder.TEMPLATE_ID:
                return TransportCounter.LEASES_GRANTED_SENT;
            case SessionConfirmEncoder.TEMPLATE_ID:
                return TransportCounter.SESSION_CONFIRMS_SENT;
            case HelloChallengeEncoder.TEMPLATE_ID:
                return TransportCounter.HELLO_CHALLENGES;
            case SessionChallengeEncoder.TEMPLATE_ID:
                return TransportCounter.SESSION_CHALLENGES;
            default:
                return TransportCounter.REFUSALS_SENT;
        }
    }
}

package io.acktracker.transport.client;

import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.WireCodes;
import io.acktracker.transport.codecs.HelloChallengeDecoder;
import io.acktracker.transport.codecs.LeaseGrantedDecoder;
import io.acktracker.transport.codecs.MessageHeaderDecoder;
import io.acktracker.transport.codecs.OutcomeDecoder;
import io.acktracker.transport.codecs.RedeliverDecoder;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.RefusedDecoder;
import io.acktracker.transport.codecs.SessionChallengeDecoder;
import io.acktracker.transport.codecs.SessionConfirmDecoder;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decodes what a tracker publishes on its outbound stream (Outcome, Redeliver, Refused, LeaseGranted) and hands it
 * to a {@link TrackerClientHandler}; a HelloChallenge to this session goes to its {@link AckPublisher}, a SessionChallenge to this
 * session and client to its {@link ClientSession}. Refused and LeaseGranted frames answer one session's commands: only those
 * carrying this adapter's session id are handed on. Outcome and Redeliver frames go to everyone. Frames it does not
 * know (a newer tracker's, or not acktracker's) are skipped and counted.
 * <p>
 * Redeliver's destination {@link Protocol#CONSUMER_DESTINATION} is handed on as
 * {@link RedeliveryListener#CONSUMER}, as the engine names it.
 * <p>
 * Zero allocation per frame: the decoders and the receipt handle given to
 * {@link TrackerClientHandler#onLeaseGranted} are reused. Threading: one thread, the one polling.
 */
public final class OutboundAdapter implements FragmentHandler
{

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final OutcomeDecoder outcomeDecoder = new OutcomeDecoder();
    private final RedeliverDecoder redeliverDecoder = new RedeliverDecoder();
    private final RefusedDecoder refusedDecoder = new RefusedDecoder();
    private final LeaseGrantedDecoder leaseGrantedDecoder = new LeaseGrantedDecoder();
    private final ReceiptHandle receiptHandle = new ReceiptHandle();
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final SessionConfirmDecoder sessionConfirmDecoder = new SessionConfirmDecoder();
    private final HelloChallengeDecoder helloChallengeDecoder = new HelloChallengeDecoder();
    private final SessionChallengeDecoder sessionChallengeDecoder = new SessionChallengeDecoder();
    private final TrackerClientHandler handler;
    private final int fixedSessionId;
    private final TrackerLink link;
    private final ClientSession session;
    private final AckPublisher challenged;
    /** With a session: whether Outcome and Redeliver frames told to every subscriber are handed on too. */
    private final boolean hearsBroadcast;
    private long unknownFrames;

    /**
     * An adapter for the commands one session sends.
     *
     * @param handler   receives what is decoded.
     * @param sessionId session id of the publication whose commands' answers to keep.
     */
    public OutboundAdapter(final TrackerClientHandler handler, final int sessionId)
    {
        this(handler, sessionId, null, null, true);
    }

    /**
     * An adapter for a client with a session: outcomes, redeliveries and refusals reach the handler only as entries
     * of this client's outbox, each once and in order ({@link ClientSession#onEntry}); frames told to every
     * subscriber and other clients' entries are skipped; SessionConfirm frames and refusals that did not use a
     * sequence go to the session.
     *
     * @param handler   receives what is decoded.
     * @param sessionId session id of the publication whose commands' answers to keep.
     * @param session   the client's session, or null for a client without one.
     */
    public OutboundAdapter(final TrackerClientHandler handler, final int sessionId, final ClientSession session)
    {
        this(handler, sessionId, session, null, false);
    }

    /**
     * An adapter that also hands the tracker's hello challenges to this session's publisher.
     *
     * @param handler    receives what is decoded.
     * @param sessionId  session id of the publication whose commands' answers to keep.
     * @param challenged the publisher that answers challenges, or null.
     */
    OutboundAdapter(final TrackerClientHandler handler, final int sessionId, final AckPublisher challenged)
    {
        this(handler, sessionId, null, challenged, true);
    }

    /**
     * An adapter for a destination's or consumer's publisher, with or without a session. With one, the Redeliver
     * (and Outcome) frames told to every subscriber are still handed on, as without one: a destination's outbox
     * holds only the refusals of its numbered commands; senders' outbox entries are skipped.
     *
     * @param handler    receives what is decoded.
     * @param sessionId  session id of the publisher's publication.
     * @param session    the publisher's client session, or null.
     * @param challenged the publisher: answers challenges, and introduces itself again when refused unbound.
     */
    OutboundAdapter(
        final TrackerClientHandler handler,
        final int sessionId,
        final ClientSession session,
        final AckPublisher challenged)
    {
        this(handler, sessionId, null, session, challenged, true);
    }

    /**
     * An adapter for the answers to the commands sent over a link: the session id they must carry is the link's at
     * the time (a cluster link's changes when it opens a new cluster session).
     *
     * @param handler    receives what is decoded.
     * @param link       the link the commands go over.
     * @param session    the client's session, or null.
     * @param challenged a destination's publisher (answers challenges, introduces itself again when refused
     *                   unbound), or null for a sender.
     */
    OutboundAdapter(
        final TrackerClientHandler handler,
        final TrackerLink link,
        final ClientSession session,
        final AckPublisher challenged)
    {
        // a sender with a session hears only its outbox; a destination also hears what is told to every subscriber
        this(handler, 0, link, session, challenged, null == session || null != challenged);
    }

    private OutboundAdapter(
        final TrackerClientHandler handler,
        final int sessionId,
        final ClientSession session,
        final AckPublisher challenged,
        final boolean hearsBroadcast)
    {
        this(handler, sessionId, null, session, challenged, hearsBroadcast);
    }

    private OutboundAdapter(
        final TrackerClientHandler handler,
        final int sessionId,
        final TrackerLink link,
        final ClientSession session,
        final AckPublisher challenged,
        final boolean hearsBroadcast)
    {
        this.handler = handler;
        this.fixedSessionId = sessionId;
        this.link = link;
        this.session = session;
        this.challenged = challenged;
        this.hearsBroadcast = hearsBroadcast;
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            unknownFrames++;
            return;
        }
        frame.wrap(buffer, offset, length);
        headerDecoder.wrap(frame, 0);
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        if (headerDecoder.schemaId() != Protocol.SCHEMA_ID || version < Protocol.MIN_SCHEMA_VERSION ||
            MessageHeaderDecoder.ENCODED_LENGTH + blockLength > length ||
            !dispatch(headerDecoder.templateId(), blockLength, version))
        {
            unknownFrames++;
        }
    }

    /**
     * Frames skipped because this adapter does not know them.
     *
     * @return the count.
     */
    public long unknownFrames()
    {
        return unknownFrames;
    }

    private boolean dispatch(final int templateId, final int blockLength, final int version)
    {
        final int bodyOffset = MessageHeaderDecoder.ENCODED_LENGTH;
        switch (templateId)
        {
            case OutcomeDecoder.TEMPLATE_ID:
            {
                if (blockLength < OutcomeDecoder.BLOCK_LENGTH)
                {
                    return false;
                }
                final OutcomeDecoder decoder = outcomeDecoder.wrap(frame, bodyOffset, blockLength, version);
                final Outcome outcome = WireCodes.outcome(decoder.outcomeRaw());
                if (null == outcome)
                {
                    return false;
                }
                final int take = take(blockLength, OutcomeDecoder.clientIdEncodingOffset(),
                    OutcomeDecoder.entryEncodingOffset());
                if (take > 0)
                {
                    handler.onOutcome(decoder.messageId(), outcome, WireCodes.reason(decoder.reasonRaw()),
                        decoder.latencyNs(), decoder.attempts(),
                        1 == decoder.replayRaw() || ClientSession.NEW_MAYBE_SEEN == take);
                }
                return true;
            }
            case RedeliverDecoder.TEMPLATE_ID:
            {
                if (blockLength < RedeliverDecoder.BLOCK_LENGTH)
                {
                    return false;
                }
                final RedeliverDecoder decoder = redeliverDecoder.wrap(frame, bodyOffset, blockLength, version);
                final int destinationId = decoder.destinationId();
                if (take(blockLength, RedeliverDecoder.clientIdEncodingOffset(),
                    RedeliverDecoder.entryEncodingOffset()) <= 0)
                {
                    return true;
                }
                handler.onRedeliver(decoder.messageId(),
                    Protocol.CONSUMER_DESTINATION == destinationId ? RedeliveryListener.CONSUMER : destinationId,
                    decoder.attempt());
                return true;
            }
            case RefusedDecoder.TEMPLATE_ID:
            {
                if (blockLength < RefusedDecoder.BLOCK_LENGTH)
                {
                    return false;
                }
                final RefusedDecoder decoder = refusedDecoder.wrap(frame, bodyOffset, blockLength, version);
                final long clientId = longField(blockLength, RefusedDecoder.clientIdEncodingOffset());
                if (null != session && 0 != clientId)
                {
                    refusedInSession(decoder, blockLength, clientId);
                    return true;
                }
                if (decoder.sessionId() == sessionId())
                {
                    final RefusalCode code = WireCodes.refusal(decoder.codeRaw());
                    if (RefusalCode.UNBOUND_SESSION == code && null != challenged)
                    {
                        // the tracker does not know this session (it restarted, or the binding lapsed): the
                        // publisher introduces itself again before its next command
                        challenged.rehello();
                    }
                    handler.onRefused(decoder.refusedTemplateId(), decoder.correlationId(),
                        null != code ? code : RefusalCode.OTHER, decoder.destinationId());
                }
                return true;
            }
            case LeaseGrantedDecoder.TEMPLATE_ID:
            {
                if (blockLength < LeaseGrantedDecoder.BLOCK_LENGTH)
                {
                    return false;
                }
                final LeaseGrantedDecoder decoder = leaseGrantedDecoder.wrap(frame, bodyOffset, blockLength, version);
                if (decoder.sessionId() == sessionId())
                {
                    receiptHandle.decode(frame, bodyOffset + LeaseGrantedDecoder.receiptHandleEncodingOffset());
                    handler.onLeaseGranted(decoder.correlationId(), decoder.messageId(), receiptHandle,
                        decoder.leaseDeadlineNs(), decoder.delivery(), decoder.destinationId());
                }
                return true;
            }
            case SessionConfirmDecoder.TEMPLATE_ID:
            {
                if (blockLength < SessionConfirmDecoder.BLOCK_LENGTH)
                {
                    return false;
                }
                final SessionConfirmDecoder decoder = sessionConfirmDecoder.wrap(frame, bodyOffset, blockLength,
                    version);
                if (null != session && decoder.clientId() == session.clientId())
                {
                    session.onSessionConfirm(decoder.incarnation(), decoder.appliedThrough(), decoder.outboxWritten(),
                        decoder.outboxConfirmed());
                }
                return true;
            }
            case HelloChallengeDecoder.TEMPLATE_ID:
            {
                if (blockLength < HelloChallengeDecoder.BLOCK_LENGTH)
                {
                    return false;
                }
                final HelloChallengeDecoder decoder = helloChallengeDecoder.wrap(frame, bodyOffset, blockLength,
                    version);
                if (decoder.sessionId() == sessionId() && null != challenged)
                {
                    challenged.onHelloChallenge(frame, bodyOffset + HelloChallengeDecoder.nonceEncodingOffset());
                }
                return true;
            }
            case SessionChallengeDecoder.TEMPLATE_ID:
            {
                if (blockLength < SessionChallengeDecoder.BLOCK_LENGTH)
                {
                    return false;
                }
                final SessionChallengeDecoder decoder = sessionChallengeDecoder.wrap(frame, bodyOffset, blockLength,
                    version);
                if (null != session && decoder.sessionId() == sessionId() && decoder.clientId() == session.clientId())
                {
                    session.onSessionChallenge(frame, bodyOffset + SessionChallengeDecoder.nonceEncodingOffset());
                }
                return true;
            }
            default:
                return false;
        }
    }

    /** The session id this client's answers carry: the link's now, or the one given. */
    private int sessionId()
    {
        return null == link ? fixedSessionId : link.sessionId();
    }

    /**
     * Whether an Outcome, Redeliver or Refused frame is for this client: without a session, every frame (as
     * before sessions); with one, only the next entry of its own outbox.
     *
     * @return a {@link ClientSession#onEntry} answer (above 0 to hand it on).
     */
    private int take(final int blockLength, final int clientIdOffset, final int entryOffset)
    {
        if (null == session)
        {
            return ClientSession.NEW;
        }
        final long entry = longField(blockLength, entryOffset);
        if (0 == entry)
        {
            return hearsBroadcast ? ClientSession.NEW : ClientSession.SEEN;
        }
        if (longField(blockLength, clientIdOffset) != session.clientId())
        {
            return ClientSession.SEEN;
        }
        return session.onEntry(entry);
    }

    private void refusedInSession(final RefusedDecoder decoder, final int blockLength, final long clientId)
    {
        if (clientId != session.clientId())
        {
            return;
        }
        final RefusalCode code = WireCodes.refusal(decoder.codeRaw());
        final long entry = longField(blockLength, RefusedDecoder.entryEncodingOffset());
        if (0 == entry && decoder.sessionId() != sessionId())
        {
            // told at once, to the session that sent the refused frame: another publication naming this client's id
            // (a second client with the same id, or one without its key) must not steer this session
            return;
        }
        if (0 == entry)
        {
            if (RefusalCode.UNBOUND_SESSION == code && null != challenged)
            {
                // a destination's numbered command reached a tracker that does not know its session (it restarted):
                // introduce it again before the session sends that command again
                challenged.rehello();
            }
            // refused without using its sequence: the session resends or binds again
            session.onSessionRefused(null != code ? code : RefusalCode.OTHER,
                longField(blockLength, RefusedDecoder.clientSequenceEncodingOffset()));
        }
        else if (session.onEntry(entry) > 0)
        {
            handler.onRefused(decoder.refusedTemplateId(), decoder.correlationId(),
                null != code ? code : RefusalCode.OTHER, decoder.destinationId());
        }
    }

    /** A version 3 field at the end of a block: 0 when the writer's block does not hold it. */
    private long longField(final int blockLength, final int offset)
    {
        return blockLength >= offset + Long.BYTES ?
            frame.getLong(MessageHeaderDecoder.ENCODED_LENGTH + offset, java.nio.ByteOrder.LITTLE_ENDIAN) : 0;
    }
}

package io.acktracker.transport.inbound;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerCommands;
import io.acktracker.engine.command.CommandEncoder;
import io.acktracker.engine.command.CommandLayout;
import io.acktracker.transport.DestinationStats;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.HelloProof;
import io.acktracker.transport.auth.NonceSource;
import io.acktracker.transport.codecs.AckDecoder;
import io.acktracker.transport.codecs.CumulativeAckDecoder;
import io.acktracker.transport.codecs.DestinationHelloDecoder;
import io.acktracker.transport.codecs.ExtendDecoder;
import io.acktracker.transport.codecs.HelloCredential;
import io.acktracker.transport.codecs.LeaseDecoder;
import io.acktracker.transport.codecs.NackDecoder;
import io.acktracker.transport.codecs.OutboxConfirmDecoder;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.RejectDecoder;
import io.acktracker.transport.codecs.SessionOpenDecoder;
import io.acktracker.transport.codecs.SettleAction;
import io.acktracker.transport.codecs.SettleDecoder;
import io.acktracker.transport.codecs.TrackDecoder;
import io.acktracker.transport.outbound.OutboundProxy;
import io.acktracker.transport.outbound.OutboxSender;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.IntPredicate;

/**
 * Applies decoded commands to the tracker through the agent's synchronous API, on the agent thread, after checking
 * the sending session's identity: a destination command is accepted only from a session bound by its hello, and
 * only for the destination it is bound to (an id that does not match is refused as spoofed and counted). A
 * destination with a key configured is bound only by a hello that proves its name ({@link HelloAuthenticator}: a
 * challenge, then a proof); a hello without a credential for it, or with a wrong one, is refused UNAUTHENTICATED and
 * counted by reason, and binds nothing.
 * <p>
 * A client with a key configured ({@link ClientAuthenticator}) opens its session only with a SessionOpen that proves
 * its client id (a challenge, then a proof); an open without a credential for it, or with a wrong one, is refused
 * UNAUTHENTICATED, counted by reason, and never reaches the engine. Its numbered commands and outbox confirmations
 * are applied only from the image it proved its id on; from any other they are refused UNAUTHENTICATED (numbered:
 * with the client's id and sequence, entry 0, the sequence unused) and counted. A client without a key is trusted on
 * its word.
 * <p>
 * What is answered: a refused Track and every refused Lease, Extend or Settle get a Refused frame to the sending
 * session (a consumer waits on its lease, and a refused settle means its work may be done again). An Ack, Nack,
 * Reject or CumulativeAck the engine refuses for a reason that at-least-once delivery makes normal (duplicate, late,
 * unknown id, destination not the message's) is counted by the engine and not answered; any other refusal of them
 * (a negative delay, for example) is answered. A lease is granted with a LeaseGranted frame carrying the receipt
 * handle in its binary form. Version 1's retired Extend and Settle are answered NOT_SUPPORTED and counted.
 * <p>
 * The consumer id of a lease taken over Aeron is the destination id of the session. The receipt handle is the
 * credential for extending and settling: any bound session presenting it is served.
 * <p>
 * Zero allocation per Track, Ack, Nack, Reject, CumulativeAck, Lease, Extend and Settle. A hello allocates (the
 * name as a String, a binding, and a file append when it registers a new name in an open registry): once per
 * publisher session, not per message.
 * <p>
 * Threading: agent thread only.
 */
public final class EngineCommands implements CommandHandler
{
    private final TrackerCommands agent;
    private final DestinationRegistry registry;
    private final SessionBindings bindings;
    private final OutboundProxy outbound;
    private final TransportCounters counters;
    private final DestinationStats stats;
    private final long defaultLeaseTimeoutNs;
    private final ReceiptHandle grantedHandle = new ReceiptHandle();
    private final HelloAuthenticator authenticator;
    private final ClientAuthenticator clientAuthenticator;
    private final ClientImages clientImages;
    private final UnsafeBuffer sessionCommand = new UnsafeBuffer(new byte[CommandLayout.SESSION_LENGTH]);
    private final OutboxSender outboxSender;
    private long numberedClient;
    private long numberedSequence;
    private long lastSequence;

    /** The nonce sent to a client that asks a challenge for a destination without a key: nothing will check it. */
    private static final byte[] NO_KEY_NONCE = new byte[HelloProof.NONCE_LENGTH];

    /**
     * A bridge from the wire to one tracker agent. The challenges' nonces come from a source: a single-process
     * tracker's are random ({@link NonceSource#random()}), a replicated tracker's are derived from the log, so that
     * every member issues the same.
     *
     * @param agent                 the tracker's synchronous commands.
     * @param outbound              for Refused and LeaseGranted answers.
     * @param counters              transport counters.
     * @param stats                 per-destination activity.
     * @param maxSessions           most sessions bound at once.
     * @param defaultLeaseTimeoutNs visibility timeout of a Lease that asks for the default.
     * @param isLive                whether a session still has an image.
     * @param keys                  destinations that must prove their name at hello, with their keys.
     * @param clientKeys            clients (by name) that must prove their client id at SessionOpen, with their keys.
     * @param outboxSender          rewound when a client opens its session again.
     * @param nonces                where the challenges' nonces come from.
     */
    public EngineCommands(
        final TrackerCommands agent,
        final OutboundProxy outbound,
        final TransportCounters counters,
        final DestinationStats stats,
        final int maxSessions,
        final long defaultLeaseTimeoutNs,
        final IntPredicate isLive,
        final DestinationKeys keys,
        final DestinationKeys clientKeys,
        final OutboxSender outboxSender,
        final NonceSource nonces)
    {
        this.clientImages = new ClientImages();
        this.agent = agent;
        this.outboxSender = outboxSender;
        this.registry = agent.registry();
        this.outbound = outbound;
        this.counters = counters;
        this.stats = stats;
        this.defaultLeaseTimeoutNs = defaultLeaseTimeoutNs;
        this.bindings = new SessionBindings(maxSessions, isLive, counters);
        this.authenticator = new HelloAuthenticator(keys, maxSessions, isLive, nonces);
        this.clientAuthenticator = new ClientAuthenticator(clientKeys, maxSessions, isLive, nonces);
    }

    public void onHello(
        final Header header,
        final int destinationId,
        final DirectBuffer name,
        final HelloCredential credential,
        final DirectBuffer nonce,
        final DirectBuffer proof)
    {
        final String destinationName = name.getStringWithoutLengthAscii(0, name.capacity());
        final int registeredId = registry.resolve(destinationName);
        RefusalCode refusal = null;
        boolean authenticated = false;
        if (DestinationRegistry.UNKNOWN == registeredId)
        {
            refusal = RefusalCode.UNKNOWN_DESTINATION;
        }
        else if (Protocol.BOUND_DESTINATION != destinationId && destinationId != registeredId)
        {
            refusal = RefusalCode.DESTINATION_MISMATCH;
        }
        else if (authenticator.hasKey(destinationName))
        {
            switch (credential)
            {
                case CHALLENGE:
                {
                    final byte[] challenge = authenticator.challenge(header, registeredId);
                    if (null != challenge)
                    {
                        outbound.helloChallenge(header.sessionId(), registeredId, challenge);
                        return;
                    }
                    refusal = RefusalCode.CAPACITY_EXCEEDED;
                    break;
                }
                case PROOF:
                    authenticated = authenticator.verify(header, registeredId, destinationName, name, nonce, proof);
                    if (!authenticated)
                    {
                        counters.increment(TransportCounter.HELLOS_BAD_CREDENTIAL);
                        refusal = RefusalCode.UNAUTHENTICATED;
                    }
                    break;
                default:
                    counters.increment(TransportCounter.HELLOS_NO_CREDENTIAL);
                    refusal = RefusalCode.UNAUTHENTICATED;
                    break;
            }
        }
        else if (HelloCredential.CHALLENGE == credential)
        {
            // no key here: bound on its word as any destination without one; the challenge lets a client that holds
            // a key go on (its proof is then not checked)
            outbound.helloChallenge(header.sessionId(), registeredId, NO_KEY_NONCE);
        }

        if (null == refusal)
        {
            final int bound = bindings.bind(header, registeredId, authenticated);
            refusal = bound >= 0 ? null :
                SessionBindings.FULL == bound ? RefusalCode.CAPACITY_EXCEEDED : RefusalCode.SPOOFED_DESTINATION;
        }

        if (null != refusal)
        {
            counters.increment(TransportCounter.HELLOS_REFUSED);
            outbound.refused(registeredId, header.sessionId(), DestinationHelloDecoder.TEMPLATE_ID, refusal,
                destinationId);
            return;
        }
        counters.increment(TransportCounter.HELLOS);
        if (authenticated)
        {
            counters.increment(TransportCounter.HELLOS_AUTHENTICATED);
        }
        counters.set(TransportCounter.BOUND_SESSIONS, bindings.size());
        stats.onHello(registeredId, header.sessionId());
    }

    public void onNumbering(final long clientId, final long sequence)
    {
        numberedClient = clientId;
        numberedSequence = sequence;
        lastSequence = 0;
        if (0 != sequence)
        {
            counters.increment(TransportCounter.NUMBERED_COMMANDS);
        }
    }

    public void onSessionOpen(
        final Header header,
        final long clientId,
        final long appliedThrough,
        final long outboxConfirmed,
        final DirectBuffer name,
        final HelloCredential credential,
        final DirectBuffer nonce,
        final DirectBuffer proof)
    {
        if (!authenticateOpen(header, clientId, credential, nonce, proof))
        {
            return;
        }
        final int length = CommandEncoder.sessionOpen(sessionCommand, 0, clientId, appliedThrough, outboxConfirmed);
        final Result result = agent.apply(CommandLayout.SESSION_OPEN, sessionCommand, 0, length);
        if (result.isRefusal())
        {
            counters.increment(TransportCounter.SESSION_OPENS_REFUSED);
            outbound.refusedNumbered(clientId, header.sessionId(), SessionOpenDecoder.TEMPLATE_ID,
                OutboundProxy.refusalCode(result), clientId, 0);
            return;
        }
        counters.increment(TransportCounter.SESSION_OPENS);
        clientImages.opened(header, clientId);
        // the client may have lost what was sent to it: everything after its confirmation goes out again
        outboxSender.rewind(agent.clientOutboxes().indexOf(clientId));
    }

    /**
     * The credential check of a SessionOpen: true when the open is to be applied. A CHALLENGE is answered and
     * applies nothing; a client with a key needs a valid PROOF; one without is taken on its word.
     */
    private boolean authenticateOpen(
        final Header header,
        final long clientId,
        final HelloCredential credential,
        final DirectBuffer nonce,
        final DirectBuffer proof)
    {
        final boolean hasKey = clientAuthenticator.hasKey(clientId);
        if (HelloCredential.CHALLENGE == credential)
        {
            // no key here: any nonce will do (nothing checks the proof), so a client that holds a key goes on
            final byte[] challenge = hasKey ? clientAuthenticator.challenge(header, clientId) : NO_KEY_NONCE;
            if (null != challenge)
            {
                outbound.sessionChallenge(clientId, header.sessionId(), challenge);
                return false;
            }
            refuseOpen(header, clientId, RefusalCode.CAPACITY_EXCEEDED);
            return false;
        }
        if (!hasKey)
        {
            return true;
        }
        if (HelloCredential.PROOF == credential && clientAuthenticator.verify(header, clientId, nonce, proof))
        {
            counters.increment(TransportCounter.SESSION_OPENS_AUTHENTICATED);
            return true;
        }
        counters.increment(HelloCredential.PROOF == credential ?
            TransportCounter.SESSION_OPENS_BAD_CREDENTIAL : TransportCounter.SESSION_OPENS_NO_CREDENTIAL);
        refuseOpen(header, clientId, RefusalCode.UNAUTHENTICATED);
        return false;
    }

    private void refuseOpen(final Header header, final long clientId, final RefusalCode code)
    {
        counters.increment(TransportCounter.SESSION_OPENS_REFUSED);
        outbound.refusedNumbered(clientId, header.sessionId(), SessionOpenDecoder.TEMPLATE_ID, code, clientId, 0);
    }

    public void onOutboxConfirm(final Header header, final long clientId, final long through)
    {
        if (!clientPermitted(header, clientId))
        {
            outbound.refusedNumbered(through, header.sessionId(), OutboxConfirmDecoder.TEMPLATE_ID,
                RefusalCode.UNAUTHENTICATED, clientId, 0);
            return;
        }
        final int length = CommandEncoder.outboxConfirm(sessionCommand, 0, clientId, through);
        final Result result = agent.apply(CommandLayout.OUTBOX_CONFIRM, sessionCommand, 0, length);
        if (result.isRefusal())
        {
            counters.increment(TransportCounter.COMMANDS_REFUSED);
            outbound.refusedNumbered(through, header.sessionId(), OutboxConfirmDecoder.TEMPLATE_ID,
                OutboundProxy.refusalCode(result), clientId, 0);
        }
    }

    public void onTrack(final Header header, final TrackRequest request)
    {
        counters.increment(TransportCounter.TRACKS_RECEIVED);
        if (clientRefused(header, TrackDecoder.TEMPLATE_ID, request.messageId()))
        {
            return;
        }
        final long sequence = numberedSequence;
        final Result result = commands().track(request);
        if (0 != sequence)
        {
            answerNumbered(header, TrackDecoder.TEMPLATE_ID, request.messageId(), result, sequence);
        }
        else if (result.isRefusal())
        {
            counters.increment(TransportCounter.TRACKS_REFUSED);
            outbound.refused(request.messageId(), header.sessionId(), TrackDecoder.TEMPLATE_ID,
                OutboundProxy.refusalCode(result), Protocol.BOUND_DESTINATION);
        }
    }

    public void onAck(final Header header, final long messageId, final int destinationId)
    {
        counters.increment(TransportCounter.ACKS_RECEIVED);
        final int destination = authorise(header, destinationId, AckDecoder.TEMPLATE_ID, messageId);
        if (destination >= 0 && !clientRefused(header, AckDecoder.TEMPLATE_ID, messageId))
        {
            final Result result = commands().recordAck(messageId, destination);
            stats.onAck(destination, result, agent.nowNs() / 1_000_000);
            answerRefusal(header, AckDecoder.TEMPLATE_ID, messageId, destination, result);
        }
    }

    public void onCumulativeAck(final Header header, final int streamId, final int destinationId, final long offset)
    {
        counters.increment(TransportCounter.CUMULATIVE_ACKS_RECEIVED);
        final int destination = authorise(header, destinationId, CumulativeAckDecoder.TEMPLATE_ID, streamId);
        if (destination >= 0 && !clientRefused(header, CumulativeAckDecoder.TEMPLATE_ID, streamId))
        {
            final Result result = commands().recordCumulativeAck(streamId, destination, offset);
            stats.onAck(destination, result, agent.nowNs() / 1_000_000);
            answerRefusal(header, CumulativeAckDecoder.TEMPLATE_ID, streamId, destination, result);
        }
    }

    public void onNack(
        final Header header,
        final long messageId,
        final int destinationId,
        final long redeliverDelayNs,
        final int errorCode,
        final DirectBuffer reason)
    {
        counters.increment(TransportCounter.NACKS_RECEIVED);
        final int destination = authorise(header, destinationId, NackDecoder.TEMPLATE_ID, messageId);
        if (destination >= 0 && !clientRefused(header, NackDecoder.TEMPLATE_ID, messageId))
        {
            final Result result = commands().recordNack(messageId, destination, redeliverDelayNs, errorCode);
            stats.onNack(destination, result);
            answerRefusal(header, NackDecoder.TEMPLATE_ID, messageId, destination, result);
        }
    }

    public void onReject(
        final Header header,
        final long messageId,
        final int destinationId,
        final int errorCode,
        final DirectBuffer reason)
    {
        counters.increment(TransportCounter.REJECTS_RECEIVED);
        final int destination = authorise(header, destinationId, RejectDecoder.TEMPLATE_ID, messageId);
        if (destination >= 0 && !clientRefused(header, RejectDecoder.TEMPLATE_ID, messageId))
        {
            final Result result = commands().recordReject(messageId, destination, errorCode);
            stats.onReject(destination, result);
            answerRefusal(header, RejectDecoder.TEMPLATE_ID, messageId, destination, result);
        }
    }

    public void onLease(
        final Header header,
        final long correlationId,
        final long messageId,
        final int destinationId,
        final long leaseTimeoutNs)
    {
        counters.increment(TransportCounter.LEASE_COMMANDS_RECEIVED);
        final int destination = authorise(header, destinationId, LeaseDecoder.TEMPLATE_ID, correlationId);
        if (destination >= 0)
        {
            final long visibilityNs = 0 == leaseTimeoutNs ? defaultLeaseTimeoutNs : leaseTimeoutNs;
            final Result result = agent.lease(messageId, destination, visibilityNs, grantedHandle);
            stats.onLeaseCommand(destination, result);
            if (Result.OK == result)
            {
                outbound.leaseGranted(correlationId, grantedHandle, agent.nowNs() + visibilityNs, header.sessionId(),
                    destination);
            }
            else
            {
                leaseRefused(header, LeaseDecoder.TEMPLATE_ID, correlationId, destination, result);
            }
        }
    }

    public void onExtend(
        final Header header, final ReceiptHandle handle, final int destinationId, final long extensionNs)
    {
        counters.increment(TransportCounter.LEASE_COMMANDS_RECEIVED);
        final long messageId = handle.messageId();
        final int destination = authorise(header, destinationId, ExtendDecoder.TEMPLATE_ID, messageId);
        if (destination >= 0 && !clientRefused(header, ExtendDecoder.TEMPLATE_ID, messageId))
        {
            final Result result = commands().leaseExtend(handle, extensionNs);
            stats.onLeaseCommand(destination, result);
            leaseRefused(header, ExtendDecoder.TEMPLATE_ID, messageId, destination, result);
        }
    }

    public void onSettle(
        final Header header,
        final SettleAction action,
        final ReceiptHandle handle,
        final int destinationId,
        final long redeliverDelayNs,
        final int errorCode,
        final DirectBuffer reason)
    {
        counters.increment(TransportCounter.LEASE_COMMANDS_RECEIVED);
        final long messageId = handle.messageId();
        final int destination = authorise(header, destinationId, SettleDecoder.TEMPLATE_ID, messageId);
        if (destination >= 0 && !clientRefused(header, SettleDecoder.TEMPLATE_ID, messageId))
        {
            final Result result;
            switch (action)
            {
                case ACK:
                    result = commands().leaseAck(handle);
                    break;
                case NACK:
                    result = commands().leaseNack(handle, redeliverDelayNs);
                    break;
                default:
                    result = commands().leaseReject(handle, errorCode);
                    break;
            }
            stats.onLeaseCommand(destination, result);
            leaseRefused(header, SettleDecoder.TEMPLATE_ID, messageId, destination, result);
        }
    }

    public void onRetired(final Header header, final int templateId, final long correlationId)
    {
        counters.increment(TransportCounter.NOT_SUPPORTED);
        outbound.refused(correlationId, header.sessionId(), templateId, RefusalCode.NOT_SUPPORTED,
            Protocol.BOUND_DESTINATION);
    }

    /**
     * Number of sessions bound to a destination.
     *
     * @return the count.
     */
    public int boundSessions()
    {
        return bindings.size();
    }

    /**
     * The agent for the next command: numbered for the frame's client when the frame was numbered (used once).
     */
    private TrackerCommands commands()
    {
        if (0 == numberedSequence)
        {
            return agent;
        }
        lastSequence = numberedSequence;
        numberedSequence = 0;
        return agent.numbered(numberedClient, lastSequence);
    }

    /**
     * The answer to a numbered command: nothing when applied (the cycle's confirmation covers it) or when refused
     * with its sequence used (the refusal is in the client's outbox and goes out from there) or as a resend (the
     * confirmation is due again); at once when refused without using its sequence, so the client acts on it.
     */
    private void answerNumbered(
        final Header header, final int templateId, final long correlationId, final Result result, final long sequence)
    {
        switch (result)
        {
            case SEQUENCE_GAP:
            case UNKNOWN_CLIENT:
            case OUTBOX_FULL:
            case BACK_PRESSURED:
            case TRACKER_FAILED:
                counters.increment(TransportCounter.SESSION_REFUSALS_SENT);
                outbound.refusedNumbered(correlationId, header.sessionId(), templateId,
                    OutboundProxy.refusalCode(result), numberedClient, sequence);
                break;
            default:
                break;
        }
    }

    /**
     * Whether the frame's numbering names a client with a key from an image other than the one it proved its id
     * on: then it is refused UNAUTHENTICATED at once, its sequence unused (the client proves its id again and sends
     * it again), counted, and never reaches the engine.
     */
    private boolean clientRefused(final Header header, final int templateId, final long correlationId)
    {
        if (0 == numberedSequence || clientPermitted(header, numberedClient))
        {
            return false;
        }
        outbound.refusedNumbered(correlationId, header.sessionId(), templateId, RefusalCode.UNAUTHENTICATED,
            numberedClient, numberedSequence);
        numberedSequence = 0;
        return true;
    }

    /**
     * Whether a client's numbered command or outbox confirm may come from this frame's image: from the image that
     * proved its id when it has a key, and from the one its session was last opened from in any case. A refusal is
     * counted here by its reason.
     */
    private boolean clientPermitted(final Header header, final long clientId)
    {
        if (clientAuthenticator.hasKey(clientId))
        {
            // only an open with a valid proof gives a client with a key its place
            if (!clientImages.openedFrom(header, clientId))
            {
                counters.increment(TransportCounter.CLIENT_COMMANDS_UNAUTHENTICATED);
                return false;
            }
            return true;
        }
        if (!clientImages.permits(header, clientId))
        {
            counters.increment(TransportCounter.CLIENT_COMMANDS_FROM_ANOTHER_IMAGE);
            return false;
        }
        return true;
    }

    private int authorise(final Header header, final int claimedId, final int templateId, final long correlationId)
    {
        final int destination = bindings.authorise(header, claimedId);
        if (destination >= 0)
        {
            return destination;
        }

        final RefusalCode code;
        if (SessionBindings.UNBOUND == destination)
        {
            counters.increment(TransportCounter.UNBOUND_REFUSED);
            code = RefusalCode.UNBOUND_SESSION;
        }
        else
        {
            counters.increment(TransportCounter.SPOOFED_REFUSED);
            code = RefusalCode.SPOOFED_DESTINATION;
        }
        if (0 != numberedSequence)
        {
            // a numbered frame refused before the engine saw it: its sequence is not used, and the client's session
            // must know which one to send again (after it introduced itself again)
            outbound.refusedNumbered(correlationId, header.sessionId(), templateId, code, numberedClient,
                numberedSequence);
            numberedSequence = 0;
        }
        else
        {
            outbound.refused(correlationId, header.sessionId(), templateId, code, claimedId);
        }
        return -1;
    }

    private void answerRefusal(
        final Header header, final int templateId, final long correlationId, final int destination, final Result result)
    {
        if (0 != lastSequence)
        {
            answerNumbered(header, templateId, correlationId, result, lastSequence);
        }
        else if (result.isRefusal() && !isAtLeastOnceNoise(result))
        {
            counters.increment(TransportCounter.COMMANDS_REFUSED);
            outbound.refused(correlationId, header.sessionId(), templateId, OutboundProxy.refusalCode(result),
                destination);
        }
    }

    private void leaseRefused(
        final Header header, final int templateId, final long correlationId, final int destination, final Result result)
    {
        if (0 != lastSequence)
        {
            answerNumbered(header, templateId, correlationId, result, lastSequence);
        }
        else if (result.isRefusal())
        {
            counters.increment(TransportCounter.LEASE_COMMANDS_REFUSED);
            outbound.refused(correlationId, header.sessionId(), templateId, OutboundProxy.refusalCode(result),
                destination);
        }
    }

    /**
     * Refusals that destinations publishing at least once run into in normal operation: answering them would only
     * add traffic.
     */
    private static boolean isAtLeastOnceNoise(final Result result)
    {
        switch (result)
        {
            case DUPLICATE_ACK:
            case LATE_ACK:
            case UNKNOWN_MESSAGE:
            case SPOOFED_DESTINATION:
                return true;
            default:
                return false;
        }
    }

    /**
     * Write the sessions' bindings, where each client's session was opened from and the outstanding challenges to a
     * replica's snapshot: on a replica they are state, built from the log's hellos and opens like the engine's own.
     * Agent thread.
     *
     * @param out the image.
     */
    public void dumpBindings(final ImageWriter out)
    {
        bindings.dump(out);
        clientImages.dump(out);
        authenticator.dump(out);
        clientAuthenticator.dump(out);
    }

    /**
     * Replace the sessions' bindings and outstanding challenges with a snapshot's. Agent thread, before any command.
     *
     * @param in the image.
     */
    public void restoreBindings(final ImageReader in)
    {
        restoreBindings(in, true);
    }

    /**
     * Replace the sessions' bindings with a snapshot's, one written before the outstanding challenges were part of
     * it or after. Agent thread, before any command.
     *
     * @param in             the image.
     * @param withChallenges whether it holds the outstanding challenges (none are outstanding when not).
     */
    public void restoreBindings(final ImageReader in, final boolean withChallenges)
    {
        bindings.restore(in);
        clientImages.restore(in);
        if (withChallenges)
        {
            authenticator.restore(in);
            clientAuthenticator.restore(in);
        }
        counters.set(TransportCounter.BOUND_SESSIONS, bindings.size());
    }
}

package io.acktracker.transport.inbound;

import io.acktracker.engine.DestinationRegistry;
import io.acktracker.engine.Result;
import io.acktracker.engine.TrackRequest;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.transport.DestinationStats;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.codecs.AckDecoder;
import io.acktracker.transport.codecs.CumulativeAckDecoder;
import io.acktracker.transport.codecs.DestinationHelloDecoder;
import io.acktracker.transport.codecs.ExtendDecoder;
import io.acktracker.transport.codecs.LeaseDecoder;
import io.acktracker.transport.codecs.NackDecoder;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.RejectDecoder;
import io.acktracker.transport.codecs.SettleAction;
import io.acktracker.transport.codecs.SettleDecoder;
import io.acktracker.transport.codecs.TrackDecoder;
import io.acktracker.transport.outbound.OutboundProxy;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

import java.util.function.IntPredicate;

/**
 * Applies decoded commands to the tracker through the agent's synchronous API, on the agent thread, after checking
 * the sending session's identity: a destination command is accepted only from a session bound by its hello, and
 * only for the destination it is bound to (an id that does not match is refused as spoofed and counted).
 * <p>
 * Commands the engine cannot apply yet (Nack, Reject, Lease, Extend, Settle) are decoded, identity-checked, counted
 * as {@link TransportCounter#NOT_SUPPORTED} and answered with a Refused frame (NOT_SUPPORTED) to the sending
 * session: never dropped silently, never reported as done. Wiring each one is a one-line change at the marked
 * line once the engine has the method.
 * <p>
 * Zero allocation per Track, Ack and CumulativeAck. A hello allocates (the name as a String, a binding, and a file
 * append when it registers a new name in an open registry): once per publisher session, not per message.
 * <p>
 * Threading: agent thread only.
 */
public final class EngineCommands implements CommandHandler
{
    private final TrackerAgent agent;
    private final DestinationRegistry registry;
    private final SessionBindings bindings;
    private final OutboundProxy outbound;
    private final TransportCounters counters;
    private final DestinationStats stats;

    /**
     * A bridge from the wire to one tracker agent.
     *
     * @param agent       the tracker's agent.
     * @param outbound    for Refused answers.
     * @param counters    transport counters.
     * @param stats       per-destination health.
     * @param maxSessions most sessions bound at once.
     * @param isLive      whether a session still has an image.
     */
    public EngineCommands(
        final TrackerAgent agent,
        final OutboundProxy outbound,
        final TransportCounters counters,
        final DestinationStats stats,
        final int maxSessions,
        final IntPredicate isLive)
    {
        this.agent = agent;
        this.registry = agent.registry();
        this.outbound = outbound;
        this.counters = counters;
        this.stats = stats;
        this.bindings = new SessionBindings(maxSessions, isLive, counters);
    }

    public void onHello(final Header header, final int destinationId, final DirectBuffer name)
    {
        final String destinationName = name.getStringWithoutLengthAscii(0, name.capacity());
        final int registeredId = registry.resolve(destinationName);
        final RefusalCode refusal;
        if (DestinationRegistry.UNKNOWN == registeredId)
        {
            refusal = RefusalCode.UNKNOWN_DESTINATION;
        }
        else if (Protocol.BOUND_DESTINATION != destinationId && destinationId != registeredId)
        {
            refusal = RefusalCode.DESTINATION_MISMATCH;
        }
        else
        {
            final int bound = bindings.bind(header, registeredId);
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
        counters.set(TransportCounter.BOUND_SESSIONS, bindings.size());
        stats.onHello(registeredId, header.sessionId());
    }

    public void onTrack(
        final Header header, final TrackRequest request, final int maxAttempts, final DirectBuffer metadata)
    {
        counters.increment(TransportCounter.TRACKS_RECEIVED);
        // Engine metadata and max attempts: request.metadata(metadata, 0, metadata.capacity()).maxAttempts(..)
        if (metadata.capacity() > 0 || 0 != maxAttempts)
        {
            counters.increment(TransportCounter.TRACK_FIELDS_IGNORED);
        }
        final Result result = agent.track(request);
        if (result.isRefusal())
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
        if (destination >= 0)
        {
            applied(destination, agent.recordAck(messageId, destination));
        }
    }

    public void onCumulativeAck(final Header header, final int streamId, final int destinationId, final long offset)
    {
        counters.increment(TransportCounter.CUMULATIVE_ACKS_RECEIVED);
        final int destination = authorise(header, destinationId, CumulativeAckDecoder.TEMPLATE_ID, streamId);
        if (destination >= 0)
        {
            applied(destination, agent.recordCumulativeAck(streamId, destination, offset));
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
        if (destination >= 0)
        {
            // Engine NACK: applied(destination, agent.recordNack(messageId, destination, redeliverDelayNs, errorCode));
            notSupported(header, NackDecoder.TEMPLATE_ID, messageId, destination);
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
        if (destination >= 0)
        {
            // Engine REJECT/DLQ: applied(destination, agent.recordReject(messageId, destination, errorCode));
            notSupported(header, RejectDecoder.TEMPLATE_ID, messageId, destination);
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
            // Engine leases: grant with agent.lease(messageId, destination, leaseTimeoutNs), then
            // outbound.leaseGranted(correlationId, messageId, token, deadlineNs, destination).
            notSupported(header, LeaseDecoder.TEMPLATE_ID, correlationId, destination);
        }
    }

    public void onExtend(
        final Header header,
        final long messageId,
        final long leaseToken,
        final int destinationId,
        final long extensionNs)
    {
        counters.increment(TransportCounter.LEASE_COMMANDS_RECEIVED);
        final int destination = authorise(header, destinationId, ExtendDecoder.TEMPLATE_ID, messageId);
        if (destination >= 0)
        {
            // Engine leases: applied(destination, agent.extendLease(messageId, leaseToken, extensionNs));
            notSupported(header, ExtendDecoder.TEMPLATE_ID, messageId, destination);
        }
    }

    public void onSettle(
        final Header header,
        final SettleAction action,
        final long messageId,
        final long leaseToken,
        final int destinationId,
        final long redeliverDelayNs,
        final int errorCode,
        final DirectBuffer reason)
    {
        counters.increment(TransportCounter.LEASE_COMMANDS_RECEIVED);
        final int destination = authorise(header, destinationId, SettleDecoder.TEMPLATE_ID, messageId);
        if (destination >= 0)
        {
            // Engine leases: applied(destination, agent.settleLease(messageId, leaseToken, action, ..., errorCode));
            notSupported(header, SettleDecoder.TEMPLATE_ID, messageId, destination);
        }
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
        outbound.refused(correlationId, header.sessionId(), templateId, code, claimedId);
        return -1;
    }

    private void applied(final int destination, final Result result)
    {
        stats.onAck(destination, result, agent.nowNs() / 1_000_000);
    }

    private void notSupported(final Header header, final int templateId, final long correlationId, final int dest)
    {
        counters.increment(TransportCounter.NOT_SUPPORTED);
        stats.onRefused(dest);
        outbound.refused(correlationId, header.sessionId(), templateId, RefusalCode.NOT_SUPPORTED, dest);
    }
}

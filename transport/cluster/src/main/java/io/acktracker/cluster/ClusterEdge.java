package io.acktracker.cluster;

import io.acktracker.engine.api.ClientOutboxes;
import io.acktracker.engine.api.ConfirmationListener;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.OutcomeListener;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.api.TrackerCommands;
import io.acktracker.engine.api.TrackerExtension;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.transport.DestinationStats;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.TransportErrors;
import io.acktracker.transport.inbound.CommandAdapter;
import io.acktracker.transport.inbound.EngineCommands;
import io.acktracker.transport.outbound.OutboundProxy;
import io.acktracker.transport.outbound.OutboxSender;
import io.aeron.cluster.service.Cluster;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The wire protocol of the single-process tracker, spoken on a cluster's ingress and egress: each session message
 * is checked and decoded by the transport's {@link CommandAdapter} and applied by its {@link EngineCommands}, exactly
 * as a frame polled from the tracker's inbound subscription; outcomes, redeliveries, refusals, grants and session
 * confirmations go out through an {@link OutboundProxy} whose sink is every client session's egress
 * ({@link EgressBroadcast}).
 * <p>
 * A destination binds its <em>cluster</em> session with its hello: the adapter is handed a frame header whose session
 * id is the cluster session's id (the log's own header names the log's publication, the same for every client), so
 * the bindings are a function of the log and the same on every member; so is the cluster session each client's
 * session was last opened from (a dead client process's messages reaching the log after its successor opened are
 * refused, as over Aeron); both are part of the snapshot ({@link #dumpBindings}). Destination and client keys
 * (challenge and proof) are not supported here: a nonce drawn at random on each member would differ between them.
 * <p>
 * Service thread only (the engine is host-driven on it).
 */
final class ClusterEdge
    implements TrackerExtension, OutcomeListener, RedeliveryListener, ConfirmationListener, AutoCloseable
{
    private final Cluster cluster;
    private final TransportConfig config;
    private final TransportCounters counters;
    private final TransportErrors errors;
    private final DestinationStats stats = new DestinationStats();
    private final EgressBroadcast egress;
    private final OutboundProxy outbound;
    private final OutboxSender outboxSender;
    private final UnsafeBuffer headerBuffer = new UnsafeBuffer(new byte[DataHeaderFlyweight.HEADER_LENGTH]);
    private final DataHeaderFlyweight headerWriter = new DataHeaderFlyweight(headerBuffer);
    private final Header header = new Header(0, 0);
    private EngineCommands commands;
    private CommandAdapter adapter;
    private ClientOutboxes outboxes;
    private long incarnation = 1;

    ClusterEdge(final Cluster cluster, final TransportConfig config, final java.nio.file.Path countersFile)
    {
        if (!config.destinationKeys().names().isEmpty() || !config.clientKeys().names().isEmpty())
        {
            throw new IllegalArgumentException("destination and client keys are not supported on a cluster yet: a " +
                "challenge's nonce would differ between members");
        }
        this.cluster = cluster;
        this.config = config;
        this.counters = new TransportCounters(countersFile, config.name());
        this.errors = new TransportErrors(counters, null == countersFile ? null :
            countersFile.resolveSibling(TransportErrors.FILE_NAME), config.errorLogLength());
        this.egress = new EgressBroadcast(cluster);
        this.outbound = new OutboundProxy(egress, counters, config.backlogCapacity(), config.outboundRetries(),
            config.backlogWhenNotConnected());
        this.outboxSender = new OutboxSender(outbound);
        headerWriter.flags(FrameDescriptor.UNFRAGMENTED);
        header.buffer(headerBuffer);
        header.offset(0);
    }

    public void onStart(final TrackerCommands tracker)
    {
        commands = new EngineCommands(tracker, outbound, counters, stats, config.maxSessions(),
            config.leaseTimeoutNs(), (sessionId) -> null != cluster.getClientSession(sessionId),
            config.destinationKeys(), config.clientKeys(), outboxSender);
        outboxes = tracker.clientOutboxes();
        adapter = new CommandAdapter(commands, counters, errors);
    }

    /**
     * One ingress message of a client session, at the log's time (the engine's clock is already there).
     *
     * @param clusterSessionId the client's cluster session.
     * @param buffer           holding the frame.
     * @param offset           where it starts.
     * @param length           its length.
     */
    void onMessage(final long clusterSessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        headerWriter.sessionId((int)clusterSessionId);
        adapter.onFragment(buffer, offset, length, header);
    }

    public int doWork(final long nowNs)
    {
        int work = outbound.drainBacklog(config.backlogDrainLimit());
        if (!outbound.isBacklogFull())
        {
            work += outboxSender.doWork(outboxes, config.backlogDrainLimit());
        }
        return work;
    }

    /**
     * The incarnation clients see in every confirmation: a new one with each leadership term, so a client binds
     * again (and resends what is unconfirmed) after a failover.
     *
     * @param leadershipTermId the term.
     */
    void newTerm(final long leadershipTermId)
    {
        incarnation = leadershipTermId + 1;
    }

    public void onConfirmed(final long clientId, final long appliedThrough, final long outboxWritten)
    {
        final int index = outboxes.indexOf(clientId);
        outbound.sessionConfirm(clientId, incarnation, appliedThrough, outboxWritten,
            index < 0 ? 0 : outboxes.outboxConfirmed(index));
    }

    public boolean hearsOutboxOutcomes()
    {
        return false;
    }

    public void onOutcome(
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts,
        final boolean replay)
    {
        outbound.outcome(messageId, outcome, reason, latencyNs, attempts, replay);
    }

    public void onRedeliver(final long messageId, final int destinationId, final int attempt)
    {
        outbound.redeliver(messageId, destinationId, attempt);
    }

    public void onClose()
    {
    }

    void dumpBindings(final ImageWriter out)
    {
        commands.dumpBindings(out);
    }

    void restoreBindings(final ImageReader in)
    {
        commands.restoreBindings(in);
    }

    TransportCounters counters()
    {
        return counters;
    }

    long egressMissed()
    {
        return egress.missed();
    }

    public void close()
    {
        CloseHelper.quietCloseAll(errors, counters);
    }
}

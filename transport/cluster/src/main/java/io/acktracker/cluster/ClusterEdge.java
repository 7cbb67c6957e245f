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
 * refused, as over Aeron); both are part of the snapshot ({@link #dumpBindings}). Destinations and clients with keys
 * prove their names as over Aeron (a challenge, then a proof over the cluster session's id), with the challenge's
 * nonce derived from the log entry that asked ({@link LogNonces}): the same on every member, so the member that
 * checks the proof after a failover holds the nonce the old leader sent; the outstanding challenges are part of the
 * snapshot too. Every member must hold the same keys (they are part of what the state machine decides by, like the
 * engine's settings); the snapshot carries a check of them, so members with different keys show different snapshot
 * checksums, and a member that restores a snapshot taken with other keys says so in its error log.
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
    private final LogNonces nonces;
    private EngineCommands commands;
    private CommandAdapter adapter;
    private ClientOutboxes outboxes;
    private long incarnation = 1;

    ClusterEdge(final Cluster cluster, final TransportConfig config, final java.nio.file.Path countersFile)
    {
        this.cluster = cluster;
        this.nonces = new LogNonces(config.destinationKeys(), config.clientKeys());
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
            config.destinationKeys(), config.clientKeys(), outboxSender, nonces);
        outboxes = tracker.clientOutboxes();
        adapter = new CommandAdapter(commands, counters, errors);
    }

    /**
     * One ingress message of a client session, at the log's time (the engine's clock is already there).
     *
     * @param clusterSessionId the client's cluster session.
     * @param logPosition      the log position of the message (what a challenge's nonce is derived from).
     * @param timestamp        the message's log timestamp, in the cluster's time unit.
     * @param buffer           holding the frame.
     * @param offset           where it starts.
     * @param length           its length.
     */
    void onMessage(
        final long clusterSessionId,
        final long logPosition,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        nonces.at(logPosition, timestamp);
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

    /**
     * Write the protocol's state to a snapshot: the sessions' bindings, the outstanding challenges and the check of
     * the keys they were decided with.
     *
     * @param out the image.
     */
    void dumpBindings(final ImageWriter out)
    {
        commands.dumpBindings(out);
        out.putLong(nonces.keysCheck());
    }

    /**
     * Replace the protocol's state with a snapshot's.
     *
     * @param in      the image.
     * @param version the snapshot's format: 1 has neither the outstanding challenges nor the keys check.
     */
    void restoreBindings(final ImageReader in, final int version)
    {
        final boolean withChallenges = version >= SnapshotStream.CHALLENGES_VERSION;
        commands.restoreBindings(in, withChallenges);
        if (withChallenges && in.getLong() != nonces.keysCheck())
        {
            // loud, not fatal: a rotation of every member's keys at a snapshot (cluster shutdown) is legitimate
            final IllegalStateException warning = new IllegalStateException("this member's destination or client " +
                "keys differ from those of the member that took the snapshot it loads: every member must hold the " +
                "same keys, or they decide differently (change keys only with every member stopped at a snapshot)");
            errors.onError(warning);
            System.err.println("acktracker cluster member: " + warning.getMessage());
        }
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

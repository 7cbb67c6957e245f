package io.acktracker.cluster;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.agent.StateSnapshot;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.CountersFile;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.store.OwnerOnlyFiles;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.http.ExtraMetrics;
import io.acktracker.transport.http.HttpEdge;
import io.acktracker.transport.http.HttpEdgeConfig;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * The tracker's deterministic state machine as an Aeron Cluster service: every member hosts the same host-driven,
 * in-memory engine and applies the same log, so every member holds the same state and the leader's egress tells
 * what the single-process tracker would tell.
 * <ul>
 *     <li>Time is the log's: each entry's timestamp moves the engine's clock ({@link LogClock}) before it is
 *     applied, and one recurring cluster timer ({@link #TICK_TIMER_ID}, every {@code tickInterval}) runs the engine's
 *     duty cycle so deadlines fire between messages: not a cluster timer per message. The engine's own deadline
 *     index decides what is due.</li>
 *     <li>A session message is a frame of the transport's protocol, decoded and applied by {@link ClusterEdge};
 *     then one duty cycle tells its effects and confirms the client's numbered commands.</li>
 *     <li>A snapshot is the engine's whole state ({@link StateSnapshot}), the sessions' bindings and whether the
 *     tick timer runs, streamed through the snapshot publication ({@link SnapshotStream}) and loaded in
 *     {@link #onStart}.</li>
 * </ul>
 * Aeron's determinism rules hold: no wall clock (the engine's clock is the log's), randomness only from the engine's
 * seeded generator (part of its state), settings fixed when the member starts (the same on every member).
 * <p>
 * Service thread only (Aeron's clustered service container calls it).
 */
public final class TrackerClusteredService implements ClusteredService
{
    /** The correlation id of the one recurring timer that runs the engine's duty cycle. */
    public static final long TICK_TIMER_ID = 1;

    private final Supplier<TrackerConfig> trackerSettings;
    private final TransportConfig transportConfig;
    private final long tickIntervalNs;
    private final LogClock clock = new LogClock();
    private Cluster cluster;
    private TimeUnit timeUnit;
    private ClusterEdge edge;
    private AckTracker tracker;
    private TrackerAgent agent;
    private boolean tickScheduled;
    private TrackerConfig config;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile SnapshotDigest lastSnapshot;
    private final Path filesDir;
    /** Created in onStart on the service thread; volatile for the member's thread that copies the commit position. */
    private volatile ClusterCounters clusterCounters;
    private HttpEdgeConfig httpConfig;
    private volatile HttpEdge http;
    /** This member's id, for the counters' labels: {@code Cluster.memberId()} is not known yet in onStart. */
    private int memberId = -1;

    /**
     * A service; the same settings on every member.
     *
     * @param trackerSettings makes the engine's settings (called once per start, and by {@link #warmUp}; its clock is
     *                        replaced by the log's, its store must be in memory: the log and the snapshots are the
     *                        durability).
     * @param transportConfig the protocol's settings (sessions, backlog, lease timeout); its channels are not used.
     * @param tickIntervalNs  how often the engine's duty cycle runs between messages.
     */
    public TrackerClusteredService(
        final Supplier<TrackerConfig> trackerSettings,
        final TransportConfig transportConfig,
        final long tickIntervalNs)
    {
        this(trackerSettings, transportConfig, tickIntervalNs, null);
    }

    /**
     * A service that keeps its counters in files, for {@code acktracker stat --data-dir filesDir}: the engine's
     * ({@link CountersFile#FILE_NAME}), the protocol's ({@link TransportCounters#FILE_NAME}) and the member's place
     * in the cluster ({@link ClusterCounters#FILE_NAME}: role, log position, leadership term). Observability only:
     * nothing the state machine reads.
     *
     * @param trackerSettings makes the engine's settings (called once per start).
     * @param transportConfig the protocol's settings.
     * @param tickIntervalNs  how often the engine's duty cycle runs between messages.
     * @param filesDir        where the counters files go (created owner-only), or null to keep them in memory.
     */
    public TrackerClusteredService(
        final Supplier<TrackerConfig> trackerSettings,
        final TransportConfig transportConfig,
        final long tickIntervalNs,
        final Path filesDir)
    {
        this.trackerSettings = trackerSettings;
        this.transportConfig = transportConfig;
        this.tickIntervalNs = tickIntervalNs;
        this.filesDir = filesDir;
    }

    /**
     * Serve this member's HTTP edge, read-only ({@link HttpEdge#startForClusterMember}): {@code /metrics} with the
     * member's role, leadership, log and snapshot positions and snapshot checksum besides the engine's and the
     * protocol's metrics, {@code /stats} and {@code /messages/status}; every state-changing path answers 403. It
     * starts with the engine (at the first log entry with a time, or at a snapshot's load). Before the container
     * starts.
     *
     * @param config the edge's settings, or null for none.
     * @return this.
     */
    public TrackerClusteredService httpEdge(final HttpEdgeConfig config)
    {
        this.httpConfig = config;
        return this;
    }

    /**
     * The member's HTTP edge. Any thread.
     *
     * @return the running edge, null when none is configured or the engine has not started yet.
     */
    public HttpEdge http()
    {
        return http;
    }

    /**
     * Publish the cluster's commit position in this member's counters (nothing before the service started). Any one
     * thread: the counter has no other writer.
     *
     * @param commitPosition the consensus module's commit position.
     */
    void commitPosition(final long commitPosition)
    {
        final ClusterCounters counters = clusterCounters;
        if (null != counters)
        {
            counters.set(ClusterCounter.COMMIT_POSITION, commitPosition);
        }
    }

    /**
     * The id of the member this service runs in, for its counters' labels. {@link ClusterNode#launch} sets it, before
     * the member's container starts.
     *
     * @param memberId the member's id.
     */
    void memberId(final int memberId)
    {
        this.memberId = memberId;
    }

    /**
     * Open and close a throwaway engine with this service's settings, before the member starts. The first engine a
     * JVM opens generates and compiles code for its tables at run time (Chronicle Values runs javac in the process):
     * 20 to 46 s measured on a loaded 2-core host, against 0.1 to 1 s afterwards. Paid at the first log entry, that
     * time is spent on the service thread of a member that already takes part: elected leader, it appends and
     * commits its clients' commands but applies none of them, and the consensus module closes the sessions of clients
     * that send nothing meanwhile (its session timeout). Paid here, the member joins only once it can serve.
     * <p>
     * {@link ClusterNode#launch} calls it. The throwaway engine is in memory and runs on the wall clock; nothing of it
     * is kept (no counters file). Any thread, before the member's container starts.
     *
     * @throws IllegalArgumentException when the settings name a {@code data.dir} (refused as at start).
     */
    public void warmUp()
    {
        final TrackerConfig settings = trackerSettings.get();
        refuseDataDir(settings);
        // no counters file: another process may read the member's, which its real engine writes
        CloseHelper.close(AckTracker.open(settings.countersFile(null)));
    }

    private static void refuseDataDir(final TrackerConfig settings)
    {
        if (null != settings.dataDir())
        {
            throw new IllegalArgumentException("a clustered tracker keeps its state in memory: the cluster's log and " +
                "snapshots are its durability (no data.dir)");
        }
    }

    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        // the time unit is the log's, told with each new leadership term (before any message); null until then
        this.timeUnit = cluster.timeUnit();
        if (null != timeUnit)
        {
            clock.set(timeUnit.toNanos(cluster.time()));
        }
        config = trackerSettings.get();
        refuseDataDir(config);
        if (null != filesDir)
        {
            try
            {
                OwnerOnlyFiles.createDirectories(filesDir);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create the member's files directory " + filesDir, ex);
            }
            config.countersFile(filesDir.resolve(CountersFile.FILE_NAME));
        }
        clusterCounters = new ClusterCounters(null == filesDir ? null : filesDir.resolve(ClusterCounters.FILE_NAME),
            config.name() + " member " + (memberId >= 0 ? memberId : cluster.memberId()));
        clusterCounters.role(role);
        edge = new ClusterEdge(cluster, transportConfig,
            null == filesDir ? null : filesDir.resolve(TransportCounters.FILE_NAME));
        if (null != snapshotImage)
        {
            // the snapshot brings the engine's time and its deadline wheel's with it
            openEngine();
            load(SnapshotStream.read(snapshotImage, cluster.idleStrategy()));
        }
    }

    /**
     * A fresh engine starts at the time of the first log entry that has one (a new leadership term comes first), so
     * every member starts it at the same time, and its deadline wheel starts at that time, not at 0: a wheel that
     * started at 0 would step through every tick since 1970 at its first deadline.
     */
    private void openEngine()
    {
        if (null == tracker)
        {
            tracker = AckTracker.open(config.epochClock(clock).extension(edge));
            agent = tracker.agent();
            if (null != httpConfig)
            {
                // observability only: its reads change nothing the state machine holds, and it takes no command
                http = HttpEdge.startForClusterMember(httpConfig, tracker, edge.counters(), this::memberMetrics);
            }
        }
    }

    private void load(final SnapshotStream.Bytes bytes)
    {
        final ImageReader in = new ImageReader(bytes.buffer, bytes.length);
        final int engineLength = in.getInt();
        final int engineAt = in.position();
        StateSnapshot.load(agent, bytes.buffer, engineAt, engineLength);
        final ImageReader rest = new ImageReader(
            new UnsafeBuffer(bytes.buffer, engineAt + engineLength, bytes.length - engineAt - engineLength),
            bytes.length - engineAt - engineLength);
        edge.restoreBindings(rest, bytes.version);
        tickScheduled = rest.getBoolean();
        if (!rest.isAtEnd())
        {
            throw new IllegalStateException("the snapshot has bytes after its end: written by another version");
        }
    }

    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
    }

    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        clock.set(timeUnit.toNanos(timestamp));
        openEngine();
        agent.syncClock();
        edge.onMessage(session.id(), header.position(), timestamp, buffer, offset, length);
        agent.doWork();
        scheduleTick(timestamp);
        applied(header.position());
    }

    private void applied(final long logPosition)
    {
        clusterCounters.set(ClusterCounter.LOG_POSITION, logPosition);
        clusterCounters.increment(ClusterCounter.ENTRIES_APPLIED);
    }

    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        clock.set(timeUnit.toNanos(timestamp));
        openEngine();
        agent.doWork();
        if (TICK_TIMER_ID == correlationId)
        {
            tickScheduled = false;
            scheduleTick(timestamp);
        }
        applied(cluster.logPosition());
    }

    /** The tick timer starts with the first message (a timer is scheduled from the log, never from onStart). */
    private void scheduleTick(final long timestamp)
    {
        if (!tickScheduled)
        {
            final long deadline = timestamp + Math.max(1, timeUnit.convert(tickIntervalNs, TimeUnit.NANOSECONDS));
            cluster.idleStrategy().reset();
            // back pressure towards the consensus module: retry with the cluster's idle strategy (Aeron's rule)
            while (!cluster.scheduleTimer(TICK_TIMER_ID, deadline))
            {
                cluster.idleStrategy().idle();
            }
            tickScheduled = true;
        }
    }

    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        openEngine();
        final ImageWriter engine = new ImageWriter(1 << 16);
        StateSnapshot.write(agent, engine);
        final ImageWriter out = new ImageWriter(engine.length() + (1 << 12));
        out.putBytes(engine.buffer(), 0, engine.length());
        edge.dumpBindings(out);
        out.putBoolean(tickScheduled);
        SnapshotStream.write(snapshotPublication, out.buffer(), out.length(), cluster.idleStrategy());
        // what the members can be compared by: the same log position, the same bytes
        final long checksum = checksum(out.buffer(), out.length());
        final long logPosition = cluster.logPosition();
        lastSnapshot = new SnapshotDigest(logPosition, out.length(), checksum);
        clusterCounters.set(ClusterCounter.SNAPSHOT_LOG_POSITION, logPosition);
        clusterCounters.set(ClusterCounter.SNAPSHOT_CHECKSUM, checksum);
        clusterCounters.increment(ClusterCounter.SNAPSHOTS);
    }

    private static long checksum(final DirectBuffer bytes, final int length)
    {
        final CRC32C crc = new CRC32C();
        final byte[] chunk = new byte[64 * 1024];
        for (int offset = 0; offset < length; offset += chunk.length)
        {
            final int count = Math.min(chunk.length, length - offset);
            bytes.getBytes(offset, chunk, 0, count);
            crc.update(chunk, 0, count);
        }
        return crc.getValue();
    }

    /**
     * The last snapshot this member took, to compare with the other members' at the same log position. Any thread.
     *
     * @return its log position, length and checksum; null before the first.
     */
    public SnapshotDigest lastSnapshot()
    {
        return lastSnapshot;
    }

    /**
     * What identifies a snapshot's content: equal on every member that took one at the same log position, as the
     * state machine is deterministic.
     *
     * @param logPosition where in the log it was taken.
     * @param length      its length in bytes.
     * @param checksum    CRC32C of its bytes.
     */
    public record SnapshotDigest(long logPosition, int length, long checksum)
    {
    }

    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
        clusterCounters.role(newRole);
        clusterCounters.increment(ClusterCounter.ROLE_CHANGES);
    }

    /**
     * This member's role, as the container last told the service. Any thread.
     *
     * @return the role.
     */
    public Cluster.Role role()
    {
        return role;
    }

    public void onNewLeadershipTermEvent(
        final long leadershipTermId,
        final long logPosition,
        final long timestamp,
        final long termBaseLogPosition,
        final int leaderMemberId,
        final int logSessionId,
        final TimeUnit timeUnit,
        final int appVersion)
    {
        this.timeUnit = timeUnit;
        clock.set(timeUnit.toNanos(timestamp));
        openEngine();
        edge.newTerm(leadershipTermId);
        clusterCounters.set(ClusterCounter.LEADERSHIP_TERM, leadershipTermId);
        clusterCounters.set(ClusterCounter.LEADER_MEMBER, leaderMemberId);
    }

    public void onTerminate(final Cluster cluster)
    {
        close();
    }

    /**
     * The protocol's counters (frames, refusals, bindings) of this member. Any thread.
     *
     * @return the counters, null before the service started.
     */
    public io.acktracker.transport.TransportCounters transportCounters()
    {
        return null == edge ? null : edge.counters();
    }

    /**
     * The engine's agent, for tests and reports. Service thread.
     *
     * @return the agent, null before the engine started (at the first log entry with a time).
     */
    public TrackerAgent agent()
    {
        return agent;
    }

    private void memberMetrics(final ExtraMetrics.Sink sink)
    {
        final ClusterCounters counters = clusterCounters;
        sink.gauge("acktracker_cluster_role", "this member's role: 0 follower, 1 candidate, 2 leader",
            counters.get(ClusterCounter.ROLE));
        sink.gauge("acktracker_cluster_leader_member", "the member id this member last heard of as leader",
            counters.get(ClusterCounter.LEADER_MEMBER));
        sink.gauge("acktracker_cluster_leadership_term", "the leadership term this member last heard of",
            counters.get(ClusterCounter.LEADERSHIP_TERM));
        sink.gauge("acktracker_cluster_log_position", "the log position of the last entry this member applied",
            counters.get(ClusterCounter.LOG_POSITION));
        sink.gauge("acktracker_cluster_commit_position", "the log position a majority of the members has, as this " +
            "member's consensus module knows it", counters.get(ClusterCounter.COMMIT_POSITION));
        sink.gauge("acktracker_cluster_snapshot_log_position", "the log position of this member's last snapshot",
            counters.get(ClusterCounter.SNAPSHOT_LOG_POSITION));
        sink.gauge("acktracker_cluster_snapshot_checksum", "CRC32C of this member's last snapshot: equal on every " +
            "member at one log position", counters.get(ClusterCounter.SNAPSHOT_CHECKSUM));
        sink.counter("acktracker_cluster_role_changes", "role changes since this member started",
            counters.get(ClusterCounter.ROLE_CHANGES));
        sink.counter("acktracker_cluster_snapshots", "snapshots this member took",
            counters.get(ClusterCounter.SNAPSHOTS));
        sink.counter("acktracker_cluster_entries_applied", "log entries applied (session messages and timers)",
            counters.get(ClusterCounter.ENTRIES_APPLIED));
    }

    /**
     * Release the engine and the edge. Service thread, or any thread once the container stopped.
     */
    public void close()
    {
        // the HTTP edge first: it reads the engine and the counters
        CloseHelper.quietCloseAll(http, tracker, edge, clusterCounters);
        http = null;
        tracker = null;
    }
}

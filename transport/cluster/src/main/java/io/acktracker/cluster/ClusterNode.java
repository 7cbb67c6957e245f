package io.acktracker.cluster;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.NanosecondClusterClock;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NoOpLock;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One member of a replicated tracker: its own media driver, archive and consensus module
 * ({@link ClusteredMediaDriver}) and the container running {@link TrackerClusteredService}, all under one directory,
 * on the ports {@link #port} gives it.
 * <p>
 * Ports: member {@code m} of a cluster with port base {@code b} listens on {@code b + 100 m + offset}: archive
 * control +1, client ingress +2, consensus +3, log +4, catch-up +5. The cluster's clock counts nanoseconds, so the
 * engine's deadlines keep their precision. Failure detection is tuned down from Aeron's
 * defaults (a leader is declared dead after 10 s of silence there): see {@link Settings}.
 * <p>
 * Threading: launch and close from one thread; the members' agents run on their own threads.
 */
public final class ClusterNode implements AutoCloseable
{
    /** Ports each member takes from the base. */
    public static final int PORTS_PER_MEMBER = 100;
    static final int ARCHIVE_CONTROL = 1;
    static final int INGRESS = 2;
    static final int CONSENSUS = 3;
    static final int LOG = 4;
    static final int CATCHUP = 5;
    /** The log's term length: 4 MiB (Aeron's default 64 MiB is sparse, but three members on one host add up). */
    static final String LOG_TERM_LENGTH = "4m";
    /** Aeron's default election status interval, the longest used. */
    static final long ELECTION_STATUS_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * Where a member runs and how quickly the cluster gives up on a silent leader.
     *
     * @param memberId                 this member's id, an index into {@code hosts}.
     * @param hosts                    every member's host, by member id.
     * @param portBase                 the first port (see {@link ClusterNode}).
     * @param dir                      this member's directory (archive, cluster state, media driver files).
     * @param leaderHeartbeatTimeoutNs silence after which followers elect a new leader (Aeron's default 10 s).
     * @param leaderHeartbeatIntervalNs how often the leader shows it is alive.
     * @param electionTimeoutNs        how long an election round waits.
     */
    public record Settings(
        int memberId,
        List<String> hosts,
        int portBase,
        File dir,
        long leaderHeartbeatTimeoutNs,
        long leaderHeartbeatIntervalNs,
        long electionTimeoutNs)
    {
        /** The longest election round {@link #forLeaderTimeout} sets: a vote's round trip, with room to spare. */
        public static final long MAX_ELECTION_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);

        /**
         * Tuned for a cluster on one host or one LAN: a leader silent for 1 s is replaced. The trade-off: a shorter
         * timeout fails over sooner, and a GC pause or a stalled host longer than it causes an election that was not
         * needed.
         *
         * @param memberId this member.
         * @param hosts    every member's host.
         * @param portBase the first port.
         * @param dir      this member's directory.
         * @return the settings.
         */
        public static Settings tuned(final int memberId, final List<String> hosts, final int portBase, final File dir)
        {
            return forLeaderTimeout(memberId, hosts, portBase, dir, TimeUnit.SECONDS.toNanos(1));
        }

        /**
         * Settings for a leader timeout: heartbeats ten per timeout, and election rounds of half the timeout but at
         * most {@link #MAX_ELECTION_TIMEOUT_NS}.
         * <p>
         * Why the cap: after a leader dies, Aeron's candidate waits out a whole election round for the votes of
         * every member (the dead one never votes) before it settles for a majority, and it nominates itself after
         * a random delay of up to half a round. So every failover costs the leader timeout plus one to one and a
         * half rounds. A round needs to cover a vote's round trip between live members (milliseconds on one host
         * or a LAN), not a stall: the stall tolerance is the leader timeout's job. Half of a 1 s timeout made
         * elections take 2.3 s after the kill (median of 40 kills); measured with the cap in RELIABILITY.md.
         *
         * @param memberId        this member.
         * @param hosts           every member's host.
         * @param portBase        the first port.
         * @param dir             this member's directory.
         * @param leaderTimeoutNs how long a silent leader is waited for.
         * @return the settings.
         */
        public static Settings forLeaderTimeout(
            final int memberId, final List<String> hosts, final int portBase, final File dir, final long leaderTimeoutNs)
        {
            return new Settings(memberId, hosts, portBase, dir, leaderTimeoutNs, leaderTimeoutNs / 10,
                Math.min(leaderTimeoutNs / 2, MAX_ELECTION_TIMEOUT_NS));
        }
    }

    private final ClusteredMediaDriver driver;
    private final ClusteredServiceContainer container;
    private final TrackerClusteredService service;

    private ClusterNode(
        final ClusteredMediaDriver driver,
        final ClusteredServiceContainer container,
        final TrackerClusteredService service)
    {
        this.driver = driver;
        this.container = container;
        this.service = service;
    }

    /**
     * The port of one of a member's endpoints.
     *
     * @param portBase the cluster's first port.
     * @param memberId the member.
     * @param offset   {@link #INGRESS} and the others.
     * @return the port.
     */
    public static int port(final int portBase, final int memberId, final int offset)
    {
        return portBase + PORTS_PER_MEMBER * memberId + offset;
    }

    /**
     * Aeron Cluster's member list: per member its id, then its ingress, consensus, log, catch-up and archive
     * endpoints.
     *
     * @param hosts    every member's host.
     * @param portBase the first port.
     * @return the list.
     */
    public static String members(final List<String> hosts, final int portBase)
    {
        final StringBuilder members = new StringBuilder();
        for (int id = 0; id < hosts.size(); id++)
        {
            final String host = hosts.get(id);
            members.append(members.length() == 0 ? "" : "|").append(id)
                .append(',').append(host).append(':').append(port(portBase, id, INGRESS))
                .append(',').append(host).append(':').append(port(portBase, id, CONSENSUS))
                .append(',').append(host).append(':').append(port(portBase, id, LOG))
                .append(',').append(host).append(':').append(port(portBase, id, CATCHUP))
                .append(',').append(host).append(':').append(port(portBase, id, ARCHIVE_CONTROL));
        }
        return members.toString();
    }

    /**
     * What a client gives {@code AeronCluster.Context.ingressEndpoints}: every member's ingress.
     *
     * @param hosts    every member's host.
     * @param portBase the first port.
     * @return the endpoints.
     */
    public static String ingressEndpoints(final List<String> hosts, final int portBase)
    {
        final StringBuilder endpoints = new StringBuilder();
        for (int id = 0; id < hosts.size(); id++)
        {
            endpoints.append(endpoints.length() == 0 ? "" : ",").append(id).append('=').append(hosts.get(id))
                .append(':').append(port(portBase, id, INGRESS));
        }
        return endpoints.toString();
    }

    /**
     * Start a member: it warms its service's engine ({@link TrackerClusteredService#warmUp}), then joins the others
     * (or waits for them) and elects a leader.
     *
     * @param settings     where and how.
     * @param service      the service, built with the same settings on every member.
     * @param errorHandler told of every component's errors.
     * @return the running member.
     */
    public static ClusterNode launch(
        final Settings settings, final TrackerClusteredService service, final ErrorHandler errorHandler)
    {
        // the engine's first open in a JVM compiles code for tens of seconds on a loaded host: before the member
        // takes part, not on the service thread of a leader that has accepted clients
        service.memberId(settings.memberId());
        service.warmUp();
        final int id = settings.memberId();
        final String host = settings.hosts().get(id);
        final String aeronDir = new File(settings.dir(), "driver").getAbsolutePath();
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .errorHandler(errorHandler);
        final Archive.Context archiveContext = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(new File(settings.dir(), "archive"))
            .controlChannel("aeron:udp?endpoint=" + host + ":" + port(settings.portBase(), id, ARCHIVE_CONTROL))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .errorHandler(errorHandler);
        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveContext.localControlChannel())
            .controlRequestStreamId(archiveContext.localControlStreamId())
            .controlResponseChannel(archiveContext.localControlChannel())
            .aeronDirectoryName(aeronDir);
        final ConsensusModule.Context consensusContext = new ConsensusModule.Context()
            .clusterMemberId(id)
            .clusterMembers(members(settings.hosts(), settings.portBase()))
            .clusterDir(new File(settings.dir(), "cluster"))
            .archiveContext(archiveClient.clone())
            .serviceCount(1)
            .clusterClock(new NanosecondClusterClock())
            .ingressChannel("aeron:udp")
            .logChannel("aeron:udp?term-length=" + LOG_TERM_LENGTH)
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .leaderHeartbeatTimeoutNs(settings.leaderHeartbeatTimeoutNs())
            .leaderHeartbeatIntervalNs(settings.leaderHeartbeatIntervalNs())
            .electionTimeoutNs(settings.electionTimeoutNs())
            // members tell each other their log positions this often during an election (Aeron's default 100 ms):
            // a candidate needs a majority's before it can nominate itself
            .electionStatusIntervalNs(Math.min(ELECTION_STATUS_INTERVAL_NS, settings.electionTimeoutNs() / 5))
            .errorHandler(errorHandler);
        final ClusteredServiceContainer.Context containerContext = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(archiveClient.clone())
            .clusterDir(new File(settings.dir(), "cluster"))
            .clusteredService(service)
            .serviceId(0)
            .errorHandler(errorHandler);

        ClusteredMediaDriver driver = null;
        try
        {
            driver = ClusteredMediaDriver.launch(driverContext, archiveContext, consensusContext);
            final ClusteredServiceContainer container = ClusteredServiceContainer.launch(containerContext);
            return new ClusterNode(driver, container, service);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    /**
     * The member's service.
     *
     * @return the service.
     */
    public TrackerClusteredService service()
    {
        return service;
    }

    /**
     * Copy the consensus module's commit position into the member's counters ({@link ClusterCounter#COMMIT_POSITION}),
     * where {@code stat} and {@code /metrics} read it. Call it periodically from one thread.
     */
    public void publishCommitPosition()
    {
        service.commitPosition(consensusModule().commitPositionCounter().get());
    }

    /**
     * Ask the cluster for a snapshot through this member's consensus module (the leader's acts on it): every member
     * then takes one at the same log position, and a member that starts again loads it and replays only the log
     * after it. Any thread.
     *
     * @return true when asked, false when a request or another control action is still pending.
     */
    public boolean requestSnapshot()
    {
        return ClusterControl.ToggleState.SNAPSHOT.toggle(consensusModule().controlToggleCounter());
    }

    /**
     * The member's consensus module context (its role and commit position are in its counters).
     *
     * @return the context.
     */
    public ConsensusModule.Context consensusModule()
    {
        return driver.consensusModule().context();
    }

    /** Stop the member: container first, then its consensus module, archive and driver. */
    public void close()
    {
        CloseHelper.closeAll(container, driver);
    }
}

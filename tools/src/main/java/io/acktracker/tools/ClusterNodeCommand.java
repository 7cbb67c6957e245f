package io.acktracker.tools;

import io.acktracker.cluster.ClusterNode;
import io.acktracker.cluster.TrackerClusteredService;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.OwnerOnlyFiles;
import io.acktracker.transport.ErrorLogFile;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.http.HttpEdge;
import io.acktracker.transport.http.HttpEdgeConfig;
import io.acktracker.transport.service.ServiceConfig;
import io.aeron.cluster.service.Cluster;
import net.openhft.chronicle.core.shutdown.PriorityHook;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code acktracker cluster node}: one member of a replicated tracker (its media driver, archive, consensus module
 * and the tracker as a clustered service, all in {@code --dir}), in the foreground until SIGTERM or Ctrl-C. Every
 * member is started with the same {@code --members} list and the same tracker settings (a config file in the
 * service's format: the engine's and the protocol's keys apply; a member keeps no data directory of its own, the
 * cluster's log and snapshots are its durability). It prints its role whenever it changes.
 * <p>
 * The failure detection trade-off is the operator's: {@code --leader-timeout} (default 1 s, Aeron's own default is
 * 10 s) is how long a silent leader is waited for before an election; shorter fails over sooner, and elects when
 * nobody asked whenever a member stalls longer than it (a GC pause, a loaded host).
 */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run one member of a replicated tracker in the foreground until SIGTERM or Ctrl-C.",
        "Member m listens on PORT_BASE + 100 m + 1 (archive), + 2 (client ingress), + 3 (consensus), + 4 (log), " +
        "+ 5 (catch-up). Start every member with the same --members, --port-base and tracker settings."},
    footer = {"", "Three members on one host:",
        "  acktracker cluster node --id 0 --members localhost,localhost,localhost --dir /var/lib/ack/m0",
        "  acktracker cluster node --id 1 --members localhost,localhost,localhost --dir /var/lib/ack/m1",
        "  acktracker cluster node --id 2 --members localhost,localhost,localhost --dir /var/lib/ack/m2"})
final class ClusterNodeCommand implements Callable<Integer>
{
    /** Before Chronicle Map's close-on-exit hook (80), as the service's. */
    static final int SHUTDOWN_PRIORITY = 40;
    private static final long ROLE_CHECK_MS = 100;

    @Spec
    CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "N", description = "This member's id: its place in " +
        "--members, from 0.")
    int memberId;

    @Option(names = "--members", required = true, split = ",", paramLabel = "HOST",
        description = "Every member's host, in id order, comma separated (the same list on every member).")
    List<String> members;

    @Option(names = "--port-base", defaultValue = "20000", paramLabel = "PORT",
        description = "The cluster's first port (default ${DEFAULT-VALUE}); member m uses PORT + 100 m + 1..5.")
    int portBase;

    @Option(names = "--dir", required = true, paramLabel = "DIR",
        description = "This member's directory: its driver, archive and cluster files (kept across restarts).")
    Path dir;

    @Option(names = "--config", paramLabel = "FILE", description = "Tracker settings in the service's format " +
        "(.yaml, .yml, .json or .properties): the engine's and the protocol's keys; the same on every member.")
    Path configFile;

    @Option(names = "--leader-timeout", paramLabel = "DURATION", defaultValue = "1s", converter = Durations.class,
        description = "How long a silent leader is waited for before an election (default ${DEFAULT-VALUE}; " +
        "Aeron's default is 10s).")
    long leaderTimeoutNs;

    @Option(names = "--snapshot-interval", paramLabel = "DURATION", defaultValue = "60s", converter = Durations.class,
        description = "How long after the cluster's last snapshot this member, while it leads, asks for another " +
        "(default ${DEFAULT-VALUE}; 0 for never): a member that starts again loads the latest and replays only the " +
        "log after it, not the log since the cluster began.")
    long snapshotIntervalNs;

    @Option(names = "--tick", paramLabel = "DURATION", defaultValue = "10ms", converter = Durations.class,
        description = "How often the engine's duty cycle runs between messages, as one cluster timer " +
        "(default ${DEFAULT-VALUE}): the resolution of ack timeouts and expiries.")
    long tickNs;

    public Integer call() throws InterruptedException
    {
        checkOptions();
        final ServiceConfig config = load();
        // every member must hold the same keys: they are part of what its state machine decides by
        final TransportConfig transport = config.newTransportConfig()
            .destinationKeys(keys(config, "destination.keys.file"))
            .clientKeys(keys(config, "client.keys.file"));
        // a member's HTTP edge is read-only: its state changes only through the cluster's log
        final HttpEdgeConfig http;
        try
        {
            http = config.newHttpEdgeConfig(filesDir().resolve(HttpEdge.TOKEN_FILE_NAME));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TrackerException(ex.getMessage());
        }
        final File memberDir = dir.toFile();
        final ClusterNode.Settings settings = settings();
        final PrintWriter out = spec.commandLine().getOut();
        final ClusterNode node;
        final ErrorLogFile errors;
        try
        {
            // every component's errors (driver, archive, consensus module, service, engine) in one distinct error
            // log, as the service's tracker-errors.dat (acktracker errors --data-dir DIR/tracker), and on stderr
            OwnerOnlyFiles.createDirectories(filesDir());
            errors = ErrorLogFile.create(filesDir().resolve(ErrorLogFile.TRACKER_FILE_NAME),
                transport.errorLogLength(), this::report);
        }
        catch (final IOException | UncheckedIOException ex)
        {
            throw new TrackerException("cannot create the member's files in " + filesDir() + ": " + ex.getMessage());
        }
        try
        {
            node = ClusterNode.launch(settings, new TrackerClusteredService(
                () -> config.newTrackerConfig().errorHandler(errors), transport, tickNs, filesDir()).httpEdge(http),
                errors);
        }
        catch (final RuntimeException ex)
        {
            // the error log stays mapped: a component that started and did not stop within its close timeout may
            // still report an error into it, and a closed (unmapped) log would crash the JVM (SIGSEGV) instead
            final String message = null != ex.getMessage() && ex.getMessage().startsWith("active mark file") ?
                ex.getMessage() + " (Aeron refuses a mark file that was active within 10 s: if this member's " +
                "previous process was killed, start it again 10 s after its death)" : ex.getMessage();
            throw new TrackerException("cannot start member " + memberId + ": " + message);
        }

        final CountDownLatch stopped = new CountDownLatch(1);
        final AtomicReference<Runnable> stop = new AtomicReference<>(() ->
        {
            out.println("acktracker cluster member " + memberId + " stopping (" + node.service().role() + ")");
            out.flush();
            try
            {
                node.close();
                out.println("acktracker cluster member " + memberId + " stopped cleanly");
            }
            finally
            {
                errors.close();
                out.flush();
                stopped.countDown();
            }
        });
        PriorityHook.add(SHUTDOWN_PRIORITY, () -> runOnce(stop));
        out.println("acktracker cluster member " + memberId + " of " + members.size() + " running: ingress " +
            ClusterNode.ingressEndpoints(members, portBase) + ", directory " + memberDir.getAbsolutePath() +
            ", leader timeout " + TimeUnit.NANOSECONDS.toMillis(leaderTimeoutNs) + " ms; counters and errors: " +
            "acktracker stat|errors --data-dir " + filesDir().toAbsolutePath());
        out.println("stop with Ctrl-C or SIGTERM");
        out.flush();
        try
        {
            Cluster.Role role = null;
            boolean httpTold = null == http;
            final SnapshotSchedule snapshots = 0 == snapshotIntervalNs ? null : new SnapshotSchedule(
                snapshotIntervalNs, System.nanoTime(), node.consensusModule().snapshotCounter().get());
            while (!stopped.await(ROLE_CHECK_MS, TimeUnit.MILLISECONDS))
            {
                final HttpEdge edge = node.service().http();
                if (!httpTold && null != edge)
                {
                    // the edge starts with the engine, at the first log entry
                    httpTold = true;
                    out.println("member " + memberId + ": HTTP edge (read-only: /metrics, /stats, " +
                        "/messages/status) on " + edge.scheme() + "://" + http.host() + ":" + edge.port() +
                        ", bearer token in " + edge.tokenFile());
                    out.flush();
                }
                final Cluster.Role now = node.service().role();
                node.publishCommitPosition();
                // snapshots by time, asked for by the leader: without them a member that starts again replays the
                // whole log, and an election waits for a member that is still replaying
                final long nowNs = System.nanoTime();
                if (null != snapshots && snapshots.due(nowNs, Cluster.Role.LEADER == now,
                    node.consensusModule().snapshotCounter().get()) && node.requestSnapshot())
                {
                    snapshots.asked(nowNs);
                }
                if (now != role)
                {
                    role = now;
                    out.println("member " + memberId + ": " + now);
                    out.flush();
                }
            }
        }
        catch (final InterruptedException ex)
        {
            runOnce(stop);
        }
        return 0;
    }

    /** Where the member's counters files go: what {@code acktracker stat --data-dir} reads. */
    private Path filesDir()
    {
        return dir.resolve("tracker");
    }

    private static void runOnce(final AtomicReference<Runnable> stop)
    {
        final Runnable action = stop.getAndSet(null);
        if (null != action)
        {
            action.run();
        }
    }

    private void report(final Throwable error)
    {
        final PrintWriter err = spec.commandLine().getErr();
        err.println("acktracker cluster member " + memberId + ": " + error);
        err.flush();
    }

    /** As {@link ClusterNode.Settings#tuned}, with the given timeout (see {@code forLeaderTimeout}). */
    private ClusterNode.Settings settings()
    {
        return ClusterNode.Settings.forLeaderTimeout(memberId, members, portBase, dir.toFile(), leaderTimeoutNs);
    }

    private void checkOptions()
    {
        Usage.require(spec, !members.isEmpty() && members.stream().noneMatch(String::isBlank),
            "--members: one host per member, comma separated, e.g. localhost,localhost,localhost");
        Usage.require(spec, memberId >= 0 && memberId < members.size(), "--id " + memberId + ": the members list " +
            "has " + members.size() + " (ids 0-" + (members.size() - 1) + ")");
        final int lastPort = portBase + ClusterNode.PORTS_PER_MEMBER * (members.size() - 1) + 5;
        Usage.require(spec, portBase > 0 && lastPort <= 65535, "--port-base " + portBase + ": the members' ports " +
            "must lie in 1-65535 (the last is " + lastPort + ")");
        Usage.require(spec, leaderTimeoutNs >= TimeUnit.MILLISECONDS.toNanos(100), "--leader-timeout: at least " +
            "100ms (heartbeats go ten times per timeout)");
        Usage.require(spec, tickNs >= TimeUnit.MILLISECONDS.toNanos(1) && tickNs <= TimeUnit.SECONDS.toNanos(1),
            "--tick: from 1ms to 1s");
        Usage.require(spec, 0 == snapshotIntervalNs || snapshotIntervalNs >= TimeUnit.SECONDS.toNanos(1),
            "--snapshot-interval: 0 (never) or at least 1s");
    }

    private ServiceConfig load()
    {
        final List<String> arguments = new ArrayList<>();
        if (null != configFile)
        {
            if (!Files.isRegularFile(configFile) || !Files.isReadable(configFile))
            {
                throw new TrackerException("cannot read config file " + configFile);
            }
            arguments.add("--config=" + configFile);
        }
        final ServiceConfig config;
        try
        {
            config = ServiceConfig.load(arguments.toArray(new String[0]), System.getProperties()).validate();
        }
        catch (final UncheckedIOException ex)
        {
            throw new TrackerException(ex.getMessage() + ": " + ex.getCause().getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TrackerException(ex.getMessage());
        }
        // what a member cannot honour is refused by key, never ignored
        if (!config.get("data.dir").isEmpty())
        {
            throw new TrackerException("data.dir: not on a cluster member: the cluster's log and snapshots are its " +
                "durability (its files go under --dir)");
        }
        return config;
    }

    /**
     * The keys of an owner-only key file the config names, as the service reads them.
     *
     * @param config the member's settings.
     * @param key    {@code destination.keys.file} or {@code client.keys.file}.
     * @return the keys, none when the key is not set.
     */
    private static DestinationKeys keys(final ServiceConfig config, final String key)
    {
        final String file = config.get(key);
        if (file.isEmpty())
        {
            return DestinationKeys.none();
        }
        try
        {
            return DestinationKeys.load(Path.of(file), key);
        }
        catch (final IllegalArgumentException | UncheckedIOException ex)
        {
            throw new TrackerException(ex.getMessage());
        }
    }
}

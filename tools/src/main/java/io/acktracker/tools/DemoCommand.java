package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.CircuitBreakerConfig;
import io.acktracker.engine.api.CircuitState;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.store.IoFailures;
import io.acktracker.engine.store.StoreLayout;
import io.acktracker.transport.AeronTransport;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.TransportErrors;
import io.aeron.Aeron;
import net.openhft.chronicle.core.shutdown.PriorityHook;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OffsetEpochNanoClock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo, the README's first command: an embedded media driver, a tracker with its Aeron transport on its own
 * thread, and a simulated sender and destinations over Aeron IPC (one flaky, one that goes dark part-way so its
 * circuit opens). A progress line each second, then what happened: outcomes, retries, dead letters, each
 * destination's health and the latency the sender saw.
 * <p>
 * Threads: the driver (SHARED, one thread), the tracker's agent and the simulation each idle with a backoff
 * strategy, so the demo runs on a 2-core machine next to other work; this thread only prints.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a tracker over Aeron against simulated destinations (one flaky, one that goes dark) and " +
        "print what it saw: progress each second, then outcomes, retries, dead letters, destination health and " +
        "latency percentiles."})
final class DemoCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--rate", paramLabel = "RATE",
        defaultValue = "10000", description = "Messages per second (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "3s", converter = Durations.class,
        description = "How long to send (default ${DEFAULT-VALUE}; 500ms, 10s, 2m).")
    long durationNs;

    @Option(names = "--messages", paramLabel = "N", description = "Send this many messages instead (at --rate).")
    Long messages;

    @Option(names = "--destinations", paramLabel = "N",
        defaultValue = "3", description = "Destinations (default ${DEFAULT-VALUE}).")
    int destinations;

    @Option(names = "--quorum", paramLabel = "N",
        description = "Acks needed per message (default: all but one, so one dark " +
        "destination is tolerated).")
    Integer quorumOption;

    private int quorum;

    @Option(names = "--loss", paramLabel = "FRACTION", defaultValue = "0.05",
        description = "Fraction of acks the flaky destination loses (default ${DEFAULT-VALUE}).")
    double loss;

    @Option(names = "--dark-at", paramLabel = "FRACTION", defaultValue = "0.3",
        description = "Fraction of the run after which the last destination goes dark (default ${DEFAULT-VALUE}; " +
            "1 = never).")
    double darkAt;

    @Option(names = "--ack-timeout", paramLabel = "DURATION", defaultValue = "100ms", converter = Durations.class,
        description = "Ack timeout per attempt (default ${DEFAULT-VALUE}).")
    long ackTimeoutNs;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1500ms", converter = Durations.class,
        description = "Time to live of each message (default ${DEFAULT-VALUE}).")
    long ttlNs;

    @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "3",
        description = "Attempts per destination, the first included (default ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Persist to this directory and keep it, to look inside with " +
        "inspect and dlq (default: a temp directory, deleted at the end).")
    Path dataDir;

    @Option(names = "--in-memory", description = "Keep the pending table off-heap in memory, no files.")
    boolean inMemory;

    @Option(names = "--seed", paramLabel = "SEED",
        defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "500ms", converter = Durations.class,
        description = "JIT warm-up on a throwaway tracker first, not reported (default ${DEFAULT-VALUE}; 0 = none).")
    long warmupNs;

    @Option(names = "--hgrm", paramLabel = "FILE",
        description = "Write the completed messages' latency distribution here (for 'acktracker plot').")
    Path hgrm;

    @Option(names = "--cluster", description = "Run the tracker replicated on Aeron Cluster instead: three member " +
        "processes on this host, a sender and two destinations with sessions, the leader SIGKILLed part way; then " +
        "the election time, the gap in completions and the reconciliation. Takes --rate, --duration, --kills, " +
        "--leader-timeout and --data-dir.")
    boolean cluster;

    @Option(names = "--kills", paramLabel = "N", defaultValue = "1",
        description = "With --cluster: how many times the leader is killed, evenly spread (default ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--leader-timeout", paramLabel = "DURATION", defaultValue = "1s", converter = Durations.class,
        description = "With --cluster: how long a silent leader is waited for (default ${DEFAULT-VALUE}).")
    long leaderTimeoutNs;

    /** The cluster demo: its own options checked, the single-process ones refused rather than ignored. */
    private int runCluster() throws InterruptedException
    {
        for (final String option : new String[] {"--messages", "--destinations", "--quorum", "--loss", "--dark-at",
            "--ack-timeout", "--ttl", "--max-attempts", "--in-memory", "--seed", "--warmup", "--hgrm"})
        {
            Usage.require(spec, !given(option), option + " does not go with --cluster (it takes --rate, " +
                "--duration, --kills, --leader-timeout and --data-dir)");
        }
        Usage.require(spec, rate >= 1 && rate <= MAX_CLUSTER_RATE, "--rate with --cluster: 1 to " +
            String.format("%,d", MAX_CLUSTER_RATE) + " Tracks/s (three members and the clients share this host)");
        Usage.require(spec, kills >= 0 && kills <= 1_000, "--kills: 0 to 1,000");
        Usage.require(spec, durationNs >= TimeUnit.SECONDS.toNanos(1) && durationNs / (kills + 1) >=
            TimeUnit.SECONDS.toNanos(2), "--duration with --cluster: at least 2 s per kill and 1 s in all (a " +
            "killed member is started again and rejoins before the next kill)");
        Usage.require(spec, leaderTimeoutNs >= TimeUnit.MILLISECONDS.toNanos(100), "--leader-timeout: at least " +
            "100ms");
        return new ClusterDemo(spec.commandLine().getOut(), rate, durationNs, kills, leaderTimeoutNs, dataDir).run();
    }

    private boolean given(final String option)
    {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** Most Tracks per second the cluster demo takes on this host. */
    static final int MAX_CLUSTER_RATE = 50_000;

    /** Most messages per second the demo takes: its one simulation thread sends, acks and reads every frame. */
    static final int MAX_RATE = 1_000_000;

    private AtomicIntegerArray circuitOpenings;
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);

    /** The running demo's part in the JVM's shutdown; one hook per JVM, ordered before Chronicle Map's own. */
    private static final AtomicReference<Runnable> ON_SHUTDOWN = new AtomicReference<>();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    public Integer call() throws Exception
    {
        if (cluster)
        {
            return runCluster();
        }
        Usage.require(spec, !given("--kills") && !given("--leader-timeout"), "--kills and --leader-timeout go " +
            "with --cluster");
        validate();
        final PrintWriter out = spec.commandLine().getOut();
        final Path dir = inMemory ? null : null != dataDir ? dataDir : Files.createTempDirectory("acktracker-demo");
        final boolean reused = null != dir && Files.exists(dir.resolve(StoreLayout.PENDING_FILE));
        if (null != dir)
        {
            prepare(dir);
        }
        final long runNs = null != messages ? messages * TimeUnit.SECONDS.toNanos(1) / rate : durationNs;
        final List<DemoSimulation.Destination> roles = roles(runNs);

        out.printf("acktracker demo: %,d msg/s for %s%s to %d destination%s over Aeron IPC, quorum %d of %d%n",
            rate, Durations.format(runNs), null != messages ? String.format(" (%,d messages)", messages) : "",
            destinations, 1 == destinations ? "" : "s", quorum, destinations);
        for (final DemoSimulation.Destination role : roles)
        {
            out.printf("  %-8s %s%n", role.name(), role.role());
        }
        out.printf("  ack timeout %s, %d attempts per destination with backoff, time to live %s%n",
            Durations.format(ackTimeoutNs), maxAttempts, Durations.format(ttlNs));
        out.println(null == dir ? "  pending table: off-heap, in memory" : "  pending table: persisted in " + dir +
            (null == dataDir ? " (a temp directory, deleted at the end)" : ""));
        out.flush();
        // Ctrl-C or SIGTERM: this thread stops the run and closes everything itself (Chronicle Map unmaps its files
        // in its own shutdown hook, after this one; nothing may read them then)
        onShutdown(() ->
        {
            stopRequested = true;
            try
            {
                finished.await(15, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        try (EmbeddedDriver driver = EmbeddedDriver.launch(EmbeddedDriver.context("demo")
                .ipcTermBufferLength(4 * 1024 * 1024));
            Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .clientName("acktracker-demo")))
        {
            if (warmupNs > 0)
            {
                out.printf("warming up the JIT for %s on a throwaway in-memory tracker...%n", Durations.format(warmupNs));
                out.flush();
                final List<DemoSimulation.Destination> steady = new ArrayList<>();
                roles.forEach((role) -> steady.add(new DemoSimulation.Destination(role.name(), "steady",
                    role.meanLatencyNs(), 0, Long.MAX_VALUE)));
                runPhase(aeron, null, steady, warmupNs, Long.MAX_VALUE, 1L << 40, null);
            }
            if (stopRequested)
            {
                return 130;
            }
            // a reused data directory may still hold messages of an earlier run: start past its ids
            final long firstId = reused ? (System.currentTimeMillis() / 1000 & 0x7FFF_FFFFL) << 32 : 1;
            runPhase(aeron, dir, roles, runNs, null != messages ? messages : Long.MAX_VALUE, firstId, out);
        }
        finally
        {
            if (null != dir && null == dataDir)
            {
                IoUtil.delete(dir.toFile(), true);
            }
            ON_SHUTDOWN.set(null);
            finished.countDown();
        }
        return stopRequested ? 130 : 0;
    }

    private static void onShutdown(final Runnable action)
    {
        ON_SHUTDOWN.set(action);
        if (HOOKED.compareAndSet(false, true))
        {
            PriorityHook.add(RunCommand.SHUTDOWN_PRIORITY, () ->
            {
                final Runnable stop = ON_SHUTDOWN.getAndSet(null);
                if (null != stop)
                {
                    stop.run();
                }
            });
        }
    }

    private void validate()
    {
        Usage.require(spec, destinations >= 1 && destinations <= DestinationRegistry.MAX_DESTINATIONS,
            "--destinations must be 1.." + DestinationRegistry.MAX_DESTINATIONS + ", not " + destinations);
        quorum = null != quorumOption ? quorumOption : Math.max(1, destinations - 1);
        Usage.require(spec, quorum >= 1 && quorum <= destinations,
            "--quorum must be 1..--destinations (" + destinations + "), not " + quorum);
        Usage.require(spec, rate >= 1 && rate <= MAX_RATE, String.format(
            "--rate must be 1..%,d messages per second (one thread simulates the sender and every destination), " +
            "not %,d", MAX_RATE, rate));
        Usage.require(spec, durationNs > 0, "--duration must be positive");
        Usage.require(spec, null == messages || messages > 0, "--messages must be positive, not " + messages);
        Usage.require(spec, loss >= 0 && loss <= 1, "--loss must be a fraction 0..1, not " + loss);
        Usage.require(spec, darkAt >= 0, "--dark-at must be a fraction 0 or more (1 = never), not " + darkAt);
        Usage.require(spec, maxAttempts >= 1 && maxAttempts <= 15, "--max-attempts must be 1..15, not " +
            maxAttempts);
        Usage.require(spec, ackTimeoutNs > 0, "--ack-timeout must be positive");
        Usage.require(spec, ttlNs > 0, "--ttl must be positive");
        Usage.require(spec, !(inMemory && null != dataDir), "--in-memory and --data-dir exclude each other");
        final Path hgrmDir = null == hgrm ? null : hgrm.toAbsolutePath().getParent();
        if (null != hgrmDir && !Files.isDirectory(hgrmDir))
        {
            throw new TrackerException("cannot write " + hgrm + ": no such directory " + hgrmDir);
        }
    }

    /**
     * Create the data directory (owner only) and make sure no tracker holds it: the transport's files are created
     * beside the tables before the tracker takes the directory's lock, and must not clobber a running one's.
     */
    private static void prepare(final Path dir) throws IOException
    {
        if (Files.exists(dir) && !Files.isDirectory(dir))
        {
            throw new TrackerException(dir + " is a file, not a data directory");
        }
        try
        {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                "rwx------")));
        }
        catch (final IOException ex)
        {
            throw new TrackerException("--data-dir: cannot create " + dir + ": " + IoFailures.why(ex), ex);
        }
        try (FileChannel channel = FileChannel.open(dir.resolve(StoreLayout.LOCK_FILE), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE))
        {
            final FileLock lock = channel.tryLock();
            if (null == lock)
            {
                throw new TrackerException("data directory " + dir + " is in use by another tracker");
            }
            lock.release();
        }
        catch (final OverlappingFileLockException ex)
        {
            throw new TrackerException("data directory " + dir + " is in use by another tracker in this process");
        }
    }

    /**
     * The destinations: steady ones first, then the flaky one, then the one that goes dark (with fewer than three
     * destinations, the flaky and dark roles come first).
     */
    private List<DemoSimulation.Destination> roles(final long runNs)
    {
        final List<DemoSimulation.Destination> roles = new ArrayList<>();
        final int dark = destinations >= 2 && darkAt < 1 ? destinations - 1 : -1;
        final int flaky = destinations == 1 ? 0 : destinations - 2;
        final long darkAfterNs = (long)(runNs * darkAt);
        for (int i = 0; i < destinations; i++)
        {
            final String name = destinationName(i);
            final long meanNs = TimeUnit.MICROSECONDS.toNanos(100 + 50L * (i % 4));
            if (i == dark)
            {
                roles.add(new DemoSimulation.Destination(name, "goes dark after " + Durations.format(darkAfterNs) +
                    " (answers nothing: its circuit opens)", meanNs, 0, darkAfterNs));
            }
            else if (i == flaky && loss > 0)
            {
                roles.add(new DemoSimulation.Destination(name, String.format("flaky: loses %.1f%% of its acks",
                    loss * 100), meanNs, loss, Long.MAX_VALUE));
            }
            else
            {
                roles.add(new DemoSimulation.Destination(name, "steady", meanNs, 0, Long.MAX_VALUE));
            }
        }
        return roles;
    }

    private void runPhase(
        final Aeron aeron,
        final Path dir,
        final List<DemoSimulation.Destination> roles,
        final long runNs,
        final long messageLimit,
        final long firstId,
        final PrintWriter out) throws InterruptedException, FileNotFoundException
    {
        final String name = null == out ? "demo-warmup" : "demo";
        circuitOpenings = new AtomicIntegerArray(DestinationRegistry.MAX_DESTINATIONS);
        AeronTransport transport = null;
        AckTracker tracker = null;
        AgentRunner simulation = null;
        try
        {
            transport = new AeronTransport(new TransportConfig()
                .name(name)
                .aeron(aeron)
                .countersFile(null == dir ? null : dir.resolve(TransportCounters.FILE_NAME))
                .errorLogFile(null == dir ? null : dir.resolve(TransportErrors.FILE_NAME)));
            tracker = AckTracker.launch(trackerConfig(name, dir, roles, transport));
            final DemoSimulation sim = new DemoSimulation(aeron, roles, quorum, rate, runNs,
                messageLimit, firstId, seed);
            awaitConnected(sim);
            simulation = new AgentRunner(idleStrategy(), (ex) -> { }, null, sim);
            AgentRunner.startOnThread(simulation);
            final boolean drained = progress(tracker, sim, out);
            simulation.close();
            simulation = null;
            if (null != out)
            {
                new DemoReport(out, tracker, sim, circuitOpenings, dir, null != dataDir, drained,
                    redeliveryNote(transport)).print();
                writeHgrm(sim, out);
            }
        }
        finally
        {
            CloseHelper.closeAll(simulation, tracker, transport);
        }
    }

    private TrackerConfig trackerConfig(
        final String name,
        final Path dir,
        final List<DemoSimulation.Destination> roles,
        final AeronTransport transport)
    {
        final long ttlRate = Math.max(1, ttlNs / TimeUnit.SECONDS.toNanos(1) + 2);
        final TrackerConfig config = new TrackerConfig()
            .name(name)
            .dataDir(dir)
            .capacity((int)Math.min(2_000_000, Math.max(10_000, (long)rate * ttlRate)))
            .dlqCapacity(Math.min(100_000, Math.max(10_000, rate)))
            // each message pending for the sender's session holds an outbox entry until its outcome is confirmed
            .outboxCapacity(BitUtil.findNextPositivePowerOfTwo((int)Math.min(1 << 23,
                Math.max(10_000, (long)rate * ttlRate) + 65_536)))
            .tombstoneWindowNs(TimeUnit.SECONDS.toNanos(1))
            .earlyAckWindowNs(TimeUnit.MILLISECONDS.toNanos(50))
            .defaultAckTimeoutNs(ackTimeoutNs)
            .defaultTtlNs(ttlNs)
            .defaultMaxAttempts(maxAttempts)
            .defaultBackoff(Backoff.exponential(ackTimeoutNs / 2, 2.0, ackTimeoutNs * 4)
                .withJitter(Backoff.Jitter.EQUAL))
            .circuitBreaker(new CircuitBreakerConfig(50, 0.5, 200, 50, TimeUnit.SECONDS.toNanos(1), 1, 1, 0.2))
            .circuitListener((destination, from, to, nowNs) ->
            {
                if (CircuitState.OPEN == to)
                {
                    circuitOpenings.incrementAndGet(destination);
                }
            })
            .idleStrategy(idleStrategy())
            .epochClock(new OffsetEpochNanoClock())
            .extension(transport);
        roles.forEach((role) -> config.destinations(role.name()));
        if (!isRedeliveryListener(transport))
        {
            // the transport does not take the engine's redeliveries itself yet: hand them to it here
            config.redeliveryListener((messageId, destination, attempt) ->
            {
                if (destination >= 0)
                {
                    transport.onRedeliver(messageId, destination, attempt);
                }
            });
        }
        return config;
    }

    private static boolean isRedeliveryListener(final Object transport)
    {
        return transport instanceof RedeliveryListener;
    }

    private static String redeliveryNote(final AeronTransport transport)
    {
        return isRedeliveryListener(transport) ? "the transport publishes them" :
            "the demo hands the engine's redeliveries to AeronTransport.onRedeliver; the service does not yet";
    }

    private static IdleStrategy idleStrategy()
    {
        return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
    }

    private static void awaitConnected(final DemoSimulation sim) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sim.isConnected())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new TrackerException("the demo's sender and destinations did not connect to its tracker " +
                    "within 10 s (is /dev/shm full?)");
            }
            Thread.sleep(1);
        }
    }

    /**
     * Print a line each second until every message has its outcome (or the time to live has passed since the
     * last send).
     *
     * @return true when every message sent has its outcome.
     */
    private boolean progress(final AckTracker tracker, final DemoSimulation sim, final PrintWriter out)
        throws InterruptedException
    {
        final long startNs = System.nanoTime();
        long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(1);
        long drainDeadlineNs = Long.MAX_VALUE;
        long lastSent = 0;
        while (!stopRequested)
        {
            Thread.sleep(5);
            final long nowNs = System.nanoTime();
            if (sim.isSendingDone())
            {
                if (0 == sim.outstanding())
                {
                    break;
                }
                if (Long.MAX_VALUE == drainDeadlineNs)
                {
                    drainDeadlineNs = nowNs + ttlNs + TimeUnit.SECONDS.toNanos(1);
                }
                else if (nowNs - drainDeadlineNs > 0)
                {
                    return false;
                }
            }
            if (nowNs - nextReportNs >= 0)
            {
                final long sent = sim.stat(DemoSimulation.SENT);
                if (null != out)
                {
                    out.printf("  %4.1fs  sent %,7d/s  pending %,7d  completed %,9d  failed %,6d  expired %,6d  " +
                        "retries %,7d  circuits open %d%n",
                        (nowNs - startNs) / 1e9, sent - lastSent,
                        tracker.counters().value(TrackerCounter.PENDING),
                        sim.stat(DemoSimulation.COMPLETED), sim.stat(DemoSimulation.FAILED),
                        sim.stat(DemoSimulation.EXPIRED),
                        tracker.counters().value(TrackerCounter.REDELIVERIES),
                        tracker.counters().value(TrackerCounter.CIRCUITS_OPEN));
                    out.flush();
                }
                lastSent = sent;
                nextReportNs += TimeUnit.SECONDS.toNanos(1);
            }
        }
        if (stopRequested && null != out)
        {
            out.println("  stopped (SIGINT or SIGTERM): what happened so far");
        }
        return !stopRequested;
    }

    private void writeHgrm(final DemoSimulation sim, final PrintWriter out) throws FileNotFoundException
    {
        if (null != hgrm)
        {
            try (PrintStream file = new PrintStream(hgrm.toFile()))
            {
                sim.completedLatency().outputPercentileDistribution(file, 1000.0);
            }
            out.println("latency distribution (us) written to " + hgrm + " (chart it: acktracker plot " + hgrm +
                " -o demo.png)");
            out.flush();
        }
    }

    static String destinationName(final int index)
    {
        return "dest-" + (char)('a' + index % 26) + (index >= 26 ? String.valueOf(index / 26) : "");
    }
}

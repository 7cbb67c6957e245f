package io.acktracker.transport.harness;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.AeronTransport;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.aeron.Aeron;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;

/**
 * Latency of one ack over Aeron IPC until its Outcome comes back, at a fixed rate, through the whole stack: a
 * destination's {@link AckPublisher} offers the ack, the tracker's agent (on its own thread, with the Aeron
 * transport in its duty cycle) reads it, completes the message and publishes the Outcome, and a sender's
 * {@link TrackerClient} reads it. One harness thread sends acks on schedule and reads outcomes; messages are
 * tracked well ahead of their acks so tracking is not measured. The harness thread yields while it waits for the
 * next ack's time, like the tracker's default idle strategies: on a small shared machine a spinning harness takes
 * the core the tracker needs.
 * <p>
 * Corrected for coordinated omission by timing each ack from when it was <em>due</em> on the fixed-rate schedule,
 * not from when it was actually sent: a stall delays the acks behind it and their latency shows it. The
 * uncorrected figures (from the actual send) are printed beside them.
 * <pre>
 *   sh transport/target/run.sh io.acktracker.transport.harness.EndToEndLatency --rate=10000 --seconds=10
 * </pre>
 * Options: {@code --rate} acks per second, {@code --seconds} measured, {@code --warmup} seconds not recorded,
 * {@code --idle} the tracker thread's idle strategy (yielding, backoff, busy-spin), {@code --hgrm} a file for the
 * full percentile distribution, {@code --store} where the tracker keeps its state ({@code memory}, or
 * {@code journal}: tables in memory and every command appended to a journal in a scratch directory under
 * {@code --dir}, deleted after the run), {@code --sessions} the sender's Tracks go through a client session
 * (numbered, kept until the tracker confirms them, outcomes from the sender's outbox, confirmed back); without it
 * they take the plain path (outcomes told to every subscriber). Sessions need the journal store to mean what they
 * promise (exactly once across a tracker's crash), so {@code --sessions} defaults the store to {@code journal}; to
 * see what sessions cost, compare it with {@code --store=journal} alone, the same store both ways.
 * {@code --early-ack-window-ms} holds an ack that overtook its Track (default 0: none): a session's Track can be
 * applied after its ack when the session sends it again, and without a window such an ack is an orphan.
 */
public final class EndToEndLatency implements TrackerClientHandler
{
    private static final int LOOKAHEAD = 512;
    private static final int RING = 8192;
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(10);
    private static final String SENDER = "latency-sender";

    private final long[] dueNs = new long[RING];
    private final long[] sentNs = new long[RING];
    private final Histogram corrected = new Histogram(HIGHEST_NS, 3);
    private final Histogram uncorrected = new Histogram(HIGHEST_NS, 3);
    private long firstMeasuredId;
    private long outcomes;
    private long failed;
    private String trackerCounters = "";

    private EndToEndLatency()
    {
    }

    /**
     * Run the harness.
     *
     * @param args {@code --rate=}, {@code --seconds=}, {@code --warmup=}, {@code --idle=}, {@code --hgrm=},
     *             {@code --store=}, {@code --dir=}, {@code --sessions}, {@code --early-ack-window-ms=}.
     * @throws Exception when it cannot run.
     */
    public static void main(final String[] args) throws Exception
    {
        final int rate = Integer.parseInt(option(args, "rate", "10000"));
        final int seconds = Integer.parseInt(option(args, "seconds", "10"));
        final int warmup = Integer.parseInt(option(args, "warmup", "3"));
        final String idle = option(args, "idle", "yielding");
        final String hgrm = option(args, "hgrm", "");
        final boolean sessions = Boolean.parseBoolean(option(args, "sessions", "false"));
        final String store = option(args, "store", sessions ? "journal" : "memory");
        final Path dir = Path.of(option(args, "dir", System.getProperty("java.io.tmpdir")));
        if (!"memory".equals(store) && !"journal".equals(store))
        {
            throw new IllegalArgumentException("--store must be memory or journal: " + store);
        }
        if (sessions && !"journal".equals(store))
        {
            throw new IllegalArgumentException("--sessions needs --store=journal: a session's promise (each Track " +
                "applied once, each outcome told once, across a crash of the tracker) rests on the journal");
        }
        final long earlyAckWindowMs = Long.parseLong(option(args, "early-ack-window-ms", "0"));
        new EndToEndLatency().run(
            new Settings(rate, seconds, warmup, idle, hgrm, store, dir, sessions, earlyAckWindowMs));
    }

    /** What one run does. */
    private record Settings(
        int rate,
        int seconds,
        int warmup,
        String idle,
        String hgrm,
        String store,
        Path dir,
        boolean sessions,
        long earlyAckWindowMs)
    {
        boolean journal()
        {
            return "journal".equals(store);
        }
    }

    private void run(final Settings settings) throws IOException
    {
        final String loadBefore = loadAverage();
        final Path dataDir = settings.journal() ?
            Files.createTempDirectory(Files.createDirectories(settings.dir()), "acktracker-e2e-") : null;
        EmbeddedDriver driver = null;
        Aeron aeron = null;
        AeronTransport transport = null;
        AckTracker tracker = null;
        ClientSession session = null;
        try
        {
            driver = EmbeddedDriver.launch(EmbeddedDriver.context("latency").ipcTermBufferLength(8 * 1024 * 1024));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            transport = new AeronTransport(new TransportConfig().aeron(aeron));
            tracker = AckTracker.launch(new TrackerConfig()
                .name("latency")
                .capacity(64 * 1024)
                .tombstoneWindowNs(TimeUnit.SECONDS.toNanos(1))
                .earlyAckWindowNs(TimeUnit.MILLISECONDS.toNanos(settings.earlyAckWindowMs()))
                .destinations("venue")
                .dataDir(dataDir)
                .journal(settings.journal())
                .epochClock(new OffsetEpochNanoClock())
                .idleStrategy(idleStrategy(settings.idle()))
                .extension(transport));
            try (TrackerClient client = new TrackerClient(aeron, Protocol.DEFAULT_CHANNEL,
                    Protocol.DEFAULT_INBOUND_STREAM_ID, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_OUTBOUND_STREAM_ID,
                    this, settings.sessions() ? new ClientSession.Settings(ClientSession.Settings.idOf(SENDER),
                    SENDER) : null);
                AckPublisher publisher = new AckPublisher(aeron, "venue"))
            {
                session = client.session();
                measure(client, publisher, settings.rate(), settings.seconds(), settings.warmup());
                trackerCounters = String.format(Locale.ROOT, "tracker: tracked %d, duplicate commands %d, sequence " +
                    "gaps %d, back pressured %d, outbox full %d; session refusals sent %d",
                    tracker.counters().value(TrackerCounter.TRACKED),
                    tracker.counters().value(TrackerCounter.DUPLICATE_COMMANDS),
                    tracker.counters().value(TrackerCounter.SEQUENCE_GAPS),
                    tracker.counters().value(TrackerCounter.BACK_PRESSURED),
                    tracker.counters().value(TrackerCounter.OUTBOX_FULL_REFUSALS),
                    transport.counters().value(TransportCounter.SESSION_REFUSALS_SENT));
            }
        }
        finally
        {
            CloseHelper.quietCloseAll(tracker, transport, aeron, driver);
            deleteRecursively(dataDir);
        }

        report(settings, loadBefore, session);
        final String hgrm = settings.hgrm();
        if (!hgrm.isEmpty())
        {
            try (PrintStream out = new PrintStream(new FileOutputStream(hgrm), false, "UTF-8"))
            {
                corrected.outputPercentileDistribution(out, 1000.0);
            }
        }
    }

    private void measure(
        final TrackerClient client, final AckPublisher publisher, final int rate, final int seconds, final int warmup)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!client.isConnected() || !publisher.isConnected() ||
            null != client.session() && !client.session().isBound())
        {
            client.poll(10);
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("tracker not reachable");
            }
            Thread.yield();
        }

        final TrackRequest request = new TrackRequest();
        for (long id = 1; id <= LOOKAHEAD; id++)
        {
            track(client, request, id);
        }

        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final long total = (long)rate * (warmup + seconds);
        firstMeasuredId = (long)rate * warmup + 1;
        long dueAtNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        for (long id = 1; id <= total; id++)
        {
            while (System.nanoTime() - dueAtNs < 0)
            {
                if (0 == client.poll(16))
                {
                    Thread.yield();
                }
            }
            final int slot = (int)(id & (RING - 1));
            dueNs[slot] = dueAtNs;
            while (publisher.tryAck(id) < 0)
            {
                client.poll(16);
            }
            sentNs[slot] = System.nanoTime();
            track(client, request, id + LOOKAHEAD);
            dueAtNs += intervalNs;
        }

        final long drainDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (outcomes < total && System.nanoTime() - drainDeadlineNs < 0)
        {
            client.poll(64);
        }
        if (outcomes < total)
        {
            System.out.println("warning: " + (total - outcomes) + " of " + total + " outcomes did not arrive");
        }
    }

    private static void track(final TrackerClient client, final TrackRequest request, final long id)
    {
        request.reset().messageId(id).destinations(1);
        while (client.tryTrack(request) < 0)
        {
            client.poll(16);
        }
    }

    public void onOutcome(
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts,
        final boolean replay)
    {
        final long nowNs = System.nanoTime();
        outcomes++;
        if (Outcome.COMPLETED != outcome)
        {
            failed++;
            return;
        }
        if (messageId >= firstMeasuredId)
        {
            final int slot = (int)(messageId & (RING - 1));
            corrected.recordValue(Math.min(HIGHEST_NS, nowNs - dueNs[slot]));
            uncorrected.recordValue(Math.min(HIGHEST_NS, nowNs - sentNs[slot]));
        }
    }

    private void report(final Settings settings, final String load, final ClientSession session)
    {
        System.out.printf(Locale.ROOT, "ack -> Outcome over Aeron IPC: rate %d/s, %d s measured after %d s warm-up, " +
            "tracker idle strategy %s, store %s, sessions %s, %d cores%n", settings.rate(), settings.seconds(),
            settings.warmup(), settings.idle(), settings.store(), settings.sessions() ? "on" : "off",
            Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "load average (1 5 15 min) before: %s, after: %s%n", load, loadAverage());
        System.out.printf(Locale.ROOT, "outcomes %d (not completed: %d), measured %d%n",
            outcomes, failed, corrected.getTotalCount());
        System.out.println(trackerCounters);
        if (null != session)
        {
            System.out.printf(Locale.ROOT, "session: applied through %d, outbox entries taken %d, resends %d, " +
                "deferred first sends %d, opens %d, entries skipped %d%n", session.appliedThrough(),
                session.outboxReceived(), session.resends(), session.deferredSends(), session.opens(),
                session.entriesSkipped());
        }
        line("corrected  ", corrected);
        line("uncorrected", uncorrected);
    }

    private static void line(final String label, final Histogram histogram)
    {
        System.out.printf(Locale.ROOT, "%s  p50 %8.1f us  p90 %8.1f us  p99 %8.1f us  p99.9 %8.1f us  " +
            "p99.99 %8.1f us  max %8.1f us%n", label,
            histogram.getValueAtPercentile(50) / 1e3,
            histogram.getValueAtPercentile(90) / 1e3,
            histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3,
            histogram.getValueAtPercentile(99.99) / 1e3,
            histogram.getMaxValue() / 1e3);
    }

    /** The machine's load average where Linux tells it: the figures mean little on a busy machine. */
    private static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }

    private static IdleStrategy idleStrategy(final String name)
    {
        switch (name)
        {
            case "yielding":
                return new YieldingIdleStrategy();
            case "backoff":
                return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
                    TimeUnit.MILLISECONDS.toNanos(1));
            case "busy-spin":
                return new BusySpinIdleStrategy();
            default:
                throw new IllegalArgumentException("--idle must be yielding, backoff or busy-spin: " + name);
        }
    }

    private static void deleteRecursively(final Path dir) throws IOException
    {
        if (null == dir)
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /** {@code --name=value}, or {@code --name} alone for true. */
    private static String option(final String[] args, final String name, final String defaultValue)
    {
        for (final String arg : args)
        {
            if (arg.startsWith("--" + name + "="))
            {
                return arg.substring(name.length() + 3);
            }
            if (arg.equals("--" + name))
            {
                return "true";
            }
        }
        return defaultValue;
    }
}

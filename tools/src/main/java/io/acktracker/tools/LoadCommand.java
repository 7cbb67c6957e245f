package io.acktracker.tools;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.metrics.CountersFile;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.client.TrackerLinkSettings;
import io.acktracker.transport.service.ConfigSource;
import io.aeron.Aeron;
import io.aeron.CommonContext;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * A load generator against a running tracker (see {@link LoadGenerator} for what is measured): a progress bar each
 * second, then a percentile summary corrected for coordinated omission, the full distribution in a {@code .hgrm}
 * file (for {@code acktracker plot}) and one-second interval histograms in a {@code .hlog} file (HdrHistogram's log
 * format).
 * <p>
 * The tracker is a single service (its media driver found by {@code --aeron-dir}, its streams and destination ids
 * asked of it), or a replicated one: the members of {@code acktracker cluster node}, reached through their cluster
 * ingress and egress ({@code --cluster-ingress}, or {@code --link-config} with the {@code tracker.link.*} keys of
 * {@link TrackerLinkSettings}) by the same client helpers, with sessions, through a media driver of this process.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Fixed-rate load against a running tracker service, or a replicated tracker's members " +
        "(--cluster-ingress): ack -> outcome percentiles corrected for coordinated omission, written as a " +
        "percentile distribution (.hgrm) and an interval log (.hlog)."})
final class LoadCommand implements Callable<Integer>
{
    /** Where the link's keys are in a {@code --link-config} file, as in a client's configuration. */
    static final String LINK_PREFIX = "tracker.link.";

    @Spec
    CommandSpec spec;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "The service's Aeron directory ('acktracker run' prints it; default: Aeron's default). With " +
            "a cluster: a running media driver for the load's clients (default: one started in this process).")
    Path aeronDir;

    @Option(names = "--cluster-ingress", paramLabel = "ENDPOINTS",
        description = "Load a replicated tracker instead: every member's client ingress, id=host:port separated " +
            "by commas, as 'acktracker cluster node' prints it (e.g. 0=localhost:20002,1=localhost:20102," +
            "2=localhost:20202). The sender and the destinations then use client sessions (--sessions is implied: a " +
            "destination acks what the cluster confirmed applied), and the destinations' ids are the members' " +
            "'destinations' setting, in order.")
    String clusterIngress;

    @Option(names = "--link-config", paramLabel = "FILE",
        description = "How to reach the tracker, from the tracker.link.* keys of a .yaml, .json or .properties file " +
            "(tracker.link.mode=aeron or cluster, and that mode's keys; other keys are ignored). Instead of " +
            "--cluster-ingress, or of the channel and stream options.")
    Path linkConfig;

    @Option(names = "--admin-key", paramLabel = "FILE",
        description = "The service's secret (its http.token.file) to sign the destination lookup with (default: the " +
            "file the service registered).")
    Path adminKey;

    @Option(names = "--sessions", description = "The sender and the destinations use client sessions: every Track " +
        "and ack numbered and confirmed, outcomes from the sender's outbox (exactly once; see PROTOCOL.md, Sessions). " +
        "Always so with a cluster.")
    boolean sessions;

    @Option(names = "--rate", paramLabel = "RATE",
        defaultValue = "10000", description = "Messages per second (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.class,
        description = "Measured time (default ${DEFAULT-VALUE}).")
    long durationNs;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "1s", converter = Durations.class,
        description = "Load before measuring, not recorded (default ${DEFAULT-VALUE}).")
    long warmupNs;

    @Option(names = "--channel", paramLabel = "CHANNEL",
        description = "The tracker's inbound channel as seen from here (default: the one the service registered, " +
            "a wildcard host read as localhost; else " + Protocol.DEFAULT_CHANNEL + ").")
    String channel;

    @Option(names = "--stream", paramLabel = "ID",
        description = "The tracker's inbound stream id (default: the service's, or 7001).")
    Integer streamId;

    @Option(names = "--outbound-channel", paramLabel = "CHANNEL",
        description = "The channel outcomes arrive on here (default: the one the service registered; else " +
            Protocol.DEFAULT_CHANNEL + ").")
    String outboundChannel;

    @Option(names = "--outbound-stream", paramLabel = "ID",
        description = "The tracker's outbound stream id (default: the service's, " +
        "or 7002).")
    Integer outboundStreamId;

    @Option(names = "--destinations", paramLabel = "NAMES", split = ",", defaultValue = "load-a,load-b",
        description = "Destinations to ack as, comma separated (default ${DEFAULT-VALUE}).")
    List<String> destinations;

    @Option(names = "--quorum", paramLabel = "N",
        defaultValue = "0", description = "Acks needed per message, 0 = all (default 0).")
    int quorum;

    @Option(names = "--ack-timeout", paramLabel = "DURATION", defaultValue = "0", converter = Durations.class,
        description = "Ack timeout per message, 0 = the tracker's default.")
    long ackTimeoutNs;

    @Option(names = "--track-ahead", paramLabel = "DURATION", defaultValue = "10ms", converter = Durations.class,
        description = "How long before its acks each message is tracked (default ${DEFAULT-VALUE}).")
    long trackAheadNs;

    @Option(names = "--drain", paramLabel = "DURATION", defaultValue = "5s", converter = Durations.class,
        description = "How long to wait for the last outcomes (default ${DEFAULT-VALUE}).")
    long drainNs;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "5s", converter = Durations.class,
        description = "How long to wait for the tracker to answer (default ${DEFAULT-VALUE}).")
    long connectTimeoutNs;

    @Option(names = "--hgrm", defaultValue = "load.hgrm", paramLabel = "FILE",
        description = "Percentile distribution output, in us (default ${DEFAULT-VALUE}).")
    Path hgrm;

    @Option(names = "--hlog", defaultValue = "load.hlog", paramLabel = "FILE",
        description = "Interval histogram log, 1 s intervals, in ns (default ${DEFAULT-VALUE}).")
    Path hlog;

    public Integer call() throws Exception
    {
        validate();
        final TrackerLinkSettings configured = configuredLink();
        if (null != configured && TrackerLinkSettings.Mode.CLUSTER == configured.mode())
        {
            return onCluster(configured);
        }
        if (null != configured)
        {
            channel = configured.trackerChannel();
            streamId = configured.trackerStreamId();
            outboundChannel = configured.outboundChannel();
            outboundStreamId = configured.outboundStreamId();
        }
        final PrintWriter out = spec.commandLine().getOut();
        final Path dir = null != aeronDir ? aeronDir : Path.of(CommonContext.getAeronDirectoryName());
        ServiceRegistration.requireDriver(dir);
        final ServiceRegistration.Service service = ServiceRegistration.find(dir).isEmpty() ? null :
            ServiceRegistration.findOne(dir);
        final int inbound = null != streamId ? streamId : null != service ? service.inboundStreamId() :
            Protocol.DEFAULT_INBOUND_STREAM_ID;
        final int outbound = null != outboundStreamId ? outboundStreamId : null != service ?
            service.outboundStreamId() : Protocol.DEFAULT_OUTBOUND_STREAM_ID;
        final int[] ids = destinationIds(dir, service, out);
        channel = LoadChannels.inbound(channel, service);
        outboundChannel = LoadChannels.outbound(outboundChannel, service);

        final Aeron aeron = AdminClient.connect(dir);
        final CountersFile transportCounters = transportCounters(service);
        try
        {
            final LoadTarget target = new LoadTarget(aeron,
                TrackerLinkSettings.aeron(channel, inbound, outboundChannel, outbound), destinations, ids);
            drive(target, tracksRead(transportCounters), sessions,
                null == service ? "the tracker at " + dir : service.describe(),
                channel + " stream " + inbound, "no tracker answers at " + dir, "is a service running there with " +
                "inbound " + channel + " stream " + inbound + " and outbound " + outboundChannel + " stream " +
                outbound + "?");
        }
        finally
        {
            CloseHelper.quietCloseAll(aeron, transportCounters);
        }
        return 0;
    }

    /**
     * The load on a replicated tracker: its clients with sessions over the cluster's ingress and egress, through
     * {@code --aeron-dir}'s media driver or one of this process's own (deleted when the load ends).
     */
    private int onCluster(final TrackerLinkSettings link) throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final String where = "the cluster at " + link.ingressEndpoints();
        final int[] ids = assumedIds(out, "a cluster member has no admin stream", "the members' 'destinations' " +
            "setting");
        EmbeddedDriver driver = null;
        Aeron aeron = null;
        try
        {
            if (null != aeronDir)
            {
                aeron = AdminClient.connect(aeronDir);
            }
            else
            {
                driver = EmbeddedDriver.launch(EmbeddedDriver.context("load"));
                aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())
                    .clientName("acktracker-load"));
            }
            drive(new LoadTarget(aeron, link, destinations, ids), null, true, where, "cluster ingress " +
                link.ingressChannel() + " stream " + link.ingressStreamId(), "no cluster answers at ingress " +
                link.ingressEndpoints(), "are its members running ('acktracker cluster node'), with a leader, and " +
                "do their 'destinations' start with " + destinations + " in this order?");
        }
        finally
        {
            CloseHelper.quietCloseAll(aeron, driver);
        }
        return 0;
    }

    /**
     * The generator's run and its report, whatever the tracker: connect, print what is loaded, drive at the rate,
     * print the summary.
     */
    private void drive(
        final LoadTarget target,
        final LongSupplier tracksRead,
        final boolean withSessions,
        final String where,
        final String route,
        final String silence,
        final String hint) throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final LoadGenerator generator = new LoadGenerator(target, target.destinationMask(), quorum, ackTimeoutNs,
            rate, trackAheadNs, warmupNs, durationNs,
            (System.currentTimeMillis() / 1000 & 0x7FFF_FFFFL) << 32, tracksRead, withSessions);
        awaitConnected(generator, silence, hint);
        out.printf("load: %,d msg/s for %s (after %s of warm-up) to %s; destinations %s; %s%s%n",
            rate, Durations.format(durationNs), Durations.format(warmupNs), where, destinations, route,
            withSessions ? "; with client sessions" : "");
        out.flush();

        AgentRunner runner = new AgentRunner(new YieldingIdleStrategy(), (ex) -> { }, null, generator);
        try
        {
            final Histogram total = run(generator, runner, out);
            runner.close();
            runner = null;
            summary(generator, total, out);
        }
        finally
        {
            CloseHelper.quietClose(runner);
        }
    }

    private void validate()
    {
        Usage.require(spec, rate >= 1, String.format("--rate must be 1 or more messages per second, not %,d", rate));
        Usage.require(spec, durationNs > 0, "--duration must be positive");
        Usage.require(spec, !destinations.isEmpty() && destinations.size() <= DestinationRegistry.MAX_DESTINATIONS &&
            destinations.stream().noneMatch(String::isBlank), "--destinations must name 1.." +
            DestinationRegistry.MAX_DESTINATIONS + " destinations, comma separated");
        Usage.require(spec, quorum >= 0 && quorum <= destinations.size(), "--quorum must be 0 (all).." +
            destinations.size() + " (the destinations), not " + quorum);
        Usage.require(spec, null == clusterIngress || null == linkConfig, "--cluster-ingress and --link-config: " +
            "give one (the file's tracker.link.cluster.ingress.endpoints says what --cluster-ingress does)");
        for (final String option : new String[] {"--channel", "--stream", "--outbound-channel", "--outbound-stream"})
        {
            Usage.require(spec, null == clusterIngress || !given(option), option + " does not go with " +
                "--cluster-ingress (a cluster is reached through its members' ingress and egress)");
            Usage.require(spec, null == linkConfig || !given(option), option + " does not go with --link-config " +
                "(the file's tracker.link.* keys say how to reach the tracker)");
        }
        Usage.require(spec, null == clusterIngress || !given("--admin-key"), "--admin-key does not go with " +
            "--cluster-ingress (a cluster member has no admin stream: the destinations' ids are taken in order)");
        for (final Path file : new Path[]{ hgrm, hlog })
        {
            final Path parent = file.toAbsolutePath().getParent();
            if (null != parent && !Files.isDirectory(parent))
            {
                throw new TrackerException("cannot write " + file + ": no such directory " + parent);
            }
        }
    }

    private boolean given(final String option)
    {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /**
     * The link {@code --cluster-ingress} or {@code --link-config} describes, or null for neither (the service at
     * {@code --aeron-dir} and the channel options).
     */
    private TrackerLinkSettings configuredLink()
    {
        if (null != clusterIngress)
        {
            try
            {
                return TrackerLinkSettings.cluster(clusterIngress);
            }
            catch (final IllegalArgumentException ex)
            {
                throw Usage.error(spec, "--cluster-ingress " + clusterIngress + ": expected id=host:port " +
                    "separated by commas, e.g. 0=localhost:20002,1=localhost:20102,2=localhost:20202");
            }
        }
        if (null == linkConfig)
        {
            return null;
        }
        final Map<String, String> values;
        try
        {
            values = ConfigSource.read(linkConfig);
        }
        catch (final java.io.UncheckedIOException ex)
        {
            throw new TrackerException("--link-config: cannot read " + linkConfig + ": " + ex.getCause());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TrackerException("--link-config " + ex.getMessage());
        }
        try
        {
            final TrackerLinkSettings link = TrackerLinkSettings.from(values, LINK_PREFIX);
            if (TrackerLinkSettings.Mode.CLUSTER == link.mode() && given("--admin-key"))
            {
                throw Usage.error(spec, "--admin-key does not go with --link-config " + linkConfig + ", whose " +
                    "tracker.link.mode is cluster (a cluster member has no admin stream)");
            }
            return link;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TrackerException("--link-config " + linkConfig + ": " + ex.getMessage());
        }
    }

    /**
     * Ids the tracker cannot be asked for: the destinations are taken to be its first ids in the order given (a
     * destination's hello with the wrong id is refused, so a mismatch shows as sessions that never bind).
     */
    private int[] assumedIds(final PrintWriter out, final String why, final String setting)
    {
        final int[] ids = new int[destinations.size()];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = i;
        }
        out.println("load: " + why + ": assuming " + destinations + " have ids 0.." +
            (ids.length - 1) + " (" + setting + ", in order; a mismatch is refused)");
        return ids;
    }

    /**
     * The destinations' ids in the tracker's registry: asked of the service through its admin stream (registering
     * them when its registry is open), otherwise assumed to be the service's first ids in the order given.
     */
    private int[] destinationIds(final Path dir, final ServiceRegistration.Service service, final PrintWriter out)
    {
        if (null == service || !service.hasAdmin())
        {
            return assumedIds(out, "no acktracker admin stream at " + dir, "the service's 'destinations' setting");
        }
        final int[] ids = new int[destinations.size()];
        final List<String> arguments = new ArrayList<>(List.of("destinations"));
        arguments.addAll(destinations);
        final AdminServer.Reply reply = AdminClient.call(dir, adminKey, arguments);
        if (0 != reply.exitCode())
        {
            throw new TrackerException("the service cannot use these destinations: " +
                reply.err().replace("acktracker: ", "").strip());
        }
        final String[] lines = reply.out().strip().split("\n");
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = Integer.parseInt(lines[i].substring(lines[i].lastIndexOf(' ') + 1));
        }
        return ids;
    }

    /**
     * The service's transport counters, read-only, from its data or run directory.
     */
    private static CountersFile transportCounters(final ServiceRegistration.Service service)
    {
        if (null == service || null == service.filesDir())
        {
            return null;
        }
        final Path file = service.filesDir().resolve(TransportCounters.FILE_NAME);
        try
        {
            return Files.isRegularFile(file) ? CountersFile.openReadOnly(file.toFile()) : null;
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    /**
     * How many Track frames the tracker has read, from its transport counters; null when they cannot be read.
     */
    private static LongSupplier tracksRead(final CountersFile counters)
    {
        if (null == counters)
        {
            return null;
        }
        final CountersReader reader = counters.newReader();
        final int[] found = { CountersReader.NULL_COUNTER_ID };
        reader.forEach((counterId, typeId, key, label) ->
        {
            if (TransportCounter.TYPE_ID == typeId && key.getInt(0) == TransportCounter.TRACKS_RECEIVED.id())
            {
                found[0] = counterId;
            }
        });
        final int counterId = found[0];
        return CountersReader.NULL_COUNTER_ID == counterId ? null : () -> reader.getCounterValue(counterId);
    }

    private void awaitConnected(final LoadGenerator generator, final String silence, final String hint)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + connectTimeoutNs;
        String missing;
        while (null != (missing = generator.notConnected()))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                generator.onClose();
                throw new TrackerException(silence + " (the " + missing + " did not connect within " +
                    Durations.format(connectTimeoutNs) + "): " + hint);
            }
            Thread.sleep(1);
        }
    }

    private Histogram run(final LoadGenerator generator, final AgentRunner runner, final PrintWriter out)
        throws InterruptedException, FileNotFoundException
    {
        final Histogram total = new Histogram(LoadGenerator.HIGHEST_LATENCY_NS, 3);
        final long totalNs = warmupNs + durationNs;
        final long startMs = System.currentTimeMillis();
        final long startNs = System.nanoTime();
        long drainDeadlineNs = Long.MAX_VALUE;
        long lastTracked = 0;
        boolean judged = false;
        Histogram interval = null;
        try (PrintStream log = new PrintStream(hlog.toFile()))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(log);
            writer.outputComment("acktracker load: ack -> outcome latency in ns, corrected for coordinated omission");
            writer.outputLogFormatVersion();
            writer.outputStartTime(startMs);
            writer.setBaseTime(startMs);
            writer.outputLegend();
            AgentRunner.startOnThread(runner);
            long intervalStartMs = startMs;
            while (true)
            {
                Thread.sleep(1000);
                final long nowNs = System.nanoTime();
                final long nowMs = System.currentTimeMillis();
                interval = generator.intervalHistogram(interval);
                interval.setStartTimeStamp(intervalStartMs);
                interval.setEndTimeStamp(nowMs);
                intervalStartMs = nowMs;
                writer.outputIntervalHistogram(interval);
                total.add(interval);

                final long tracked = generator.stat(LoadGenerator.TRACKED);
                if (!judged && nowNs - startNs >= LoadPace.JUDGED_AFTER_NS)
                {
                    judged = true;
                    final String refusal = LoadPace.refusal(rate, nowNs - startNs, tracked,
                        generator.stat(LoadGenerator.TRACK_BACK_PRESSURE) +
                        generator.stat(LoadGenerator.ACK_BACK_PRESSURE), 1 + destinations.size());
                    if (null != refusal)
                    {
                        throw new TrackerException(refusal);
                    }
                }
                progress(out, Math.min(1.0, (nowNs - startNs) / (double)totalNs), nowNs - startNs < warmupNs,
                    tracked - lastTracked, generator, interval);
                lastTracked = tracked;

                if (generator.isDone())
                {
                    if (0 == generator.stat(LoadGenerator.OUTSTANDING))
                    {
                        break;
                    }
                    if (Long.MAX_VALUE == drainDeadlineNs)
                    {
                        drainDeadlineNs = nowNs + drainNs;
                    }
                    else if (nowNs - drainDeadlineNs > 0)
                    {
                        break;
                    }
                }
            }
        }
        return total;
    }

    private static void progress(
        final PrintWriter out,
        final double done,
        final boolean warmingUp,
        final long rate,
        final LoadGenerator generator,
        final Histogram interval)
    {
        final int width = 30;
        final int filled = (int)Math.round(done * width);
        out.printf("  [%s%s] %3.0f%%  %s  %,8d msg/s  completed %,10d  outstanding %,7d  p99 %s%n",
            "#".repeat(filled), ".".repeat(width - filled), done * 100, warmingUp ? "warm-up " : "measured",
            rate, generator.stat(LoadGenerator.COMPLETED), generator.stat(LoadGenerator.OUTSTANDING),
            0 == interval.getTotalCount() ? "-" : Durations.format(interval.getValueAtPercentile(99)));
        out.flush();
    }

    private void summary(final LoadGenerator generator, final Histogram total, final PrintWriter out)
        throws FileNotFoundException
    {
        out.println();
        out.printf("tracked %,d, acked %,d; completed %,d, failed %,d, expired %,d, refused %,d, no outcome %,d%n",
            generator.stat(LoadGenerator.TRACKED), generator.stat(LoadGenerator.ACKED),
            generator.stat(LoadGenerator.COMPLETED), generator.stat(LoadGenerator.FAILED),
            generator.stat(LoadGenerator.EXPIRED), generator.stat(LoadGenerator.REFUSED),
            generator.stat(LoadGenerator.OUTSTANDING));
        if (generator.stat(LoadGenerator.REDELIVERS) > 0)
        {
            out.printf("the tracker asked for %,d redeliveries (each answered with the destination's ack again)%n",
                generator.stat(LoadGenerator.REDELIVERS));
        }
        out.println("latency ack -> outcome, measured part only (completed messages)" + (0 == trackAheadNs ?
            "; --track-ahead 0: each message is tracked at its ack time, so this is Track -> outcome" : ""));
        out.println("  corrected for coordinated omission (from each ack's scheduled time): " +
            Durations.percentiles(total));
        out.println("  uncorrected (from the last ack's actual send):                        " +
            Durations.percentiles(generator.uncorrected()));
        try (PrintStream file = new PrintStream(hgrm.toFile()))
        {
            total.outputPercentileDistribution(file, 1000.0);
        }
        out.println("wrote " + hgrm + " (percentile distribution, us; chart it: acktracker plot " + hgrm +
            " -o load.png) and " + hlog + " (1 s interval histograms)");
        out.flush();
    }
}

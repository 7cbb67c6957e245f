package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.Protocol;
import io.aeron.Aeron;
import io.aeron.Publication;
import org.agrona.concurrent.UnsafeBuffer;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run}, and {@code stat}, {@code dlq} and {@code load} against it, in this process over a real embedded
 * media driver (the service's own).
 */
class ServiceCommandsTest
{
    @TempDir
    Path temp;

    private Thread service;
    private final StringWriter serviceOut = new StringWriter();
    private final StringWriter serviceErr = new StringWriter();
    private final int[] serviceExit = { -1 };

    @AfterEach
    void stopService() throws InterruptedException
    {
        if (null != service)
        {
            service.interrupt();
            service.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /** A data directory with two dead letters (rejected by venue-c and venue-b) and 17 pending messages. */
    private Path populated()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(new TrackerConfig().dataDir(dir).capacity(5000)
            .destinations("venue-a", "venue-b", "venue-c").defaultMaxAttempts(1)))
        {
            final TrackerAgent agent = tracker.agent();
            final TrackRequest request = new TrackRequest();
            for (int id = 1; id <= 20; id++)
            {
                agent.track(request.reset().messageId(id).destinations(0b111).requiredAcks(2).stream(4, id)
                    .ttlNs(TimeUnit.HOURS.toNanos(1)).ackTimeoutNs(TimeUnit.HOURS.toNanos(1)));
            }
            agent.recordAck(1, 0);
            agent.recordAck(2, 0);
            agent.recordAck(2, 1);
            agent.recordReject(3, 2, 500);
            agent.recordReject(4, 1, 501);
        }
        return dir;
    }

    private String startService(final Path config) throws InterruptedException
    {
        service = new Thread(() -> serviceExit[0] = AckTrackerCli.execute(new PrintWriter(serviceOut, true),
            new PrintWriter(serviceErr, true), "run", "--config", config.toString()), "test-service");
        service.start();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        final Pattern running = Pattern.compile("driver embedded at (\\S+),");
        while (System.nanoTime() - deadlineNs < 0 && service.isAlive())
        {
            final Matcher matcher = running.matcher(serviceOut.toString());
            if (matcher.find() && serviceOut.toString().contains("stop with Ctrl-C"))
            {
                return matcher.group(1);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("service did not start: " + serviceOut + serviceErr);
    }

    @Test
    @Timeout(180)
    void shouldRunTheServiceAndServeStatDlqAndLoad() throws Exception
    {
        final Path data = populated();
        final Path config = Files.writeString(temp.resolve("tracker.yaml"), String.join("\n",
            "name: tools-test",
            "data:",
            "  dir: " + data,
            "capacity: 5000",
            "destinations: [venue-a, venue-b, venue-c]",
            "ack.timeout: 2s",
            ""));
        final String aeronDir = startService(config);
        assertThat(serviceOut.toString()).contains("admin stream: aeron:ipc streams 7003/7004");

        CliRunner cli = CliRunner.run("stat", "--aeron-dir", aeronDir, "--once", "--all", "--interval-ms", "100");
        assertThat(cli.exitCode).as(cli.err()).isZero();
        assertThat(cli.out()).contains("service 'tools-test'").contains("engine: " + data.resolve("counters.dat"))
            .contains("transport: " + data.resolve("transport-counters.dat"))
            .containsPattern("\\s17\\s+pending messages: tools-test\\n")
            .containsPattern("\\s0\\s+tracks received: tools-test\\n").contains("running");

        cli = CliRunner.run("dlq", "stats", "--aeron-dir", aeronDir);
        assertThat(cli.exitCode).as(cli.err()).isZero();
        assertThat(cli.out()).containsPattern("all\\s+2\\s+2");
        cli = CliRunner.run("dlq", "list", "--aeron-dir", aeronDir, "--destination", "venue-c");
        assertThat(cli.out()).contains("(2 shown)").contains("venue-c=REJECT(500)");
        cli = CliRunner.run("dlq", "peek", "--aeron-dir", aeronDir, "--queue", "4", "-n", "1");
        assertThat(cli.out()).contains("(1 shown)");
        cli = CliRunner.run("dlq", "list", "--aeron-dir", aeronDir, "--destination", "nowhere");
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err().strip()).isEqualTo("acktracker: unknown destination 'nowhere'");

        cli = CliRunner.run("dlq", "replay", "--aeron-dir", aeronDir, "3", "--unacked-only");
        assertThat(cli.exitCode).as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("3: replayed");
        cli = CliRunner.run("dlq", "delete", "--aeron-dir", aeronDir, "4", "77");
        assertThat(cli.out()).contains("deleted 1 of 2");
        assertThat(cli.exitCode).isEqualTo(1);
        cli = CliRunner.run("dlq", "stats", "--aeron-dir", aeronDir);
        assertThat(cli.out()).containsPattern("all\\s+0\\s+2\\s+1\\s+1");
        cli = CliRunner.run("dlq", "stats", data.toString(), "--aeron-dir", aeronDir);
        assertThat(cli.err()).contains("not both");

        final Path hgrm = temp.resolve("load.hgrm");
        final Path hlog = temp.resolve("load.hlog");
        cli = CliRunner.run("load", "--aeron-dir", aeronDir, "--rate", "2000", "--duration", "1500ms", "--warmup",
            "300ms", "--destinations", "venue-a,load-x", "--hgrm", hgrm.toString(), "--hlog", hlog.toString());
        assertThat(cli.exitCode).as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("[##############################] 100%")
            .contains("tracked 3,600, acked 3,600; completed 3,600, failed 0, expired 0, refused 0, no outcome 0")
            .containsPattern("corrected for coordinated omission .*: n=3,000\\s+p50");
        assertThat(HgrmFile.read(hgrm).totalCount()).isEqualTo(3000);
        long logged = 0;
        final HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        EncodableHistogram interval;
        while (null != (interval = reader.nextIntervalHistogram()))
        {
            logged += ((org.HdrHistogram.Histogram)interval).getTotalCount();
        }
        assertThat(logged).isEqualTo(3000);

        // the same with client sessions: every Track and ack numbered and confirmed, outcomes from the outbox
        cli = CliRunner.run("load", "--aeron-dir", aeronDir, "--sessions", "--rate", "2000", "--duration", "1s",
            "--warmup", "200ms", "--destinations", "venue-a,load-x", "--hgrm", hgrm.toString(), "--hlog",
            hlog.toString());
        assertThat(cli.exitCode).as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("with client sessions")
            .contains("tracked 2,400, acked 2,400; completed 2,400, failed 0, expired 0, refused 0, no outcome 0");

        cli = CliRunner.run("stat", "--aeron-dir", aeronDir, "--once", "--all", "--interval-ms", "100");
        assertThat(cli.out()).containsPattern("\\s6,0\\d\\d\\s+\\d+\\s+tracks received: tools-test\\n")
            .containsPattern("\\d\\s+numbered client commands received: tools-test\\n")
            .containsPattern("\\d\\s+sessions bound to a destination: tools-test\\n");

        service.interrupt();
        service.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(serviceExit[0]).as(serviceErr.toString()).isZero();
        assertThat(serviceOut.toString()).contains("stopped cleanly");
        assertThat(Files.exists(Path.of(aeronDir))).as("the embedded driver's directory is deleted").isFalse();

        cli = CliRunner.run("inspect", data.toString());
        assertThat(cli.exitCode).as("the service stopped cleanly: " + cli.err()).isZero();
        assertThat(cli.out()).contains("load-x");
    }

    private static int freeLoopbackUdpPort() throws java.io.IOException
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0,
            java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    @Test
    @Timeout(180)
    void shouldTakeTheChannelsFromTheServicesRegistrationAndRefuseARateItCannotDrive() throws Exception
    {
        final String inbound = "aeron:udp?endpoint=localhost:" + freeLoopbackUdpPort();
        final String outbound = "aeron:udp?endpoint=localhost:" + freeLoopbackUdpPort();
        final Path config = Files.writeString(temp.resolve("udp.yaml"), String.join("\n",
            "name: udp-load",
            "capacity: 20000",
            "destinations: [venue-a]",
            "inbound:",
            "  channel: " + inbound,
            "outbound:",
            "  channel: " + outbound,
            ""));
        final String aeronDir = startService(config);
        final ServiceRegistration.Service service = ServiceRegistration.findOne(Path.of(aeronDir));
        assertThat(service.inboundChannel()).isEqualTo(inbound);
        assertThat(service.outboundChannel()).isEqualTo(outbound);

        final Path hgrm = temp.resolve("udp.hgrm");
        final Path hlog = temp.resolve("udp.hlog");
        CliRunner cli = CliRunner.run("load", "--aeron-dir", aeronDir, "--rate", "1000", "--duration", "1s",
            "--warmup", "200ms", "--destinations", "venue-a", "--hgrm", hgrm.toString(), "--hlog", hlog.toString());
        assertThat(cli.exitCode).as("no --channel: the registered UDP channels\n" + cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains(inbound + " stream 7001")
            .contains("tracked 1,200, acked 1,200; completed 1,200, failed 0, expired 0, refused 0, no outcome 0");

        cli = CliRunner.run("load", "--aeron-dir", aeronDir, "--channel", Protocol.DEFAULT_CHANNEL,
            "--connect-timeout", "1s", "--rate", "1000", "--duration", "1s", "--destinations", "venue-a",
            "--hgrm", hgrm.toString(), "--hlog", hlog.toString());
        assertThat(cli.exitCode).as("--channel overrides the registration").isEqualTo(1);
        assertThat(cli.err().strip()).startsWith("acktracker: no tracker answers at " + aeronDir)
            .contains("inbound aeron:ipc stream 7001 and outbound " + outbound);

        cli = CliRunner.run("load", "--aeron-dir", aeronDir, "--rate", "2000000000", "--duration", "5s",
            "--warmup", "0", "--drain", "0", "--destinations", "venue-a", "--hgrm", hgrm.toString(), "--hlog",
            hlog.toString());
        assertThat(cli.exitCode).as(cli.out() + cli.err()).isEqualTo(1);
        assertThat(cli.err().strip().lines()).hasSize(1);
        assertThat(cli.err()).containsPattern("acktracker: --rate 2,000,000,000/s cannot be driven from here: in " +
            "its first \\d\\.\\d s the load's one sending thread tracked [\\d,]+ messages \\(~[\\d,]+/s, 2 frames " +
            "each: .*; try --rate [\\d,]+ or less");
    }

    @Test
    @Timeout(120)
    void shouldShowTheCountersAndErrorsOfAnInMemoryService() throws Exception
    {
        final Path config = Files.writeString(temp.resolve("memory.yaml"),
            "name: mem-stat\ncapacity: 100\ndestinations: [venue-a, venue-b, venue-c]\n");
        final String aeronDir = startService(config);
        final Path runDir;
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
            Publication publication = aeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
            frame.putShort(2, (short)77);
            offer(publication, frame, 3);
            offer(publication, frame, 3);
            offer(publication, frame, 3);
            offer(publication, frame, 40);

            final Pattern malformed = Pattern.compile(
                "\\s4\\s+\\d+  malformed frames\\n");
            CliRunner cli = CliRunner.run("stat", "--aeron-dir", aeronDir, "--once", "--interval-ms", "200");
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!malformed.matcher(cli.out()).find() && System.nanoTime() - deadlineNs < 0)
            {
                cli = CliRunner.run("stat", "--aeron-dir", aeronDir, "--once", "--interval-ms", "200");
            }
            assertThat(cli.exitCode).as(cli.err()).isZero();
            final String view = cli.out();
            assertThat(view.lines().count()).as(view).isLessThanOrEqualTo(40);
            final Matcher run = Pattern.compile("counters and error logs in (\\S+)\\)").matcher(view);
            assertThat(run.find()).as(view).isTrue();
            runDir = Path.of(run.group(1));
            assertThat(view).contains("service 'mem-stat'").contains("engine: " + runDir.resolve("counters.dat"))
                .containsPattern("\\s\\d+ ms ago {13}  heartbeat\\n")
                .containsPattern("\\s0 {13}  pending\\n")
                .containsPattern("\\s0 {13}  circuits not closed\\n")
                .containsPattern("\\s0 {13}  dead letters held\\n")
                .containsPattern("\\s0 +0  tracked\\n")
                .containsPattern("\\s- {13}  completion latency p99 \\(last second\\)\\n")
                .contains("counter (--all for every one)")
                .containsPattern(malformed.pattern())
                .doesNotContain("lease refusals");

            cli = CliRunner.run("stat", "--aeron-dir", aeronDir, "--once", "--interval-ms", "50", "--type",
                "transport", "--match", "^malformed: ");
            assertThat(cli.out().lines().filter((line) -> line.contains("  malformed: ")).count())
                .as(cli.out()).isEqualTo(8);
            assertThat(cli.out()).doesNotContain("pending messages").doesNotContain("frames received");
            cli = CliRunner.run("stat", "--aeron-dir", aeronDir, "--once", "--interval-ms", "50", "--type", "gauge");
            assertThat(cli.out()).contains("pending messages").contains("outbound backlog bytes")
                .doesNotContain("messages tracked").doesNotContainPattern("\\d +\\d+  \\S");
            cli = CliRunner.run("stat", "--aeron-dir", aeronDir, "--once", "--all", "--interval-ms", "50");
            assertThat(cli.out().lines().count()).isGreaterThan(100);
            cli = CliRunner.run("stat", "--aeron-dir", aeronDir, "--once", "--match", "(");
            assertThat(cli.exitCode).isEqualTo(2);
            assertThat(cli.err()).contains("--match is not a regular expression");
            cli = CliRunner.run("stat", "--aeron-dir", aeronDir, "--once", "--interval-ms", "0");
            assertThat(cli.err()).contains("--interval-ms must be 1 to 3600000 (ms): 0");

            cli = CliRunner.run("errors", "--aeron-dir", aeronDir);
            assertThat(cli.exitCode).as(cli.err()).isZero();
            assertThat(cli.out()).contains("service 'mem-stat'")
                .contains("tracker errors: " + runDir.resolve("tracker-errors.dat") + " (0 distinct in all)")
                .contains("transport errors: " + runDir.resolve("transport-errors.dat") + " (2 distinct in all)")
                .containsPattern("3 observations from \\S+Z to \\S+Z for:\\s+\\S+: malformed frame SHORT_FRAME")
                .containsPattern("1 observation from \\S+Z to \\S+Z for:\\s+\\S+: malformed frame WRONG_SCHEMA")
                .contains("2 distinct errors observed.");
        }

        service.interrupt();
        service.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(Files.exists(runDir)).as("the run directory is deleted at stop").isFalse();
    }

    private static void offer(final Publication publication, final UnsafeBuffer frame, final int length)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (publication.offer(frame, 0, length) < 0)
        {
            assertThat(System.nanoTime() - deadlineNs).as("offer").isNegative();
            Thread.sleep(10);
        }
    }

    @Test
    @Timeout(120)
    void shouldSignAdminCommandsWithTheSecretTheServiceRegistered() throws Exception
    {
        final Path config = Files.writeString(temp.resolve("memory.yaml"), "name: in-memory\ncapacity: 100\n");
        final String aeronDir = startService(config);
        final Matcher secret = Pattern.compile("commands signed with the secret in (\\S+)")
            .matcher(serviceOut.toString());
        assertThat(secret.find()).as(serviceOut.toString()).isTrue();
        final Path secretFile = Path.of(secret.group(1));
        assertThat(Files.getPosixFilePermissions(secretFile))
            .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        CliRunner cli = CliRunner.run("dlq", "stats", "--aeron-dir", aeronDir);
        assertThat(cli.exitCode).as(cli.err()).isZero();

        final Path wrong = temp.resolve("wrong.token");
        Files.writeString(wrong, io.acktracker.transport.auth.SecretFile.newToken() + "\n");
        Files.setPosixFilePermissions(wrong, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        cli = CliRunner.run("dlq", "delete", "--aeron-dir", aeronDir, "--admin-key", wrong.toString(), "1");
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err().strip()).endsWith("did not sign its challenge with the secret given: is it the " +
            "service's secret (--admin-key, or the service's http.token)?");

        service.interrupt();
        service.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(Files.exists(secretFile)).as("the per-run secret is deleted at stop").isFalse();
    }

    @Test
    @Timeout(60)
    void shouldSayClearlyWhenThereIsNoServiceOrDriver() throws Exception
    {
        CliRunner cli = CliRunner.run("run", "--config", temp.resolve("missing.yaml").toString());
        assertThat(cli.exitCode).isNotZero();
        assertThat(cli.err().strip()).isEqualTo("acktracker: no such config file: " + temp.resolve("missing.yaml"));

        final Path bad = Files.writeString(temp.resolve("bad.yaml"), "name: x\nack.timeoot: 5s\n");
        cli = CliRunner.run("run", "--config", bad.toString());
        assertThat(cli.exitCode).isNotZero();
        assertThat(cli.err()).contains("bad settings: unknown key 'ack.timeoot' (file " + bad + "); did you mean " +
            "'ack.timeout'?");
        assertThat(cli.err().strip().lines()).hasSize(1);

        cli = CliRunner.run("run", "--ack.timeout=soon");
        assertThat(cli.err()).contains("invalid ack.timeout='soon'");

        final Path nowhere = temp.resolve("nowhere");
        cli = CliRunner.run("load", "--aeron-dir", nowhere.toString());
        assertThat(cli.err().strip()).isEqualTo("acktracker: no Aeron media driver at " + nowhere +
            " (no such directory)");
        cli = CliRunner.run("dlq", "stats", "--aeron-dir", temp.toString());
        assertThat(cli.err().strip()).isEqualTo("acktracker: no Aeron media driver at " + temp + " (no cnc.dat there)");
        cli = CliRunner.run("dlq", "stats");
        assertThat(cli.err()).contains("say which tracker");

        final Path garbage = Files.writeString(temp.resolve("counters.dat"), "garbage\n");
        cli = CliRunner.run("stat", "--counters", garbage.toString(), "--once");
        assertThat(cli.err()).startsWith("acktracker: " + garbage + " is not an acktracker counters file");
        assertThat(cli.err().strip().lines()).hasSize(1);

        cli = CliRunner.run("load", "--hgrm", temp.resolve("no/such/dir/run.hgrm").toString());
        assertThat(cli.err()).contains("no such directory").contains("no/such/dir");

        try (EmbeddedDriver driver = EmbeddedDriver.launch(EmbeddedDriver.context("tools-test")))
        {
            final String dir = driver.aeronDirectoryName();
            cli = CliRunner.run("stat", "--aeron-dir", dir, "--once");
            assertThat(cli.err().strip()).isEqualTo("acktracker: no tracker at " + dir + ": a media driver runs at " +
                dir + " but no acktracker service is registered with it (a service started with 'acktracker run' " +
                "registers itself)");
            cli = CliRunner.run("dlq", "list", "--aeron-dir", dir);
            assertThat(cli.err()).contains("no acktracker service is registered");
            cli = CliRunner.run("load", "--aeron-dir", dir, "--connect-timeout", "300ms");
            assertThat(cli.exitCode).isNotZero();
            assertThat(cli.err()).contains("no tracker answers at " + dir).doesNotContain("at io.");
        }
    }
}

package io.acktracker.transport.service;

import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.StoreLayout;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.engine.metrics.CountersFile;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.ErrorLogFile;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.TransportErrors;
import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.http.DashboardMetrics;
import io.acktracker.transport.http.HttpEdge;
import io.acktracker.transport.http.PrometheusTextParser;
import io.aeron.Aeron;
import io.aeron.CommonContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The standalone service end to end: embedded driver, tracker on its own thread, Aeron clients, HTTP edge, and a
 * clean shutdown that leaves a recoverable data directory and no driver directory behind.
 */
@Timeout(90)
class TrackerServiceTest
{
    @TempDir
    Path dir;

    /**
     * The service's main thread watches the tracker (its failure, its counters) while a shutdown hook closes it. The
     * counters are a mapped file the close unmaps: a read after that crashed the JVM (SIGSEGV) in the middle of a
     * clean stop, so `acktracker run` could die at SIGTERM and leave its embedded driver's directory. Here the watch
     * runs flat out across each close: with the bug this test's JVM dies.
     */
    @Test
    void shouldStopWatchingTheTrackerBeforeItsFilesAreClosed() throws Exception
    {
        for (int i = 0; i < 3; i++)
        {
            final ServiceConfig config = ServiceConfig.load(new String[]{
                "--name=watch" + i, "--data.dir=" + dir.resolve("data" + i), "--capacity=1000", "--destinations=a",
                "--driver.term.length=64k", "--idle.strategy=sleeping"}, new java.util.Properties());
            final TrackerService service = TrackerService.start(config);
            final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
            final java.util.concurrent.CompletableFuture<Throwable> watched =
                new java.util.concurrent.CompletableFuture<>();
            final Thread watcher = new Thread(() ->
            {
                try
                {
                    watched.complete(service.awaitStopOrFailure(stopped, 0));
                }
                catch (final Throwable ex)
                {
                    watched.completeExceptionally(ex);
                }
            });
            watcher.start();
            service.close();
            stopped.countDown();
            watcher.join(10_000);

            assertThat(watched.get()).as("a normal stop, no failure").isNull();
            assertThat(Path.of(service.aeronDirectoryName())).doesNotExist();
        }
    }

    @Test
    void shouldServeAeronAndHttpClientsAndShutDownCleanly() throws Exception
    {
        final Path data = dir.resolve("data");
        final ServiceConfig config = ServiceConfig.load(new String[]{
            "--name=svc", "--data.dir=" + data, "--capacity=1000", "--destinations=a,b", "--driver.term.length=64k",
            "--http.enabled=true", "--http.port=0", "--idle.strategy=sleeping"}, new java.util.Properties());
        final String aeronDir;
        try (TrackerService service = TrackerService.start(config))
        {
            aeronDir = service.aeronDirectoryName();
            assertThat(service.describe()).contains("embedded at " + aeronDir, "http 127.0.0.1:");
            assertThat(data.resolve(TransportCounters.FILE_NAME)).exists();

            final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
            try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
                TrackerClient client = new TrackerClient(aeron,
                    (id, outcome, reason, latencyNs, attempts, replay) -> outcomes.put(id, outcome));
                AckPublisher a = new AckPublisher(aeron, "a"))
            {
                await(() -> client.isConnected() && a.isConnected(), () -> client.poll(10));
                final TrackRequest request = new TrackRequest().reset().messageId(1).destinations(1);
                await(() -> client.tryTrack(request) > 0, () -> {});
                await(() -> MessageState.PENDING == service.tracker().status(1).state(), () -> {});
                await(() -> a.tryAck(1) > 0, () -> {});
                await(() -> outcomes.containsKey(1L), () -> client.poll(10));
                assertThat(outcomes).containsEntry(1L, Outcome.COMPLETED);

                final HttpClient http = HttpClient.newHttpClient();
                final String base = "http://127.0.0.1:" + service.http().port();
                final Path tokenFile = data.resolve(HttpEdge.TOKEN_FILE_NAME);
                assertThat(service.http().tokenFile()).isEqualTo(tokenFile);
                assertThat(service.describe()).contains("http token in " + tokenFile);
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)))
                    .isEqualTo("rw-------");
                final String token = Files.readString(tokenFile).strip();
                final HttpRequest.Builder track = HttpRequest.newBuilder(URI.create(base + "/messages/track"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                    "{\"message_id\":2,\"destinations\":[\"b\"]}"));
                assertThat(http.send(track.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("no token").isEqualTo(401);
                final HttpResponse<String> tracked = http.send(track.header("Authorization", "Bearer " + token)
                    .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(tracked.statusCode()).isEqualTo(200);
                await(() -> MessageState.PENDING == service.tracker().status(2).state(), () -> {});

                final String stats = http.send(HttpRequest.newBuilder(URI.create(base + "/stats")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
                assertThat(stats).contains("\"name\":\"a\",\"circuit\":\"CLOSED\",", "\"engine_acks\":1,",
                    "\"acks\":1,\"nacks\":0,", "\"connected\":true", "\"transport\":{\"frames_received\":3,",
                    "\"dlq\":{\"complete\":true,\"size\":0,");
                final String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
                final Map<String, PrometheusTextParser.Family> families = PrometheusTextParser.parse(metrics);
                assertThat(sample(families, "acktracker_transport_outcomes_sent_total", Map.of("tracker", "svc")))
                    .isEqualTo(1);
                assertThat(sample(families, "acktracker_destination_acks_total",
                    Map.of("tracker", "svc", "destination", "a"))).isEqualTo(1);
                assertThat(sample(families, "acktracker_destination_ack_latency_seconds_count",
                    Map.of("tracker", "svc", "destination", "a"))).as("the ack over Aeron").isEqualTo(1);
                assertThat(sample(families, "acktracker_transport_malformed_frames_total",
                    Map.of("tracker", "svc", "reason", "short"))).isZero();
                assertThat(sample(families, "acktracker_http_requests_total",
                    Map.of("tracker", "svc", "code", "401"))).isEqualTo(1);
                // refusals of one thing for several reasons are one metric with a reason label, no total beside it
                for (final String reason : new String[]{ "no_credential", "bad_credential", "other" })
                {
                    assertThat(sample(families, "acktracker_transport_hellos_refused_total",
                        Map.of("tracker", "svc", "reason", reason))).isZero();
                    assertThat(sample(families, "acktracker_transport_session_opens_refused_total",
                        Map.of("tracker", "svc", "reason", reason))).isZero();
                }
                assertThat(sample(families, "acktracker_transport_admin_refused_total",
                    Map.of("tracker", "svc", "reason", "replayed"))).isZero();
                assertThat(families.keySet()).noneMatch((family) -> family.startsWith(
                    "acktracker_transport_hellos_no_credential") || family.startsWith(
                    "acktracker_transport_admin_replayed") || family.startsWith(
                    "acktracker_transport_session_opens_bad_credential"));
                assertDashboardReadsOnlyWhatIsScraped(families);

                assertThatThrownBy(() -> TrackerService.start(config)).isInstanceOf(TrackerException.class)
                    .hasMessageContaining("in use");
            }
        }
        assertThat(new File(aeronDir)).doesNotExist();
        assertThat(data.resolve(StoreLayout.CLEAN_MARKER)).exists();

        try (TrackerService restarted = TrackerService.start(config))
        {
            assertThat(restarted.tracker().status(2).state()).as("pending message survives a restart")
                .isEqualTo(MessageState.PENDING);
            assertThat(restarted.tracker().destinations().names()).containsExactly("a", "b");
            assertThat(restarted.http().tokenFile()).as("the same token file after a restart")
                .isEqualTo(data.resolve(HttpEdge.TOKEN_FILE_NAME));
        }
    }

    @Test
    void shouldRefuseABadHttpSettingByItsKeyBeforeStartingAnything()
    {
        final Path data = dir.resolve("never");
        for (final String[] bad : new String[][]{
            {"--http.threads=0", "invalid http.threads='0'"},
            {"--http.host=0.0.0.0", "invalid http.host='0.0.0.0': not a loopback address"},
            {"--http.reads=sometimes", "invalid http.reads='sometimes'"},
            {"--http.read.timeout=1ms", "invalid http.read.timeout='1ms'"},
            {"--http.allowed.origins=evil", "invalid http.allowed.origins='evil'"},
            {"--http.register.destinations=yes", "invalid http.register.destinations='yes'"}})
        {
            final ServiceConfig config = ServiceConfig.load(new String[]{"--data.dir=" + data, "--http.enabled=true",
                bad[0]}, new java.util.Properties());
            assertThatThrownBy(() -> TrackerService.start(config)).as(bad[0])
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad[1]);
        }
        assertThat(data).as("nothing was started").doesNotExist();
    }

    @Test
    void shouldKeepItsStateInAJournalWhenAskedAndReplayItAtTheNextStart() throws Exception
    {
        final Path data = dir.resolve("journaled");
        final ServiceConfig config = ServiceConfig.load(new String[]{"--name=journaled", "--data.dir=" + data,
            "--store=journal", "--capacity=1000", "--destinations=a,b", "--driver.term.length=64k",
            "--idle.strategy=sleeping"}, new java.util.Properties());
        try (TrackerService service = TrackerService.start(config))
        {
            for (long id = 1; id <= 3; id++)
            {
                final long messageId = id;
                assertThat(service.tracker().submit((agent) -> agent.track(messageId, 0b11))
                    .get(10, TimeUnit.SECONDS)).isEqualTo(Result.OK);
            }
            assertThat(service.tracker().submit((agent) -> agent.recordAck(2, 0)).get(10, TimeUnit.SECONDS))
                .isEqualTo(Result.OK);
        }
        assertThat(data.resolve("journal")).isDirectory();
        assertThat(data.resolve("pending.cmap")).as("no table files").doesNotExist();

        try (TrackerService restarted = TrackerService.start(config))
        {
            assertThat(restarted.tracker().status(3).state()).isEqualTo(MessageState.PENDING);
            assertThat(restarted.tracker().status(2).acked()).isEqualTo(0b01);
        }

        final ServiceConfig tables = ServiceConfig.load(
            new String[]{"--data.dir=" + data, "--capacity=1000", "--store=tables"}, new java.util.Properties());
        assertThatThrownBy(() -> TrackerService.start(tables)).isInstanceOf(TrackerException.class)
            .hasMessageContaining("holds a journal store");
        // the default, store=auto, takes the kind the directory holds, and a journal for a new directory
        assertThat(ServiceConfig.load(new String[]{"--data.dir=" + data}, new java.util.Properties())
            .journalStore()).isTrue();
        assertThat(ServiceConfig.load(new String[]{"--data.dir=" + dir.resolve("new")}, new java.util.Properties())
            .journalStore()).isTrue();
        assertThat(ServiceConfig.load(new String[0], new java.util.Properties()).journalStore())
            .as("no data directory: in memory").isFalse();
        final Path tablesDir = Files.createDirectories(dir.resolve("tables-dir"));
        Files.writeString(tablesDir.resolve(StoreLayout.PROPERTIES_FILE), "store=tables\n");
        assertThat(ServiceConfig.load(new String[]{"--data.dir=" + tablesDir}, new java.util.Properties())
            .journalStore()).as("a tables directory stays one").isFalse();
        final ServiceConfig noDir = ServiceConfig.load(new String[]{"--store=journal"}, new java.util.Properties());
        assertThatThrownBy(() -> TrackerService.start(noDir)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("invalid store='journal': a journal store needs data.dir");
    }

    @Test
    void shouldKeepTheCountersAndErrorLogsOfAnInMemoryServiceInARunDirectoryDeletedAtStop() throws Exception
    {
        final Path runDir;
        try (TrackerService service = TrackerService.start(ServiceConfig.load(new String[]{"--capacity=100",
            "--destinations=a", "--driver.term.length=64k", "--idle.strategy=sleeping"}, new java.util.Properties())))
        {
            runDir = service.runDirectory();
            assertThat(service.filesDirectory()).isEqualTo(runDir);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir))).isEqualTo("rwx------");
            for (final String name : new String[]{ CountersFile.FILE_NAME, TransportCounters.FILE_NAME,
                ErrorLogFile.TRACKER_FILE_NAME, TransportErrors.FILE_NAME, LatencyGauges.FILE_NAME })
            {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir.resolve(name))))
                    .as(name).isEqualTo("rw-------");
            }
            assertThat(service.tracker().offerTrack(1, 1)).isIn(Result.OK, Result.QUEUED);
            await(() -> MessageState.PENDING == service.tracker().status(1).state(), () -> {});
            try (CountersFile counters = CountersFile.openReadOnly(runDir.resolve(CountersFile.FILE_NAME).toFile()))
            {
                final long[] pending = { -1 };
                final org.agrona.concurrent.status.CountersReader reader = counters.newReader();
                reader.forEach((id, type, key, label) ->
                {
                    if (label.startsWith(TrackerCounter.PENDING.label()))
                    {
                        pending[0] = reader.getCounterValue(id);
                    }
                });
                assertThat(pending[0]).as("the tracker's own counters, readable from the file").isEqualTo(1);
            }

            assertThat(service.tracker().offerAck(1, 0)).isIn(Result.OK, Result.QUEUED);
            await(() -> MessageState.COMPLETED == service.tracker().status(1).state(), () -> {});
            try (CountersFile latency = CountersFile.openReadOnly(runDir.resolve(LatencyGauges.FILE_NAME).toFile()))
            {
                final org.agrona.concurrent.status.CountersReader reader = latency.newReader();
                final long[] p50 = { 0 };
                await(() ->
                {
                    reader.forEach((id, type, key, label) ->
                    {
                        if (LatencyGauges.TYPE_ID == type && LatencyGauges.Gauge.P50.id() == key.getInt(0))
                        {
                            p50[0] = reader.getCounterValue(id);
                        }
                    });
                    return p50[0] > 0;
                }, () -> sleep(50));
                assertThat(p50[0]).as("the completion's latency, published within a second").isPositive();

                final long[] ackP50 = { 0 };
                final String[] ackLabel = { "" };
                await(() ->
                {
                    reader.forEach((id, type, key, label) ->
                    {
                        if (LatencyGauges.TYPE_ID == type &&
                            LatencyGauges.destinationKey(0, LatencyGauges.Gauge.P50) == key.getInt(0))
                        {
                            ackP50[0] = reader.getCounterValue(id);
                            ackLabel[0] = label;
                        }
                    });
                    return ackP50[0] > 0;
                }, () -> sleep(50));
                assertThat(ackLabel[0]).as("destination 0's ack latency, for acktracker stat")
                    .startsWith("ack latency p50 over the last second (ns): ");
            }
        }
        assertThat(runDir).doesNotExist();
    }

    @Test
    void shouldMakeAPerRunTokenForAnInMemoryServiceAndSayWhere() throws Exception
    {
        final Path tokenFile;
        try (TrackerService service = TrackerService.start(ServiceConfig.load(new String[]{"--capacity=100",
            "--destinations=a", "--driver.term.length=64k", "--http.enabled=true", "--http.port=0",
            "--idle.strategy=sleeping"}, new java.util.Properties())))
        {
            tokenFile = service.http().tokenFile();
            assertThat(service.describe()).contains("http token in " + tokenFile +
                " (new for this run, deleted at stop)");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
        }
        assertThat(tokenFile).doesNotExist();
    }

    @Test
    void shouldUseAnExternalDriverNamedByAeronDir()
    {
        final String previous = System.getProperty(CommonContext.AERON_DIR_PROP_NAME);
        try (EmbeddedDriver external = EmbeddedDriver.launch(EmbeddedDriver.context("external")
            .ipcTermBufferLength(64 * 1024)))
        {
            System.setProperty(CommonContext.AERON_DIR_PROP_NAME, external.aeronDirectoryName());
            try (TrackerService service = TrackerService.start(new ServiceConfig().set("driver", "external")
                .set("destinations", "a").set("capacity", "100"));
                Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(external.aeronDirectoryName()));
                AckPublisher a = new AckPublisher(aeron, "a"))
            {
                assertThat(service.embeddedDriver()).isNull();
                assertThat(service.describe()).contains("external at " + external.aeronDirectoryName());
                service.tracker().offerTrack(1, 1);
                await(() -> MessageState.PENDING == service.tracker().status(1).state(), () -> {});
                await(() -> a.tryAck(1) > 0, () -> {});
                await(() -> MessageState.COMPLETED == service.tracker().status(1).state(), () -> {});
            }
            assertThat(new File(external.aeronDirectoryName())).as("not the service's to delete").exists();
        }
        finally
        {
            if (null == previous)
            {
                System.clearProperty(CommonContext.AERON_DIR_PROP_NAME);
            }
            else
            {
                System.setProperty(CommonContext.AERON_DIR_PROP_NAME, previous);
            }
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(final BooleanSupplier condition, final Runnable work)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out");
            }
            work.run();
            Thread.yield();
        }
    }

    /**
     * Every metric the Grafana dashboard's queries name is in this scrape of a running service, histogram
     * {@code _bucket} series included; the dashboard quantiles at least one histogram.
     */
    private static void assertDashboardReadsOnlyWhatIsScraped(final Map<String, PrometheusTextParser.Family> families)
        throws java.io.IOException
    {
        final Set<String> scraped = new TreeSet<>();
        families.values().forEach((family) -> family.samples().forEach((point) -> scraped.add(point.name())));
        final List<String> exprs = DashboardMetrics.expressions(DashboardMetrics.DASHBOARD);
        assertThat(exprs).hasSizeGreaterThan(20)
            .anyMatch((expr) -> expr.contains("histogram_quantile") && expr.contains("_bucket"));
        for (final String expr : exprs)
        {
            assertThat(DashboardMetrics.metricNames(expr)).as(expr).isNotEmpty().allSatisfy((name) ->
                assertThat(scraped).as("%s in the scrape (from %s)", name, expr).contains(name));
        }
    }

    private static double sample(
        final Map<String, PrometheusTextParser.Family> families, final String name, final Map<String, String> labels)
    {
        return families.values().stream().flatMap((family) -> family.samples().stream())
            .filter((point) -> point.name().equals(name) && point.labels().equals(labels))
            .mapToDouble(PrometheusTextParser.Sample::value).findFirst()
            .orElseThrow(() -> new AssertionError("no " + name + labels));
    }
}

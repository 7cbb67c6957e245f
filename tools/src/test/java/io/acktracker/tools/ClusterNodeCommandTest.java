package io.acktracker.tools;

import io.acktracker.engine.api.Outcome;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.client.OutboundAdapter;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.acktracker.transport.codecs.TrackEncoder;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.exceptions.TimeoutException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code acktracker cluster node}: its usage errors, settings a member cannot honour refused by key, and a real
 * member (a cluster of one, on loopback) that elects itself, applies a Track sent on its ingress and tells the
 * outcome on the egress, stops cleanly, and starts again from its directory.
 */
class ClusterNodeCommandTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path temp;

    private final StringWriter nodeOut = new StringWriter();
    private final StringWriter nodeErr = new StringWriter();
    private final int[] nodeExit = { -1 };
    private Thread node;

    @AfterEach
    void stopNode() throws InterruptedException
    {
        stop();
    }

    @Test
    void shouldRefuseBadOptionsAsUsageErrors()
    {
        CliRunner cli = CliRunner.run("cluster");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("say which subcommand");

        cli = CliRunner.run("cluster", "node", "--members", "localhost", "--dir", temp.toString());
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--id");

        cli = CliRunner.run("cluster", "node", "--id", "3", "--members", "a,b,c", "--dir", temp.toString());
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--id 3: the members list has 3 (ids 0-2)");

        cli = CliRunner.run("cluster", "node", "--id", "0", "--members", "a,b,c", "--port-base", "65400", "--dir",
            temp.toString());
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--port-base 65400");

        cli = CliRunner.run("cluster", "node", "--id", "0", "--members", "a", "--leader-timeout", "10ms", "--dir",
            temp.toString());
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--leader-timeout");
        assertThat(temp.resolve("driver")).as("nothing started").doesNotExist();
    }

    @Test
    void shouldRefuseSettingsAMemberCannotHonourByKey() throws Exception
    {
        final Path config = Files.writeString(temp.resolve("tracker.yaml"), "destinations: [a]\ndata:\n  dir: " +
            temp.resolve("data") + "\n");

        final CliRunner cli = CliRunner.run("cluster", "node", "--id", "0", "--members", "localhost", "--dir",
            temp.resolve("m0").toString(), "--config", config.toString());

        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err()).contains("data.dir: not on a cluster member");
        assertThat(temp.resolve("m0")).as("nothing started").doesNotExist();
    }

    /**
     * A member reads the key files as the service does (keys over a cluster: the challenge's nonce comes from the
     * log), so a file others can read, or a bad line, stops it before anything starts.
     */
    @Test
    void shouldReadKeyFilesAsTheServiceDoesAndRefuseAnUnsafeOne() throws Exception
    {
        final Path keys = Files.writeString(temp.resolve("client.keys"), "sender=" +
            io.acktracker.transport.auth.SecretFile.newToken() + "\n");
        Files.setPosixFilePermissions(keys, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        final Path config = Files.writeString(temp.resolve("tracker.yaml"), "destinations: [a]\nclient:\n  keys:\n" +
            "    file: " + keys + "\n");

        CliRunner cli = CliRunner.run("cluster", "node", "--id", "0", "--members", "localhost", "--dir",
            temp.resolve("m0").toString(), "--config", config.toString());
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err()).contains("client.keys.file");
        assertThat(temp.resolve("m0")).as("nothing started").doesNotExist();

        Files.writeString(keys, "sender\n");
        Files.setPosixFilePermissions(keys, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        cli = CliRunner.run("cluster", "node", "--id", "0", "--members", "localhost", "--dir",
            temp.resolve("m0").toString(), "--config", config.toString());
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err()).contains("client.keys.file").contains("line 1");
        assertThat(temp.resolve("m0")).as("nothing started").doesNotExist();
    }

    @Test
    @Timeout(180)
    void shouldRunAMemberThatAppliesTracksAndStopsCleanly() throws Exception
    {
        final int portBase = 21_000 + 100 * ThreadLocalRandom.current().nextInt(90);
        final Path config = Files.writeString(temp.resolve("tracker.yaml"),
            "destinations: [a]\ncapacity: 1024\nhttp:\n  enabled: true\n  port: 0\n");
        final Path memberDir = temp.resolve("m0");
        final String[] args = {"cluster", "node", "--id", "0", "--members", "localhost", "--port-base",
            String.valueOf(portBase), "--dir", memberDir.toString(), "--config", config.toString(),
            "--snapshot-interval", "1s"};

        start(args);
        awaitUntil(() -> nodeOut.toString().contains("member 0: LEADER"), "the member to lead: " + nodeOut +
            nodeErr);
        assertThat(nodeOut.toString()).contains("acktracker cluster member 0 of 1 running: ingress 0=localhost:" +
            (portBase + 2));

        final EmbeddedDriver driver = EmbeddedDriver.launch(EmbeddedDriver.context("cluster-cli"));
        final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
        try (AeronCluster client = connect(driver.aeronDirectoryName(), "0=localhost:" + (portBase + 2), outcomes))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(512));
            final TrackEncoder track = new TrackEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .messageId(42).ackTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100))
                .ttlNs(TimeUnit.MILLISECONDS.toNanos(200)).sequence(0).streamId(TrackEncoder.streamIdNullValue())
                .messageClass(0).requiredAcks((short)0)
                .priority((byte)0).maxAttempts((short)1).clientId(0).clientSequence(0);
            track.destinationsCount(1).next().destinationId((short)0);
            track.putMetadata(new byte[0], 0, 0);
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + track.encodedLength();
            awaitUntil(() -> client.offer(buffer, 0, length) > 0 || client.pollEgress() < 0, "the Track offered");
            // nobody acks: the member's log clock and its one timer expire it
            awaitUntil(() -> client.pollEgress() >= 0 && outcomes.containsKey(42L), "the Track's outcome");
            assertThat(outcomes.get(42L)).isIn(Outcome.FAILED, Outcome.EXPIRED);
        }
        finally
        {
            CloseHelper.close(driver);
        }

        // its read-only HTTP edge, started with the engine: /metrics with its place in the cluster; no command
        awaitUntil(() -> nodeOut.toString().contains("member 0: HTTP edge"), "the HTTP edge: " + nodeOut + nodeErr);
        final Matcher edge = Pattern
            .compile("HTTP edge \\(read-only[^)]*\\) on (http://[^,]+), bearer token in (\\S+)")
            .matcher(nodeOut.toString());
        assertThat(edge.find()).as(nodeOut.toString()).isTrue();
        final String token = Files.readString(Path.of(edge.group(2))).trim();
        final HttpClient http = HttpClient.newHttpClient();
        final HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
            URI.create(edge.group(1) + "/metrics")).header("Authorization", "Bearer " + token).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).as(metrics.body()).isEqualTo(200);
        assertThat(metrics.body()).containsPattern("acktracker_cluster_role\\{tracker=\"[^\"]+\"\\} 2")
            .contains("acktracker_cluster_log_position").contains("acktracker_cluster_entries_applied_total")
            .containsPattern("acktracker_cluster_commit_position\\{[^}]*\\} [1-9]")
            .containsPattern("acktracker_tracked_total\\{tracker=\"[^\"]+\"\\} 1");
        // the leader asks for a snapshot every --snapshot-interval
        awaitUntil(() -> scrape(http, edge.group(1), token).contains("acktracker_cluster_snapshots_total") &&
            !scrape(http, edge.group(1), token).matches("(?s).*acktracker_cluster_snapshots_total\\{[^}]*\\} 0\\.0.*"),
            "a snapshot by time");
        final HttpResponse<String> track = http.send(HttpRequest.newBuilder(
            URI.create(edge.group(1) + "/messages/track")).header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"message_id\":7,\"destinations\":[\"a\"]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(track.statusCode()).as(track.body()).isEqualTo(403);
        assertThat(track.body()).contains("cluster's log").contains("ingress");

        // the member's counters, as an operator reads them: its role and position beside the engine's counters
        final CliRunner stat = CliRunner.run("stat", "--data-dir", memberDir.resolve("tracker").toString(), "--once",
            "--interval-ms", "50");
        assertThat(stat.exitCode).as(stat.err()).isZero();
        assertThat(stat.out()).containsPattern("\\s2\\s+cluster role").contains("cluster log position applied")
            .containsPattern("[1-9][0-9,]*\\s+cluster commit position")
            .containsPattern("\\s1\\s+0\\s+tracked").contains("cluster:");
        // each counter's label names the member (the service learns its id before it starts)
        final CliRunner clusterStat = CliRunner.run("stat", "--data-dir", memberDir.resolve("tracker").toString(),
            "--once", "--type", "cluster");
        assertThat(clusterStat.out()).contains("member 0").doesNotContain("member -1");

        final CliRunner errors = CliRunner.run("errors", "--data-dir", memberDir.resolve("tracker").toString());
        assertThat(errors.exitCode).as(errors.err()).isZero();
        assertThat(errors.out()).contains("distinct error");

        stop();
        assertThat(nodeExit[0]).isZero();
        assertThat(nodeOut.toString()).contains("acktracker cluster member 0 stopped cleanly");

        // again from its directory: its log replays and it leads again
        nodeOut.getBuffer().setLength(0);
        start(args);
        awaitUntil(() -> nodeOut.toString().contains("member 0: LEADER"), "the member to lead again: " + nodeOut +
            nodeErr);
        stop();
        assertThat(nodeExit[0]).isZero();
        assertThat(nodeErr.toString()).as("errors the member reported").isEmpty();
    }

    private static String scrape(final HttpClient http, final String base, final String token)
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final java.io.IOException | InterruptedException ex)
        {
            throw new AssertionError("cannot scrape " + base, ex);
        }
    }

    private void start(final String[] args)
    {
        node = new Thread(() -> nodeExit[0] = AckTrackerCli.execute(new PrintWriter(nodeOut, true),
            new PrintWriter(nodeErr, true), args), "test-cluster-node");
        node.start();
    }

    private void stop() throws InterruptedException
    {
        if (null != node)
        {
            node.interrupt();
            node.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(node.isAlive()).as("the member stopped").isFalse();
            node = null;
        }
    }

    private static AeronCluster connect(final String aeronDir, final String ingress, final Map<Long, Outcome> outcomes)
    {
        final OutboundAdapter[] adapter = new OutboundAdapter[1];
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (true)
        {
            try
            {
                final AeronCluster cluster = AeronCluster.connect(new AeronCluster.Context()
                    .aeronDirectoryName(aeronDir)
                    .ingressChannel("aeron:udp")
                    .ingressEndpoints(ingress)
                    .egressChannel("aeron:udp?endpoint=localhost:0")
                    .egressListener((sessionId, timestamp, buffer, offset, length, header) ->
                        adapter[0].onFragment(buffer, offset, length, header)));
                adapter[0] = new OutboundAdapter((messageId, outcome, reason, latencyNs, attempts, replay) ->
                    outcomes.put(messageId, outcome), (int)cluster.clusterSessionId());
                return cluster;
            }
            catch (final TimeoutException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw ex;
                }
            }
        }
    }

    private static void awaitUntil(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}

package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class OfflineCommandsTest
{
    @TempDir
    Path temp;

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
                // an hour to live and to answer: a slow machine must not time the pending ones out while the
                // offline commands that open the directory in place run
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

    @Test
    void inspectShouldSummariseTheTable()
    {
        final Path dir = populated();
        final CliRunner cli = CliRunner.run("inspect", dir.toString());
        assertThat(cli.exitCode).as(cli.err()).isZero();
        assertThat(cli.out()).containsPattern("pending\\s+17");
        assertThat(cli.out()).containsPattern("completed\\s+1");
        assertThat(cli.out()).containsPattern("failed\\s+2");
        assertThat(cli.out()).containsPattern("dead letters\\s+2");
        assertThat(cli.out()).contains("venue-a").contains("venue-c");
        assertThat(cli.out()).containsPattern("4\\s+17\\s+1\\s+20");
        assertThat(cli.out()).contains("oldest pending");
    }

    @Test
    void inspectShouldShowOneMessageWithItsDeadLetter()
    {
        final Path dir = populated();
        final CliRunner cli = CliRunner.run("inspect", dir.toString(), "--message", "3");
        assertThat(cli.exitCode).as(cli.err()).isZero();
        assertThat(cli.out()).contains("FAILED (REJECTED)").contains("venue-c").contains("REJECT")
            .contains("code 500").contains("stream 4");
        assertThat(CliRunner.run("inspect", dir.toString(), "--message", "999").exitCode).isEqualTo(1);
    }

    @Test
    void dlqCommandsShouldListPeekReplayDeleteAndCount()
    {
        final Path dir = populated();
        CliRunner cli = CliRunner.run("dlq", "stats", dir.toString());
        assertThat(cli.exitCode).as(cli.err()).isZero();
        assertThat(cli.out()).containsPattern("all\\s+2\\s+2");

        cli = CliRunner.run("dlq", "list", dir.toString(), "--destination", "venue-c");
        assertThat(cli.out()).contains("(2 shown)").contains("venue-c=REJECT(500)");
        cli = CliRunner.run("dlq", "list", dir.toString(), "--destination", "venue-b", "--reason", "REJECTED");
        assertThat(cli.out()).contains("(2 shown)");
        cli = CliRunner.run("dlq", "list", dir.toString(), "--reason", "MAX_RETRIES");
        assertThat(cli.out()).contains("(0 shown)");

        cli = CliRunner.run("dlq", "peek", dir.toString(), "--queue", "4", "-n", "5");
        assertThat(cli.out()).contains("(2 shown)");

        cli = CliRunner.run("dlq", "replay", dir.toString(), "3", "--unacked-only");
        assertThat(cli.exitCode).as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("3: replayed");

        cli = CliRunner.run("dlq", "delete", dir.toString(), "4", "77");
        assertThat(cli.out()).contains("deleted 1 of 2");
        assertThat(cli.exitCode).isEqualTo(1);

        cli = CliRunner.run("dlq", "stats", dir.toString());
        assertThat(cli.out()).containsPattern("all\\s+0\\s+2\\s+1\\s+1");
        cli = CliRunner.run("inspect", dir.toString(), "--message", "3");
        assertThat(cli.out()).contains("PENDING");
    }

    @Test
    void errorsShouldBeOneClearLineAndANonZeroExit() throws Exception
    {
        CliRunner cli = CliRunner.run("inspect", temp.resolve("missing").toString());
        assertThat(cli.exitCode).isNotZero();
        assertThat(cli.err().strip()).isEqualTo("acktracker: no such data directory: " + temp.resolve("missing"));

        Files.createDirectories(temp.resolve("empty"));
        cli = CliRunner.run("dlq", "stats", temp.resolve("empty").toString());
        assertThat(cli.err()).contains("is not an acktracker data directory").doesNotContain("at io.");

        final Path dir = populated();
        Files.delete(dir.resolve("clean-shutdown"));
        cli = CliRunner.run("inspect", dir.toString());
        assertThat(cli.err()).contains("was not shut down cleanly").contains("--recover");
        assertThat(CliRunner.run("inspect", dir.toString(), "--recover").exitCode).isZero();

        try (AckTracker running = AckTracker.open(new TrackerConfig().dataDir(dir).capacity(5000)))
        {
            cli = CliRunner.run("inspect", dir.toString(), "--recover");
            assertThat(cli.err()).contains("in use by pid " + ProcessHandle.current().pid());
            assertThat(running.isClosed()).isFalse();
        }

        cli = CliRunner.run("inspect", dir.toString(), "--nonsense");
        assertThat(cli.exitCode).isNotZero();
        assertThat(cli.err()).contains("Unknown option");

        cli = CliRunner.run("--verbose", "inspect", temp.resolve("missing").toString());
        assertThat(cli.err()).contains("at io.acktracker");
    }

    @Test
    void statShouldPrintTheCountersOfARunningTracker()
    {
        final Path dir = temp.resolve("live");
        try (AckTracker tracker = AckTracker.open(new TrackerConfig().dataDir(dir).destinations("x")))
        {
            tracker.agent().track(1, 1);
            tracker.agent().track(2, 1);
            tracker.agent().recordAck(1, 0);
            final CliRunner cli = CliRunner.run("stat", "--data-dir", dir.toString(), "--once");
            assertThat(cli.exitCode).as(cli.err()).isZero();
            assertThat(cli.out()).containsPattern("\\s2 +\\d+  tracked\\n");
            assertThat(cli.out()).containsPattern("\\s1 {13}  pending\\n");
            assertThat(cli.out()).contains("running");
        }
        final CliRunner missing = CliRunner.run("stat", "--aeron-dir", temp.toString(), "--once");
        assertThat(missing.err()).contains("no tracker at");
        assertThat(CliRunner.run("stat", "--once").err()).contains("say where the tracker is");
    }
}

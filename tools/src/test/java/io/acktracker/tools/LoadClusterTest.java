package io.acktracker.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code acktracker load} against a replicated tracker: three {@code acktracker cluster node} processes on loopback
 * ({@link ClusterMembers}), loaded through their ingress by {@code --cluster-ingress} and again by a
 * {@code --link-config} file; every Track tracked must complete, none refused and none without an outcome. The
 * options that do not go with a cluster are refused by name before anything starts.
 */
class LoadClusterTest
{
    private static final long LEADER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(3);
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(150);

    @TempDir
    Path temp;

    @Test
    void shouldRefuseOptionsThatDoNotGoWithACluster() throws Exception
    {
        final String ingress = "0=localhost:20002";
        for (final String[] option : new String[][] {{"--channel", "aeron:ipc"}, {"--stream", "7001"},
            {"--outbound-channel", "aeron:ipc"}, {"--outbound-stream", "7002"}})
        {
            final CliRunner cli = CliRunner.run("load", "--cluster-ingress", ingress, option[0], option[1]);
            assertThat(cli.exitCode).as(cli.err()).isEqualTo(2);
            assertThat(cli.err()).contains(option[0] + " does not go with --cluster-ingress");
        }

        CliRunner cli = CliRunner.run("load", "--cluster-ingress", ingress, "--admin-key", "secret");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--admin-key does not go with --cluster-ingress");

        cli = CliRunner.run("load", "--cluster-ingress", "localhost:20002");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--cluster-ingress localhost:20002: expected id=host:port");

        final Path link = Files.writeString(temp.resolve("link.properties"), String.join("\n",
            "tracker.link.mode=cluster", "tracker.link.cluster.ingress.endpoints=" + ingress, ""));
        cli = CliRunner.run("load", "--cluster-ingress", ingress, "--link-config", link.toString());
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--cluster-ingress and --link-config: give one");

        cli = CliRunner.run("load", "--link-config", link.toString(), "--channel", "aeron:ipc");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--channel does not go with --link-config");

        cli = CliRunner.run("load", "--link-config", link.toString(), "--admin-key", "secret");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--admin-key does not go with --link-config");

        final Path typo = Files.writeString(temp.resolve("typo.yaml"), String.join("\n",
            "tracker.link.mode: cluster", "tracker.link.cluster.ingres.endpoints: " + ingress, ""));
        cli = CliRunner.run("load", "--link-config", typo.toString());
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err()).contains("unknown setting tracker.link.cluster.ingres.endpoints");

        // mode=aeron in the file: the single-service path, which then looks for the service's driver
        final Path aeron = Files.writeString(temp.resolve("aeron.properties"), String.join("\n",
            "tracker.link.mode=aeron", "tracker.link.tracker.stream=7101", ""));
        cli = CliRunner.run("load", "--link-config", aeron.toString(), "--aeron-dir", "/nonexistent");
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err()).contains("no Aeron media driver at /nonexistent");

        final Path noEndpoints = Files.writeString(temp.resolve("none.properties"), "tracker.link.mode=cluster\n");
        cli = CliRunner.run("load", "--link-config", noEndpoints.toString());
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err()).contains("tracker.link.cluster.ingress.endpoints is required");
    }

    @Test
    @Timeout(420)
    void shouldLoadAClusterOfThreeAndHearEveryOutcome() throws Exception
    {
        final int portBase = 40_000 + 1_000 * ThreadLocalRandom.current().nextInt(10);
        final Path config = Files.writeString(temp.resolve("tracker.yaml"), String.join("\n", "name: load-cluster",
            "destinations: [a, b]", "capacity: 8192", "max.clients: 8", "outbox.capacity: 8192", ""));
        try (ClusterMembers members = new ClusterMembers(temp, config, portBase, LEADER_TIMEOUT_NS))
        {
            for (int id = 0; id < ClusterMembers.SIZE; id++)
            {
                members.start(id);
            }
            final long deadlineNs = System.nanoTime() + START_TIMEOUT_NS;
            while (!(members.allRunning() && members.leader() >= 0))
            {
                assertThat(members.anyExited()).as("a member exited: " + members.lastLines(10)).isFalse();
                assertThat(System.nanoTime() - deadlineNs).as("a leader elected: " + members.lastLines(10))
                    .isNegative();
                Thread.sleep(20);
            }

            final Path hgrm = temp.resolve("load.hgrm");
            final Path hlog = temp.resolve("load.hlog");
            CliRunner cli = CliRunner.run("load", "--cluster-ingress", members.ingressEndpoints(), "--rate", "500",
                "--duration", "2s", "--warmup", "500ms", "--destinations", "a,b", "--connect-timeout", "60s",
                "--hgrm", hgrm.toString(), "--hlog", hlog.toString());
            assertThat(cli.exitCode).as(cli.out() + cli.err() + members.lastLines(10)).isZero();
            assertThat(cli.out()).contains("to the cluster at " + members.ingressEndpoints())
                .contains("with client sessions").contains("a cluster member has no admin stream")
                .contains("tracked 1,250, acked 1,250; completed 1,250, failed 0, expired 0, refused 0, no outcome 0")
                .containsPattern("corrected for coordinated omission .*: n=1,000\\s+p50");
            assertThat(HgrmFile.read(hgrm).totalCount()).isEqualTo(1000);

            // the same through the link's keys in a file; the clients' sessions bind where the last run's stopped
            final Path link = Files.writeString(temp.resolve("link.yaml"), String.join("\n",
                "tracker.link:", "  mode: cluster", "  cluster.ingress.endpoints: " + members.ingressEndpoints(),
                "  cluster.egress.channel: aeron:udp?endpoint=localhost:0", ""));
            cli = CliRunner.run("load", "--link-config", link.toString(), "--rate", "500", "--duration", "1s",
                "--warmup", "0", "--track-ahead", "0", "--destinations", "a,b", "--connect-timeout", "60s",
                "--hgrm", hgrm.toString(), "--hlog", hlog.toString());
            assertThat(cli.exitCode).as(cli.out() + cli.err() + members.lastLines(10)).isZero();
            assertThat(cli.out())
                .contains("tracked 500, acked 500; completed 500, failed 0, expired 0, refused 0, no outcome 0")
                .contains("this is Track -> outcome");
            System.out.println(cli.out());
        }
    }
}

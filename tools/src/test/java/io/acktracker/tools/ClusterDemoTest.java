package io.acktracker.tools;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code acktracker demo --cluster} as a user runs it: three member processes, clients with sessions, the leader's
 * process SIGKILLed part way; it must report the failover and a reconciliation with nothing lost and nothing twice,
 * and exit 0. Its options that do not go with a cluster are refused by name. Long ({@code -Plong}): many kills.
 */
class ClusterDemoTest
{
    @Test
    void shouldRefuseTheSingleProcessOptionsAndABadSchedule()
    {
        CliRunner cli = CliRunner.run("demo", "--cluster", "--loss", "0.1");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--loss does not go with --cluster");

        cli = CliRunner.run("demo", "--cluster", "--kills", "5", "--duration", "4s");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("at least 2 s per kill");

        cli = CliRunner.run("demo", "--kills", "2");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--kills and --leader-timeout go with --cluster");
    }

    @Test
    @Timeout(300)
    void shouldKillTheLeaderAndReconcileEveryTrackOnce()
    {
        final CliRunner cli = CliRunner.run("demo", "--cluster", "--rate", "500", "--duration", "8s");

        assertThat(cli.exitCode).as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("SIGKILLed").containsPattern("kill 1: member \\d; member \\d elected after")
            .contains("completions resumed after").contains("leaders elected: ")
            .contains(" 0 without an outcome, 0 told twice, 0 not COMPLETED")
            .doesNotContain("ended by itself")
            .contains("Nothing confirmed was lost and every Track ended exactly once.");
        System.out.println(cli.out());
    }

    @Test
    @Tag("long")
    @Timeout(4 * 3600)
    void shouldReconcileEveryTrackOnceAcrossManyLeaderKills()
    {
        final int kills = Integer.getInteger("cluster.kills", 100);
        final CliRunner cli = CliRunner.run("demo", "--cluster", "--rate", System.getProperty("cluster.rate", "1000"),
            "--duration", (kills + 1) * 20 + "s", "--kills", String.valueOf(kills),
            "--leader-timeout", System.getProperty("cluster.leaderTimeout", "1s"));

        System.out.println(cli.out());
        assertThat(cli.exitCode).as(cli.err()).isZero();
        // every kill asked for was done (a member not back in time stops the kills: once it did after the first)
        assertThat(cli.out()).contains("Nothing confirmed was lost and every Track ended exactly once.")
            .contains("kill " + kills + ": member").doesNotContain("KILLS ASKED FOR WERE DONE")
            .doesNotContain("no new leader seen").doesNotContain("no completion after it");
    }
}

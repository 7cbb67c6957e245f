package io.acktracker.cluster;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failure detection settings a leader timeout gives: heartbeats ten per timeout, and election rounds of half the
 * timeout capped at 200 ms, since a failover waits out one to one and a half rounds after the timeout itself.
 */
class ClusterNodeSettingsTest
{
    private static final List<String> HOSTS = List.of("localhost", "localhost", "localhost");

    @Test
    void shouldCapTheElectionRoundWhateverTheLeaderTimeout()
    {
        final ClusterNode.Settings tuned = ClusterNode.Settings.tuned(0, HOSTS, 20_000, new File("m0"));
        assertThat(tuned.leaderHeartbeatTimeoutNs()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(tuned.leaderHeartbeatIntervalNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(tuned.electionTimeoutNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));

        final ClusterNode.Settings quick = ClusterNode.Settings.forLeaderTimeout(0, HOSTS, 20_000, new File("m0"),
            TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(quick.leaderHeartbeatIntervalNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
        assertThat(quick.electionTimeoutNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(150));

        final ClusterNode.Settings patient = ClusterNode.Settings.forLeaderTimeout(0, HOSTS, 20_000, new File("m0"),
            TimeUnit.SECONDS.toNanos(10));
        assertThat(patient.leaderHeartbeatIntervalNs()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(patient.electionTimeoutNs()).isEqualTo(ClusterNode.Settings.MAX_ELECTION_TIMEOUT_NS);
    }
}

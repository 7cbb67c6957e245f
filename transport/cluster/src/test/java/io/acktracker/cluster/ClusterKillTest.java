package io.acktracker.cluster;

import io.acktracker.engine.testing.ChildJvm;
import io.acktracker.transport.EmbeddedDriver;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leader's process is SIGKILLed under way: three members as processes of their own ({@link ClusterMemberMain}),
 * a sender and a destination in this JVM as an application runs them ({@link ClusterTestClients}: the transport's
 * helpers with sessions). What was tracked before the kill completes after it, new messages complete, every message
 * has exactly one outcome, and the time from the kill to the first completion after it is printed. Every process is
 * stopped by its own pid.
 */
@Timeout(180)
class ClusterKillTest
{
    private static final int LAST = 200;

    @TempDir
    File dir;

    private final ChildJvm[] members = new ChildJvm[ClusterRig.HOSTS.size()];
    private EmbeddedDriver clientDriver;
    private ClusterTestClients clients;

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(clients, clientDriver);
        CloseHelper.quietCloseAll(members);
    }

    @Test
    void shouldGoOnAfterTheLeaderProcessIsKilled()
    {
        final ClusterRig ports = new ClusterRig(dir, false);
        for (int id = 0; id < members.length; id++)
        {
            members[id] = ChildJvm.start(false, ClusterMemberMain.class, String.valueOf(id),
                String.valueOf(ports.portBase), new File(dir, "member-" + id).getAbsolutePath());
        }
        for (final ChildJvm member : members)
        {
            member.await("READY");
        }
        clientDriver = EmbeddedDriver.launch(EmbeddedDriver.context("cluster-kill-clients"));
        clients = new ClusterTestClients(clientDriver.aeronDirectoryName(), ports.ingressEndpoints(), LAST);
        clients.awaitBound();

        clients.trackAll(1, 100);
        clients.ackAll(1, 100);
        awaitOutcomes(1, 100);
        // 101..150 stay pending across the kill: confirmed applied, so in the log
        clients.trackAll(101, 150);

        final ClusterTrackerLink link = clients.senderLink();
        final int leader = link.leaderMemberId();
        assertThat(leader).isBetween(0, members.length - 1);
        final long killedNs = System.nanoTime();
        ProcessHandle.of(members[leader].pid()).ifPresent(ProcessHandle::destroyForcibly);

        // acked at once: the helpers keep the acks and send them to whichever member leads next
        for (long id = 101; id <= 150; id++)
        {
            assertThat(clients.destination.publisher().tryAck(id)).isPositive();
        }
        ClusterRig.awaitUntil(() -> clients.poll() >= 0 && firstCompletionAfterTheKill(),
            "a completion after the kill");
        final long resumedNs = System.nanoTime();
        final int newLeader = link.leaderMemberId();
        assertThat(newLeader).isNotEqualTo(leader);

        clients.trackAll(151, LAST);
        clients.ackAll(151, LAST);
        awaitOutcomes(1, LAST);
        clients.pollFor(500);
        System.out.printf("leader %d killed: first completion after %d ms, from member %d; %s; load %s%n", leader,
            TimeUnit.NANOSECONDS.toMillis(resumedNs - killedNs), newLeader, link,
            java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        assertThat(clients.notOnce(1, LAST)).as("messages without exactly one outcome").isEmpty();
        assertThat(clients.wrongOutcomes).isEmpty();
        assertThat(clients.senderRefusals).isEmpty();
        assertThat(clients.destinationRefusals).isEmpty();
    }

    private boolean firstCompletionAfterTheKill()
    {
        for (int id = 101; id <= 150; id++)
        {
            if (0 != clients.outcomes[id])
            {
                return true;
            }
        }
        return false;
    }

    private void awaitOutcomes(final int from, final int to)
    {
        clients.awaitOutcomes(from, to, () -> "");
    }
}

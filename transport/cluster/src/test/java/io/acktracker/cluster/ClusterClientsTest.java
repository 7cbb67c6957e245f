package io.acktracker.cluster;

import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transport's own client helpers against the replicated tracker, opened from configuration in cluster mode
 * ({@code TrackerLinks} finds {@link ClusterTrackerLinkProvider} through the ServiceLoader): a {@link TrackerClient}
 * and a {@link DestinationClient}, each with a session, track and ack over the cluster's ingress and egress
 * ({@link ClusterTestClients}). The leader stops while Tracks and acks are offered and unconfirmed; the helpers follow
 * the new leader, bind again and resend by themselves, and every message ends with exactly one outcome at the sender,
 * none twice, with no ack asked for again. The same when the cluster sessions end: the links open new ones, the
 * destination introduces itself again, and what was taken meanwhile is sent.
 */
@Timeout(120)
class ClusterClientsTest
{
    private static final int LAST = 200;

    @TempDir
    File dir;

    private ClusterRig rig;
    private EmbeddedDriver clientDriver;
    private ClusterTestClients clients;
    private TrackerClient sender;
    private DestinationClient destination;

    @BeforeEach
    void start()
    {
        rig = new ClusterRig(dir);
        rig.awaitLeader();
        clientDriver = EmbeddedDriver.launch(EmbeddedDriver.context("cluster-helpers"));
        clients = new ClusterTestClients(clientDriver.aeronDirectoryName(), rig.ingressEndpoints(), LAST);
        sender = clients.sender;
        destination = clients.destination;
        assertThat(sender.link()).isInstanceOf(ClusterTrackerLink.class);
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(clients, rig, clientDriver);
    }

    @Test
    void shouldResendUnconfirmedCommandsAfterTheLeaderStopsAndCompleteEachMessageOnce()
    {
        final ClientSession senderSession = clients.senderSession();
        final ClientSession destinationSession = clients.destinationSession();
        clients.awaitBound();

        clients.trackAll(1, 100);
        clients.ackAll(1, 50);
        awaitOutcomes(1, 50);

        // offered and not yet confirmed when the leader stops: no poll in between, so no confirmation can arrive
        for (long id = 51; id <= 100; id++)
        {
            assertThat(destination.publisher().tryAck(id)).isPositive();
        }
        for (long id = 101; id <= 150; id++)
        {
            assertThat(sender.tryTrack(clients.track(id))).isPositive();
        }
        assertThat(senderSession.unconfirmed()).isEqualTo(50);
        assertThat(destinationSession.unconfirmed()).isEqualTo(50);
        final long senderOpens = senderSession.opens();
        final long destinationOpens = destinationSession.opens();

        final int leader = rig.awaitLeader();
        final long stoppedNs = System.nanoTime();
        rig.stop(leader);
        ClusterRig.awaitUntil(() -> clients.poll() >= 0 && 0 == senderSession.unconfirmed() &&
            0 == destinationSession.unconfirmed(), "the helpers to resend what the old leader may have lost");
        final long resumedNs = System.nanoTime();
        assertThat(rig.awaitLeader()).isNotEqualTo(leader);
        awaitOutcomes(51, 100);

        clients.ackAll(101, 150);
        clients.trackAll(151, LAST);
        clients.ackAll(151, LAST);
        awaitOutcomes(1, LAST);
        clients.pollFor(500);

        final ClusterTrackerLink senderLink = clients.senderLink();
        System.out.printf("leader %d stopped: commands confirmed again after %d ms; sender opens %d -> %d, resends " +
            "%d; destination opens %d -> %d, resends %d; %s; load %s%n", leader,
            TimeUnit.NANOSECONDS.toMillis(resumedNs - stoppedNs), senderOpens, senderSession.opens(),
            senderSession.resends(), destinationOpens, destinationSession.opens(), destinationSession.resends(),
            senderLink, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        assertThat(clients.notOnce(1, LAST)).as("messages without exactly one outcome" + rig.describe()).isEmpty();
        assertThat(clients.wrongOutcomes).isEmpty();
        assertThat(senderSession.opens()).as("the sender bound again after the failover").isGreaterThan(senderOpens);
        assertThat(destinationSession.opens()).isGreaterThan(destinationOpens);
        assertThat(senderLink.newLeaders() + senderLink.sessionsLost()).isPositive();
        assertThat(clients.senderRefusals).isEmpty();
        assertThat(clients.destinationRefusals).as("no ack refused, so none needed again").isEmpty();
        assertThat(rig.errors).isEmpty();
    }

    @Test
    void shouldOpenANewClusterSessionWhenTheOldOneIsClosedAndResendWhatWasNotConfirmed()
    {
        final ClientSession senderSession = clients.senderSession();
        final ClientSession destinationSession = clients.destinationSession();
        clients.awaitBound();
        clients.trackAll(1, 50);
        clients.ackAll(1, 25);
        awaitOutcomes(1, 25);

        final ClusterTrackerLink senderLink = clients.senderLink();
        final ClusterTrackerLink destinationLink = (ClusterTrackerLink)destination.link();
        final int senderClusterSession = senderLink.sessionId();
        final int destinationClusterSession = destinationLink.sessionId();
        // the sessions end as when the cluster times them out during a long election: AeronCluster is closed
        senderLink.aeronCluster().close();
        destinationLink.aeronCluster().close();
        assertThat(sender.isConnected()).isFalse();
        // taken while the links are not connected: kept, and sent once the new sessions are bound
        for (long id = 26; id <= 50; id++)
        {
            assertThat(destination.publisher().tryAck(id)).isPositive();
        }
        for (long id = 51; id <= 100; id++)
        {
            assertThat(sender.tryTrack(clients.track(id))).isPositive();
        }
        ClusterRig.awaitUntil(() -> clients.poll() >= 0 && 0 == senderSession.unconfirmed() &&
            0 == destinationSession.unconfirmed(), "the helpers to connect again and send what was kept");
        awaitOutcomes(1, 50);
        clients.ackAll(51, 100);
        awaitOutcomes(1, 100);
        clients.pollFor(500);

        System.out.printf("sessions closed: %s; %s%n", senderLink, destinationLink);
        assertThat(clients.notOnce(1, 100)).as("messages without exactly one outcome").isEmpty();
        assertThat(clients.wrongOutcomes).isEmpty();
        assertThat(senderLink.connects()).isEqualTo(2);
        assertThat(senderLink.sessionsLost()).isEqualTo(1);
        assertThat(senderLink.sessionId()).isNotEqualTo(senderClusterSession);
        assertThat(destinationLink.connects()).isEqualTo(2);
        assertThat(destinationLink.sessionId()).isNotEqualTo(destinationClusterSession);
        assertThat(clients.senderRefusals).isEmpty();
        assertThat(clients.destinationRefusals).isEmpty();
        assertThat(rig.errors).isEmpty();
    }

    private void awaitOutcomes(final int from, final int to)
    {
        clients.awaitOutcomes(from, to, rig::describe);
    }
}

package io.acktracker.cluster;

import io.acktracker.engine.api.Outcome;
import io.acktracker.transport.EmbeddedDriver;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replicated tracker on a three-member Aeron Cluster in this JVM (separate drivers, archives and directories,
 * loopback UDP), with a sender and a destination as cluster clients speaking the transport's frames: messages tracked
 * and acked complete once each; the leader stops and the new leader goes on with the state the old one had; every
 * member restarts from a snapshot and the log and still knows what was pending.
 */
class ClusteredTrackerTest
{
    private static final int A = 0;

    @TempDir
    File dir;

    private ClusterRig rig;
    private EmbeddedDriver clientDriver;
    private ClusterTestClient sender;
    private ClusterTestClient destination;

    @BeforeEach
    void start()
    {
        rig = new ClusterRig(dir);
        rig.awaitLeader();
        clientDriver = EmbeddedDriver.launch(EmbeddedDriver.context("cluster-clients"));
        connectClients();
    }

    private void connectClients()
    {
        sender = new ClusterTestClient(clientDriver.aeronDirectoryName(), rig.ingressEndpoints());
        destination = new ClusterTestClient(clientDriver.aeronDirectoryName(), rig.ingressEndpoints());
        destination.hello(A, "a");
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(sender, destination, rig, clientDriver);
    }

    @Test
    void shouldCompleteEveryAckedMessageOnceAndGoOnAfterTheLeaderStops()
    {
        trackAndAck(1, 100);
        awaitCompleted(1, 100);

        // tracked before the failover, acked after it: the new leader must know them
        for (long id = 101; id <= 150; id++)
        {
            sender.track(id, A);
        }
        awaitInTheLog(1_000);
        final int leader = rig.awaitLeader();
        rig.stop(leader);
        final int newLeader = rig.awaitLeader();
        assertThat(newLeader).isNotEqualTo(leader);
        // a plain frame offered to the old leader before a client hears of the new one is lost (Aeron Cluster's
        // ingress is at most once across a failover): these plain frames wait; numbered ones would be resent
        ClusterRig.awaitUntil(() -> sender.poll() >= 0 && destination.poll() >= 0 &&
            sender.leader() == newLeader && destination.leader() == newLeader, "the clients to follow the new leader");

        for (long id = 101; id <= 150; id++)
        {
            destination.ack(id, A);
        }
        trackAndAck(151, 200);
        awaitCompleted(1, 200);

        assertOnceEach(1, 200);
        assertThat(sender.refusals).isEmpty();
        assertThat(rig.errors).isEmpty();
    }

    @Test
    void shouldKeepPendingMessagesAcrossASnapshotAndARestartOfEveryMember()
    {
        trackAndAck(1, 50);
        for (long id = 51; id <= 80; id++)
        {
            sender.track(id, A);
        }
        awaitCompleted(1, 50);
        rig.snapshot();
        // after the snapshot, in the log only: replayed on top of it at the restart
        for (long id = 81; id <= 90; id++)
        {
            sender.track(id, A);
        }
        awaitInTheLog(1_001);

        CloseHelper.quietCloseAll(sender, destination);
        for (int id = 0; id < rig.nodes.length; id++)
        {
            rig.stop(id);
        }
        for (int id = 0; id < rig.nodes.length; id++)
        {
            rig.start(id);
        }
        rig.awaitLeader();
        connectClients();

        for (long id = 51; id <= 90; id++)
        {
            destination.ack(id, A);
        }
        awaitCompleted(51, 90);
        assertOnceEach(51, 90);
        assertThat(rig.errors).isEmpty();
    }

    private void trackAndAck(final long from, final long to)
    {
        for (long id = from; id <= to; id++)
        {
            sender.track(id, A);
        }
        for (long id = from; id <= to; id++)
        {
            destination.ack(id, A);
        }
    }

    private void awaitCompleted(final long from, final long to)
    {
        try
        {
            awaitOutcomes(from, to);
        }
        catch (final AssertionError ex)
        {
            final java.util.List<Long> missing = new java.util.ArrayList<>();
            for (long id = from; id <= to; id++)
            {
                if (!sender.outcomes.containsKey(id))
                {
                    missing.add(id);
                }
            }
            throw new AssertionError(ex.getMessage() + ": missing " + missing + ", destination refusals " +
                destination.refusals + rig.describe(), ex);
        }
    }

    private void awaitOutcomes(final long from, final long to)
    {
        sender.awaitOutcomes(from, to, destination);
    }

    /**
     * The sender's earlier Tracks are in the log once a marker message it tracks after them completes: a client's
     * ingress is ordered, and plain frames are not confirmed one by one.
     */
    private void awaitInTheLog(final long markerId)
    {
        sender.track(markerId, A);
        destination.ack(markerId, A);
        awaitCompleted(markerId, markerId);
    }

    private void assertOnceEach(final long from, final long to)
    {
        for (long id = from; id <= to; id++)
        {
            assertThat(sender.outcomes.get(id)).as("outcomes of %d", id).isEqualTo(List.of(Outcome.COMPLETED));
        }
    }
}

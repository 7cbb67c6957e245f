package io.acktracker.cluster;

import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replicated tracker on a three-member Aeron Cluster in this JVM (separate drivers, archives and directories,
 * loopback UDP), with a sender and a destination as an application runs them ({@link ClusterTestClients}: the
 * transport's helpers with sessions, so every command is confirmed applied, resent if need be, and every outcome comes
 * once): messages tracked and acked complete once each; the leader stops and the new leader goes on with the state
 * the old one had; every member restarts from a snapshot and the log and still knows what was pending.
 */
@Timeout(180)
class ClusteredTrackerTest
{
    private static final int LAST = 200;

    @TempDir
    File dir;

    private ClusterWithClients cluster;
    private ClusterRig rig;
    private ClusterTestClients clients;

    @BeforeEach
    void start()
    {
        cluster = ClusterWithClients.start(dir, LAST);
        rig = cluster.rig;
        clients = cluster.clients;
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietClose(cluster);
    }

    @Test
    void shouldCompleteEveryAckedMessageOnceAndGoOnAfterTheLeaderStops()
    {
        clients.trackAll(1, 100);
        clients.ackAll(1, 100);
        awaitOutcomes(1, 100);

        // tracked (confirmed applied: in the log) before the failover, acked after it: the new leader must know them
        clients.trackAll(101, 150);
        final int leader = rig.awaitLeader();
        rig.stop(leader);
        final int newLeader = rig.awaitLeader();
        assertThat(newLeader).isNotEqualTo(leader);

        // the helpers follow the new leader by themselves
        clients.ackAll(101, 150);
        clients.trackAll(151, LAST);
        clients.ackAll(151, LAST);
        awaitOutcomes(1, LAST);
        clients.assertEachCompletedOnce(1, LAST, rig);
    }

    @Test
    void shouldKeepPendingMessagesAcrossASnapshotAndARestartOfEveryMember()
    {
        clients.trackAll(1, 50);
        clients.ackAll(1, 50);
        clients.trackAll(51, 80);
        awaitOutcomes(1, 50);
        rig.snapshot();
        // after the snapshot, in the log only (confirmed applied): replayed on top of it at the restart
        clients.trackAll(81, 90);

        // the clients keep running, as an application's would: their links connect again once the members are back
        for (int id = 0; id < rig.nodes.length; id++)
        {
            rig.stop(id);
        }
        for (int id = 0; id < rig.nodes.length; id++)
        {
            rig.start(id);
        }
        rig.awaitLeader();

        clients.ackAll(51, 90);
        awaitOutcomes(1, 90);
        clients.assertEachCompletedOnce(1, 90, rig);
    }

    private void awaitOutcomes(final int from, final int to)
    {
        clients.awaitOutcomes(from, to, rig::describe);
    }
}

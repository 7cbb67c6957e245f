package io.acktracker.cluster;

import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The members' state machines stay identical, checked byte for byte: each member's snapshot at one log position holds
 * the same bytes ({@link TrackerClusteredService#lastSnapshot()}, a CRC32C of them), whether the member was live all
 * along, was down while the others went on and caught up from the log, or was restarted from its own snapshot and
 * the log after it. Three members in this JVM ({@link ClusterRig}), a sender and a destination as an application
 * runs them ({@link ClusterTestClients}).
 * <p>
 * How long the follower stays down: {@code -Dcluster.followerDownSeconds} (5 s by default; the long run, a minute).
 */
@Timeout(600)
class ClusterCatchUpTest
{
    private static final long FOLLOWER_DOWN_NS =
        TimeUnit.SECONDS.toNanos(Long.getLong("cluster.followerDownSeconds", 5));
    private static final int ROUND = 100;
    /** One round of tracks and acks at most this often while the follower is down: 2,000 messages a second. */
    private static final long ROUND_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int LAST = (int)(FOLLOWER_DOWN_NS / ROUND_INTERVAL_NS + 6) * ROUND;

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
    void shouldCatchUpAFollowerThatWasDownWhileTheOthersWentOnToTheSameStateByteForByte()
    {
        clients.trackAll(1, ROUND);
        clients.ackAll(1, ROUND);
        awaitOutcomes(1, ROUND);

        final int leader = rig.awaitLeader();
        final int follower = (leader + 1) % rig.nodes.length;
        rig.stop(follower);

        // the other two go on: rounds of tracks and acks at a steady rate, bounded in time and in count
        int next = ROUND + 1;
        final long startNs = System.nanoTime();
        for (int round = 0; System.nanoTime() - startNs < FOLLOWER_DOWN_NS && next + 2 * ROUND <= LAST; round++)
        {
            clients.trackAll(next, next + ROUND - 1);
            clients.ackAll(next, next + ROUND - 1);
            next += ROUND;
            final long untilNs = startNs + (round + 1) * ROUND_INTERVAL_NS;
            clients.pollFor(Math.max(0, TimeUnit.NANOSECONDS.toMillis(untilNs - System.nanoTime())));
        }
        awaitOutcomes(1, next - 1);
        // and some stay pending across the catch-up
        final int pendingFrom = next;
        clients.trackAll(pendingFrom, pendingFrom + ROUND - 1);
        next += ROUND;

        final long downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        final long restartNs = System.nanoTime();
        rig.start(follower);
        // every member takes the snapshot at the same log position: the follower once it caught up to it
        rig.snapshot();
        System.out.printf("follower %d was down %,d ms while %,d messages were tracked and acked; restarted, it took " +
            "the same snapshot as the others %,d ms later%n", follower, downMs, next - 1 - 2 * ROUND,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartNs));
        assertSameSnapshotOnEveryMember("after the follower caught up on " + (next - 1 - 2 * ROUND) + " messages");

        clients.ackAll(pendingFrom, next - 1);
        awaitOutcomes(1, next - 1);
        clients.assertEachCompletedOnce(1, next - 1, rig);
    }

    @Test
    void shouldTakeTheSameSnapshotOnEveryMemberUnderLoadAndAgainAfterEveryMemberRestoredIt()
    {
        clients.trackAll(1, 2 * ROUND);
        clients.ackAll(1, ROUND);

        // the snapshot is asked for, and taken, while tracks and acks keep coming
        final long[] before = rig.requestSnapshot();
        int next = 2 * ROUND + 1;
        for (int round = 0; round < 200 && !rig.tookSnapshot(before); round++)
        {
            clients.trackAll(next, next + ROUND - 1);
            clients.ackAll(next - ROUND, next - 1);
            next += ROUND;
        }
        ClusterRig.awaitUntil(() -> rig.tookSnapshot(before), "a snapshot on every member");
        assertSameSnapshotOnEveryMember("taken under load");
        final long firstPosition = rig.lastSnapshots()[0].logPosition();

        // messages acked before the snapshot and after it, and the last round still pending
        clients.trackAll(next, next + ROUND - 1);
        clients.ackAll(next - ROUND, next - 1);
        next += ROUND;
        for (int id = 0; id < rig.nodes.length; id++)
        {
            rig.stop(id);
        }
        for (int id = 0; id < rig.nodes.length; id++)
        {
            rig.start(id);
        }
        rig.awaitLeader();

        // each member restored its own snapshot and replayed the log after it: still one state
        rig.snapshot();
        assertSameSnapshotOnEveryMember("after every member restored its snapshot");
        assertThat(rig.lastSnapshots()[0].logPosition()).isGreaterThan(firstPosition);

        clients.trackAll(next, next + ROUND - 1);
        clients.ackAll(next - ROUND, next + ROUND - 1);
        next += ROUND;
        awaitOutcomes(1, next - 1);
        clients.assertEachCompletedOnce(1, next - 1, rig);
    }

    private void assertSameSnapshotOnEveryMember(final String when)
    {
        final TrackerClusteredService.SnapshotDigest[] digests = rig.lastSnapshots();
        assertThat(digests).as("snapshots " + when).doesNotContainNull();
        for (final TrackerClusteredService.SnapshotDigest digest : digests)
        {
            assertThat(digest).as("each member's snapshot %s: %s", when, Arrays.toString(digests))
                .isEqualTo(digests[0]);
        }
    }

    private void awaitOutcomes(final int from, final int to)
    {
        clients.awaitOutcomes(from, to, rig::describe);
    }
}

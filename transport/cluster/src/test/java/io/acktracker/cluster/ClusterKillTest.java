package io.acktracker.cluster;

import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.testing.ChildJvm;
import io.acktracker.transport.EmbeddedDriver;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leader's process is SIGKILLed under way: three members as processes of their own ({@link ClusterMemberMain}),
 * a sender and a destination as cluster clients in this JVM. What was tracked before the kill completes after it,
 * new messages complete, every message has exactly one outcome, and the time from the kill to the first completion
 * after it is printed. Every process is stopped by its own pid.
 */
class ClusterKillTest
{
    private static final int A = 0;

    @TempDir
    File dir;

    private final ChildJvm[] members = new ChildJvm[ClusterRig.HOSTS.size()];
    private EmbeddedDriver clientDriver;
    private ClusterTestClient sender;
    private ClusterTestClient destination;

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(sender, destination, clientDriver);
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
        sender = new ClusterTestClient(clientDriver.aeronDirectoryName(), ports.ingressEndpoints());
        destination = new ClusterTestClient(clientDriver.aeronDirectoryName(), ports.ingressEndpoints());
        destination.hello(A, "a");

        for (long id = 1; id <= 100; id++)
        {
            sender.track(id, A);
            destination.ack(id, A);
        }
        awaitCompleted(1, 100);
        // 101..150 stay pending across the kill; 151's outcome proves they are in the log (a client's ingress is
        // ordered, and plain frames are not confirmed one by one)
        for (long id = 101; id <= 151; id++)
        {
            sender.track(id, A);
        }
        destination.ack(151, A);
        awaitCompleted(1, 100);
        awaitCompleted(151, 151);

        final int leader = sender.leader();
        final long killedNs = System.nanoTime();
        ProcessHandle.of(members[leader].pid()).ifPresent(ProcessHandle::destroyForcibly);
        ClusterRig.awaitUntil(() -> sender.poll() >= 0 && destination.poll() >= 0 &&
            sender.leader() != leader && destination.leader() == sender.leader(), "the clients to follow a new leader");
        final long electedNs = System.nanoTime();

        for (long id = 101; id <= 150; id++)
        {
            destination.ack(id, A);
        }
        for (long id = 152; id <= 200; id++)
        {
            sender.track(id, A);
            destination.ack(id, A);
        }
        ClusterRig.awaitUntil(() -> sender.poll() >= 0 && sender.outcomes.containsKey(101L), "a completion");
        final long resumedNs = System.nanoTime();
        awaitCompleted(1, 200);
        System.out.printf("leader %d killed: clients followed member %d after %d ms, first completion after %d ms%n",
            leader, sender.leader(), TimeUnit.NANOSECONDS.toMillis(electedNs - killedNs),
            TimeUnit.NANOSECONDS.toMillis(resumedNs - killedNs));

        for (long id = 1; id <= 200; id++)
        {
            assertThat(sender.outcomes.get(id)).as("outcomes of %d", id).isEqualTo(List.of(Outcome.COMPLETED));
        }
    }

    private void awaitCompleted(final long from, final long to)
    {
        sender.awaitOutcomes(from, to, destination);
    }
}

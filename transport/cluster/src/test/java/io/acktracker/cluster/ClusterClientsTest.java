package io.acktracker.cluster;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.client.TrackerLinkSettings;
import io.acktracker.transport.codecs.RefusalCode;
import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transport's own client helpers against the replicated tracker, opened from configuration in cluster mode
 * ({@code TrackerLinks} finds {@link ClusterTrackerLinkProvider} through the ServiceLoader): a {@link TrackerClient}
 * and a {@link DestinationClient}, each with a session, track and ack over the cluster's ingress and egress. The
 * leader stops while Tracks and acks are offered and unconfirmed; the helpers follow the new leader, bind again and
 * resend by themselves, and every message ends with exactly one outcome at the sender, none twice, with no ack asked
 * for again. The same when the cluster sessions end: the links open new ones, the destination introduces itself
 * again, and what was taken meanwhile is sent.
 */
@Timeout(120)
class ClusterClientsTest
{
    private static final int A = 0;
    private static final int LAST = 200;

    @TempDir
    File dir;

    private ClusterRig rig;
    private EmbeddedDriver clientDriver;
    private Aeron aeron;
    private TrackerClient sender;
    private DestinationClient destination;
    private final int[] outcomes = new int[LAST + 1];
    private final List<String> wrongOutcomes = new CopyOnWriteArrayList<>();
    private final List<RefusalCode> senderRefusals = new CopyOnWriteArrayList<>();
    private final List<RefusalCode> destinationRefusals = new CopyOnWriteArrayList<>();
    private final TrackRequest request = new TrackRequest();

    @BeforeEach
    void start()
    {
        rig = new ClusterRig(dir);
        rig.awaitLeader();
        clientDriver = EmbeddedDriver.launch(EmbeddedDriver.context("cluster-helpers"));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(clientDriver.aeronDirectoryName()));

        // what an application reads from its configuration file
        final TrackerLinkSettings link = TrackerLinkSettings.from(Map.of(
            "tracker.link.mode", "cluster",
            "tracker.link.cluster.ingress.endpoints", rig.ingressEndpoints()), "tracker.link.");
        sender = new TrackerClient(aeron, link, new SenderHandler(),
            new ClientSession.Settings(ClientSession.Settings.idOf("sender"), "sender"));
        destination = new DestinationClient(aeron, link, "a", A, new DestinationHandler(), null,
            new ClientSession.Settings(ClientSession.Settings.idOf("destination-a"), "destination-a"));
        assertThat(sender.link()).isInstanceOf(ClusterTrackerLink.class);
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(sender, destination, aeron, rig, clientDriver);
    }

    @Test
    void shouldResendUnconfirmedCommandsAfterTheLeaderStopsAndCompleteEachMessageOnce()
    {
        final ClientSession senderSession = sender.session();
        final ClientSession destinationSession = destination.publisher().session();
        ClusterRig.awaitUntil(() -> poll() >= 0 && senderSession.isBound() && destinationSession.isBound(),
            "both sessions bound");

        trackAll(1, 100);
        ackAll(1, 50);
        awaitOutcomes(1, 50);

        // offered and not yet confirmed when the leader stops: no poll in between, so no confirmation can arrive
        for (long id = 51; id <= 100; id++)
        {
            assertThat(destination.publisher().tryAck(id)).isPositive();
        }
        for (long id = 101; id <= 150; id++)
        {
            assertThat(sender.tryTrack(track(id))).isPositive();
        }
        assertThat(senderSession.unconfirmed()).isEqualTo(50);
        assertThat(destinationSession.unconfirmed()).isEqualTo(50);
        final long senderOpens = senderSession.opens();
        final long destinationOpens = destinationSession.opens();

        final int leader = rig.awaitLeader();
        final long stoppedNs = System.nanoTime();
        rig.stop(leader);
        ClusterRig.awaitUntil(() -> poll() >= 0 && 0 == senderSession.unconfirmed() &&
            0 == destinationSession.unconfirmed(), "the helpers to resend what the old leader may have lost");
        final long resumedNs = System.nanoTime();
        assertThat(rig.awaitLeader()).isNotEqualTo(leader);
        awaitOutcomes(51, 100);

        ackAll(101, 150);
        trackAll(151, LAST);
        ackAll(151, LAST);
        awaitOutcomes(1, LAST);
        // a late duplicate would come within a few duty cycles: keep polling a little (bounded), then count
        final long quietUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() - quietUntilNs < 0)
        {
            poll();
        }

        final ClusterTrackerLink senderLink = (ClusterTrackerLink)sender.link();
        System.out.printf("leader %d stopped: commands confirmed again after %d ms; sender opens %d -> %d, resends " +
            "%d; destination opens %d -> %d, resends %d; %s; load %s%n", leader,
            TimeUnit.NANOSECONDS.toMillis(resumedNs - stoppedNs), senderOpens, senderSession.opens(),
            senderSession.resends(), destinationOpens, destinationSession.opens(), destinationSession.resends(),
            senderLink, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        final List<String> notOnce = new ArrayList<>();
        for (int id = 1; id <= LAST; id++)
        {
            if (1 != outcomes[id])
            {
                notOnce.add(id + "x" + outcomes[id]);
            }
        }
        assertThat(notOnce).as("messages without exactly one outcome" + rig.describe()).isEmpty();
        assertThat(wrongOutcomes).isEmpty();
        assertThat(senderSession.opens()).as("the sender bound again after the failover").isGreaterThan(senderOpens);
        assertThat(destinationSession.opens()).isGreaterThan(destinationOpens);
        assertThat(senderLink.newLeaders() + senderLink.sessionsLost()).isPositive();
        assertThat(senderRefusals).isEmpty();
        assertThat(destinationRefusals).as("no ack refused, so none needed again").isEmpty();
        assertThat(rig.errors).isEmpty();
    }

    @Test
    void shouldOpenANewClusterSessionWhenTheOldOneIsClosedAndResendWhatWasNotConfirmed()
    {
        final ClientSession senderSession = sender.session();
        final ClientSession destinationSession = destination.publisher().session();
        ClusterRig.awaitUntil(() -> poll() >= 0 && senderSession.isBound() && destinationSession.isBound(),
            "both sessions bound");
        trackAll(1, 50);
        ackAll(1, 25);
        awaitOutcomes(1, 25);

        final ClusterTrackerLink senderLink = (ClusterTrackerLink)sender.link();
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
            assertThat(sender.tryTrack(track(id))).isPositive();
        }
        ClusterRig.awaitUntil(() -> poll() >= 0 && 0 == senderSession.unconfirmed() &&
            0 == destinationSession.unconfirmed(), "the helpers to connect again and send what was kept");
        awaitOutcomes(1, 50);
        ackAll(51, 100);
        awaitOutcomes(1, 100);
        final long quietUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() - quietUntilNs < 0)
        {
            poll();
        }

        System.out.printf("sessions closed: %s; %s%n", senderLink, destinationLink);
        for (int id = 1; id <= 100; id++)
        {
            assertThat(outcomes[id]).as("outcomes of %d", id).isEqualTo(1);
        }
        assertThat(wrongOutcomes).isEmpty();
        assertThat(senderLink.connects()).isEqualTo(2);
        assertThat(senderLink.sessionsLost()).isEqualTo(1);
        assertThat(senderLink.sessionId()).isNotEqualTo(senderClusterSession);
        assertThat(destinationLink.connects()).isEqualTo(2);
        assertThat(destinationLink.sessionId()).isNotEqualTo(destinationClusterSession);
        assertThat(senderRefusals).isEmpty();
        assertThat(destinationRefusals).isEmpty();
        assertThat(rig.errors).isEmpty();
    }

    private int poll()
    {
        return sender.poll(16) + destination.poll(16);
    }

    private TrackRequest track(final long id)
    {
        // long enough that no timeout or expiry decides a message while the cluster elects
        return request.reset().messageId(id).destinations(1L << A).ackTimeoutNs(TimeUnit.SECONDS.toNanos(60))
            .ttlNs(TimeUnit.SECONDS.toNanos(120));
    }

    /** Track each message once and wait until the tracker confirmed every Track applied. */
    private void trackAll(final long from, final long to)
    {
        long last = 0;
        for (long id = from; id <= to; id++)
        {
            final TrackRequest track = track(id);
            final long[] sequence = {0};
            ClusterRig.awaitUntil(() -> (sequence[0] = sender.tryTrack(track)) > 0 || poll() < 0, "a Track taken");
            last = sequence[0];
        }
        final long lastSequence = last;
        ClusterRig.awaitUntil(() -> poll() >= 0 && sender.session().isApplied(lastSequence), "Tracks applied");
    }

    /** Ack each message once (its Track is applied) and wait until every ack is confirmed applied. */
    private void ackAll(final long from, final long to)
    {
        long last = 0;
        for (long id = from; id <= to; id++)
        {
            final long messageId = id;
            final long[] sequence = {0};
            ClusterRig.awaitUntil(() -> (sequence[0] = destination.publisher().tryAck(messageId)) > 0 || poll() < 0,
                "an ack taken");
            last = sequence[0];
        }
        final long lastSequence = last;
        ClusterRig.awaitUntil(() -> poll() >= 0 && destination.publisher().session().isApplied(lastSequence),
            "acks applied");
    }

    private void awaitOutcomes(final int from, final int to)
    {
        try
        {
            ClusterRig.awaitUntil(() ->
            {
                poll();
                for (int id = from; id <= to; id++)
                {
                    if (0 == outcomes[id])
                    {
                        return false;
                    }
                }
                return true;
            }, "outcomes of " + from + ".." + to);
        }
        catch (final AssertionError ex)
        {
            final List<Integer> missing = new ArrayList<>();
            for (int id = from; id <= to; id++)
            {
                if (0 == outcomes[id])
                {
                    missing.add(id);
                }
            }
            throw new AssertionError(ex.getMessage() + ": missing " + missing + ", sender " + sender.link() +
                rig.describe(), ex);
        }
    }

    private final class SenderHandler implements TrackerClientHandler
    {
        public void onOutcome(
            final long messageId,
            final Outcome outcome,
            final FailureReason reason,
            final long latencyNs,
            final int attempts,
            final boolean replay)
        {
            if (messageId < 1 || messageId > LAST)
            {
                wrongOutcomes.add(messageId + " " + outcome);
                return;
            }
            outcomes[(int)messageId]++;
            if (Outcome.COMPLETED != outcome)
            {
                wrongOutcomes.add(messageId + " " + outcome + " " + reason);
            }
        }

        public void onRefused(
            final int refusedTemplateId, final long correlationId, final RefusalCode code, final int destinationId)
        {
            senderRefusals.add(code);
        }
    }

    private final class DestinationHandler implements TrackerClientHandler
    {
        public void onOutcome(
            final long messageId,
            final Outcome outcome,
            final FailureReason reason,
            final long latencyNs,
            final int attempts,
            final boolean replay)
        {
        }

        public void onRefused(
            final int refusedTemplateId, final long correlationId, final RefusalCode code, final int destinationId)
        {
            destinationRefusals.add(code);
        }
    }
}

package io.acktracker.cluster;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.SecretFile;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.client.TrackerLinkSettings;
import io.acktracker.transport.codecs.RefusalCode;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Destinations and clients with keys on the replicated tracker: three members in this JVM with the same destination
 * and client keys, a sender and a destination that prove their names (a challenge whose nonce every member derives
 * from the log, then a proof). Every member applies the same proofs and takes snapshots of the same bytes; after the
 * leader stops, the helpers prove their names again to the new leader and go on, every outcome once; a client with
 * the sender's name and a wrong key is refused and changes nothing; a member restarted from a snapshot and the log
 * decides as the others.
 */
@Timeout(180)
class ClusterKeysTest
{
    private static final int LAST = 100;
    private static final String SENDER_KEY = SecretFile.newToken();
    private static final String DESTINATION_KEY = SecretFile.newToken();
    private static final String DESTINATION_CLIENT_KEY = SecretFile.newToken();

    @TempDir
    File dir;

    private ClusterWithClients cluster;
    private ClusterRig rig;
    private ClusterTestClients clients;

    @BeforeEach
    void start()
    {
        cluster = ClusterWithClients.start(dir, LAST, () -> new TransportConfig()
            .destinationKeys(DestinationKeys.of(Map.of("a", DESTINATION_KEY)))
            .clientKeys(DestinationKeys.of(Map.of("sender", SENDER_KEY, "destination-a", DESTINATION_CLIENT_KEY))),
            bytes(SENDER_KEY), bytes(DESTINATION_KEY), bytes(DESTINATION_CLIENT_KEY));
        rig = cluster.rig;
        clients = cluster.clients;
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietClose(cluster);
    }

    @Test
    void shouldProveNamesOnEveryMemberAgainAfterAFailoverAndRefuseAWrongKey()
    {
        clients.trackAll(1, 50);
        clients.ackAll(1, 50);
        awaitOutcomes(1, 50);
        // every member applied the same proofs: the nonce each issued was the one the proof answered
        ClusterRig.awaitUntil(() -> sameOnEveryMember(TransportCounter.HELLOS_AUTHENTICATED, 1) &&
            sameOnEveryMember(TransportCounter.SESSION_OPENS_AUTHENTICATED, 2), "every member's proofs" +
            rig.describe());

        // a client with the sender's name and a wrong key: refused on every member, nothing of it applied
        try (TrackerClient impostor = new TrackerClient(clients.aeron, TrackerLinkSettings.from(Map.of(
            "tracker.link.mode", "cluster",
            "tracker.link.cluster.ingress.endpoints", rig.ingressEndpoints()), "tracker.link."),
            new Ignored(),
            new ClientSession.Settings(ClientSession.Settings.idOf("sender"), "sender")
                .key(bytes(SecretFile.newToken()))))
        {
            ClusterRig.awaitUntil(() -> impostor.poll(16) >= 0 && clients.poll() >= 0 &&
                impostor.session().authenticationRefusals() > 0, "the impostor refused");
            assertThat(impostor.session().isBound()).isFalse();
        }
        ClusterRig.awaitUntil(() -> sameOnEveryMember(TransportCounter.SESSION_OPENS_BAD_CREDENTIAL, 1),
            "the impostor refused on every member" + rig.describe());

        rig.snapshot();
        assertSameSnapshotOnEveryMember();

        // tracked before the failover, acked after it: the helpers prove their names to the new leader
        clients.trackAll(51, 80);
        final int leader = rig.awaitLeader();
        rig.stop(leader);
        assertThat(rig.awaitLeader()).isNotEqualTo(leader);
        clients.ackAll(51, 80);
        clients.trackAll(81, LAST);
        clients.ackAll(81, LAST);
        awaitOutcomes(1, LAST);
        clients.assertEachCompletedOnce(1, LAST, rig);

        // the stopped member comes back from its snapshot and the log, keys included, and decides as the others
        rig.start(leader);
        rig.snapshot();
        assertSameSnapshotOnEveryMember();
        assertThat(rig.errors).isEmpty();
    }

    private boolean sameOnEveryMember(final TransportCounter counter, final long atLeast)
    {
        long first = -1;
        for (int id = 0; id < rig.nodes.length; id++)
        {
            if (null == rig.nodes[id] || null == rig.nodes[id].service().agent())
            {
                continue;
            }
            final long value = rig.nodes[id].service().transportCounters().value(counter);
            if (value < atLeast || (first >= 0 && value != first))
            {
                clients.poll();
                return false;
            }
            first = value;
        }
        return first >= 0;
    }

    private void assertSameSnapshotOnEveryMember()
    {
        final TrackerClusteredService.SnapshotDigest[] digests = rig.lastSnapshots();
        for (int id = 1; id < digests.length; id++)
        {
            assertThat(digests[id]).as("member " + id + "'s last snapshot against member 0's")
                .isNotNull().isEqualTo(digests[0]);
        }
    }

    private void awaitOutcomes(final int from, final int to)
    {
        clients.awaitOutcomes(from, to, rig::describe);
    }

    private static byte[] bytes(final String key)
    {
        return key.getBytes(StandardCharsets.US_ASCII);
    }

    /** The impostor's handler: its session never opens, so nothing reaches it that the test looks at. */
    private static final class Ignored implements TrackerClientHandler
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
        }
    }
}

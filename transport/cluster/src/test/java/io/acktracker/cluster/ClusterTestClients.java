package io.acktracker.cluster;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.client.TrackerLinkSettings;
import io.acktracker.transport.codecs.RefusalCode;
import io.aeron.Aeron;
import org.agrona.CloseHelper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sender and a destination of the replicated tracker as an application runs them: the transport's
 * {@link TrackerClient} and {@link DestinationClient}, each with a {@link ClientSession}, opened from settings in
 * cluster mode (so a command is kept and resent until the cluster confirms it applied, and outcomes come once each
 * from the sender's outbox), polled by the test's thread. Counts each message's outcomes, and keeps what was refused
 * and any outcome other than one completion of a message of {@code 1..last}. Test thread only.
 */
final class ClusterTestClients implements AutoCloseable
{
    static final int A = 0;

    final Aeron aeron;
    final TrackerClient sender;
    final DestinationClient destination;
    final int[] outcomes;
    final List<String> wrongOutcomes = new CopyOnWriteArrayList<>();
    final List<RefusalCode> senderRefusals = new CopyOnWriteArrayList<>();
    final List<RefusalCode> destinationRefusals = new CopyOnWriteArrayList<>();
    private final TrackRequest request = new TrackRequest();

    /**
     * Connect to the client's media driver and open both clients over the cluster's ingress.
     *
     * @param aeronDir         the clients' media driver.
     * @param ingressEndpoints the members' ingress endpoints.
     * @param last             the highest message id the test uses.
     */
    ClusterTestClients(final String aeronDir, final String ingressEndpoints, final int last)
    {
        this(aeronDir, ingressEndpoints, last, null, null, null);
    }

    /**
     * Connect to the client's media driver and open both clients over the cluster's ingress, each proving its name
     * with a key when given one.
     *
     * @param aeronDir             the clients' media driver.
     * @param ingressEndpoints     the members' ingress endpoints.
     * @param last                 the highest message id the test uses.
     * @param senderKey            the sender's client key ({@code client.keys.file}), or null.
     * @param destinationKey       destination A's key ({@code destination.keys.file}), or null.
     * @param destinationClientKey destination A's client key, or null.
     */
    ClusterTestClients(
        final String aeronDir,
        final String ingressEndpoints,
        final int last,
        final byte[] senderKey,
        final byte[] destinationKey,
        final byte[] destinationClientKey)
    {
        outcomes = new int[last + 1];
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        try
        {
            // what an application reads from its configuration file
            final TrackerLinkSettings link = TrackerLinkSettings.from(Map.of(
                "tracker.link.mode", "cluster",
                "tracker.link.cluster.ingress.endpoints", ingressEndpoints), "tracker.link.");
            sender = new TrackerClient(aeron, link, new SenderHandler(),
                new ClientSession.Settings(ClientSession.Settings.idOf("sender"), "sender").key(senderKey));
            destination = new DestinationClient(aeron, link, "a", A, new DestinationHandler(), destinationKey,
                new ClientSession.Settings(ClientSession.Settings.idOf("destination-a"), "destination-a")
                    .key(destinationClientKey));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            throw ex;
        }
    }

    ClientSession senderSession()
    {
        return sender.session();
    }

    ClientSession destinationSession()
    {
        return destination.publisher().session();
    }

    ClusterTrackerLink senderLink()
    {
        return (ClusterTrackerLink)sender.link();
    }

    /**
     * One duty cycle of both clients.
     *
     * @return the work done.
     */
    int poll()
    {
        return sender.poll(16) + destination.poll(16);
    }

    /** Poll until both sessions are bound to the tracker (bounded). */
    void awaitBound()
    {
        ClusterRig.awaitUntil(() -> poll() >= 0 && senderSession().isBound() && destinationSession().isBound(),
            "both sessions bound");
    }

    /**
     * A Track of one message for destination A, with an ack timeout and a time to live long enough that neither
     * decides a message while the cluster elects.
     *
     * @param id the message.
     * @return the request, reused.
     */
    TrackRequest track(final long id)
    {
        return request.reset().messageId(id).destinations(1L << A).ackTimeoutNs(TimeUnit.SECONDS.toNanos(60))
            .ttlNs(TimeUnit.SECONDS.toNanos(120));
    }

    /**
     * Track each message once and wait (bounded) until the tracker confirmed every Track applied: they are in the
     * log.
     *
     * @param from first id.
     * @param to   last id.
     */
    void trackAll(final long from, final long to)
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
        ClusterRig.awaitUntil(() -> poll() >= 0 && senderSession().isApplied(lastSequence), "Tracks applied");
    }

    /**
     * Ack each message once (its Track is applied) and wait (bounded) until every ack is confirmed applied.
     *
     * @param from first id.
     * @param to   last id.
     */
    void ackAll(final long from, final long to)
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
        ClusterRig.awaitUntil(() -> poll() >= 0 && destinationSession().isApplied(lastSequence), "acks applied");
    }

    /**
     * Poll until every message of a range has an outcome (bounded); a failure names the missing ones.
     *
     * @param from     first id.
     * @param to       last id.
     * @param describe what the failure's message adds (the members' state).
     */
    void awaitOutcomes(final int from, final int to, final Supplier<String> describe)
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
                ", destination refusals " + destinationRefusals + describe.get(), ex);
        }
    }

    /**
     * Keep polling for a while (bounded): a late duplicate outcome would come within a few duty cycles.
     *
     * @param millis how long.
     */
    void pollFor(final long millis)
    {
        final long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - untilNs < 0)
        {
            poll();
        }
    }

    /**
     * Poll a little longer (a late duplicate outcome would come), then check the promise over a range: every message
     * has exactly one outcome, each COMPLETED, no Track and no ack refused, and no member reported an error.
     *
     * @param from first id.
     * @param to   last id.
     * @param rig  the members, for their errors and a failure's message.
     */
    void assertEachCompletedOnce(final int from, final int to, final ClusterRig rig)
    {
        pollFor(500);
        assertThat(notOnce(from, to)).as("messages without exactly one outcome" + rig.describe()).isEmpty();
        assertThat(wrongOutcomes).isEmpty();
        assertThat(senderRefusals).isEmpty();
        assertThat(destinationRefusals).isEmpty();
        assertThat(rig.errors).isEmpty();
    }

    /**
     * The messages of a range without exactly one outcome, each as {@code idxcount}.
     *
     * @param from first id.
     * @param to   last id.
     * @return empty when each had one.
     */
    List<String> notOnce(final int from, final int to)
    {
        final List<String> notOnce = new ArrayList<>();
        for (int id = from; id <= to; id++)
        {
            if (1 != outcomes[id])
            {
                notOnce.add(id + "x" + outcomes[id]);
            }
        }
        return notOnce;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(sender, destination, aeron);
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
            if (messageId < 1 || messageId >= outcomes.length)
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

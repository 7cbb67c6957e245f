package io.acktracker.tools;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.client.TrackerLinkSettings;
import io.acktracker.transport.codecs.RefusalCode;
import io.aeron.Aeron;
import org.agrona.CloseHelper;

import java.util.List;

/**
 * Where the load goes: how the clients reach the tracker (a single service's command and outcome streams over plain
 * Aeron, or a replicated tracker's cluster ingress and egress: {@link TrackerLinkSettings}), and the destinations to
 * ack as (names with their ids in the tracker's registry).
 * <p>
 * Threading: one thread.
 *
 * @param aeron a client of the media driver the load sends through (the tracker's own, or this process's for a
 *              cluster).
 * @param link  how the sender and the destinations reach the tracker.
 * @param names destination names.
 * @param ids   their ids, in the same order.
 */
record LoadTarget(
    Aeron aeron,
    TrackerLinkSettings link,
    List<String> names,
    int[] ids)
{
    /** Client names of a load run with sessions: the same on every run, so each run binds where the last stopped. */
    static final String SENDER_CLIENT = "acktracker-load-sender";

    TrackerClient newClient(final TrackerClientHandler handler, final boolean sessions)
    {
        return new TrackerClient(aeron, link, sessions ? new OnlyOutcomes(handler) : handler,
            sessions ? settings(SENDER_CLIENT) : null);
    }

    /** The sender's part with sessions: its outbox's redeliveries are the destinations' business (they hear them). */
    private record OnlyOutcomes(TrackerClientHandler handler) implements TrackerClientHandler
    {
        public void onOutcome(
            final long messageId, final Outcome outcome, final FailureReason reason, final long latencyNs,
            final int attempts, final boolean replay)
        {
            handler.onOutcome(messageId, outcome, reason, latencyNs, attempts, replay);
        }

        public void onRefused(
            final int refusedTemplateId, final long correlationId, final RefusalCode code, final int destinationId)
        {
            handler.onRefused(refusedTemplateId, correlationId, code, destinationId);
        }
    }

    /** A destination's part: the redeliveries to it (every destination client hears every one). */
    private record OwnRedeliveries(TrackerClientHandler handler, int destinationId) implements TrackerClientHandler
    {
        public void onOutcome(
            final long messageId, final Outcome outcome, final FailureReason reason, final long latencyNs,
            final int attempts, final boolean replay)
        {
        }

        public void onRedeliver(final long messageId, final int destinationId, final int attempt)
        {
            if (destinationId == this.destinationId)
            {
                handler.onRedeliver(messageId, destinationId, attempt);
            }
        }
    }

    /**
     * One client per destination with a session each (its acks numbered and confirmed).
     *
     * @param handler receives what the tracker tells them.
     * @return the clients, in the order of {@link #names()}.
     */
    DestinationClient[] newDestinationClients(final TrackerClientHandler handler)
    {
        final DestinationClient[] clients = new DestinationClient[names.size()];
        try
        {
            for (int i = 0; i < clients.length; i++)
            {
                clients[i] = new DestinationClient(aeron, link, names.get(i), ids[i],
                    new OwnRedeliveries(handler, ids[i]), null,
                    settings("acktracker-load-destination-" + names.get(i)));
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(clients);
            throw ex;
        }
        return clients;
    }

    private static ClientSession.Settings settings(final String name)
    {
        // room for 65,536 acks awaiting confirmation (65 ms at a million a second), beyond it back pressure, which
        // the load's pace check counts
        return new ClientSession.Settings(ClientSession.Settings.idOf(name), name).maxUnconfirmed(1 << 16);
    }

    /**
     * One publisher per destination without a session (plain Aeron only: over a cluster the load always uses
     * sessions).
     *
     * @return the publishers, in the order of {@link #names()}.
     */
    AckPublisher[] newPublishers()
    {
        final AckPublisher[] publishers = new AckPublisher[names.size()];
        try
        {
            for (int i = 0; i < publishers.length; i++)
            {
                publishers[i] = new AckPublisher(aeron, link.trackerChannel(), link.trackerStreamId(), names.get(i),
                    ids[i]);
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(publishers);
            throw ex;
        }
        return publishers;
    }

    long destinationMask()
    {
        long mask = 0;
        for (final int id : ids)
        {
            mask |= 1L << id;
        }
        return mask;
    }
}

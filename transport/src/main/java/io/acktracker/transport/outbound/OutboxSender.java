package io.acktracker.transport.outbound;

import io.acktracker.engine.api.ClientOutboxes;
import io.acktracker.engine.api.CommandType;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.Result;
import io.acktracker.transport.WireCodes;
import io.acktracker.transport.codecs.AckDecoder;
import io.acktracker.transport.codecs.CumulativeAckDecoder;
import io.acktracker.transport.codecs.NackDecoder;
import io.acktracker.transport.codecs.RejectDecoder;
import io.acktracker.transport.codecs.TrackDecoder;

import java.util.Arrays;

/**
 * Sends each client its outbox: the entries after what was sent to it, in order, as Outcome, Redeliver and Refused
 * frames carrying the client id and the entry number. What was sent is this transport's own bookkeeping, not state:
 * a new transport (a restart) starts every client from what it confirmed, and {@link #rewind} does the same for a
 * client that opens its session again, so a client that lost frames (its own restart, a reconnect, a frame lost on
 * the way) is sent everything after its last confirmation; it drops the entries it already has by number.
 * <p>
 * A frame that cannot be published now (back pressure, no subscriber, a backlog ahead of it) stops that client's
 * sends for this duty cycle: the outbox keeps the entry, nothing is dropped or reordered.
 * <p>
 * Zero allocation per entry (the array of positions grows when a new client appears). Agent thread only.
 */
public final class OutboxSender implements ClientOutboxes.EntryHandler
{
    private final OutboundProxy outbound;
    private long[] sentThrough = new long[16];
    private long clientId;
    private long entry;
    private boolean published;

    /**
     * A sender over the tracker's outbound proxy.
     *
     * @param outbound publishes the frames.
     */
    public OutboxSender(final OutboundProxy outbound)
    {
        this.outbound = outbound;
    }

    /**
     * Send what each client is owed, at most {@code budget} frames in all.
     *
     * @param outboxes the clients' outboxes.
     * @param budget   most frames.
     * @return frames published.
     */
    public int doWork(final ClientOutboxes outboxes, final int budget)
    {
        final int clients = outboxes.clientCount();
        if (clients > sentThrough.length)
        {
            sentThrough = Arrays.copyOf(sentThrough, Math.max(clients, sentThrough.length * 2));
        }
        int work = 0;
        for (int index = 0; index < clients && work < budget; index++)
        {
            long sent = Math.max(sentThrough[index], outboxes.outboxConfirmed(index));
            final long written = outboxes.outboxWritten(index);
            clientId = outboxes.clientId(index);
            while (sent < written && work < budget)
            {
                entry = sent + 1;
                published = false;
                outboxes.readEntry(index, entry, this);
                if (!published)
                {
                    break;
                }
                sent = entry;
                work++;
            }
            sentThrough[index] = sent;
        }
        return work;
    }

    /**
     * Send a client everything after what it confirmed again (it opened its session again).
     *
     * @param index the client's index.
     */
    public void rewind(final int index)
    {
        if (index < sentThrough.length)
        {
            sentThrough[index] = 0;
        }
    }

    public void onOutcome(
        final long messageId, final Outcome outcome, final FailureReason reason, final long latencyNs,
        final int attempts)
    {
        published = outbound.tryOutboxOutcome(clientId, entry, messageId, outcome, reason, latencyNs, attempts);
    }

    public void onRedelivery(final long messageId, final int destination, final int attempt)
    {
        published = outbound.tryOutboxRedelivery(clientId, entry, messageId, destination, attempt);
    }

    public void onRefusal(final CommandType command, final long subjectId, final Result result, final long sequence)
    {
        published = outbound.tryOutboxRefusal(clientId, entry, subjectId, templateId(command),
            WireCodes.refusalCode(result), sequence);
    }

    /**
     * The template of the frame a numbered command came in.
     */
    static int templateId(final CommandType command)
    {
        if (null == command)
        {
            return 0;
        }
        switch (command)
        {
            case TRACK:
                return TrackDecoder.TEMPLATE_ID;
            case ACK:
                return AckDecoder.TEMPLATE_ID;
            case NACK:
                return NackDecoder.TEMPLATE_ID;
            case REJECT:
                return RejectDecoder.TEMPLATE_ID;
            case CUMULATIVE_ACK:
                return CumulativeAckDecoder.TEMPLATE_ID;
            default:
                return 0;
        }
    }
}

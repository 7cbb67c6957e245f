package io.acktracker.transport.client;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * A {@link TrackerLink} over plain Aeron: an exclusive publication to the tracker's inbound stream, and (unless the
 * link only sends) a subscription to its outbound stream. The tracker sees this client's frames under the
 * publication's session id. The path never changes by itself ({@link #epoch()} is always 0): after the media driver
 * died, the client goes on over a new link opened on a new Aeron client.
 * <p>
 * Allocation-free per frame. Threading: one thread (the publication is exclusive).
 */
public final class AeronTrackerLink implements TrackerLink
{
    private final ExclusivePublication publication;
    private final Subscription subscription;

    /**
     * A link over a publication and a subscription it then owns.
     *
     * @param publication  to the tracker's inbound stream; closed with the link.
     * @param subscription of the tracker's outbound stream, or null for a link that only sends; closed with the link.
     */
    public AeronTrackerLink(final ExclusivePublication publication, final Subscription subscription)
    {
        this.publication = publication;
        this.subscription = subscription;
    }

    /**
     * Open both directions on given channels.
     *
     * @param aeron            connected client; not closed by the link.
     * @param trackerChannel   the tracker's inbound channel as seen from here.
     * @param trackerStreamId  the tracker's inbound stream id.
     * @param outboundChannel  the channel the tracker publishes on, as seen from here.
     * @param outboundStreamId the tracker's outbound stream id.
     * @return the link.
     */
    public static AeronTrackerLink open(
        final Aeron aeron,
        final String trackerChannel,
        final int trackerStreamId,
        final String outboundChannel,
        final int outboundStreamId)
    {
        final Subscription subscription = aeron.addSubscription(outboundChannel, outboundStreamId);
        try
        {
            return new AeronTrackerLink(aeron.addExclusivePublication(trackerChannel, trackerStreamId), subscription);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(subscription);
            throw ex;
        }
    }

    /**
     * Open a link that only sends (a publisher whose answers nobody reads here).
     *
     * @param aeron           connected client; not closed by the link.
     * @param trackerChannel  the tracker's inbound channel as seen from here.
     * @param trackerStreamId the tracker's inbound stream id.
     * @return the link.
     */
    public static AeronTrackerLink sendOnly(final Aeron aeron, final String trackerChannel, final int trackerStreamId)
    {
        return new AeronTrackerLink(aeron.addExclusivePublication(trackerChannel, trackerStreamId), null);
    }

    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        return publication.offer(buffer, offset, length);
    }

    public boolean isConnected()
    {
        return publication.isConnected();
    }

    public boolean isReceiving()
    {
        return null != subscription && subscription.isConnected();
    }

    public int sessionId()
    {
        return publication.sessionId();
    }

    public long epoch()
    {
        return 0;
    }

    public int poll(final FragmentHandler handler, final int fragmentLimit)
    {
        return null == subscription ? 0 : subscription.poll(handler, fragmentLimit);
    }

    public void close()
    {
        CloseHelper.quietCloseAll(publication, subscription);
    }

    /**
     * The link's channels, for logs.
     *
     * @return a description.
     */
    public String toString()
    {
        return "aeron link to " + publication.channel() + " stream " + publication.streamId() +
            (null == subscription ? "" : ", from " + subscription.channel() + " stream " + subscription.streamId());
    }
}

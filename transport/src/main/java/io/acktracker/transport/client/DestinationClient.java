package io.acktracker.transport.client;

import io.acktracker.transport.Protocol;
import io.aeron.Aeron;
import org.agrona.CloseHelper;

/**
 * A destination's (or consumer's) two-way connection to a tracker: an {@link AckPublisher} for its commands, and
 * the tracker's outbound stream read by {@link #poll(int)} from the caller's own duty cycle, handing a
 * {@link TrackerClientHandler} the Redeliver frames (every destination's: filter by id; consumers watch
 * {@code RedeliveryListener.CONSUMER}), and the LeaseGranted and Refused frames that answer this publisher's own
 * session.
 * <pre>{@code
 * try (DestinationClient consumer = new DestinationClient(aeron, "workers", handler))
 * {
 *     consumer.publisher().tryLease(correlationId, messageId, 0);
 *     ...
 *     consumer.poll(16);    // handler.onLeaseGranted(correlationId, messageId, handle, deadlineNs, delivery, id)
 *     ...
 *     consumer.publisher().tryAck(keptHandle);
 * }
 * }</pre>
 * A destination that has a key at the tracker passes it ({@link #DestinationClient(Aeron, String, byte[],
 * TrackerClientHandler)}): its publisher then proves the name at hello, answering the tracker's HelloChallenge that
 * {@link #poll(int)} reads, and its commands answer {@code BACK_PRESSURED} until that is done.
 * <p>
 * The link to the tracker is plain Aeron or a replicated tracker's cluster ingress and egress, as configured
 * ({@link TrackerLinkSettings}).
 * <p>
 * Zero allocation per command and per frame received. Threading: one thread (the link is not thread safe).
 */
public final class DestinationClient implements AutoCloseable
{
    private final AckPublisher publisher;
    private final TrackerLinkSettings settings;
    private final TrackerClientHandler handler;
    private OutboundAdapter adapter;

    /**
     * A client over IPC on the default stream ids, identified by name.
     *
     * @param aeron           connected client; not closed by this.
     * @param destinationName the destination's registered name.
     * @param handler         receives redeliveries, lease grants and refusals.
     */
    public DestinationClient(final Aeron aeron, final String destinationName, final TrackerClientHandler handler)
    {
        this(aeron, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_INBOUND_STREAM_ID, Protocol.DEFAULT_CHANNEL,
            Protocol.DEFAULT_OUTBOUND_STREAM_ID, destinationName, Protocol.BOUND_DESTINATION, handler);
    }

    /**
     * A client on given channels.
     *
     * @param aeron           connected client; not closed by this.
     * @param trackerChannel  the tracker's inbound channel as seen from here.
     * @param trackerStreamId the tracker's inbound stream id.
     * @param outboundChannel the channel the tracker publishes on, as seen from here.
     * @param outboundStream  the tracker's outbound stream id.
     * @param destinationName the destination's registered name.
     * @param destinationId   its id when known, or {@link Protocol#BOUND_DESTINATION}.
     * @param handler         receives redeliveries, lease grants and refusals.
     */
    public DestinationClient(
        final Aeron aeron,
        final String trackerChannel,
        final int trackerStreamId,
        final String outboundChannel,
        final int outboundStream,
        final String destinationName,
        final int destinationId,
        final TrackerClientHandler handler)
    {
        this(aeron, trackerChannel, trackerStreamId, outboundChannel, outboundStream, destinationName, destinationId,
            handler, null);
    }

    /**
     * A client over IPC on the default stream ids that proves its destination's name with a key.
     *
     * @param aeron           connected client; not closed by this.
     * @param destinationName the destination's registered name.
     * @param key             the destination's key, as in the tracker's destination key file (read it from an
     *                        owner-only file, e.g. with {@code DestinationKeys.load}), or null for none.
     * @param handler         receives redeliveries, lease grants and refusals.
     */
    public DestinationClient(
        final Aeron aeron, final String destinationName, final byte[] key, final TrackerClientHandler handler)
    {
        this(aeron, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_INBOUND_STREAM_ID, Protocol.DEFAULT_CHANNEL,
            Protocol.DEFAULT_OUTBOUND_STREAM_ID, destinationName, Protocol.BOUND_DESTINATION, handler, key);
    }

    /**
     * A client on given channels, proving its destination's name with a key when it has one: its publisher asks
     * the tracker for a challenge and answers it (read by {@link #poll(int)}) before its first command.
     *
     * @param aeron           connected client; not closed by this.
     * @param trackerChannel  the tracker's inbound channel as seen from here.
     * @param trackerStreamId the tracker's inbound stream id.
     * @param outboundChannel the channel the tracker publishes on, as seen from here.
     * @param outboundStream  the tracker's outbound stream id.
     * @param destinationName the destination's registered name.
     * @param destinationId   its id when known, or {@link Protocol#BOUND_DESTINATION}.
     * @param handler         receives redeliveries, lease grants and refusals.
     * @param key             the destination's key, or null for none (the tracker then binds it only when it has
     *                        no key for the name either).
     */
    public DestinationClient(
        final Aeron aeron,
        final String trackerChannel,
        final int trackerStreamId,
        final String outboundChannel,
        final int outboundStream,
        final String destinationName,
        final int destinationId,
        final TrackerClientHandler handler,
        final byte[] key)
    {
        this(aeron, trackerChannel, trackerStreamId, outboundChannel, outboundStream, destinationName, destinationId,
            handler, key, null);
    }

    /**
     * A client with a session (exactly once end to end): its acks, nacks, rejects, cumulative acks, extensions and
     * settlements are numbered, kept until the tracker confirms it applied them and sent again whenever they may
     * not have arrived, so a confirmed ack is never needed again and none is applied twice; the refusals of those
     * commands come from its outbox, once each and in order. {@link #poll(int)} also binds, resends and confirms.
     * The tracker needs a journal store (it keeps the session's state with its commands).
     *
     * @param aeron           connected client; not closed by this.
     * @param trackerChannel  the tracker's inbound channel as seen from here.
     * @param trackerStreamId the tracker's inbound stream id.
     * @param outboundChannel the channel the tracker publishes on, as seen from here.
     * @param outboundStream  the tracker's outbound stream id.
     * @param destinationName the destination's registered name.
     * @param destinationId   its id when known, or {@link Protocol#BOUND_DESTINATION}.
     * @param handler         receives redeliveries, lease grants and refusals.
     * @param key             the destination's key, or null for none.
     * @param session         who this client is (a stable id, e.g. {@code ClientSession.Settings.idOf(name)}), or
     *                        null for a client without a session.
     */
    public DestinationClient(
        final Aeron aeron,
        final String trackerChannel,
        final int trackerStreamId,
        final String outboundChannel,
        final int outboundStream,
        final String destinationName,
        final int destinationId,
        final TrackerClientHandler handler,
        final byte[] key,
        final ClientSession.Settings session)
    {
        this(aeron, TrackerLinkSettings.aeron(trackerChannel, trackerStreamId, outboundChannel, outboundStream),
            destinationName, destinationId, handler, key, session);
    }

    /**
     * A client that reaches its tracker as configured: a single tracker over plain Aeron, or a replicated one over
     * Aeron Cluster ({@link TrackerLinkSettings}); the same code either way. With a session, what the constructor
     * above says holds over a cluster too: after a new leader or a new cluster session, the publisher introduces
     * itself again, and the session binds again and resends every command not yet confirmed.
     *
     * @param aeron           connected client; not closed by this.
     * @param link            how to reach the tracker.
     * @param destinationName the destination's registered name.
     * @param destinationId   its id when known, or {@link Protocol#BOUND_DESTINATION}.
     * @param handler         receives redeliveries, lease grants and refusals.
     * @param key             the destination's key, or null for none.
     * @param session         who this client is, or null for a client without a session.
     * @throws IllegalStateException when the link's mode needs a module that is not on the classpath.
     */
    public DestinationClient(
        final Aeron aeron,
        final TrackerLinkSettings link,
        final String destinationName,
        final int destinationId,
        final TrackerClientHandler handler,
        final byte[] key,
        final ClientSession.Settings session)
    {
        this(TrackerLinks.open(aeron, link), link, destinationName, destinationId, handler, key, session);
    }

    /**
     * A client over a link opened by the caller (e.g. with {@link TrackerLinks#open}); {@link #reconnect(Aeron)} is
     * then not available: use {@link #reconnect(TrackerLink)}.
     *
     * @param link            the link to the tracker; closed with this client.
     * @param destinationName the destination's registered name.
     * @param destinationId   its id when known, or {@link Protocol#BOUND_DESTINATION}.
     * @param handler         receives redeliveries, lease grants and refusals.
     * @param key             the destination's key, or null for none.
     * @param session         who this client is, or null for a client without a session.
     */
    public DestinationClient(
        final TrackerLink link,
        final String destinationName,
        final int destinationId,
        final TrackerClientHandler handler,
        final byte[] key,
        final ClientSession.Settings session)
    {
        this(link, null, destinationName, destinationId, handler, key, session);
    }

    private DestinationClient(
        final TrackerLink link,
        final TrackerLinkSettings settings,
        final String destinationName,
        final int destinationId,
        final TrackerClientHandler handler,
        final byte[] key,
        final ClientSession.Settings session)
    {
        this.settings = settings;
        this.handler = handler;
        try
        {
            this.publisher = new AckPublisher(link, destinationName, destinationId, key, session);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(link);
            throw ex;
        }
        this.adapter = new OutboundAdapter(handler, link, publisher.session(), publisher);
    }

    /**
     * Go on over a new Aeron client, after the old one closed because its media driver died (as an embedded driver
     * does with the tracker process that ran it): a new link is opened as configured. The publisher introduces
     * itself again; with a session, everything unconfirmed goes again once bound, so an ack offered into the dead
     * driver is never lost. Allocates.
     *
     * @param aeron the new client, connected to the tracker's (restarted) driver; not closed by this.
     * @throws IllegalStateException for a client made over a link of the caller's: use
     *                               {@link #reconnect(TrackerLink)}.
     */
    public void reconnect(final Aeron aeron)
    {
        if (null == settings)
        {
            throw new IllegalStateException("this client was made over a link of the caller's: reconnect(link)");
        }
        CloseHelper.quietClose(publisher.link());
        reconnect(TrackerLinks.open(aeron, settings));
    }

    /**
     * Go on over a new link (the old one is closed here): the publisher introduces itself again; with a session,
     * everything unconfirmed goes again once bound. Allocates (a new decoder).
     *
     * @param link the new link; closed with this client.
     */
    public void reconnect(final TrackerLink link)
    {
        publisher.reconnect(link);
        adapter = new OutboundAdapter(handler, link, publisher.session(), publisher);
    }

    /**
     * The link this client reaches its tracker over.
     *
     * @return the link.
     */
    public TrackerLink link()
    {
        return publisher.link();
    }

    /**
     * The publisher of this destination's commands (ack, nack, reject, lease, extend, settle).
     *
     * @return the publisher.
     */
    public AckPublisher publisher()
    {
        return publisher;
    }

    /**
     * Read what the tracker published and hand it to the handler.
     *
     * @param fragmentLimit most frames to read.
     * @return frames read.
     */
    public int poll(final int fragmentLimit)
    {
        return publisher.link().poll(adapter, fragmentLimit) + publisher.doWork();
    }

    /**
     * Whether both directions are connected to a tracker.
     *
     * @return true when commands can be sent and answers received.
     */
    public boolean isConnected()
    {
        return publisher.link().isConnected() && publisher.link().isReceiving();
    }

    /**
     * Frames skipped because this client does not know them.
     *
     * @return the count.
     */
    public long unknownFrames()
    {
        return adapter.unknownFrames();
    }

    public void close()
    {
        CloseHelper.quietClose(publisher);
    }
}

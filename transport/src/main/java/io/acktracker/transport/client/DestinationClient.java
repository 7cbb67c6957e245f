package io.acktracker.transport.client;

import io.acktracker.transport.Protocol;
import io.aeron.Aeron;
import io.aeron.Subscription;
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
 * Zero allocation per command and per frame received. Threading: one thread (the publication is exclusive).
 */
public final class DestinationClient implements AutoCloseable
{
    private final AckPublisher publisher;
    private final String outboundChannel;
    private final int outboundStream;
    private final TrackerClientHandler handler;
    private Subscription subscription;
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
        this.outboundChannel = outboundChannel;
        this.outboundStream = outboundStream;
        this.handler = handler;
        this.subscription = aeron.addSubscription(outboundChannel, outboundStream);
        try
        {
            this.publisher = new AckPublisher(aeron, trackerChannel, trackerStreamId, destinationName, destinationId,
                key, session);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(subscription);
            throw ex;
        }
        publisher.answersReachable(subscription::isConnected);
        this.adapter = new OutboundAdapter(handler, publisher.sessionId(), publisher.session(), publisher);
    }

    /**
     * Go on over a new Aeron client, after the old one closed because its media driver died (as an embedded driver
     * does with the tracker process that ran it). The publisher introduces itself again; with a session,
     * everything unconfirmed goes again once bound, so an ack offered into the dead driver is never lost. Allocates.
     *
     * @param aeron the new client, connected to the tracker's (restarted) driver; not closed by this.
     */
    public void reconnect(final Aeron aeron)
    {
        CloseHelper.quietClose(subscription);
        subscription = aeron.addSubscription(outboundChannel, outboundStream);
        publisher.reconnect(aeron);
        final Subscription answers = subscription;
        publisher.answersReachable(answers::isConnected);
        adapter = new OutboundAdapter(handler, publisher.sessionId(), publisher.session(), publisher);
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
        return subscription.poll(adapter, fragmentLimit) + publisher.doWork();
    }

    /**
     * Whether both directions are connected to a tracker.
     *
     * @return true when commands can be sent and answers received.
     */
    public boolean isConnected()
    {
        return publisher.isConnected() && subscription.isConnected();
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
        CloseHelper.quietCloseAll(publisher, subscription);
    }
}

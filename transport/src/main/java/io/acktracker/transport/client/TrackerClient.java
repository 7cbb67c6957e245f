package io.acktracker.transport.client;

import io.acktracker.engine.api.TrackRequest;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.acktracker.transport.codecs.TrackEncoder;
import io.aeron.Aeron;
import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A sender's connection to a tracker: sends Track over Aeron and hands the tracker's Outcome, Redeliver and
 * Refused frames to a {@link TrackerClientHandler} from {@link #poll(int)}, called by the caller's own duty cycle.
 * <p>
 * Refused frames are delivered only when they answer this client's own commands (matched by the session id its
 * {@link TrackerLink} gives its frames). The link is plain Aeron or a replicated tracker's cluster ingress and
 * egress, as configured ({@link TrackerLinkSettings}). Frames from a newer tracker that this client does not know
 * are skipped and counted.
 * <p>
 * Zero allocation per track and per frame received. Threading: one thread (the link is not thread safe).
 */
public final class TrackerClient implements AutoCloseable
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Protocol.MAX_FRAME_LENGTH));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final TrackEncoder trackEncoder = new TrackEncoder();

    private final TrackerClientHandler handler;
    private final ClientSession session;
    private final TrackerLinkSettings settings;
    private TrackerLink link;
    private OutboundAdapter adapter;

    /**
     * A client over IPC on the default stream ids.
     *
     * @param aeron   connected client; not closed by this.
     * @param handler receives outcomes.
     */
    public TrackerClient(final Aeron aeron, final TrackerClientHandler handler)
    {
        this(aeron, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_INBOUND_STREAM_ID, Protocol.DEFAULT_CHANNEL,
            Protocol.DEFAULT_OUTBOUND_STREAM_ID, handler);
    }

    /**
     * A client on given channels.
     *
     * @param aeron            connected client; not closed by this.
     * @param trackerChannel   channel to send commands on, e.g. {@code aeron:udp?endpoint=tracker-host:40123}.
     * @param trackerStreamId  the tracker's inbound stream id.
     * @param outcomeChannel   channel the tracker publishes on, as seen from here.
     * @param outcomeStreamId  the tracker's outbound stream id.
     * @param handler          receives outcomes.
     */
    public TrackerClient(
        final Aeron aeron,
        final String trackerChannel,
        final int trackerStreamId,
        final String outcomeChannel,
        final int outcomeStreamId,
        final TrackerClientHandler handler)
    {
        this(aeron, trackerChannel, trackerStreamId, outcomeChannel, outcomeStreamId, handler, null);
    }

    /**
     * A client with a session (exactly once end to end): every Track is numbered and kept until the tracker
     * confirms it, sent again whenever it may not have arrived (a reconnect, a tracker restart, a lost frame, the
     * resend timeout), and applied once; the outcomes, redeliveries and refusals of this client's Tracks come from
     * its outbox, each handed to the handler once and in order (marked replay when a process of this client before
     * this one may have had it). Call {@link #poll} from the client's duty cycle: it also binds, resends and
     * confirms.
     *
     * @param aeron           connected client; not closed by this.
     * @param trackerChannel  channel to send commands on.
     * @param trackerStreamId the tracker's inbound stream id.
     * @param outcomeChannel  channel the tracker publishes on, as seen from here.
     * @param outcomeStreamId the tracker's outbound stream id.
     * @param handler         receives outcomes, redeliveries and refusals.
     * @param session         who this client is, or null for a client without a session.
     */
    public TrackerClient(
        final Aeron aeron,
        final String trackerChannel,
        final int trackerStreamId,
        final String outcomeChannel,
        final int outcomeStreamId,
        final TrackerClientHandler handler,
        final ClientSession.Settings session)
    {
        this(aeron, TrackerLinkSettings.aeron(trackerChannel, trackerStreamId, outcomeChannel, outcomeStreamId),
            handler, session);
    }

    /**
     * A client that reaches its tracker as configured: a single tracker over plain Aeron, or a replicated one over
     * Aeron Cluster ({@link TrackerLinkSettings}); the same code either way. With a session, what the constructor
     * above says holds over a cluster too: after a new leader or a new cluster session, the session binds again and
     * resends every Track not yet confirmed.
     *
     * @param aeron    connected client; not closed by this.
     * @param link     how to reach the tracker.
     * @param handler  receives outcomes, redeliveries and refusals.
     * @param session  who this client is, or null for a client without a session.
     * @throws IllegalStateException when the link's mode needs a module that is not on the classpath.
     */
    public TrackerClient(
        final Aeron aeron,
        final TrackerLinkSettings link,
        final TrackerClientHandler handler,
        final ClientSession.Settings session)
    {
        this(TrackerLinks.open(aeron, link), link, handler, session);
    }

    /**
     * A client over a link opened by the caller (e.g. with {@link TrackerLinks#open}); {@link #reconnect(Aeron)} is
     * then not available: use {@link #reconnect(TrackerLink)}.
     *
     * @param link    the link to the tracker; closed with this client.
     * @param handler receives outcomes, redeliveries and refusals.
     * @param session who this client is, or null for a client without a session.
     */
    public TrackerClient(
        final TrackerLink link, final TrackerClientHandler handler, final ClientSession.Settings session)
    {
        this(link, null, handler, session);
    }

    private TrackerClient(
        final TrackerLink link,
        final TrackerLinkSettings settings,
        final TrackerClientHandler handler,
        final ClientSession.Settings session)
    {
        this.link = link;
        this.settings = settings;
        this.handler = handler;
        this.session = null == session ? null : new ClientSession(session, link);
        this.adapter = new OutboundAdapter(handler, link, this.session, null);
    }

    /**
     * Send a Track with every field of the request: its metadata (up to {@link Protocol#MAX_METADATA_LENGTH}
     * bytes), max attempts and message class included.
     *
     * @param request the track; destinations as a bitset of the tracker's destination ids.
     * @return the new stream position, or Aeron's NOT_CONNECTED, BACK_PRESSURED, ADMIN_ACTION, CLOSED or
     * MAX_POSITION_EXCEEDED: nothing was sent, try again. With a session: the Track's sequence (above 0: it is kept
     * and sent until the tracker confirms it, see {@link ClientSession#isApplied}), or NOT_CONNECTED before the
     * session is bound, BACK_PRESSURED while the retransmit buffer is full: not taken, try again.
     * @throws IllegalArgumentException when a field cannot be encoded (priority outside -128..127, required acks or
     *                                  max attempts outside 0..255, message class outside 0..65535, metadata
     *                                  longer than the protocol's bound).
     */
    public long tryTrack(final TrackRequest request)
    {
        return tryTrack(request, request.metadata(), request.metadataOffset(), request.metadataLength());
    }

    /**
     * Send a Track with the given metadata instead of the request's.
     *
     * @param request  the track.
     * @param metadata up to {@link Protocol#MAX_METADATA_LENGTH} bytes, or null.
     * @param offset   where the metadata starts.
     * @param length   its length.
     * @return as {@link #tryTrack(TrackRequest)}.
     * @throws IllegalArgumentException when a field cannot be encoded.
     */
    public long tryTrack(final TrackRequest request, final DirectBuffer metadata, final int offset, final int length)
    {
        if (request.priority() < Byte.MIN_VALUE || request.priority() > Byte.MAX_VALUE ||
            request.requiredAcks() < 0 || request.requiredAcks() > 255 ||
            request.maxAttempts() < 0 || request.maxAttempts() > 255 ||
            request.messageClass() < 0 || request.messageClass() > 0xFFFF ||
            length < 0 || length > Protocol.MAX_METADATA_LENGTH)
        {
            throw new IllegalArgumentException("cannot encode " + request + " with metadata length " + length);
        }

        trackEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .messageId(request.messageId())
            .ackTimeoutNs(request.ackTimeoutNs())
            .ttlNs(request.ttlNs())
            .sequence(request.hasStream() ? request.sequence() : 0)
            .streamId(request.hasStream() ? request.streamId() : TrackEncoder.streamIdNullValue())
            .messageClass(request.messageClass())
            .requiredAcks((short)request.requiredAcks())
            .priority((byte)request.priority())
            .maxAttempts((short)request.maxAttempts());
        if (null != session)
        {
            if (!session.canSend())
            {
                return session.isBound() ? Publication.BACK_PRESSURED : Publication.NOT_CONNECTED;
            }
            trackEncoder.clientId(session.clientId()).clientSequence(session.nextSequence());
        }
        else
        {
            trackEncoder.clientId(0).clientSequence(0);
        }

        long destinations = request.destinations();
        final TrackEncoder.DestinationsEncoder entries = trackEncoder.destinationsCount(Long.bitCount(destinations));
        while (0 != destinations)
        {
            entries.next().destinationId((short)Long.numberOfTrailingZeros(destinations));
            destinations &= destinations - 1;
        }
        if (null == metadata || 0 == length)
        {
            trackEncoder.putMetadata(buffer, 0, 0);
        }
        else
        {
            trackEncoder.putMetadata(metadata, offset, length);
        }

        final int frameLength = MessageHeaderEncoder.ENCODED_LENGTH + trackEncoder.encodedLength();
        return null == session ? link.offer(buffer, 0, frameLength) : session.send(buffer, 0, frameLength);
    }

    /**
     * Read what the tracker published and hand it to the handler; with a session, also bind, resend and confirm as
     * due. A cluster link also follows its leader and connects again from here.
     *
     * @param fragmentLimit most frames to read.
     * @return work done: frames read and the session's work.
     */
    public int poll(final int fragmentLimit)
    {
        final int work = link.poll(adapter, fragmentLimit);
        return null == session ? work : work + session.doWork();
    }

    /**
     * Go on over a new Aeron client, after the old one closed because its media driver died (as an embedded driver
     * does with the tracker process that ran it: {@code aeron.isClosed()}, or a {@code DriverTimeoutException} from
     * its error handler): a new link is opened as configured. With a session, everything unconfirmed is sent again
     * once the session is bound again; a Track offered into the dead driver is never lost. Allocates (new link and
     * decoder).
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
        CloseHelper.quietClose(link);
        goOnOver(TrackerLinks.open(aeron, settings));
    }

    /**
     * Go on over a new link (the old one is closed here): with a session, everything unconfirmed is sent again once
     * the session is bound again. Allocates (a new decoder).
     *
     * @param link the new link; closed with this client.
     */
    public void reconnect(final TrackerLink link)
    {
        if (link != this.link)
        {
            CloseHelper.quietClose(this.link);
        }
        goOnOver(link);
    }

    private void goOnOver(final TrackerLink link)
    {
        this.link = link;
        adapter = new OutboundAdapter(handler, link, session, null);
        if (null != session)
        {
            session.reconnect(link);
        }
    }

    /**
     * The client's session, or null for a client without one.
     *
     * @return the session.
     */
    public ClientSession session()
    {
        return session;
    }

    /**
     * Whether both directions are connected to a tracker.
     *
     * @return true when tracks can be sent and outcomes received.
     */
    public boolean isConnected()
    {
        return link.isConnected() && link.isReceiving();
    }

    /**
     * Session id of this client's commands, as the tracker sees it.
     *
     * @return the session id.
     */
    public int sessionId()
    {
        return link.sessionId();
    }

    /**
     * The link this client reaches its tracker over.
     *
     * @return the link.
     */
    public TrackerLink link()
    {
        return link;
    }

    /**
     * Frames skipped because this client does not know them (newer tracker, or not acktracker's).
     *
     * @return the count.
     */
    public long unknownFrames()
    {
        return adapter.unknownFrames();
    }

    public void close()
    {
        CloseHelper.quietClose(link);
    }
}

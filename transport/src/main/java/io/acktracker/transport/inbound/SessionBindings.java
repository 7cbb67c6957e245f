package io.acktracker.transport.inbound;

import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.aeron.Image;
import io.aeron.logbuffer.Header;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import org.agrona.collections.Int2ObjectHashMap;

import java.nio.charset.StandardCharsets;

import java.util.function.IntPredicate;

/**
 * Which destination each Aeron session speaks for, bound by its DestinationHello.
 * <p>
 * A session is one publication (each {@code AckPublisher} uses an exclusive publication, so its own session id).
 * The binding also remembers the image it arrived on and that image's source identity ({@code aeron:ipc}, or the
 * sender's address over UDP). When a bound session shows up on a new image (the publication reconnected after its
 * image went unavailable) from the same source, the binding carries over: the destination continues without
 * saying hello again. From a different source it does not: that is another publisher that happens to share the
 * session id, and it must say hello itself.
 * <p>
 * A destination with no key configured is bound on its word: any process that can write to the media driver can
 * claim its name (over UDP, restrict who can reach the tracker's endpoint). A destination with a key is bound only
 * after its hello proved the name ({@link HelloAuthenticator}); that binding is marked authenticated and holds for its
 * image only.
 * <p>
 * Threading: agent thread only.
 */
final class SessionBindings
{
    /** The session sent no hello (or its binding was dropped). */
    static final int UNBOUND = -1;
    /** The session is bound to another destination than the one the command names. */
    static final int SPOOFED = -2;
    /** No room for another binding. */
    static final int FULL = -3;

    private static final long NO_IMAGE = Long.MIN_VALUE;

    private final Int2ObjectHashMap<Binding> bySession = new Int2ObjectHashMap<>();
    private final int maxSessions;
    private final IntPredicate isLive;
    private final TransportCounters counters;

    private static final class Binding
    {
        final int destinationId;
        final boolean authenticated;
        long imageCorrelationId;
        String sourceIdentity;

        Binding(
            final int destinationId,
            final boolean authenticated,
            final long imageCorrelationId,
            final String sourceIdentity)
        {
            this.destinationId = destinationId;
            this.authenticated = authenticated;
            this.imageCorrelationId = imageCorrelationId;
            this.sourceIdentity = sourceIdentity;
        }
    }

    /**
     * Bindings for at most {@code maxSessions} sessions.
     *
     * @param maxSessions most sessions bound at once.
     * @param isLive      whether a session still has an image, to make room by dropping dead ones.
     * @param counters    to count reconnects.
     */
    SessionBindings(final int maxSessions, final IntPredicate isLive, final TransportCounters counters)
    {
        this.maxSessions = maxSessions;
        this.isLive = isLive;
        this.counters = counters;
    }

    /**
     * Bind the frame's session to a destination (cold path: allocates one small entry per new session).
     *
     * @param header        header of the hello.
     * @param destinationId registry id of the destination.
     * @param authenticated whether the hello proved the destination's name with its key: such a binding holds for
     *                      this image only (a new image must prove it again).
     * @return the id, or {@link #SPOOFED} when the same image is bound to another destination, or {@link #FULL}.
     */
    int bind(final Header header, final int destinationId, final boolean authenticated)
    {
        final int sessionId = header.sessionId();
        final Binding existing = bySession.get(sessionId);
        final long imageId = imageId(header);
        if (null != existing && existing.destinationId != destinationId && existing.imageCorrelationId == imageId)
        {
            return SPOOFED;
        }
        if (null == existing && bySession.size() >= maxSessions && !dropDeadSessions())
        {
            return FULL;
        }
        bySession.put(sessionId, new Binding(destinationId, authenticated, imageId, sourceIdentity(header)));
        return destinationId;
    }

    /**
     * The destination a command from this frame's session may speak for.
     *
     * @param header        header of the command.
     * @param claimedId     destination id the command names, or {@link Protocol#BOUND_DESTINATION}.
     * @return the destination id, or {@link #UNBOUND} or {@link #SPOOFED}.
     */
    int authorise(final Header header, final int claimedId)
    {
        final Binding binding = bySession.get(header.sessionId());
        if (null == binding)
        {
            return UNBOUND;
        }
        final long imageId = imageId(header);
        if (imageId != binding.imageCorrelationId)
        {
            // an authenticated binding does not carry over: on IPC every source looks alike, and a session id can be
            // chosen by whoever creates the publication
            if (binding.authenticated || !sourceIdentity(header).equals(binding.sourceIdentity))
            {
                return UNBOUND;
            }
            binding.imageCorrelationId = imageId;
            counters.increment(TransportCounter.DESTINATION_RECONNECTS);
        }
        if (Protocol.BOUND_DESTINATION != claimedId && claimedId != binding.destinationId)
        {
            return SPOOFED;
        }
        return binding.destinationId;
    }

    /**
     * Number of sessions bound.
     *
     * @return the count.
     */
    int size()
    {
        return bySession.size();
    }

    /**
     * Write every binding to an image, by ascending session id (a replica's snapshot: the order must not depend on
     * the map's history).
     *
     * @param out the image.
     */
    void dump(final ImageWriter out)
    {
        final int[] sessions = new int[bySession.size()];
        int i = 0;
        for (final Int2ObjectHashMap<Binding>.KeyIterator keys = bySession.keySet().iterator(); keys.hasNext(); )
        {
            sessions[i++] = keys.nextInt();
        }
        java.util.Arrays.sort(sessions);
        out.putInt(sessions.length);
        for (final int sessionId : sessions)
        {
            final Binding binding = bySession.get(sessionId);
            final byte[] source = binding.sourceIdentity.getBytes(StandardCharsets.UTF_8);
            out.putInt(sessionId).putInt(binding.destinationId).putBoolean(binding.authenticated)
                .putLong(binding.imageCorrelationId).putBytes(source, source.length);
        }
    }

    /**
     * Replace every binding with those of an image {@link #dump} wrote.
     *
     * @param in the image.
     */
    void restore(final ImageReader in)
    {
        bySession.clear();
        for (int i = 0, count = in.getInt(); i < count; i++)
        {
            final int sessionId = in.getInt();
            final int destinationId = in.getInt();
            final boolean authenticated = in.getBoolean();
            final long imageId = in.getLong();
            final String source = new String(in.getBytes(null), 0, in.lastCount(), StandardCharsets.UTF_8);
            bySession.put(sessionId, new Binding(destinationId, authenticated, imageId, source));
        }
    }

    private boolean dropDeadSessions()
    {
        bySession.keySet().removeIf((sessionId) -> !isLive.test(sessionId));
        return bySession.size() < maxSessions;
    }

    /**
     * Which image a frame arrived on.
     *
     * @param header the frame's header.
     * @return the image's correlation id, or a fixed value when the header names no image (tests).
     */
    static long imageId(final Header header)
    {
        final Object context = header.context();
        return context instanceof Image ? ((Image)context).correlationId() : NO_IMAGE;
    }

    private static String sourceIdentity(final Header header)
    {
        final Object context = header.context();
        return context instanceof Image ? ((Image)context).sourceIdentity() : "";
    }
}

package io.acktracker.transport.inbound;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.aeron.logbuffer.Header;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;

/**
 * Which image each client's session was last opened from (its Aeron session and image), so that a client's numbered
 * commands and outbox confirms are taken only from there.
 * <p>
 * Why: a client process that dies leaves its publication in the media driver until the driver's client liveness
 * timeout (10 s by default), and what it had offered keeps arriving meanwhile. Its successor, a new process with the
 * same client id, opens the session, learns the tracker's applied-through and numbers its own commands from there:
 * the same sequences the dead process used for other commands. Taking both would apply, for each sequence, whichever
 * came first and confirm the other as a resend: a command confirmed but never applied (found by the session soak:
 * 1,331 acks of a killed destination's successor lost that way). An open moves the client to the open's image;
 * until a client opened a session in this tracker's life, its frames are taken from anywhere (after a tracker
 * restart, the only numbered frames are those of the process that was there before, and its successor's open tells
 * it where the tracker stands).
 * <p>
 * A frame refused here never reaches the engine (no state changes, its sequence is unused) and is answered
 * UNAUTHENTICATED to the session that sent it: the client holding the session ignores it (another session's
 * refusal), a live client whose own publication changed opens again and resends. Transport state, not journaled. On
 * a replicated tracker the "image" is the client's cluster session (a dead client process's messages can still reach
 * the log after its successor opened from a new cluster session): there the map is a function of the log, and part
 * of the snapshot ({@link #dump}, {@link #restore}) so that every member decides alike.
 * <p>
 * Allocates once per client id (its entry), never per frame. Threading: agent thread only.
 */
final class ClientImages
{
    private final Long2ObjectHashMap<Where> opened = new Long2ObjectHashMap<>();

    /** Where a client's session was last opened from. */
    private static final class Where
    {
        int sessionId;
        long imageId;
    }

    /**
     * A client's session was opened (applied) from this frame's image: its frames are taken from here on.
     *
     * @param header   the open's header.
     * @param clientId the client.
     */
    void opened(final Header header, final long clientId)
    {
        Where where = opened.get(clientId);
        if (null == where)
        {
            where = new Where();
            opened.put(clientId, where);
        }
        where.sessionId = header.sessionId();
        where.imageId = SessionBindings.imageId(header);
    }

    /**
     * Whether a client's numbered command or outbox confirm may be taken from this frame's image.
     *
     * @param header   the frame's header.
     * @param clientId the client it names.
     * @return true when from the image its session was last opened from, or when it has not opened one yet.
     */
    boolean permits(final Header header, final long clientId)
    {
        final Where where = opened.get(clientId);
        return null == where || where.sessionId == header.sessionId() &&
            where.imageId == SessionBindings.imageId(header);
    }

    /**
     * Whether a client's session was opened from this frame's image: where a client with a key may send from, once
     * its open proved its id.
     *
     * @param header   the frame's header.
     * @param clientId the client it names.
     * @return true only when it opened a session, from this image.
     */
    boolean openedFrom(final Header header, final long clientId)
    {
        final Where where = opened.get(clientId);
        return null != where && where.sessionId == header.sessionId() &&
            where.imageId == SessionBindings.imageId(header);
    }

    /**
     * Write every client's place, in client id order (the same bytes on every member).
     *
     * @param out the image.
     */
    void dump(final ImageWriter out)
    {
        final long[] clients = new long[opened.size()];
        int i = 0;
        for (final Long2ObjectHashMap<Where>.KeyIterator keys = opened.keySet().iterator(); keys.hasNext(); )
        {
            clients[i++] = keys.nextLong();
        }
        Arrays.sort(clients);
        out.putInt(clients.length);
        for (final long clientId : clients)
        {
            final Where where = opened.get(clientId);
            out.putLong(clientId).putInt(where.sessionId).putLong(where.imageId);
        }
    }

    /**
     * Replace every client's place with those of an image {@link #dump} wrote.
     *
     * @param in the image.
     */
    void restore(final ImageReader in)
    {
        opened.clear();
        for (int i = 0, count = in.getInt(); i < count; i++)
        {
            final Where where = new Where();
            final long clientId = in.getLong();
            where.sessionId = in.getInt();
            where.imageId = in.getLong();
            opened.put(clientId, where);
        }
    }
}

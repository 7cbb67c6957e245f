package io.acktracker.cluster;

import io.acktracker.transport.outbound.FrameSink;
import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import org.agrona.DirectBuffer;

import java.util.function.Consumer;

/**
 * The replicated tracker's outbound stream: each frame offered to every open client session's egress, as the
 * single-process tracker's outbound publication reaches every subscriber (clients pick what is theirs by client id,
 * destination or session). On a follower every offer is Aeron Cluster's mocked success: only the leader sends.
 * <p>
 * A frame is taken when at least one session took it; a session that was back pressured misses it and is counted
 * ({@link #missed()}): what a client is owed is in its outbox and comes again when it binds again. When every
 * session refuses, the refusal goes back to the caller, whose backlog keeps the frame. Service thread only.
 */
final class EgressBroadcast implements FrameSink
{
    private final Cluster cluster;
    private final Consumer<ClientSession> offerToSession = this::offerTo;
    private DirectBuffer buffer;
    private int offset;
    private int length;
    private long result;
    private int refused;
    private long missed;

    EgressBroadcast(final Cluster cluster)
    {
        this.cluster = cluster;
    }

    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        result = Publication.NOT_CONNECTED;
        refused = 0;
        // a reused consumer: no iterator or lambda allocated per frame
        cluster.forEachClientSession(offerToSession);
        this.buffer = null;
        if (result > 0)
        {
            missed += refused;
        }
        return result;
    }

    private void offerTo(final ClientSession session)
    {
        final long position = session.offer(buffer, offset, length);
        if (position > 0)
        {
            result = position;
        }
        else
        {
            refused++;
            if (result <= 0)
            {
                result = position;
            }
        }
    }

    /**
     * Frames a back-pressured session missed while others took them.
     *
     * @return the count.
     */
    long missed()
    {
        return missed;
    }
}

package io.acktracker.cluster;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.transport.client.OutboundAdapter;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.AckEncoder;
import io.acktracker.transport.codecs.DestinationHelloEncoder;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.TrackEncoder;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.exceptions.TimeoutException;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test's client of the replicated tracker over Aeron Cluster's ingress and egress, speaking the transport's
 * frames (Track, DestinationHello, Ack) and reading what comes back with the transport's own {@link OutboundAdapter}:
 * outcomes by message id, refusals. Offers are retried while the cluster is electing (polling the egress, where the
 * new leader is announced). Test thread only.
 */
final class ClusterTestClient implements AutoCloseable, EgressListener, TrackerClientHandler
{
    final Map<Long, List<Outcome>> outcomes = new ConcurrentHashMap<>();
    final List<RefusalCode> refusals = new CopyOnWriteArrayList<>();
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final AeronCluster cluster;
    private final OutboundAdapter adapter;

    ClusterTestClient(final String aeronDir, final String ingressEndpoints)
    {
        cluster = connect(aeronDir, ingressEndpoints);
        adapter = new OutboundAdapter(this, (int)cluster.clusterSessionId());
    }

    /** Connect, trying again (bounded) while the members are still electing their first leader. */
    private AeronCluster connect(final String aeronDir, final String ingressEndpoints)
    {
        final long deadline = System.nanoTime() + ClusterRig.DEADLINE_NS;
        while (true)
        {
            try
            {
                return AeronCluster.connect(new AeronCluster.Context()
                    .aeronDirectoryName(aeronDir)
                    .ingressChannel("aeron:udp")
                    .ingressEndpoints(ingressEndpoints)
                    .egressChannel("aeron:udp?endpoint=localhost:0")
                    .egressListener(this));
            }
            catch (final TimeoutException ex)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw ex;
                }
            }
        }
    }

    void hello(final int destinationId, final String name)
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + new DestinationHelloEncoder()
            .wrapAndApplyHeader(buffer, 0, header).destinationId((short)destinationId).name(name).encodedLength();
        send(length);
    }

    void track(final long messageId, final int destinationId)
    {
        final TrackEncoder encoder = new TrackEncoder().wrapAndApplyHeader(buffer, 0, header)
            .messageId(messageId).ackTimeoutNs(0).ttlNs(0).sequence(0).streamId(TrackEncoder.streamIdNullValue())
            .messageClass(0).requiredAcks((short)0).priority((byte)0).maxAttempts((short)0)
            .clientId(0).clientSequence(0);
        encoder.destinationsCount(1).next().destinationId((short)destinationId);
        encoder.putMetadata(new byte[0], 0, 0);
        send(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    void ack(final long messageId, final int destinationId)
    {
        send(MessageHeaderEncoder.ENCODED_LENGTH + new AckEncoder().wrapAndApplyHeader(buffer, 0, header)
            .messageId(messageId).destinationId((short)destinationId).clientId(0).clientSequence(0).encodedLength());
    }

    private void send(final int length)
    {
        ClusterRig.awaitUntil(() ->
        {
            if (cluster.offer(buffer, 0, length) > 0)
            {
                return true;
            }
            cluster.pollEgress();
            return false;
        }, "the cluster to take a frame");
    }

    int poll()
    {
        return cluster.pollEgress();
    }

    /**
     * Poll this client and another until this one has an outcome for every id of a range (bounded).
     *
     * @param from  first id.
     * @param to    last id.
     * @param other another client to keep polling (the destination).
     */
    void awaitOutcomes(final long from, final long to, final ClusterTestClient other)
    {
        ClusterRig.awaitUntil(() ->
        {
            poll();
            other.poll();
            for (long id = from; id <= to; id++)
            {
                if (!outcomes.containsKey(id))
                {
                    return false;
                }
            }
            return true;
        }, "outcomes of " + from + ".." + to);
    }

    /**
     * The member this client sends to, as the cluster last told it on the egress.
     *
     * @return the member id.
     */
    int leader()
    {
        return cluster.leaderMemberId();
    }

    public void onMessage(
        final long clusterSessionId,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        adapter.onFragment(buffer, offset, length, header);
    }

    public void onOutcome(
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts,
        final boolean replay)
    {
        outcomes.computeIfAbsent(messageId, (id) -> new CopyOnWriteArrayList<>()).add(outcome);
    }

    public void onRefused(
        final int refusedTemplateId, final long correlationId, final RefusalCode code, final int destinationId)
    {
        refusals.add(code);
    }

    public void close()
    {
        CloseHelper.quietClose(cluster);
    }
}

package io.acktracker.tools;

import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.aeron.Aeron;
import org.agrona.CloseHelper;

import java.nio.file.Path;
import java.util.List;

/**
 * Where the load goes: the tracker's driver, its command and outcome streams, and the destinations to ack as (names
 * with their ids in the tracker's registry).
 * <p>
 * Threading: one thread.
 *
 * @param aeron            a client of the tracker's media driver.
 * @param aeronDir         that driver's directory, for messages.
 * @param channel          the tracker's inbound channel.
 * @param streamId         the tracker's inbound stream id.
 * @param outboundChannel  the tracker's outbound channel, as seen from here.
 * @param outboundStreamId the tracker's outbound stream id.
 * @param names            destination names.
 * @param ids              their ids, in the same order.
 */
record LoadTarget(
    Aeron aeron,
    Path aeronDir,
    String channel,
    int streamId,
    String outboundChannel,
    int outboundStreamId,
    List<String> names,
    int[] ids)
{
    TrackerClient newClient(final TrackerClientHandler handler)
    {
        return new TrackerClient(aeron, channel, streamId, outboundChannel, outboundStreamId, handler);
    }

    AckPublisher[] newPublishers()
    {
        final AckPublisher[] publishers = new AckPublisher[names.size()];
        try
        {
            for (int i = 0; i < publishers.length; i++)
            {
                publishers[i] = new AckPublisher(aeron, channel, streamId, names.get(i), ids[i]);
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

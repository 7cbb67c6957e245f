package io.acktracker.transport.loss;

import io.acktracker.transport.codecs.AckDecoder;
import io.acktracker.transport.codecs.MessageHeaderDecoder;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import io.aeron.driver.ext.RandomLossGenerator;
import io.aeron.driver.ReceiveChannelEndpointSupplier;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import io.aeron.protocol.HeaderFlyweight;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loss injection with the media driver's own debug endpoint: {@link DebugReceiveChannelEndpoint} with loss generators
 * built around Aeron's {@link RandomLossGenerator} (seeded), handed to a driver through
 * {@code MediaDriver.Context.receiveChannelEndpointSupplier(...)}.
 * <p>
 * Why not the {@code aeron.ReceiveChannelEndpoint.supplier=...DebugReceiveChannelEndpointSupplier} system property
 * with {@code aeron.debug.receive.data.loss.rate}: the loss rates and seeds are {@code static final} fields of
 * {@code DebugChannelEndpointConfiguration}, read once when that class is first loaded, so in a shared test JVM the
 * first test to touch it would fix the rate for every later one, and the supplier property would turn every driver
 * launched while it is set into a lossy one. A supplier on the context touches no global state.
 * <p>
 * The generators count what they drop, so a test can reconcile what was sent with what arrived. They run on the
 * driver's receiver thread; the counts are read from the test thread.
 */
final class WireLoss
{
    private WireLoss()
    {
    }

    /**
     * A driver's receive endpoints drop data datagrams with {@code data} and nothing else (setup, RTT and control
     * frames pass).
     *
     * @param data the data loss generator.
     * @return the supplier for {@code MediaDriver.Context.receiveChannelEndpointSupplier}.
     */
    static ReceiveChannelEndpointSupplier dropping(final LossGenerator data)
    {
        final LossGenerator none = (address, buffer, length) -> false;
        return (udpChannel, dispatcher, statusIndicator, context) ->
            new DebugReceiveChannelEndpoint(udpChannel, dispatcher, statusIndicator, context, data, none);
    }

    /**
     * Datagrams the kernel dropped on a UDP socket bound to {@code port} because its receive buffer was full, from
     * the {@code drops} column of {@code /proc/net/udp} (Linux). On a {@code reliable=false} subscription these are
     * lost for good just like the generator's, but nobody chose them (a Track can go too), so a test that reconciles
     * exactly must see none.
     *
     * @param port local UDP port.
     * @return drops on every socket bound to that port, or -1 when the kernel does not say.
     */
    static long kernelDrops(final int port)
    {
        final String suffix = String.format(":%04X", port);
        long drops = -1;
        for (final String table : new String[]{"/proc/net/udp", "/proc/net/udp6"})
        {
            final List<String> lines;
            try
            {
                lines = Files.readAllLines(Paths.get(table));
            }
            catch (final IOException | UncheckedIOException ex)
            {
                continue;
            }
            for (int i = 1; i < lines.size(); i++)
            {
                final String[] fields = lines.get(i).trim().split("\\s+");
                if (fields.length > 12 && fields[1].endsWith(suffix))
                {
                    drops = Math.max(drops, 0) + Long.parseLong(fields[fields.length - 1]);
                }
            }
        }
        return drops;
    }

    /**
     * A seeded {@link RandomLossGenerator} applied to the data datagrams of one stream only; what to offer it, and
     * what to count, is the subclass's. Frames without a stream id (setup, RTT, control) always pass.
     */
    abstract static class OneStream implements LossGenerator
    {
        final LossGenerator random;
        private final int streamId;

        OneStream(final double rate, final long seed, final int streamId)
        {
            this.random = new RandomLossGenerator(rate, seed);
            this.streamId = streamId;
        }

        /**
         * Whether to drop a data datagram of this stream.
         */
        abstract boolean shouldDrop(InetSocketAddress address, UnsafeBuffer buffer, int length);

        public boolean shouldDropFrame(final InetSocketAddress address, final UnsafeBuffer buffer, final int length)
        {
            return false;
        }

        public boolean shouldDropFrame(
            final InetSocketAddress address,
            final UnsafeBuffer buffer,
            final int streamId,
            final int sessionId,
            final int termId,
            final int termOffset,
            final int length)
        {
            return streamId == this.streamId && shouldDrop(address, buffer, length);
        }
    }

    /**
     * Drops data datagrams of one stream at random (Aeron's {@link RandomLossGenerator}), whatever they carry, and
     * counts them. Setup and RTT frames are never dropped, so connections form at once.
     */
    static final class RandomData extends OneStream
    {
        private final AtomicLong dropped = new AtomicLong();
        private final AtomicLong seen = new AtomicLong();

        RandomData(final double rate, final long seed, final int streamId)
        {
            super(rate, seed, streamId);
        }

        boolean shouldDrop(final InetSocketAddress address, final UnsafeBuffer buffer, final int length)
        {
            seen.incrementAndGet();
            if (random.shouldDropFrame(address, buffer, length))
            {
                dropped.incrementAndGet();
                return true;
            }
            return false;
        }

        long dropped()
        {
            return dropped.get();
        }

        long seen()
        {
            return seen.get();
        }
    }

    /**
     * Drops datagrams of the tracker's inbound stream that carry nothing but Ack frames, each with a given
     * probability (Aeron's {@link RandomLossGenerator} decides), and counts the datagrams and the Ack frames in
     * them. Datagrams holding anything else (a hello, a track, a heartbeat) always pass, so what is lost is exactly
     * a fraction of the acks. On a {@code reliable=false} subscription a dropped datagram is gone for good: the
     * receiver fills the gap ({@code LOSS_GAP_FILLS}) rather than asking for it again.
     */
    static final class AckOnly extends OneStream
    {
        private final AtomicLong droppedDatagrams = new AtomicLong();
        private final AtomicLong droppedAcks = new AtomicLong();
        private final AtomicLong ackDatagrams = new AtomicLong();

        AckOnly(final double rate, final long seed, final int streamId)
        {
            super(rate, seed, streamId);
        }

        boolean shouldDrop(final InetSocketAddress address, final UnsafeBuffer buffer, final int length)
        {
            final int acks = ackFrames(buffer, length);
            if (0 == acks)
            {
                return false;
            }
            ackDatagrams.incrementAndGet();
            if (random.shouldDropFrame(address, buffer, length))
            {
                droppedDatagrams.incrementAndGet();
                droppedAcks.addAndGet(acks);
                return true;
            }
            return false;
        }

        /**
         * @return how many Ack frames the datagram holds when it holds only Ack frames (a trailing padding frame
         * allowed), otherwise 0.
         */
        private static int ackFrames(final UnsafeBuffer buffer, final int length)
        {
            int acks = 0;
            int offset = 0;
            while (offset + DataHeaderFlyweight.HEADER_LENGTH <= length)
            {
                final int frameLength = buffer.getInt(offset + HeaderFlyweight.FRAME_LENGTH_FIELD_OFFSET,
                    ByteOrder.LITTLE_ENDIAN);
                final int type = buffer.getShort(offset + HeaderFlyweight.TYPE_FIELD_OFFSET,
                    ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
                if (HeaderFlyweight.HDR_TYPE_PAD == type)
                {
                    break;
                }
                final int payload = offset + DataHeaderFlyweight.HEADER_LENGTH;
                if (HeaderFlyweight.HDR_TYPE_DATA != type ||
                    frameLength < DataHeaderFlyweight.HEADER_LENGTH + MessageHeaderDecoder.ENCODED_LENGTH ||
                    payload + MessageHeaderDecoder.ENCODED_LENGTH > length ||
                    AckDecoder.TEMPLATE_ID != (buffer.getShort(
                        payload + MessageHeaderDecoder.templateIdEncodingOffset(), ByteOrder.LITTLE_ENDIAN) & 0xFFFF))
                {
                    return 0;
                }
                acks++;
                offset += BitUtil.align(frameLength, FrameDescriptor.FRAME_ALIGNMENT);
            }
            return acks;
        }

        long droppedDatagrams()
        {
            return droppedDatagrams.get();
        }

        long droppedAcks()
        {
            return droppedAcks.get();
        }

        long ackDatagrams()
        {
            return ackDatagrams.get();
        }
    }
}

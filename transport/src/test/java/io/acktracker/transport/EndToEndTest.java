package io.acktracker.transport;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.TrackEncoder;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.RandomLossGenerator;
import io.aeron.driver.status.SystemCounterDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Senders and destinations talking to a tracker over a real embedded media driver, on IPC and on UDP loopback (also
 * with the driver's loss generator dropping a fifth of the data packets it receives: Aeron recovers them, and every
 * ack still counts exactly once).
 */
@Timeout(60)
class EndToEndTest
{
    private static final int MESSAGES = 300;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ipc", "udp", "udp with 20% of data packets lost"})
    void shouldCompleteTrackedMessagesWhenDestinationsAckFromTheirOwnThreads(final String media) throws Exception
    {
        final String inbound = channel(media);
        final String outbound = channel(media);
        final boolean lossy = media.contains("lost");
        try (TrackerRig rig = new TrackerRig((driver) ->
            {
                if (lossy)
                {
                    driver.receiveChannelEndpointSupplier((udpChannel, dispatcher, status, context) ->
                        new DebugReceiveChannelEndpoint(udpChannel, dispatcher, status, context,
                            new RandomLossGenerator(0.2, 42), new RandomLossGenerator(0, 42)));
                }
            },
            (transport) -> transport.inboundChannel(inbound).outboundChannel(outbound), (tracker) -> {}))
        {
            final Map<Long, Outcome> seen = new ConcurrentHashMap<>();
            final TrackerClientHandler handler = (id, outcome, reason, latencyNs, attempts, replay) ->
                assertThat(seen.put(id, outcome)).as("outcome of %d told once", id).isNull();
            try (TrackerClient client = new TrackerClient(rig.aeron, inbound, Protocol.DEFAULT_INBOUND_STREAM_ID,
                outbound, Protocol.DEFAULT_OUTBOUND_STREAM_ID, handler))
            {
                rig.awaitUntil("client connected", client::isConnected, () -> client.poll(10));
                final TrackRequest request = new TrackRequest();
                for (long id = 1; id <= MESSAGES; id++)
                {
                    request.reset().messageId(id).destinations(DestinationRegistry.mask(0, 1, 2));
                    rig.awaitUntil("track " + id + " sent", () -> client.tryTrack(request) > 0);
                    rig.doWork();
                }
                rig.awaitUntil("all tracked", () -> rig.tracker.agent().pendingCount() == MESSAGES);

                final List<Thread> destinations = new ArrayList<>();
                final AtomicReference<Throwable> failure = new AtomicReference<>();
                for (final String name : new String[]{"a", "b", "c"})
                {
                    final Thread thread = new Thread(() -> ackAll(rig, inbound, name, failure), "dest-" + name);
                    destinations.add(thread);
                    thread.start();
                }

                rig.awaitUntil("every outcome received", () -> seen.size() == MESSAGES, () -> client.poll(64));
                for (final Thread thread : destinations)
                {
                    thread.join();
                }
                assertThat(failure.get()).isNull();
                assertThat(seen.values()).containsOnly(Outcome.COMPLETED);
                assertThat(rig.outcomes).hasSize(MESSAGES);
                assertThat(rig.tracker.counters().value(TrackerCounter.ACKS)).isEqualTo(3L * MESSAGES);
                assertThat(rig.counter(TransportCounter.ACKS_RECEIVED)).isEqualTo(3L * MESSAGES);
                assertThat(rig.counter(TransportCounter.HELLOS)).isEqualTo(3);
                assertThat(rig.counter(TransportCounter.OUTCOMES_SENT)).isEqualTo(MESSAGES);
                assertThat(rig.counter(TransportCounter.MALFORMED_FRAMES)).isZero();
                assertThat(rig.transport.destinationStats().acks(0)).isEqualTo(MESSAGES);
                if (lossy)
                {
                    assertThat(rig.driver.mediaDriver().context().systemCounters()
                        .get(SystemCounterDescriptor.NAK_MESSAGES_SENT).get()).as("losses recovered by NAK").isPositive();
                }
            }
        }
    }

    private static void ackAll(
        final TrackerRig rig, final String channel, final String name, final AtomicReference<Throwable> failure)
    {
        try (AckPublisher publisher = new AckPublisher(rig.aeron, channel, Protocol.DEFAULT_INBOUND_STREAM_ID, name,
            Protocol.BOUND_DESTINATION))
        {
            final long deadlineNs = System.nanoTime() + TrackerRig.DEADLINE_NS;
            for (long id = 1; id <= MESSAGES; id++)
            {
                while (publisher.tryAck(id) < 0)
                {
                    if (System.nanoTime() - deadlineNs > 0)
                    {
                        throw new AssertionError(name + " could not ack " + id);
                    }
                    Thread.yield();
                }
            }
        }
        catch (final Throwable ex)
        {
            failure.set(ex);
        }
    }

    @Test
    void shouldApplyCumulativeAckToEveryMessageOnItsStream()
    {
        try (TrackerRig rig = TrackerRig.ipc();
            AckPublisher a = new AckPublisher(rig.aeron, "a");
            AckPublisher b = new AckPublisher(rig.aeron, "b"))
        {
            final TrackRequest request = new TrackRequest();
            for (long sequence = 1; sequence <= 10; sequence++)
            {
                rig.tracker.agent().track(request.reset().messageId(100 + sequence)
                    .destinations(DestinationRegistry.mask(0, 1)).stream(5, sequence));
            }

            rig.awaitUntil("a's cumulative ack sent", () -> a.tryCumulativeAck(5, 7) > 0);
            rig.awaitUntil("b's cumulative ack sent", () -> b.tryCumulativeAck(5, 4) > 0);
            rig.awaitUntil("four completed", () -> rig.outcomes.size() == 4);
            rig.awaitUntil("b's second cumulative ack sent", () -> b.tryCumulativeAck(5, 10) > 0);
            rig.awaitUntil("seven completed", () -> rig.outcomes.size() == 7);

            assertThat(rig.outcomes).extracting(TrackerRig.Seen::messageId)
                .containsExactlyInAnyOrder(101L, 102L, 103L, 104L, 105L, 106L, 107L);
            assertThat(rig.tracker.agent().pendingCount()).isEqualTo(3);
            assertThat(rig.counter(TransportCounter.CUMULATIVE_ACKS_RECEIVED)).isEqualTo(3);
        }
    }

    @Test
    void shouldTellTheSenderWhenItsTrackIsRefused()
    {
        try (TrackerRig rig = TrackerRig.ipc())
        {
            final List<String> refusals = new ArrayList<>();
            final TrackerClientHandler handler = new TrackerClientHandler()
            {
                public void onOutcome(final long messageId, final Outcome outcome, final FailureReason reason,
                    final long latencyNs, final int attempts, final boolean replay)
                {
                }

                public void onRefused(final int templateId, final long correlationId, final RefusalCode code,
                    final int destinationId)
                {
                    refusals.add(templateId + ":" + correlationId + ":" + code);
                }
            };
            try (TrackerClient client = new TrackerClient(rig.aeron, handler))
            {
                final TrackRequest request = new TrackRequest().reset().messageId(9).destinations(1L << 40);
                rig.awaitUntil("track sent", () -> client.tryTrack(request) > 0, () -> client.poll(10));
                rig.awaitUntil("refusal received", () -> !refusals.isEmpty(), () -> client.poll(10));

                assertThat(refusals).containsExactly(TrackEncoder.TEMPLATE_ID + ":9:UNKNOWN_DESTINATION");
                assertThat(rig.counter(TransportCounter.TRACKS_REFUSED)).isEqualTo(1);
                assertThat(rig.tracker.agent().pendingCount()).isZero();
            }
        }
    }

    @Test
    void shouldContinueWhenADestinationPublisherClosesAndReconnects()
    {
        try (TrackerRig rig = TrackerRig.ipc())
        {
            final TrackRequest request = new TrackRequest();
            rig.tracker.agent().track(request.reset().messageId(1).destinations(DestinationRegistry.mask(0)));
            rig.tracker.agent().track(request.reset().messageId(2).destinations(DestinationRegistry.mask(0)));

            try (AckPublisher first = new AckPublisher(rig.aeron, "a"))
            {
                rig.awaitUntil("first ack sent", () -> first.tryAck(1) > 0);
                rig.awaitUntil("first completed", () -> rig.outcomes.size() == 1);
            }
            rig.awaitUntil("image unavailable counted", () -> rig.counter(TransportCounter.IMAGES_UNAVAILABLE) == 1);

            try (AckPublisher second = new AckPublisher(rig.aeron, "a"))
            {
                rig.awaitUntil("second ack sent", () -> second.tryAck(2) > 0);
                rig.awaitUntil("second completed", () -> rig.outcomes.size() == 2);
            }
            assertThat(rig.counter(TransportCounter.IMAGES_AVAILABLE)).isEqualTo(2);
            assertThat(rig.counter(TransportCounter.HELLOS)).isEqualTo(2);
            assertThat(rig.counter(TransportCounter.UNBOUND_REFUSED)).isZero();
        }
    }

    static String channel(final String media)
    {
        if ("ipc".equals(media))
        {
            return Protocol.DEFAULT_CHANNEL;
        }
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return "aeron:udp?endpoint=127.0.0.1:" + socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}

package io.acktracker.transport;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.TrackerCommands;
import io.acktracker.engine.state.StateImage;
import io.acktracker.transport.inbound.InboundPrefetch;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Proxy;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first pass over an inbound poll ({@code inboundPrefetch}, {@link InboundPrefetch}) reads and changes nothing:
 * it walks at most the poll's fragment limit, across images, without moving any image's position, and exactly the
 * frames the next poll reads; and two trackers, one with the pass and one without, fed the same frames over Aeron
 * IPC (good commands, refused ones, malformed frames, frames too long for one fragment) with the same small fragment
 * limit and the same manual clock, tell the same outcomes, count the same, and reach the same engine state byte for
 * byte.
 */
@Timeout(120)
class InboundPrefetchTest
{
    private static final int FRAGMENT_LIMIT = 37;
    private static final String[] NAMES = {"a", "b", "c"};

    private final TestFrames frames = new TestFrames();

    @Test
    void shouldWalkAtMostTheFragmentLimitAcrossImagesAndConsumeNothing()
    {
        try (TrackerRig rig = TrackerRig.ipc();
            ExclusivePublication first = rig.aeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID);
            ExclusivePublication second = rig.aeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID))
        {
            rig.awaitUntil("connected", () -> first.isConnected() && second.isConnected() &&
                2 == rig.transport.subscription().imageCount());
            for (long id = 1; id <= 60; id++)
            {
                rig.tracker.agent().track(id, DestinationRegistry.mask(0, 1));
            }
            offer(first, frames.hello(Protocol.BOUND_DESTINATION, "a"));
            for (long id = 1; id <= 30; id++)
            {
                offer(first, frames.ack(id, Protocol.BOUND_DESTINATION));
                offer(second, frames.ack(30 + id, 1));
            }
            final Image imageOne = rig.transport.subscription().imageBySessionId(first.sessionId());
            final Image imageTwo = rig.transport.subscription().imageBySessionId(second.sessionId());
            final long positionOne = imageOne.position();
            final long positionTwo = imageTwo.position();

            final InboundPrefetch limited = new InboundPrefetch(rig.transport.subscription(), rig.tracker.agent(), 50);
            for (int i = 0; i < 4; i++)
            {
                assertThat(limited.run()).as("bounded by the fragment limit").isEqualTo(50);
            }
            final InboundPrefetch all = new InboundPrefetch(rig.transport.subscription(), rig.tracker.agent(), 1000);
            assertThat(all.run()).as("every waiting fragment of both images").isEqualTo(61);
            assertThat(all.touched()).as("pending records were read").isNotZero();
            assertThat(imageOne.position()).isEqualTo(positionOne);
            assertThat(imageTwo.position()).isEqualTo(positionTwo);
            assertThat(rig.counter(TransportCounter.FRAMES_RECEIVED)).isZero();

            rig.awaitUntil("every frame applied", () -> rig.counter(TransportCounter.FRAMES_RECEIVED) == 61);
            assertThat(all.run()).as("nothing left to walk").isZero();
            assertThat(rig.tracker.agent().pendingCount()).as("acks from a; b's session is unbound").isEqualTo(60);
            assertThat(rig.tracker.status(1).hasAcked(0)).isTrue();
            assertThat(rig.counter(TransportCounter.UNBOUND_REFUSED)).isEqualTo(30);
        }
    }

    /**
     * Cycle after cycle, the pass touches exactly the messages the poll that follows it applies, in the same order:
     * the same images from the same round-robin start, the same fragment limit.
     */
    @Test
    void shouldWalkExactlyWhatTheNextPollTakes()
    {
        final List<Long> touched = new ArrayList<>();
        final TrackerCommands recorder = (TrackerCommands)Proxy.newProxyInstance(
            TrackerCommands.class.getClassLoader(), new Class<?>[] {TrackerCommands.class},
            (proxy, method, args) ->
            {
                if ("touch".equals(method.getName()))
                {
                    touched.add((Long)args[0]);
                    return 0L;
                }
                throw new UnsupportedOperationException(method.getName());
            });
        final List<Long> polled = new ArrayList<>();
        final FragmentHandler poller = (buffer, offset, length, header) ->
            polled.add(buffer.getLong(offset + TestFrames.HEADER, ByteOrder.LITTLE_ENDIAN));
        final int[] counts = {70, 20, 45};
        final ExclusivePublication[] publications = new ExclusivePublication[counts.length];
        try (EmbeddedDriver driver = EmbeddedDriver.launch(EmbeddedDriver.context("test"));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            Subscription subscription = aeron.addSubscription(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID))
        {
            for (int i = 0; i < counts.length; i++)
            {
                publications[i] = aeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
                    Protocol.DEFAULT_INBOUND_STREAM_ID);
            }
            final long deadlineNs = System.nanoTime() + TrackerRig.DEADLINE_NS;
            while (subscription.imageCount() < counts.length)
            {
                assertThat(System.nanoTime() - deadlineNs).as("images").isNegative();
                Thread.yield();
            }
            for (int i = 0; i < counts.length; i++)
            {
                for (int j = 0; j < counts[i]; j++)
                {
                    offer(publications[i], frames.ack(1000L * (i + 1) + j, 0));
                }
            }

            final InboundPrefetch prefetch = new InboundPrefetch(subscription, recorder, 25);
            int total = 0;
            for (int cycle = 0; cycle < 20; cycle++)
            {
                touched.clear();
                polled.clear();
                final int walked = prefetch.run();
                final int read = subscription.poll(poller, 25);
                assertThat(walked).isEqualTo(read);
                assertThat(touched).as("cycle %d", cycle).isEqualTo(polled);
                total += read;
            }
            assertThat(total).isEqualTo(70 + 20 + 45);
        }
        finally
        {
            CloseHelper.closeAll(publications);
        }
    }

    @Test
    void shouldChangeNoOutcomeCounterOrStateWhateverTheFramesHold()
    {
        final ManualClock clock = new ManualClock();
        TrackerRig with = null;
        TrackerRig without = null;
        final ExclusivePublication[] withPublications = new ExclusivePublication[NAMES.length];
        final ExclusivePublication[] withoutPublications = new ExclusivePublication[NAMES.length];
        try
        {
            with = rig(clock, true);
            without = rig(clock, false);
            bind(with, withPublications);
            bind(without, withoutPublications);

            final SplittableRandom random = new SplittableRandom(13);
            long nextId = 1;
            for (int round = 0; round < 400; round++)
            {
                final int sender = random.nextInt(NAMES.length);
                final int count = 1 + random.nextInt(120);
                for (int i = 0; i < count; i++)
                {
                    final int length;
                    final int kind = random.nextInt(100);
                    if (kind < 22)
                    {
                        length = frames.track(nextId++, new int[] {0, 1, 2}, random.nextInt(40));
                    }
                    else
                    {
                        length = command(kind, 1 + random.nextLong(nextId + 3), sender, random);
                    }
                    offer(withPublications[sender], length);
                    offer(withoutPublications[sender], length);
                }
                drain(with, withPublications[sender]);
                drain(without, withoutPublications[sender]);
                clock.advanceMs(random.nextInt(25));
                for (int i = 0; i < 3; i++)
                {
                    with.doWork();
                    without.doWork();
                }
            }

            assertThat(with.outcomes.size()).isGreaterThan(1000);
            assertThat(with.outcomes).isEqualTo(without.outcomes);
            assertThat(with.transport.counters().values()).isEqualTo(without.transport.counters().values());
            assertThat(with.counter(TransportCounter.MALFORMED_FRAGMENTED)).isPositive();
            assertThat(with.counter(TransportCounter.MALFORMED_SCHEMA)).isPositive();
            assertThat(with.counter(TransportCounter.MALFORMED_SHORT)).isPositive();
            assertThat(with.counter(TransportCounter.SPOOFED_REFUSED)).isPositive();
            assertThat(with.tracker.agent().pendingCount()).isPositive();
            assertThat(image(with)).isEqualTo(image(without));
        }
        finally
        {
            CloseHelper.closeAll(withPublications);
            CloseHelper.closeAll(withoutPublications);
            CloseHelper.closeAll(with, without);
        }
    }

    /**
     * One frame that is not a Track: mostly acks (some for unknown or finished messages, some claiming another
     * destination), then nacks, rejects, cumulative acks, and malformed frames of three kinds.
     */
    private int command(final int kind, final long id, final int sender, final SplittableRandom random)
    {
        final int destination = random.nextInt(10) == 0 ? (sender + 1) % NAMES.length : Protocol.BOUND_DESTINATION;
        if (kind < 70)
        {
            return frames.ack(id, destination);
        }
        if (kind < 78)
        {
            return frames.nack(id, destination, "busy");
        }
        if (kind < 82)
        {
            return frames.reject(id, destination, "poison");
        }
        if (kind < 86)
        {
            return frames.cumulativeAck(1, destination, id);
        }
        if (kind < 91)
        {
            final int length = frames.ack(id, destination);
            frames.putShort(TestFrames.SCHEMA_ID_OFFSET, 4242);
            return length;
        }
        if (kind < 96)
        {
            // an ack cut short inside its header or its message id: the pass must not read past the fragment
            frames.ack(id, destination);
            return 1 + random.nextInt(TestFrames.HEADER + 7);
        }
        // an ack followed by enough bytes to need several fragments: its first fragment starts like an ack
        frames.ack(id, destination);
        return 3000;
    }

    private static TrackerRig rig(final ManualClock clock, final boolean prefetch)
    {
        // 256 KiB terms: a round's frames (up to ~25 KiB) fit in the publication window before the tracker reads any
        return new TrackerRig((driver) -> driver.ipcTermBufferLength(256 * 1024),
            (transport) -> transport.fragmentLimit(FRAGMENT_LIMIT).inboundPrefetch(prefetch),
            (tracker) -> tracker.epochClock(clock).nanoClock(clock).randomSeed(5)
                .destinations(NAMES)
                .defaultAckTimeoutNs(TimeUnit.MILLISECONDS.toNanos(60))
                .defaultTtlNs(TimeUnit.MILLISECONDS.toNanos(400)));
    }

    private void bind(final TrackerRig rig, final ExclusivePublication[] publications)
    {
        for (int i = 0; i < publications.length; i++)
        {
            publications[i] = rig.aeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID);
        }
        rig.awaitUntil("connected", () -> publications[0].isConnected() && publications[1].isConnected() &&
            publications[2].isConnected());
        for (int i = 0; i < publications.length; i++)
        {
            offer(publications[i], frames.hello(Protocol.BOUND_DESTINATION, NAMES[i]));
        }
        rig.awaitUntil("bound", () -> rig.counter(TransportCounter.HELLOS) == NAMES.length);
    }

    private void offer(final ExclusivePublication publication, final int length)
    {
        final long deadlineNs = System.nanoTime() + TrackerRig.DEADLINE_NS;
        while (publication.offer(frames.buffer, 0, length) < 0)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("could not offer: " + publication.offer(frames.buffer, 0, length));
            }
            Thread.yield();
        }
    }

    /**
     * Run the tracker's duty cycle until its subscription has read everything the publication offered.
     */
    private static void drain(final TrackerRig rig, final ExclusivePublication publication)
    {
        final Image image = rig.transport.subscription().imageBySessionId(publication.sessionId());
        rig.awaitUntil("drained", () -> image.position() == publication.position());
    }

    private static byte[] image(final TrackerRig rig)
    {
        final StateImage image = new StateImage();
        rig.tracker.agent().appendState(image);
        return image.toByteArray();
    }
}

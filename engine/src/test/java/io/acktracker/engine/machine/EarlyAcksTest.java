package io.acktracker.engine.machine;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The early-ack window's bound counts acks still held, not ring entries: acks applied with their Track free their
 * room at once, however long their window has to run, and the ring compacts when it fills with them.
 */
class EarlyAcksTest
{
    private static final long WINDOW_NS = 1_000_000_000L;
    private static final int CAPACITY = 4;

    private final List<String> fates = new ArrayList<>();
    private final EarlyAcks.Listener listener = new EarlyAcks.Listener()
    {
        public void dropped(final long messageId, final int owner, final long sequence)
        {
            fates.add("dropped " + messageId + " owner " + owner + " seq " + sequence);
        }

        public void released(final int owner)
        {
            fates.add("released " + owner);
        }
    };

    @Test
    void shouldHoldAgainOnceHeldAcksAreAppliedWithinTheirWindow()
    {
        final EarlyAcks acks = new EarlyAcks(CAPACITY, WINDOW_NS, listener);
        long nowNs = 0;
        // a steady stream of early acks, each applied (taken) when its Track comes a moment later: far more than the
        // capacity within one window, and never more than one held at a time
        for (long id = 1; id <= 100; id++)
        {
            assertThat(acks.hold(id, 0, nowNs++, 1, id)).as("ack of %d", id).isEqualTo(EarlyAcks.HELD);
            acks.take(id, 1L);
            assertThat(acks.heldAcks()).isZero();
        }

        // every numbered ack was applied: each reservation was released, none dropped, none twice
        acks.expire(nowNs + WINDOW_NS, Integer.MAX_VALUE);
        assertThat(fates).hasSize(100).allMatch("released 1"::equals);
    }

    @Test
    void shouldRefuseBeyondTheCapacityOfAcksStillHeld()
    {
        final EarlyAcks acks = new EarlyAcks(CAPACITY, WINDOW_NS, listener);
        for (long id = 1; id <= CAPACITY; id++)
        {
            assertThat(acks.hold(id, 0, id, -1, 0)).isEqualTo(EarlyAcks.HELD);
        }
        assertThat(acks.hold(99, 0, 10, -1, 0)).isEqualTo(EarlyAcks.NOT_HELD);
        assertThat(acks.hold(2, 0, 10, -1, 0)).as("a second ack of a held message").isEqualTo(
            EarlyAcks.HELD_WITH_FIRST);

        acks.take(2, 1L);
        assertThat(acks.heldAcks()).isEqualTo(CAPACITY - 1);
        assertThat(acks.hold(99, 0, 11, -1, 0)).isEqualTo(EarlyAcks.HELD);
    }

    @Test
    void shouldKeepLiveAcksInArrivalOrderWhenTheRingCompacts()
    {
        final EarlyAcks acks = new EarlyAcks(CAPACITY, WINDOW_NS, listener);
        // two held for good (ids 1 and 2, numbered), then enough applied ones to fill the ring twice over
        assertThat(acks.hold(1, 0, 0, 0, 501)).isEqualTo(EarlyAcks.HELD);
        assertThat(acks.hold(2, 3, 1, 0, 502)).isEqualTo(EarlyAcks.HELD);
        for (long id = 10; id < 30; id++)
        {
            assertThat(acks.hold(id, 1, id, 1, id)).isEqualTo(EarlyAcks.HELD);
            acks.take(id, 2L);
        }
        assertThat(acks.heldAcks()).isEqualTo(2);
        assertThat(fates).as("compactions released applied numbered acks early").isNotEmpty()
            .allMatch("released 1"::equals);

        // the two live ones expire first and in order, told dropped with their own sequence
        fates.clear();
        acks.expire(WINDOW_NS + 1, Integer.MAX_VALUE);
        assertThat(fates).containsExactly("dropped 1 owner 0 seq 501", "dropped 2 owner 0 seq 502");
        assertThat(acks.heldAcks()).isZero();
        assertThat(acks.size()).isZero();
    }

    @Test
    void shouldRestoreTheSameHoldingsAndBoundFromAnImage()
    {
        final EarlyAcks acks = new EarlyAcks(CAPACITY, WINDOW_NS, listener);
        acks.hold(1, 0, 0, -1, 0);
        acks.hold(1, 2, 1, -1, 0);
        acks.hold(7, 1, 2, 0, 70);
        acks.hold(8, 1, 3, -1, 0);
        acks.take(8, 2L);

        final ImageWriter image = new ImageWriter(1024);
        acks.dump(image);
        final EarlyAcks restored = new EarlyAcks(CAPACITY, WINDOW_NS, listener);
        restored.restore(new ImageReader(image.buffer(), image.length()));

        assertThat(restored.heldAcks()).isEqualTo(3);
        assertThat(restored.peek(1)).isEqualTo(0b101L);
        assertThat(restored.hold(9, 0, 4, -1, 0)).isEqualTo(EarlyAcks.HELD);
        assertThat(restored.hold(10, 0, 5, -1, 0)).isEqualTo(EarlyAcks.NOT_HELD);

        final ImageWriter again = new ImageWriter(1024);
        acks.hold(9, 0, 4, -1, 0);
        acks.dump(image.reset());
        restored.dump(again);
        assertThat(bytes(again)).isEqualTo(bytes(image));
    }

    private static byte[] bytes(final ImageWriter image)
    {
        final byte[] bytes = new byte[image.length()];
        image.buffer().getBytes(0, bytes);
        return bytes;
    }
}

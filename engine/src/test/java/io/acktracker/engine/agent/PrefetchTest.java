package io.acktracker.engine.agent;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.state.StateImage;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.acktracker.engine.Trackers.START_NS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first pass over a batch of queued commands ({@code prefetchCommands}) reads and changes nothing: two trackers,
 * one with the pass and one without, fed the same commands through a small command ring that wraps many times (with
 * the ring's padding records at its end), tell the same outcomes and reach the same state, byte for byte.
 */
class PrefetchTest
{
    @Test
    void shouldChangeNothingWhateverTheRingHolds()
    {
        final TestClock clockWith = new TestClock(START_NS);
        final TestClock clockWithout = new TestClock(START_NS);
        final Trackers.Outcomes outcomesWith = new Trackers.Outcomes();
        final Trackers.Outcomes outcomesWithout = new Trackers.Outcomes();
        try (AckTracker with = AckTracker.open(Trackers.config(clockWith, outcomesWith).commandBufferLength(4096)
                .commandLimit(37).prefetchCommands(true));
            AckTracker without = AckTracker.open(Trackers.config(clockWithout, outcomesWithout)
                .commandBufferLength(4096).commandLimit(37).prefetchCommands(false)))
        {
            final SplittableRandom random = new SplittableRandom(7);
            long nextId = 1;
            for (int round = 0; round < 2_000; round++)
            {
                final int commands = 1 + random.nextInt(60);
                for (int i = 0; i < commands; i++)
                {
                    final int kind = random.nextInt(10);
                    final long id = kind < 3 ? nextId++ : 1 + random.nextLong(nextId + 5);
                    final Result a;
                    final Result b;
                    if (kind < 3)
                    {
                        a = with.offerTrack(id, 0b111);
                        b = without.offerTrack(id, 0b111);
                    }
                    else if (kind < 9)
                    {
                        final int destination = random.nextInt(3);
                        a = with.offerAck(id, destination);
                        b = without.offerAck(id, destination);
                    }
                    else
                    {
                        a = with.offerCumulativeAck(1, 0, id);
                        b = without.offerCumulativeAck(1, 0, id);
                    }
                    assertThat(a).isEqualTo(b);
                }
                clockWith.advanceMs(random.nextInt(3));
                clockWithout.set(clockWith.nanoTime());
                Trackers.drain(with.agent());
                Trackers.drain(without.agent());
            }

            assertThat(outcomesWith.count()).isPositive();
            assertThat(outcomesWith.seen).isEqualTo(outcomesWithout.seen);
            assertThat(image(with)).isEqualTo(image(without));
        }
    }

    private static byte[] image(final AckTracker tracker)
    {
        final StateImage image = new StateImage();
        tracker.agent().appendState(image);
        return image.toByteArray();
    }
}

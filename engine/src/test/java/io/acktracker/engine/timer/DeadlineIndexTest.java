package io.acktracker.engine.timer;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlineIndexTest
{
    private static final long START = 1_700_000_000_000_000_000L;
    private static final long MS = 1_000_000L;

    private final List<long[]> fired = new ArrayList<>();
    private final DeadlineIndex.Handler recorder = (slot, deadline, now) -> fired.add(new long[]{ slot, deadline, now });

    @Test
    void shouldFireAtOrAfterDeadlineNeverBefore()
    {
        final DeadlineIndex index = new DeadlineIndex(16, START);
        index.schedule(3, START + 5 * MS, START);

        for (long t = START; t < START + 5 * MS; t += 100_000)
        {
            index.poll(t, recorder, 100);
            assertThat(fired).isEmpty();
        }

        index.poll(START + 7 * MS, recorder, 100);
        assertThat(fired).hasSize(1);
        assertThat(fired.get(0)[0]).isEqualTo(3);
        assertThat(fired.get(0)[1]).isEqualTo(START + 5 * MS);
        assertThat(index.isScheduled(3)).isFalse();
        assertThat(index.scheduledCount()).isZero();
        assertThat(index.bucketCount()).isZero();
    }

    @Test
    void shouldNotFireCancelledSlot()
    {
        final DeadlineIndex index = new DeadlineIndex(16, START);
        index.schedule(1, START + MS, START);
        index.schedule(2, START + MS, START);
        assertThat(index.cancel(1)).isTrue();
        assertThat(index.cancel(1)).isFalse();

        index.poll(START + 10 * MS, recorder, 100);
        assertThat(fired).extracting(f -> f[0]).containsExactly(2L);
        assertThat(index.bucketCount()).isZero();
    }

    @Test
    void shouldReleaseBucketWhenLastSlotCancelled()
    {
        final DeadlineIndex index = new DeadlineIndex(16, START);
        index.schedule(1, START + MS, START);
        assertThat(index.bucketCount()).isEqualTo(1);
        index.cancel(1);
        assertThat(index.bucketCount()).isZero();
        index.poll(START + 10 * MS, recorder, 100);
        assertThat(fired).isEmpty();
    }

    @Test
    void shouldHoldABurstInOneBucketAndFireItInBudgetedSlices()
    {
        final int n = 100_000;
        final DeadlineIndex index = new DeadlineIndex(n, START);
        for (int slot = 0; slot < n; slot++)
        {
            index.schedule(slot, START + 50 * MS, START);
        }
        assertThat(index.bucketCount()).isEqualTo(1);

        int polls = 0;
        while (fired.size() < n)
        {
            final int done = index.poll(START + 51 * MS, recorder, 4096);
            assertThat(done).isLessThanOrEqualTo(4096);
            polls++;
        }
        assertThat(polls).isEqualTo((n + 4095) / 4096);
        assertThat(fired).extracting(f -> f[0]).startsWith(0L, 1L, 2L);
        assertThat(index.scheduledCount()).isZero();
        assertThat(index.bucketCount()).isZero();
    }

    @Test
    void shouldCascadeFarDeadlinesThroughTheCoarseWheel()
    {
        final DeadlineIndex index = new DeadlineIndex(16, START);
        final long far = START + 90_000 * MS;
        index.schedule(7, far, START);

        index.poll(far - 2_000 * MS, recorder, 100);
        assertThat(fired).isEmpty();
        index.poll(far - MS, recorder, 100);
        assertThat(fired).isEmpty();
        assertThat(index.isScheduled(7)).isTrue();

        index.poll(far + 2 * MS, recorder, 100);
        assertThat(fired).hasSize(1);
        assertThat(fired.get(0)[1]).isEqualTo(far);
    }

    @Test
    void shouldFireOverdueDeadlinesAfterAStall()
    {
        final DeadlineIndex index = new DeadlineIndex(16, START);
        index.schedule(1, START + MS, START);
        index.schedule(2, START + 3_000 * MS, START);
        index.schedule(3, START + 20_000 * MS, START);

        index.poll(START + 60_000 * MS, recorder, 100);
        assertThat(fired).extracting(f -> f[0]).containsExactlyInAnyOrder(1L, 2L, 3L);
    }

    @Test
    void shouldCrossADayWithoutSteppingThroughEveryTick()
    {
        final long day = 86_400_000 * MS;
        final DeadlineIndex index = new DeadlineIndex(16, START);
        index.schedule(1, START + 2_000 * MS, START);
        index.schedule(2, START + 600_000 * MS, START);
        index.schedule(3, START + day - 5_000 * MS, START);
        index.schedule(4, START + 2 * day, START);
        index.schedule(5, START + day + 10_000 * MS, START);

        index.poll(START + day, recorder, 100);

        assertThat(fired).extracting(f -> f[0]).containsExactlyInAnyOrder(1L, 2L, 3L);
        // a day is about 80,000 coarse ticks: one turn of the coarse wheel (4,096 ticks) and the fine wheel's
        // cascades, not a poll per tick
        assertThat(index.wheelPolls()).isLessThan(3 * 4096);

        // what is left fires at its deadline, never before
        fired.clear();
        index.poll(START + day + 9_000 * MS, recorder, 100);
        assertThat(fired).isEmpty();
        index.poll(START + day + 10_002 * MS, recorder, 100);
        assertThat(fired).extracting(f -> f[0]).containsExactly(5L);
        index.poll(START + 2 * day - MS, recorder, 100);
        assertThat(fired).extracting(f -> f[0]).containsExactly(5L);
        index.poll(START + 2 * day + 2 * MS, recorder, 100);
        assertThat(fired).extracting(f -> f[0]).containsExactly(5L, 4L);
    }

    @Test
    void shouldLeaveTheSameWheelsAfterAJumpAsAfterSmallSteps()
    {
        final long hour = 3_600_000 * MS;
        final DeadlineIndex jumped = new DeadlineIndex(16, START);
        final DeadlineIndex stepped = new DeadlineIndex(16, START);
        for (final DeadlineIndex index : List.of(jumped, stepped))
        {
            index.schedule(1, START + 30 * hour, START);
            index.schedule(2, START + 3 * hour + 7 * MS, START);
        }

        jumped.poll(START + 2 * hour, recorder, 100);
        for (long t = START; t <= START + 2 * hour; t += 500 * MS)
        {
            stepped.poll(t, recorder, 100);
        }

        assertThat(fired).isEmpty();
        assertThat(jumped.wheelPolls()).isLessThan(stepped.wheelPolls());
        assertThat(dump(jumped)).isEqualTo(dump(stepped));
    }

    @Test
    void shouldAllowHandlerToRescheduleDuringPoll()
    {
        final DeadlineIndex index = new DeadlineIndex(16, START);
        index.schedule(1, START + MS, START);
        final DeadlineIndex.Handler again = (slot, deadline, now) ->
        {
            fired.add(new long[]{ slot, deadline, now });
            if (fired.size() < 3)
            {
                index.schedule(slot, now + 10 * MS, now);
            }
        };

        index.poll(START + 2 * MS, again, 100);
        assertThat(fired).hasSize(1);
        index.poll(START + 5 * MS, again, 100);
        assertThat(fired).hasSize(1);
        index.poll(START + 14 * MS, again, 100);
        assertThat(fired).hasSize(2);
        index.poll(START + 30 * MS, again, 100);
        assertThat(fired).hasSize(3);
        assertThat(index.scheduledCount()).isZero();
    }

    @Test
    void shouldRescheduleIntoAPastTickWithoutLoopingInOnePoll()
    {
        final DeadlineIndex index = new DeadlineIndex(16, START);
        index.schedule(1, START + MS, START);
        final DeadlineIndex.Handler overdue = (slot, deadline, now) ->
        {
            fired.add(new long[]{ slot, deadline, now });
            index.schedule(slot, now - MS, now);
        };

        index.poll(START + 2 * MS, overdue, 100);
        assertThat(fired).hasSize(1);
        index.poll(START + 4 * MS, overdue, 100);
        assertThat(fired).hasSize(2);
    }

    @Test
    void shouldMoveAScheduledSlot()
    {
        final DeadlineIndex index = new DeadlineIndex(16, START);
        index.schedule(1, START + MS, START);
        index.schedule(1, START + 100 * MS, START);
        assertThat(index.scheduledCount()).isEqualTo(1);

        index.poll(START + 50 * MS, recorder, 100);
        assertThat(fired).isEmpty();
        index.poll(START + 101 * MS, recorder, 100);
        assertThat(fired).hasSize(1);
    }

    @Test
    void shouldRestoreExactlyAWheelWhosePollWasCutShort()
    {
        final long now = START + 50 * MS;
        final DeadlineIndex original = new DeadlineIndex(64, START);
        original.poll(now, recorder, 100);
        // two overdue buckets share the current spoke of the fine wheel (indices 0 and 1); a budget of 4 fires the
        // first bucket and one slot of the second, so the wheel resumes at index 1 on its next poll
        for (int slot = 0; slot < 3; slot++)
        {
            original.schedule(slot, START + 10 * MS, now);
            original.schedule(3 + slot, START + 20 * MS, now);
        }
        assertThat(original.poll(now, recorder, 4)).isEqualTo(4);
        assertThat(fired).extracting(f -> f[0]).containsExactly(0L, 1L, 2L, 3L);

        final DeadlineIndex restored = restoredCopy(original);

        // a third overdue bucket takes the freed index 0: resuming at index 1 fires the second bucket's rest first
        for (final DeadlineIndex index : List.of(original, restored))
        {
            fired.clear();
            index.schedule(6, START + 30 * MS, now);
            index.schedule(7, START + 30 * MS, now);
            index.poll(now, recorder, 100);
            assertThat(fired).extracting(f -> f[0]).containsExactly(4L, 5L, 6L, 7L);
        }
        assertThat(dump(restored)).isEqualTo(dump(original));
    }

    @Test
    void shouldRestoreExactlyAWheelWhoseSpokesGrewAndHaveHoles()
    {
        final long now = START + 50 * MS;
        final DeadlineIndex original = new DeadlineIndex(64, START);
        original.poll(now, recorder, 100);
        // twelve overdue buckets in one spoke: the spoke's 8 timers overflow, Agrona doubles every spoke
        for (int slot = 0; slot < 12; slot++)
        {
            original.schedule(slot, START + slot * MS, now);
        }
        // holes in the middle, and far deadlines in other spokes and on the coarse wheel
        original.cancel(2);
        original.cancel(5);
        original.cancel(9);
        original.schedule(20, now + 3 * MS, now);
        original.schedule(21, now + 3 * MS, now);
        original.schedule(22, now + 40_000 * MS, now);

        final DeadlineIndex restored = restoredCopy(original);
        assertThat(dump(restored)).isEqualTo(dump(original));

        final List<List<Long>> orders = new ArrayList<>();
        for (final DeadlineIndex index : List.of(original, restored))
        {
            fired.clear();
            // new buckets fill the holes first: the order they fire in depends on where each timer sits
            index.schedule(30, START + 30 * MS, now);
            index.schedule(31, START + 31 * MS, now);
            for (long t = now; t <= now + 41_000 * MS; t += 500 * MS)
            {
                index.poll(t, recorder, 3);
            }
            orders.add(fired.stream().map(f -> f[0]).toList());
        }
        assertThat(orders.get(1)).isEqualTo(orders.get(0));
        assertThat(orders.get(0)).hasSize(14);
    }

    private static DeadlineIndex restoredCopy(final DeadlineIndex original)
    {
        final ImageWriter image = new ImageWriter(1024);
        original.dump(image);
        final DeadlineIndex restored = new DeadlineIndex(64, START);
        final ImageReader reader = new ImageReader(image.buffer(), image.length());
        restored.restore(reader);
        assertThat(reader.isAtEnd()).isTrue();
        return restored;
    }

    private static byte[] dump(final DeadlineIndex index)
    {
        final ImageWriter image = new ImageWriter(1024);
        index.dump(image);
        final byte[] bytes = new byte[image.length()];
        image.buffer().getBytes(0, bytes);
        return bytes;
    }
}

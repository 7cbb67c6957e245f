package io.acktracker.engine.retry;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest
{
    private static final long MS = 1_000_000L;

    @Provide
    Arbitrary<Backoff> backoffs()
    {
        final Arbitrary<Long> base = Arbitraries.longs().between(0, 10_000 * MS);
        final Arbitrary<Long> extra = Arbitraries.longs().between(0, 100_000 * MS);
        final Arbitrary<Double> multiplier = Arbitraries.doubles().between(1.01, 10);
        final Arbitrary<Backoff.Jitter> jitter = Arbitraries.of(Backoff.Jitter.class);
        final Arbitrary<Backoff> exponential = Combinators.combine(base, extra, multiplier, jitter)
            .as((b, e, m, j) -> Backoff.exponential(b, m, b + e).withJitter(j));
        final Arbitrary<Backoff> linear = Combinators.combine(base, extra, extra, jitter)
            .as((b, i, e, j) -> Backoff.linear(b, i, b + e).withJitter(j));
        final Arbitrary<Backoff> fixed = Combinators.combine(base, jitter)
            .as((b, j) -> Backoff.fixed(b).withJitter(j));
        return Arbitraries.oneOf(exponential, linear, fixed);
    }

    @Property(tries = 500)
    void rawDelayShouldStayWithinBaseAndMaxAndNeverDecrease(
        @ForAll("backoffs") final Backoff backoff, @ForAll @IntRange(min = 1, max = 200) final int attempt)
    {
        final long delay = backoff.rawDelayNs(attempt);
        assertThat(delay).isBetween(backoff.baseNs(), backoff.maxNs());
        assertThat(backoff.rawDelayNs(attempt + 1)).isGreaterThanOrEqualTo(delay);
        assertThat(backoff.rawDelayNs(10_000)).isLessThanOrEqualTo(backoff.maxNs());
    }

    @Property(tries = 1000)
    void jitteredDelayShouldStayInItsRange(
        @ForAll("backoffs") final Backoff backoff,
        @ForAll @IntRange(min = 1, max = 60) final int attempt,
        @ForAll @LongRange(min = 0, max = 1_000_000_000_000L) final long previous,
        @ForAll final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long raw = backoff.rawDelayNs(attempt);
        final long delay = backoff.delayNs(attempt, previous, random);
        assertThat(delay).isBetween(0L, backoff.maxNs());
        switch (backoff.jitter())
        {
            case NONE:
                assertThat(delay).isEqualTo(raw);
                break;
            case FULL:
                assertThat(delay).isBetween(0L, raw);
                break;
            case EQUAL:
                assertThat(delay).isBetween(raw / 2, raw);
                break;
            default:
                final long prior = previous > 0 ? previous : backoff.baseNs();
                assertThat(delay).isBetween(backoff.baseNs(), Math.max(backoff.baseNs(),
                    prior > backoff.maxNs() / 3 ? backoff.maxNs() : Math.min(backoff.maxNs(), prior * 3)));
        }
    }

    @Property(tries = 200)
    void sameSeedShouldGiveTheSameSchedule(@ForAll("backoffs") final Backoff backoff, @ForAll final long seed)
    {
        final SplittableRandom first = new SplittableRandom(seed);
        final SplittableRandom second = new SplittableRandom(seed);
        long previousA = 0;
        long previousB = 0;
        for (int attempt = 1; attempt <= 10; attempt++)
        {
            previousA = backoff.delayNs(attempt, previousA, first);
            previousB = backoff.delayNs(attempt, previousB, second);
            assertThat(previousA).isEqualTo(previousB);
        }
    }

    @Test
    void shouldProduceTheExactScheduleOfEachStrategy()
    {
        final SplittableRandom random = new SplittableRandom(1);
        final Backoff exponential = Backoff.exponential(100 * MS, 2.0, 1_000 * MS);
        final Backoff linear = Backoff.linear(100 * MS, 50 * MS, 300 * MS);
        final Backoff fixed = Backoff.fixed(70 * MS);
        final long[] expectedExponential = { 100, 200, 400, 800, 1_000, 1_000 };
        final long[] expectedLinear = { 100, 150, 200, 250, 300, 300 };
        for (int attempt = 1; attempt <= 6; attempt++)
        {
            assertThat(exponential.delayNs(attempt, 0, random)).isEqualTo(expectedExponential[attempt - 1] * MS);
            assertThat(linear.delayNs(attempt, 0, random)).isEqualTo(expectedLinear[attempt - 1] * MS);
            assertThat(fixed.delayNs(attempt, 0, random)).isEqualTo(70 * MS);
        }
    }

    @Test
    void shouldRefuseNonsenseParameters()
    {
        assertThatThrownBy(() -> Backoff.exponential(10, 1.0, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Backoff.exponential(100, 2.0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Backoff.linear(-1, 1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessageClass(1, "x", 1, 16, 0, 1, Backoff.fixed(1)))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void retryQueueShouldGiveHighestPriorityFirstAndFifoWithin()
    {
        final RetryQueue queue = new RetryQueue();
        queue.add(1, 0);
        queue.add(2, -5);
        queue.add(3, 100);
        queue.add(4, 0);
        queue.add(5, 127);
        queue.add(6, -128);
        for (int i = 0; i < 200; i++)
        {
            queue.add(1000 + i, 7);
        }
        assertThat(queue.poll()).isEqualTo(5);
        assertThat(queue.poll()).isEqualTo(3);
        for (int i = 0; i < 200; i++)
        {
            assertThat(queue.poll()).isEqualTo(1000 + i);
        }
        assertThat(queue.poll()).isEqualTo(1);
        assertThat(queue.poll()).isEqualTo(4);
        assertThat(queue.poll()).isEqualTo(2);
        assertThat(queue.poll()).isEqualTo(6);
        assertThat(queue.poll()).isEqualTo(RetryQueue.EMPTY);
        assertThat(queue.size()).isZero();
    }
}

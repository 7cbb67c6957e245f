package io.acktracker.engine.retry;

import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.MessageClass;
import io.acktracker.engine.testing.Gen;
import io.acktracker.engine.testing.Property;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest
{
    private static final long MS = 1_000_000L;

    static Gen<Backoff> backoffs()
    {
        final Gen<Long> base = Gen.longs(0, 10_000 * MS);
        final Gen<Long> extra = Gen.longs(0, 100_000 * MS);
        final Gen<Double> multiplier = Gen.doubles(1.01, 10);
        final Gen<Backoff.Jitter> jitter = Gen.of(Backoff.Jitter.values());
        final Gen<Backoff> exponential = (random) ->
        {
            final long b = base.next(random);
            return Backoff.exponential(b, multiplier.next(random), b + extra.next(random)).withJitter(
                jitter.next(random));
        };
        final Gen<Backoff> linear = (random) ->
        {
            final long b = base.next(random);
            return Backoff.linear(b, extra.next(random), b + extra.next(random)).withJitter(jitter.next(random));
        };
        final Gen<Backoff> fixed = (random) -> Backoff.fixed(base.next(random)).withJitter(jitter.next(random));
        return Gen.oneOf(exponential, linear, fixed);
    }

    record Attempt(Backoff backoff, int attempt)
    {
    }

    record Jittered(Backoff backoff, int attempt, long previous, long seed)
    {
    }

    record Seeded(Backoff backoff, long seed)
    {
    }

    @Test
    void rawDelayShouldStayWithinBaseAndMaxAndNeverDecrease()
    {
        final Gen<Backoff> backoffs = backoffs();
        final Gen<Integer> attempts = Gen.ints(1, 200);
        Property.forAll((random) -> new Attempt(backoffs.next(random), attempts.next(random))).tries(500).check(
            (sample) ->
            {
                final Backoff backoff = sample.backoff();
                final int attempt = sample.attempt();
                final long delay = backoff.rawDelayNs(attempt);
                assertThat(delay).isBetween(backoff.baseNs(), backoff.maxNs());
                assertThat(backoff.rawDelayNs(attempt + 1)).isGreaterThanOrEqualTo(delay);
                assertThat(backoff.rawDelayNs(10_000)).isLessThanOrEqualTo(backoff.maxNs());
            });
    }

    @Test
    void jitteredDelayShouldStayInItsRange()
    {
        final Gen<Backoff> backoffs = backoffs();
        final Gen<Integer> attempts = Gen.ints(1, 60);
        final Gen<Long> previousDelays = Gen.longs(0, 1_000_000_000_000L);
        final Gen<Long> seeds = Gen.longs();
        Property.forAll((random) -> new Jittered(
            backoffs.next(random), attempts.next(random), previousDelays.next(random), seeds.next(random)))
            .tries(1000)
            .check((sample) ->
            {
                final Backoff backoff = sample.backoff();
                final int attempt = sample.attempt();
                final long previous = sample.previous();
                final SplittableRandom random = new SplittableRandom(sample.seed());
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
            });
    }

    @Test
    void sameSeedShouldGiveTheSameSchedule()
    {
        final Gen<Backoff> backoffs = backoffs();
        final Gen<Long> seeds = Gen.longs();
        Property.forAll((random) -> new Seeded(backoffs.next(random), seeds.next(random))).tries(200).check(
            (sample) ->
            {
                final SplittableRandom first = new SplittableRandom(sample.seed());
                final SplittableRandom second = new SplittableRandom(sample.seed());
                long previousA = 0;
                long previousB = 0;
                for (int attempt = 1; attempt <= 10; attempt++)
                {
                    previousA = sample.backoff().delayNs(attempt, previousA, first);
                    previousB = sample.backoff().delayNs(attempt, previousB, second);
                    assertThat(previousA).isEqualTo(previousB);
                }
            });
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

package io.acktracker.bench.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs each engine benchmark's setup, a few thousand operations and teardown directly (no JMH, no timing): the
 * benchmarks check their own results, so this catches a benchmark that measures refusals or leaks pending messages.
 */
class EngineBenchmarksSmokeTest
{
    @ParameterizedTest
    @CsvSource({ "1,memory", "3q2,memory", "1,persisted", "3q2,persisted" })
    void shouldKeepPendingSteadyWhileAckingAndTracking(final String destinations, final String store)
    {
        final SteadyStateBenchmark benchmark = new SteadyStateBenchmark();
        benchmark.pending = 2_000;
        benchmark.destinations = destinations;
        benchmark.store = TrackerFixture.Store.valueOf(store);
        benchmark.setUp();
        long lastId = 0;
        for (int i = 0; i < 5_000; i++)
        {
            lastId = benchmark.ackToCompletionAndTrack();
        }
        benchmark.tearDown();
        assertThat(lastId).isEqualTo(2_000 + 5_000 - 1);
    }

    @Test
    void shouldFireEveryDeadlineOfABurstInTheIndex()
    {
        final DeadlineIndexBurstBenchmark benchmark = new DeadlineIndexBurstBenchmark();
        final DeadlineIndexBurstBenchmark.Empty empty = new DeadlineIndexBurstBenchmark.Empty();
        empty.timers = 5_000;
        empty.setUp();
        assertThat(benchmark.schedule(empty).scheduledCount()).isEqualTo(5_000);

        final DeadlineIndexBurstBenchmark.Full full = new DeadlineIndexBurstBenchmark.Full();
        full.timers = 5_000;
        full.setUp();
        assertThat(benchmark.expire(full)).isEqualTo(5_000);
    }

    @Test
    void shouldFireEveryTimerOfABurstInThePlainWheel()
    {
        final AgronaWheelBurstBenchmark benchmark = new AgronaWheelBurstBenchmark();
        final AgronaWheelBurstBenchmark.Empty empty = new AgronaWheelBurstBenchmark.Empty();
        empty.timers = 1_000;
        empty.setUp();
        assertThat(benchmark.schedule(empty).timerCount()).isEqualTo(1_000);

        final AgronaWheelBurstBenchmark.Full full = new AgronaWheelBurstBenchmark.Full();
        full.timers = 1_000;
        full.setUp();
        assertThat(benchmark.expire(full)).isEqualTo(1_000);
    }

    @ParameterizedTest
    @CsvSource({ "clean, sequential", "crash, random" })
    void shouldRecoverEveryPendingMessageOnReopen(final String stop, final String ackOrder)
    {
        final RecoveryBenchmark benchmark = new RecoveryBenchmark();
        benchmark.pending = 3_000;
        benchmark.stop = stop;
        benchmark.ackOrder = ackOrder;
        benchmark.setUp();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                benchmark.beforeReopen();
                assertThat(benchmark.reopen()).isEqualTo(3_000);
                benchmark.afterReopen();
            }
        }
        finally
        {
            benchmark.tearDown();
        }
    }

    @Test
    void shouldRetryWithoutFailingAnyMessage()
    {
        final RetryBenchmark benchmark = new RetryBenchmark();
        benchmark.pending = 20_000;
        benchmark.store = TrackerFixture.Store.memory;
        benchmark.history = true;
        benchmark.setUp();
        benchmark.startRound();
        for (int i = 0; i < 1_000; i++)
        {
            benchmark.retryTick(new RetryBenchmark.Retries());
        }
        benchmark.startRound();
        final RetryBenchmark.Retries retries = new RetryBenchmark.Retries();
        final long timeoutsBefore = benchmark.timeouts();
        for (int i = 0; i < 3_000; i++)
        {
            benchmark.retryTick(retries);
        }
        final long timeouts = benchmark.timeouts() - timeoutsBefore;
        benchmark.tearDown();

        // 20,000 messages each retried about every 30 s (28,600 ticks of 1.05 ms): about 2,000 in 3,000 ticks
        assertThat(retries.retries).isBetween(1_000L, 3_200L);
        assertThat(timeouts).isBetween(1_000L, 3_200L);
    }

    @ParameterizedTest
    @CsvSource({ "memory", "persisted" })
    void shouldLeaseAndAckByHandleKeepingPendingSteady(final String store)
    {
        final LeaseBenchmark benchmark = new LeaseBenchmark();
        benchmark.pending = 2_000;
        benchmark.store = TrackerFixture.Store.valueOf(store);
        benchmark.setUp();
        long lastId = 0;
        for (int i = 0; i < 5_000; i++)
        {
            lastId = benchmark.leaseAckByHandleAndTrack();
            lastId = benchmark.ackByIdAndTrack();
        }
        benchmark.tearDown();
        assertThat(lastId).isEqualTo(2_000 + 10_000 - 1);
    }
}

package io.acktracker.engine.agent;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.OutcomeEvent;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What other threads see of the agent: counters several threads write lose no increment, the allocation-free
 * {@code offer*} calls allocate nothing, futures complete off the agent thread, and listeners only ever run on it,
 * including for outcomes told again after a restart.
 */
class AnyThreadTest
{
    @TempDir
    Path temp;

    @Test
    void shouldCountEveryRefusalWhenSeveralThreadsAndTheAgentCountTogether() throws Exception
    {
        final int threads = 4;
        final int perThread = 50_000;
        final TrackerConfig config = new TrackerConfig().capacity(1024).destinations("a")
            .idleStrategy(new BusySpinIdleStrategy());
        try (AckTracker tracker = AckTracker.launch(config))
        {
            final CountDownLatch start = new CountDownLatch(1);
            final Thread[] offerers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                offerers[t] = new Thread(() ->
                {
                    awaitQuietly(start);
                    for (int i = 0; i < perThread; i++)
                    {
                        // refused on this thread by the validator
                        assertThat(tracker.offerTrack(i, 0)).isEqualTo(Result.NO_DESTINATIONS);
                        // queued, then refused on the agent thread (INVALID_TIMEOUT for a negative nack delay is
                        // caught here, so a nack of an unknown id goes through and is counted as an orphan)
                        while (Result.BACK_PRESSURED == tracker.offerNack(i, 0, 0, 0))
                        {
                            Thread.onSpinWait();
                        }
                    }
                });
                offerers[t].start();
            }
            start.countDown();
            for (final Thread offerer : offerers)
            {
                offerer.join(TimeUnit.MINUTES.toMillis(2));
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (tracker.counters().value(TrackerCounter.ORPHAN_ACKS) < (long)threads * perThread &&
                System.nanoTime() - deadline < 0)
            {
                Thread.onSpinWait();
            }
            assertThat(tracker.counters().value(TrackerCounter.INVALID_REQUESTS)).isEqualTo((long)threads * perThread);
            assertThat(tracker.counters().value(TrackerCounter.ORPHAN_ACKS)).isEqualTo((long)threads * perThread);
        }
    }

    /**
     * Until C2 compiles the path, the interpreter and C1 allocate what escape analysis later removes: rounds run until
     * one allocates nothing (bounded), then the measured rounds must stay under a byte per offer (the defect this
     * guards against allocated a request object, tens of bytes, per call).
     */
    @Test
    void shouldOfferWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final TestClock clock = new TestClock(Trackers.START_NS);
        try (AckTracker tracker = AckTracker.open(Trackers.config(clock, new Trackers.Outcomes()).capacity(4096)))
        {
            final TrackRequest request = new TrackRequest();
            final long[] next = { 0 };
            final java.util.function.LongSupplier round = () ->
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 1_000; i++)
                {
                    final long messageId = next[0]++;
                    tracker.offerTrack(messageId, 0b11);
                    tracker.offerTrack(request.reset().messageId(messageId + 1_000_000_000L).destinations(0b1));
                    tracker.offerAck(messageId, 0);
                    tracker.offerNack(messageId + 1_000_000_000L, 0, 0, 1);
                    tracker.offerReject(messageId, 1, 2);
                    tracker.offerCumulativeAck(3, 0, messageId);
                }
                final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                while (tracker.invoker().invoke() > 0)
                {
                    Thread.onSpinWait();
                }
                return allocated;
            };
            for (int warmUp = 0; warmUp < 50 && round.getAsLong() > 0; warmUp++)
            {
                Thread.onSpinWait();
            }
            long allocated = 0;
            for (int measured = 0; measured < 5; measured++)
            {
                allocated += round.getAsLong();
            }
            assertThat(allocated).as("bytes allocated by 30,000 offers").isLessThan(30_000);
        }
    }

    @Test
    void shouldCompleteFuturesOffTheAgentThread() throws Exception
    {
        final TrackerConfig config = new TrackerConfig().capacity(1024).destinations("a");
        try (AckTracker tracker = AckTracker.launch(config))
        {
            final AtomicReference<Thread> agentThread = new AtomicReference<>();
            assertThat(tracker.runOnAgent((agent) -> agentThread.set(Thread.currentThread()))).isTrue();
            final CompletableFuture<OutcomeEvent> outcome = tracker.trackAsync(
                new TrackRequest().reset().messageId(1).destinations(1));
            final CompletableFuture<Thread> stageThread = outcome.thenApply((event) -> Thread.currentThread());
            assertThat(tracker.offerAck(1, 0)).isEqualTo(Result.QUEUED);
            final Thread ran = stageThread.get(30, TimeUnit.SECONDS);
            assertThat(ran).isNotNull().isNotSameAs(agentThread.get());
            assertThat(ran.getName()).doesNotContain(config.name());
        }
    }

    @Test
    void shouldTellOutcomesOnlyOnTheAgentThreadIncludingThoseToldAgainAfterARestart() throws Exception
    {
        final Path dir = temp.resolve("data");
        final TestClock clock = new TestClock(Trackers.START_NS);
        try (AckTracker tracker = AckTracker.open(Trackers.config(clock, new Trackers.Outcomes()).dataDir(dir)))
        {
            final TrackerAgent agent = tracker.agent();
            agent.track(1, 1);
            agent.track(2, 1);
            agent.recordAck(1, 0);
            agent.recordAck(2, 0);
            // as a crash between the final status and its telling would leave them: final and untold
            final Records records = agent.records();
            for (long id = 1; id <= 2; id++)
            {
                final PendingRecord record = new PendingRecord().wrap(records.address(records.slotOf(id)));
                record.flags((byte)(record.flags() & ~PendingRecord.FLAG_NOTIFIED));
            }
        }

        final List<Thread> told = new CopyOnWriteArrayList<>();
        final List<Boolean> replays = new CopyOnWriteArrayList<>();
        final TrackerConfig config = Trackers.config(new TestClock(Trackers.START_NS + 1), new Trackers.Outcomes())
            .dataDir(dir)
            .name("restarted")
            .outcomeListener((id, outcome, reason, latencyNs, attempts, replay) ->
            {
                told.add(Thread.currentThread());
                replays.add(replay);
            });
        final Thread launching = Thread.currentThread();
        try (AckTracker tracker = AckTracker.launch(config))
        {
            assertThat(tracker.agent().started()).isCompleted();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (told.size() < 2 && System.nanoTime() - deadline < 0)
            {
                Thread.onSpinWait();
            }
            assertThat(told).hasSize(2).allSatisfy((thread) ->
                assertThat(thread).isNotSameAs(launching).extracting(Thread::getName).isEqualTo("restarted"));
            assertThat(replays).containsExactly(true, true);
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

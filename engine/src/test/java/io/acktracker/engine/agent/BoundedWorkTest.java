package io.acktracker.engine.agent;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.metrics.TrackerCounter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every per-cycle slice counts what it looks at, not what it achieves: with the dead-letter queue full, failed
 * messages held for room cost an idle duty cycle nothing, however many there are, and when room appears they are
 * retried within the housekeeping budget per cycle (before: every held message was visited on every cycle, 55-150
 * ms per cycle with 300k held).
 */
class BoundedWorkTest
{
    private static final int BUDGET = 1_024;

    @Test
    void shouldKeepAnIdleDutyCycleFreeOfHeldDeadLettersWhateverTheirNumber()
    {
        final Held few = hold(2_000);
        final Held many = hold(300_000);

        assertThat(few.visitsWhileIdle).isZero();
        assertThat(many.visitsWhileIdle).isZero();
        assertThat(few.idleWork).isZero();
        assertThat(many.idleWork).isZero();
        // a pass over the held queue after a dead letter left: bounded per cycle, proportional to the held count
        assertThat(few.maxVisitsPerCycle).isLessThanOrEqualTo(BUDGET);
        assertThat(many.maxVisitsPerCycle).isLessThanOrEqualTo(BUDGET);
        assertThat(many.cyclesOfThePass).isBetween(300_000 / BUDGET, 300_000 / BUDGET + 2);
        assertThat(many.movedAfterRoom).isEqualTo(1);
    }

    @Test
    void shouldLookAtNoMoreRetryEntriesPerCycleThanTheBudgetWhenTheQueueIsFullOfStaleOnes()
    {
        final TestClock clock = new TestClock(Trackers.START_NS);
        final int budget = 16;
        final int messages = 20_000;
        try (AckTracker tracker = AckTracker.open(Trackers.config(clock, new Trackers.Outcomes())
            .capacity(messages + 16)
            .defaultMaxAttempts(5)
            .retryBudget(budget)
            .timerBudget(messages * 2)
            .recordServiceTime(false)))
        {
            final TrackerAgent agent = tracker.agent();
            for (long id = 0; id < messages; id++)
            {
                assertThat(agent.track(id, 1)).isEqualTo(Result.OK);
                assertThat(agent.recordNack(id, 0, 1_000_000L, 1)).isEqualTo(Result.OK);
            }
            // every message is due for redelivery, more than a cycle's budget: the first cycle queues the rest
            clock.advanceMs(2);
            agent.doWork();
            final int queued = agent.queuedRetries();
            assertThat(queued).isGreaterThan(messages / 2);

            // the queued messages are acked: every entry left in the retry queue is stale
            for (long id = 0; id < messages; id++)
            {
                agent.recordAck(id, 0);
            }
            final int work = agent.doWork();
            assertThat(queued - agent.queuedRetries()).as("entries looked at in one cycle").isEqualTo(budget);
            assertThat(work).as("stale entries count as work").isPositive();
        }
    }

    private record Held(int visitsWhileIdle, int idleWork, int maxVisitsPerCycle, int cyclesOfThePass,
        long movedAfterRoom)
    {
    }

    private static Held hold(final int count)
    {
        final TestClock clock = new TestClock(Trackers.START_NS);
        try (AckTracker tracker = AckTracker.open(Trackers.config(clock, new Trackers.Outcomes())
            .capacity(count + 16)
            .tombstoneCapacity(16)
            .dlqCapacity(1)
            .dlqEvictOldest(false)
            .housekeepingBudget(BUDGET)
            .recordAttemptHistory(false)
            .recordServiceTime(false)))
        {
            final TrackerAgent agent = tracker.agent();
            for (long id = 0; id <= count; id++)
            {
                assertThat(agent.track(id, 1)).isEqualTo(Result.OK);
                assertThat(agent.recordReject(id, 0, 7)).isEqualTo(Result.OK);
            }
            assertThat(agent.deadLetters().held()).isEqualTo(count);
            assertThat(tracker.counters().value(TrackerCounter.DLQ_FULL)).isEqualTo(count);

            settle(agent);
            int visitsWhileIdle = 0;
            int idleWork = 0;
            for (int i = 0; i < 100; i++)
            {
                idleWork += agent.doWork();
                visitsWhileIdle += agent.lastHeldVisits();
            }

            // room appears: the one dead letter is deleted, a pass over the held messages moves one of them in
            assertThat(agent.deleteDeadLetters(0)).isEqualTo(1);
            int maxVisits = 0;
            int cycles = 0;
            for (int i = 0; i < 10_000; i++)
            {
                agent.doWork();
                if (0 == agent.lastHeldVisits())
                {
                    break;
                }
                maxVisits = Math.max(maxVisits, agent.lastHeldVisits());
                cycles++;
            }
            final long moved = tracker.counters().value(TrackerCounter.DLQ_MOVED) - 1;
            return new Held(visitsWhileIdle, idleWork, maxVisits, cycles, moved);
        }
    }

    /** Run duty cycles until the held messages' current pass is over (bounded). */
    private static void settle(final TrackerAgent agent)
    {
        for (int i = 0; i < 10_000; i++)
        {
            agent.doWork();
            if (0 == agent.lastHeldVisits())
            {
                return;
            }
        }
        throw new AssertionError("the held messages were still being visited after 10,000 cycles");
    }
}

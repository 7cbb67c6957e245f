package io.acktracker.engine.overload;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.metrics.TrackerCounter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Limits and floods: a burst of a million acks for ids the tracker never saw must not disturb live tracking, and
 * every refusal is counted.
 */
class OverloadTest
{
    @Test
    void shouldShrugOffAMillionAcksForUnknownIdsWhileTrackingGoesOn()
    {
        final TestClock clock = new TestClock(Trackers.START_NS);
        final Trackers.Outcomes outcomes = new Trackers.Outcomes();
        try (AckTracker tracker = AckTracker.open(Trackers.config(clock, outcomes).capacity(2_000)))
        {
            final TrackerAgent agent = tracker.agent();
            for (int id = 0; id < 1_000; id++)
            {
                assertThat(agent.track(id, 0b11)).isEqualTo(Result.OK);
                agent.recordAck(id, 0);
            }

            for (long i = 0; i < 1_000_000; i++)
            {
                final long unknown = 1_000_000_000L + i;
                if (Result.UNKNOWN_MESSAGE != agent.recordAck(unknown, (int)(i & 3)))
                {
                    throw new AssertionError("ack for unknown id " + unknown + " was not refused");
                }
                if (0 == (i & 1023))
                {
                    agent.doWork();
                }
            }

            assertThat(tracker.counters().value(TrackerCounter.ORPHAN_ACKS)).isEqualTo(1_000_000);
            assertThat(agent.pendingCount()).isEqualTo(1_000);
            assertThat(outcomes.seen).isEmpty();
            for (int id = 0; id < 1_000; id++)
            {
                assertThat(agent.recordAck(id, 1)).isEqualTo(Result.COMPLETED);
            }
            assertThat(outcomes.seen).hasSize(1_000).allMatch((seen) -> seen.outcome() == Outcome.COMPLETED);
            assertThat(tracker.counters().value(TrackerCounter.ACKS)).isEqualTo(2_000);
        }
    }
}

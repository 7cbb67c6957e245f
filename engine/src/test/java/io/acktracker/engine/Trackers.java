package io.acktracker.engine;

import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.OutcomeListener;
import io.acktracker.engine.api.TrackerConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test helpers: a host-driven tracker over a {@link TestClock} that records every outcome.
 */
public final class Trackers
{
    public static final long START_NS = 1_700_000_000_000_000_000L;

    private Trackers()
    {
    }

    /** One recorded outcome. */
    public record Seen(long messageId, Outcome outcome, FailureReason reason, long latencyNs, int attempts,
        boolean replay)
    {
    }

    /** Collects outcomes. */
    public static final class Outcomes implements OutcomeListener
    {
        public final List<Seen> seen = new ArrayList<>();

        public void onOutcome(
            final long messageId,
            final Outcome outcome,
            final FailureReason reason,
            final long latencyNs,
            final int attempts,
            final boolean replay)
        {
            seen.add(new Seen(messageId, outcome, reason, latencyNs, attempts, replay));
        }

        public Seen last()
        {
            return seen.get(seen.size() - 1);
        }

        public int count()
        {
            return seen.size();
        }
    }

    public static TrackerConfig config(final TestClock clock, final OutcomeListener outcomes)
    {
        return new TrackerConfig()
            .epochClock(clock)
            .nanoClock(clock)
            .randomSeed(42)
            .capacity(1024)
            .defaultAckTimeoutNs(TimeUnit.SECONDS.toNanos(1))
            .defaultTtlNs(TimeUnit.SECONDS.toNanos(10))
            .tombstoneWindowNs(TimeUnit.SECONDS.toNanos(5))
            .defaultMaxAttempts(1)
            .destinations("a", "b", "c", "d")
            .outcomeListener(outcomes)
            .errorHandler((ex) -> { throw new AssertionError("unexpected error", ex); });
    }

    /**
     * Run duty cycles until nothing is left to do (bounded).
     */
    public static int drain(final TrackerAgent agent)
    {
        int total = 0;
        for (int i = 0; i < 10_000; i++)
        {
            final int work = agent.doWork();
            total += work;
            if (0 == work)
            {
                return total;
            }
        }
        throw new AssertionError("agent never went idle");
    }
}

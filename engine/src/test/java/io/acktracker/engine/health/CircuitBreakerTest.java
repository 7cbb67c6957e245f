package io.acktracker.engine.health;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.CircuitBreakerConfig;
import io.acktracker.engine.api.CircuitState;
import io.acktracker.engine.api.DestinationHealthView;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.acktracker.engine.Trackers.START_NS;
import static io.acktracker.engine.Trackers.drain;
import static org.assertj.core.api.Assertions.assertThat;

class CircuitBreakerTest
{
    private static final long MS = 1_000_000L;

    @TempDir
    Path temp;

    private final TestClock clock = new TestClock(START_NS);
    private final Trackers.Outcomes outcomes = new Trackers.Outcomes();
    private final List<long[]> redeliveries = new ArrayList<>();
    private final List<String> transitions = new ArrayList<>();
    private AckTracker tracker;
    private TrackerAgent agent;

    private TrackerConfig config()
    {
        return Trackers.config(clock, outcomes)
            .defaultMaxAttempts(15)
            .defaultAckTimeoutNs(100 * MS)
            .defaultTtlNs(60_000 * MS)
            .defaultBackoff(Backoff.fixed(MS))
            .circuitBreaker(new CircuitBreakerConfig(3, 0.9, 20, 10, 1_000 * MS, 1, 1, 0.5))
            .circuitListener((destination, from, to, nowNs) -> transitions.add(destination + ":" + from + "->" + to))
            .redeliveryListener((id, destination, attempt) ->
                redeliveries.add(new long[]{ id, destination, attempt, clock.nanoTime() }));
    }

    private void open(final TrackerConfig config)
    {
        tracker = AckTracker.open(config);
        agent = tracker.agent();
    }

    @AfterEach
    void tearDown()
    {
        if (null != tracker)
        {
            tracker.close();
        }
    }

    private void at(final long offsetMs)
    {
        clock.set(START_NS + offsetMs * MS);
        drain(agent);
    }

    private static long mask(final int... ids)
    {
        return DestinationRegistry.mask(ids);
    }

    @Test
    void shouldOpenAfterConsecutiveFailuresParkRedeliveriesAndProbeAfterTheCooldown()
    {
        open(config());
        for (int id = 1; id <= 3; id++)
        {
            agent.track(id, mask(1));
            agent.recordNack(id, 1);
        }
        assertThat(transitions).containsExactly("1:CLOSED->OPEN");
        assertThat(agent.destinationHealth(1).circuit()).isEqualTo(CircuitState.OPEN);
        assertThat(tracker.counters().value(TrackerCounter.CIRCUITS_OPEN)).isEqualTo(1);

        at(5);
        assertThat(redeliveries).isEmpty();
        assertThat(agent.destinationHealth(1).parked()).isEqualTo(3);
        assertThat(tracker.counters().value(TrackerCounter.PARKED)).isEqualTo(3);
        assertThat(tracker.status(2).deadlineNs()).isEqualTo(START_NS + 100 * MS);

        at(999);
        assertThat(redeliveries).isEmpty();
        at(1_001);
        assertThat(transitions).containsExactly("1:CLOSED->OPEN", "1:OPEN->HALF_OPEN");
        assertThat(redeliveries).hasSize(1);
        assertThat(redeliveries.get(0)[0]).isEqualTo(1);

        agent.recordAck(1, 1);
        assertThat(transitions).containsExactly("1:CLOSED->OPEN", "1:OPEN->HALF_OPEN", "1:HALF_OPEN->CLOSED");
        at(1_002);
        assertThat(redeliveries).extracting((r) -> r[0]).containsExactly(1L, 2L, 3L);
        assertThat(tracker.counters().value(TrackerCounter.RESUMED)).isEqualTo(3);
        assertThat(agent.destinationHealth(1).parked()).isZero();
        assertThat(tracker.counters().value(TrackerCounter.CIRCUITS_OPEN)).isZero();
    }

    @Test
    void shouldReopenWhenAProbeFails()
    {
        open(config());
        for (int id = 1; id <= 4; id++)
        {
            agent.track(id, mask(1));
        }
        for (int id = 1; id <= 3; id++)
        {
            agent.recordNack(id, 1);
        }
        at(1_001);
        assertThat(redeliveries).hasSize(1);
        agent.recordNack(redeliveries.get(0)[0], 1);
        assertThat(transitions).endsWith("1:HALF_OPEN->OPEN");
        at(1_500);
        assertThat(redeliveries).hasSize(1);
        at(2_003);
        assertThat(transitions).endsWith("1:OPEN->HALF_OPEN");
        assertThat(redeliveries).hasSize(2);
    }

    @Test
    void shouldOpenOnFailureRateOverTheWindow()
    {
        open(config().circuitBreaker(new CircuitBreakerConfig(100, 0.5, 10, 10, 1_000 * MS, 1, 1, 0.5)));
        for (int id = 1; id <= 9; id++)
        {
            agent.track(id, mask(2));
            if (id % 2 == 1)
            {
                agent.recordNack(id, 2);
            }
            else
            {
                agent.recordAck(id, 2);
            }
        }
        assertThat(agent.destinationHealth(2).failureRate()).isEqualTo(5.0 / 9.0);
        assertThat(agent.destinationHealth(2).consecutiveFailures()).isEqualTo(1);
        assertThat(transitions).isEmpty();

        agent.track(10, mask(2));
        agent.recordAck(10, 2);
        assertThat(transitions).isEmpty();
        agent.track(11, mask(2));
        agent.recordNack(11, 2);
        assertThat(agent.destinationHealth(2).windowSamples()).isEqualTo(10);
        assertThat(transitions).containsExactly("2:CLOSED->OPEN");
    }

    @Test
    void shouldStillExpireParkedMessagesWhenTheirTtlEnds()
    {
        open(config());
        agent.track(new TrackRequest().reset().messageId(1).destinations(mask(1)).ttlNs(300 * MS));
        for (int id = 2; id <= 4; id++)
        {
            agent.track(id, mask(1));
            agent.recordNack(id, 1);
        }
        agent.recordNack(1, 1);
        at(10);
        assertThat(agent.destinationHealth(1).parked()).isEqualTo(4);
        for (long t = 11; t <= 310; t++)
        {
            at(t);
        }
        assertThat(outcomes.seen).hasSize(1);
        assertThat(outcomes.last().messageId()).isEqualTo(1);
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.EXPIRED);
        assertThat(outcomes.last().reason()).isEqualTo(FailureReason.CIRCUIT_OPEN);
        assertThat(agent.deadLetters().get(1).reason()).isEqualTo(FailureReason.CIRCUIT_OPEN);
    }

    @Test
    void shouldNotFailAQuorumMessageWhoseOtherDestinationsComplete()
    {
        open(config());
        for (int id = 10; id <= 12; id++)
        {
            agent.track(id, mask(1));
            agent.recordNack(id, 1);
        }
        agent.track(1, mask(0, 1, 2), 2, 0, 0);
        agent.recordNack(1, 1);
        at(5);
        assertThat(tracker.status(1).failed()).isZero();
        agent.recordAck(1, 0);
        agent.recordAck(1, 2);
        assertThat(outcomes.last().messageId()).isEqualTo(1);
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void shouldExposeLatencyInFlightAndCountsPerDestination()
    {
        open(config());
        agent.track(1, mask(0, 1));
        agent.track(2, mask(0));
        assertThat(agent.destinationHealth(0).inFlight()).isEqualTo(2);
        assertThat(agent.destinationHealth(1).inFlight()).isEqualTo(1);
        clock.advanceMs(4);
        agent.doWork();
        agent.recordAck(1, 0);
        clock.advanceMs(4);
        agent.doWork();
        agent.recordAck(2, 0);
        final DestinationHealthView health = tracker.destinationHealth("a");
        assertThat(health.name()).isEqualTo("a");
        assertThat(health.inFlight()).isZero();
        assertThat(health.acks()).isEqualTo(2);
        assertThat(health.ewmaAckLatencyNs()).isEqualTo(6 * MS);
        agent.recordNack(1, 1);
        assertThat(agent.destinationHealth(1).inFlight()).isZero();
        assertThat(agent.destinationHealth(1).failures()).isEqualTo(1);
        assertThat(agent.destinationHealth(1).consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void shouldKeepAnOpenCircuitAndItsParkedRedeliveriesAcrossARestart()
    {
        final Path dir = temp.resolve("data");
        open(config().dataDir(dir));
        for (int id = 1; id <= 3; id++)
        {
            agent.track(id, mask(1));
            agent.recordNack(id, 1);
        }
        at(5);
        assertThat(agent.destinationHealth(1).parked()).isEqualTo(3);
        tracker.close();
        tracker = null;

        transitions.clear();
        open(config().dataDir(dir));
        assertThat(agent.destinationHealth(1).circuit()).isEqualTo(CircuitState.OPEN);
        assertThat(agent.destinationHealth(1).parked()).isEqualTo(3);
        at(500);
        assertThat(redeliveries).isEmpty();
        at(1_001);
        assertThat(transitions).containsExactly("1:OPEN->HALF_OPEN");
        assertThat(redeliveries).hasSize(1);
        agent.recordAck(redeliveries.get(0)[0], 1);
        at(1_002);
        assertThat(redeliveries).hasSize(3);
    }
}

package io.acktracker.engine.retry;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.AttemptEvent;
import io.acktracker.engine.api.AttemptEventType;
import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.DeadLetter;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.MessageClass;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.acktracker.engine.Trackers.START_NS;
import static io.acktracker.engine.Trackers.drain;
import static org.assertj.core.api.Assertions.assertThat;

class RetryTest
{
    private static final long MS = 1_000_000L;

    private final TestClock clock = new TestClock(START_NS);
    private final Trackers.Outcomes outcomes = new Trackers.Outcomes();
    private final List<long[]> redeliveries = new ArrayList<>();
    private AckTracker tracker;
    private TrackerAgent agent;

    private TrackerConfig config()
    {
        return Trackers.config(clock, outcomes)
            .defaultMaxAttempts(4)
            .defaultAckTimeoutNs(100 * MS)
            .defaultTtlNs(60_000 * MS)
            .defaultBackoff(Backoff.exponential(10 * MS, 2.0, 1_000 * MS))
            .circuitBreaker(new io.acktracker.engine.api.CircuitBreakerConfig(
                Integer.MAX_VALUE, 1.0, 1024, 1024, 1_000 * MS, 1, 1, 0.2))
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

    private static long mask(final int... ids)
    {
        return DestinationRegistry.mask(ids);
    }

    private void advanceTo(final long offsetMs)
    {
        clock.set(START_NS + offsetMs * MS);
        drain(agent);
    }

    private long counter(final TrackerCounter counter)
    {
        return tracker.counters().value(counter);
    }

    @Test
    void shouldRedeliverUnackedDestinationsAfterTimeoutAndBackoffThenCompleteOnAck()
    {
        open(config());
        agent.track(1, mask(0, 1));
        agent.recordAck(1, 0);

        advanceTo(99);
        assertThat(redeliveries).isEmpty();
        advanceTo(101);
        assertThat(redeliveries).isEmpty();
        advanceTo(113);
        assertThat(redeliveries).hasSize(1);
        assertThat(redeliveries.get(0)).containsExactly(1, 1, 2, START_NS + 113 * MS);
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.PARTIAL);

        assertThat(agent.recordAck(1, 1)).isEqualTo(Result.COMPLETED);
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(outcomes.last().attempts()).isEqualTo(2);
        assertThat(counter(TrackerCounter.TIMEOUTS)).isEqualTo(1);
        assertThat(counter(TrackerCounter.REDELIVERIES)).isEqualTo(1);
    }

    @Test
    void shouldFollowTheWholeExponentialScheduleAndDeadLetterWhenAttemptsAreSpent()
    {
        open(config());
        agent.track(7, mask(2));
        for (long t = 0; t <= 2_000; t++)
        {
            advanceTo(t);
        }
        // timeout 100, then backoff 10, 20, 40: each step fires at most one timer tick (2^20 ns) late, and the
        // next step counts from when the previous one fired
        assertThat(redeliveries).extracting((r) -> r[2]).containsExactly(2L, 3L, 4L);
        final long first = redeliveries.get(0)[3] - START_NS;
        final long second = redeliveries.get(1)[3] - redeliveries.get(0)[3];
        final long third = redeliveries.get(2)[3] - redeliveries.get(1)[3];
        assertThat(first).isBetween(110 * MS, 113 * MS);
        assertThat(second).isBetween(120 * MS, 123 * MS);
        assertThat(third).isBetween(140 * MS, 143 * MS);
        assertThat(outcomes.seen).hasSize(1);
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(outcomes.last().reason()).isEqualTo(FailureReason.MAX_RETRIES);
        assertThat(outcomes.last().latencyNs() - (redeliveries.get(2)[3] - START_NS)).isBetween(100 * MS, 102 * MS);

        final DeadLetter letter = agent.deadLetters().get(7);
        assertThat(letter).isNotNull();
        assertThat(letter.reason()).isEqualTo(FailureReason.MAX_RETRIES);
        assertThat(letter.attempts()[2]).isEqualTo(4);
        assertThat(letter.history()).extracting(AttemptEvent::type).containsExactly(
            AttemptEventType.TIMEOUT, AttemptEventType.REDELIVERED,
            AttemptEventType.TIMEOUT, AttemptEventType.REDELIVERED,
            AttemptEventType.TIMEOUT, AttemptEventType.REDELIVERED,
            AttemptEventType.TIMEOUT, AttemptEventType.GAVE_UP);
        assertThat(letter.lastErrors()).containsOnlyKeys(2);
        assertThat(letter.lastErrors().get(2).type()).isEqualTo(AttemptEventType.TIMEOUT);
        assertThat(counter(TrackerCounter.DLQ_MOVED)).isEqualTo(1);
        assertThat(counter(TrackerCounter.DLQ_SIZE)).isEqualTo(1);
    }

    @Test
    void shouldRetryANackingDestinationAfterItsBackoffWithoutWaitingForTheTimeout()
    {
        open(config());
        agent.track(1, mask(0, 1));
        advanceTo(5);
        assertThat(agent.recordNack(1, 1)).isEqualTo(Result.OK);
        advanceTo(14);
        assertThat(redeliveries).isEmpty();
        advanceTo(17);
        assertThat(redeliveries).hasSize(1);
        assertThat(redeliveries.get(0)).startsWith(1, 1, 2);

        assertThat(agent.recordNack(1, 1, 50 * MS, 503)).isEqualTo(Result.OK);
        advanceTo(60);
        assertThat(redeliveries).hasSize(1);
        advanceTo(69);
        assertThat(redeliveries).hasSize(2);
        assertThat(redeliveries.get(1)).startsWith(1, 1, 3);
        assertThat(counter(TrackerCounter.NACKS)).isEqualTo(2);
        assertThat(outcomes.seen).isEmpty();
    }

    @Test
    void shouldRefuseNackFromADestinationThatAlreadyAckedOrIsUnknown()
    {
        open(config());
        agent.track(1, mask(0, 1));
        agent.recordAck(1, 0);
        assertThat(agent.recordNack(1, 0)).isEqualTo(Result.DUPLICATE_ACK);
        assertThat(agent.recordNack(1, 2)).isEqualTo(Result.SPOOFED_DESTINATION);
        assertThat(agent.recordNack(9, 0)).isEqualTo(Result.UNKNOWN_MESSAGE);
        assertThat(agent.recordNack(1, 1, -1, 0)).isEqualTo(Result.INVALID_TIMEOUT);
        assertThat(counter(TrackerCounter.NACKS)).isZero();
        assertThat(agent.queuedRetries()).isZero();
    }

    @Test
    void shouldFailAtOnceOnRejectAndKeepTheReasonAndCode()
    {
        open(config());
        final byte[] metadata = "order=42;venue=XLON".getBytes(StandardCharsets.US_ASCII);
        agent.track(new TrackRequest().reset().messageId(3).destinations(mask(0, 1, 2)).requiredAcks(2)
            .metadata(new UnsafeBuffer(metadata), 0, metadata.length));
        agent.recordAck(3, 0);
        assertThat(agent.recordReject(3, 1, 422)).isEqualTo(Result.OK);

        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(outcomes.last().reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(agent.recordAck(3, 2)).isEqualTo(Result.LATE_ACK);

        final DeadLetter letter = agent.deadLetters().get(3);
        assertThat(letter.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(letter.metadata()).isEqualTo(metadata);
        assertThat(letter.status().acked()).isEqualTo(mask(0));
        assertThat(letter.status().failed()).isEqualTo(mask(1));
        assertThat(letter.lastErrors().get(1).code()).isEqualTo(422);
        assertThat(letter.lastErrors().get(1).type()).isEqualTo(AttemptEventType.REJECT);
        assertThat(counter(TrackerCounter.REJECTS)).isEqualTo(1);
    }

    @Test
    void shouldNotFailAQuorumMessageWhileOtherDestinationsCanStillCompleteIt()
    {
        open(config().defaultMaxAttempts(2));
        agent.track(5, mask(0, 1, 2), 2, 0, 0);
        agent.recordAck(5, 0);
        agent.recordNack(5, 1);
        advanceTo(12);
        assertThat(redeliveries).extracting((r) -> r[1]).containsExactly(1L);
        assertThat(agent.recordNack(5, 1)).isEqualTo(Result.OK);
        assertThat(tracker.status(5).failed()).isEqualTo(mask(1));
        assertThat(outcomes.seen).isEmpty();
        assertThat(counter(TrackerCounter.DESTINATIONS_GAVE_UP)).isEqualTo(1);

        assertThat(agent.recordAck(5, 2)).isEqualTo(Result.COMPLETED);
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void shouldFailAQuorumMessageOnceTheQuorumCanNoLongerBeMet()
    {
        open(config().defaultMaxAttempts(1));
        agent.track(5, mask(0, 1, 2), 2, 0, 0);
        agent.recordNack(5, 1);
        assertThat(outcomes.seen).isEmpty();
        agent.recordNack(5, 2);
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(outcomes.last().reason()).isEqualTo(FailureReason.TIMEOUT);
    }

    @Test
    void shouldCountALateAckFromAGivenUpDestinationTowardsTheQuorum()
    {
        open(config().defaultMaxAttempts(1));
        agent.track(5, mask(0, 1, 2), 2, 0, 0);
        agent.recordNack(5, 1);
        agent.recordAck(5, 0);
        assertThat(agent.recordAck(5, 1)).isEqualTo(Result.COMPLETED);
    }

    @Test
    void shouldIssueRetriesHighestPriorityFirstWithinTheBudgetAndDropNone()
    {
        open(config().retryBudget(10).defaultBackoff(Backoff.fixed(MS)));
        final TrackRequest request = new TrackRequest();
        for (int id = 0; id < 100; id++)
        {
            agent.track(request.reset().messageId(id).destinations(mask(0)).priority(id % 4 == 0 ? 50 : -1));
        }
        clock.set(START_NS + 102 * MS);
        drain(agent);
        assertThat(redeliveries).isEmpty();
        clock.set(START_NS + 105 * MS);
        agent.doWork();
        assertThat(redeliveries).hasSize(10);
        assertThat(agent.queuedRetries()).isEqualTo(90);
        assertThat(counter(TrackerCounter.RETRIES_DEFERRED)).isEqualTo(1);
        agent.doWork();
        assertThat(redeliveries).hasSize(20);
        drain(agent);
        assertThat(redeliveries).hasSize(100);
        assertThat(redeliveries.subList(0, 25)).allMatch((r) -> r[0] % 4 == 0);
        assertThat(redeliveries.subList(25, 100)).allMatch((r) -> r[0] % 4 != 0);
        assertThat(redeliveries.subList(0, 25)).extracting((r) -> r[0]).isSorted();
    }

    @Test
    void shouldApplyMessageClassDefaultsAndRefuseAnUnknownClass()
    {
        open(config().messageClass(new MessageClass(7, "orders", 20 * MS, 2, 10, 500 * MS, Backoff.fixed(5 * MS))));
        final TrackRequest request = new TrackRequest();
        assertThat(agent.track(request.reset().messageId(1).destinations(mask(0)).messageClass(9)))
            .isEqualTo(Result.UNKNOWN_MESSAGE_CLASS);
        assertThat(agent.track(request.reset().messageId(1).destinations(mask(0)).messageClass(7)))
            .isEqualTo(Result.OK);
        assertThat(tracker.status(1).deadlineNs()).isEqualTo(START_NS + 20 * MS);
        assertThat(tracker.status(1).ttlDeadlineNs()).isEqualTo(START_NS + 500 * MS);

        for (long t = 1; t <= 28; t++)
        {
            advanceTo(t);
        }
        assertThat(redeliveries).hasSize(1);
        assertThat(redeliveries.get(0)[3] - START_NS).isBetween(25 * MS, 28 * MS);
        for (long t = 29; t <= 60; t++)
        {
            advanceTo(t);
        }
        assertThat(outcomes.last().reason()).isEqualTo(FailureReason.MAX_RETRIES);
    }

    @Test
    void shouldRefuseMetadataLargerThanTheLimit()
    {
        open(config().maxMetadataLength(8));
        final UnsafeBuffer metadata = new UnsafeBuffer(new byte[9]);
        assertThat(agent.track(new TrackRequest().reset().messageId(1).destinations(mask(0))
            .metadata(metadata, 0, 9))).isEqualTo(Result.METADATA_TOO_LARGE);
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.UNKNOWN);
        assertThat(tracker.offerTrack(new TrackRequest().reset().messageId(1).destinations(mask(0))
            .metadata(metadata, 0, 8))).isEqualTo(Result.QUEUED);
        drain(agent);
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.PENDING);
    }

    @Test
    void shouldAcceptNackAndRejectFromOtherThreadsThroughTheQueue()
    {
        open(config());
        agent.track(1, mask(0));
        agent.track(2, mask(0));
        assertThat(tracker.offerNack(1, 0, 0, 7)).isEqualTo(Result.QUEUED);
        assertThat(tracker.offerReject(2, 0, 9)).isEqualTo(Result.QUEUED);
        drain(agent);
        assertThat(counter(TrackerCounter.NACKS)).isEqualTo(1);
        assertThat(outcomes.last().messageId()).isEqualTo(2);
        assertThat(outcomes.last().reason()).isEqualTo(FailureReason.REJECTED);
    }
}

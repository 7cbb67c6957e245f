package io.acktracker.engine.agent;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.MessageStatus;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.MetricsSnapshot;
import io.acktracker.engine.metrics.TrackerCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;

import static io.acktracker.engine.Trackers.START_NS;
import static io.acktracker.engine.Trackers.drain;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent's synchronous API and duty cycle, one behaviour per test, on an injected clock.
 * <p>
 * Why this file is long: one short test per rule of the agent's API (tracking, acks, quorum, timeouts, back
 * pressure, listeners, time), sharing one fixture; the parts with their own fixtures (failure, bounded work, the
 * first pass over a batch) live in their own classes.
 */
class TrackerAgentTest
{
    private static final long MS = 1_000_000L;

    private final TestClock clock = new TestClock(START_NS);
    private final Trackers.Outcomes outcomes = new Trackers.Outcomes();
    private AckTracker tracker;
    private TrackerAgent agent;
    private int a;
    private int b;
    private int c;

    @BeforeEach
    void setUp()
    {
        open(Trackers.config(clock, outcomes));
    }

    private void open(final TrackerConfig config)
    {
        tracker = AckTracker.open(config);
        agent = tracker.agent();
        a = tracker.destination("a");
        b = tracker.destination("b");
        c = tracker.destination("c");
    }

    @AfterEach
    void tearDown()
    {
        tracker.close();
    }

    private long mask(final int... ids)
    {
        return DestinationRegistry.mask(ids);
    }

    private long counter(final TrackerCounter counter)
    {
        return tracker.counters().value(counter);
    }

    @Test
    void shouldCompleteWhenEveryDestinationAcksByDefault()
    {
        assertThat(agent.track(1, mask(a, b))).isEqualTo(Result.OK);
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.PENDING);

        clock.advanceMs(3);
        agent.doWork();
        assertThat(agent.recordAck(1, a)).isEqualTo(Result.OK);
        final MessageStatus partial = tracker.status(1);
        assertThat(partial.state()).isEqualTo(MessageState.PARTIAL);
        assertThat(partial.hasAcked(a)).isTrue();
        assertThat(partial.hasAcked(b)).isFalse();
        assertThat(outcomes.count()).isZero();

        clock.advanceMs(2);
        agent.doWork();
        assertThat(agent.recordAck(1, b)).isEqualTo(Result.COMPLETED);
        assertThat(outcomes.count()).isEqualTo(1);
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(outcomes.last().latencyNs()).isEqualTo(5 * MS);
        assertThat(outcomes.last().replay()).isFalse();
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.COMPLETED);
        assertThat(agent.pendingCount()).isZero();
        assertThat(counter(TrackerCounter.COMPLETED)).isEqualTo(1);
        assertThat(counter(TrackerCounter.ACKS)).isEqualTo(2);
    }

    @Test
    void shouldCompleteAQuorumMessageOnTheKthAck()
    {
        assertThat(agent.track(7, mask(a, b, c), 2, 0, 0)).isEqualTo(Result.OK);
        assertThat(agent.recordAck(7, c)).isEqualTo(Result.OK);
        assertThat(agent.recordAck(7, a)).isEqualTo(Result.COMPLETED);
        assertThat(agent.recordAck(7, b)).isEqualTo(Result.LATE_ACK);
        assertThat(counter(TrackerCounter.LATE_ACKS)).isEqualTo(1);
        assertThat(outcomes.count()).isEqualTo(1);
    }

    @Test
    void shouldHoldAnAckThatOvertookItsTrackForTheEarlyAckWindow()
    {
        tracker.close();
        open(Trackers.config(clock, outcomes).earlyAckWindowNs(10 * MS));
        assertThat(agent.recordAck(1, a)).isEqualTo(Result.HELD);
        assertThat(agent.recordAck(1, b)).isEqualTo(Result.HELD);
        assertThat(agent.recordAck(2, a)).isEqualTo(Result.HELD);
        clock.advanceMs(5);
        drain(agent);
        assertThat(agent.track(1, mask(a, b, c))).isEqualTo(Result.OK);
        assertThat(tracker.status(1).acked()).isEqualTo(mask(a, b));
        assertThat(agent.recordAck(1, c)).isEqualTo(Result.COMPLETED);
        assertThat(counter(TrackerCounter.EARLY_ACKS_HELD)).isEqualTo(3);
        assertThat(counter(TrackerCounter.EARLY_ACKS_APPLIED)).isEqualTo(2);
        assertThat(counter(TrackerCounter.ORPHAN_ACKS)).isZero();

        clock.advanceMs(6);
        drain(agent);
        assertThat(counter(TrackerCounter.ORPHAN_ACKS)).isEqualTo(1);
        assertThat(agent.track(2, mask(a))).isEqualTo(Result.OK);
        assertThat(tracker.status(2).acked()).isZero();
    }

    @Test
    void shouldCountAnOrphanAtOnceWhenTheEarlyAckWindowIsOff()
    {
        assertThat(agent.recordAck(1, a)).isEqualTo(Result.UNKNOWN_MESSAGE);
        agent.track(1, mask(a));
        assertThat(tracker.status(1).acked()).isZero();
    }

    @Test
    void shouldRefuseDuplicateAckAndChangeNothing()
    {
        agent.track(1, mask(a, b));
        agent.recordAck(1, a);
        assertThat(agent.recordAck(1, a)).isEqualTo(Result.DUPLICATE_ACK);
        assertThat(counter(TrackerCounter.DUPLICATE_ACKS)).isEqualTo(1);
        assertThat(counter(TrackerCounter.ACKS)).isEqualTo(1);
        assertThat(tracker.status(1).acked()).isEqualTo(mask(a));
    }

    @Test
    void shouldRefuseAckFromDestinationNotOfTheMessage()
    {
        agent.track(1, mask(a, b));
        assertThat(agent.recordAck(1, c)).isEqualTo(Result.SPOOFED_DESTINATION);
        assertThat(agent.recordAck(1, 63)).isEqualTo(Result.SPOOFED_DESTINATION);
        assertThat(counter(TrackerCounter.SPOOFED_ACKS)).isEqualTo(2);
        // an id out of range is malformed, whatever the message: refused by the validator on every path
        assertThat(agent.recordAck(1, -1)).isEqualTo(Result.UNKNOWN_DESTINATION);
        assertThat(agent.recordAck(1, 64)).isEqualTo(Result.UNKNOWN_DESTINATION);
        assertThat(agent.recordAck(99, 64)).isEqualTo(Result.UNKNOWN_DESTINATION);
        assertThat(counter(TrackerCounter.INVALID_REQUESTS)).isEqualTo(3);
        assertThat(counter(TrackerCounter.SPOOFED_ACKS)).isEqualTo(2);
        assertThat(tracker.status(1).acked()).isZero();
    }

    @Test
    void shouldCountAckForUnknownIdAsOrphan()
    {
        assertThat(agent.recordAck(404, a)).isEqualTo(Result.UNKNOWN_MESSAGE);
        assertThat(counter(TrackerCounter.ORPHAN_ACKS)).isEqualTo(1);
        assertThat(agent.pendingCount()).isZero();
    }

    @Test
    void shouldTellLateAckFromUnknownWhileTheTombstoneLives()
    {
        agent.track(1, mask(a));
        agent.recordAck(1, a);
        clock.advanceMs(4_000);
        drain(agent);
        assertThat(agent.recordAck(1, a)).isEqualTo(Result.LATE_ACK);

        clock.advanceMs(1_001);
        drain(agent);
        assertThat(agent.tombstoneCount()).isZero();
        assertThat(agent.recordAck(1, a)).isEqualTo(Result.UNKNOWN_MESSAGE);
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.UNKNOWN);
    }

    @Test
    void shouldRefuseLiveDuplicateIdAndAnIdInsideTheTombstoneWindow()
    {
        assertThat(agent.track(1, mask(a))).isEqualTo(Result.OK);
        assertThat(agent.track(1, mask(b))).isEqualTo(Result.DUPLICATE_TRACK);
        assertThat(tracker.status(1).destinations()).isEqualTo(mask(a));

        agent.recordAck(1, a);
        assertThat(agent.track(1, mask(a))).isEqualTo(Result.DUPLICATE_TRACK);

        clock.advanceMs(5_001);
        drain(agent);
        assertThat(agent.track(1, mask(a))).isEqualTo(Result.OK);
        assertThat(counter(TrackerCounter.DUPLICATE_TRACKS)).isEqualTo(2);
    }

    @Test
    void shouldRefuseBadArgumentsWithClearCodesAndChangeNothing()
    {
        final TrackRequest request = new TrackRequest();
        assertThat(agent.track(request.reset().messageId(1))).isEqualTo(Result.NO_DESTINATIONS);
        assertThat(agent.track(request.reset().messageId(1).destinations(mask(a, b)).requiredAcks(3)))
            .isEqualTo(Result.INVALID_REQUIRED_ACKS);
        assertThat(agent.track(request.reset().messageId(1).destinations(mask(a, b)).requiredAcks(-1)))
            .isEqualTo(Result.INVALID_REQUIRED_ACKS);
        assertThat(agent.track(request.reset().messageId(1).destinations(mask(a)).ackTimeoutNs(-5)))
            .isEqualTo(Result.INVALID_TIMEOUT);
        assertThat(agent.track(request.reset().messageId(1).destinations(mask(a)).ttlNs(-5)))
            .isEqualTo(Result.INVALID_TIMEOUT);
        assertThat(agent.track(request.reset().messageId(1).destinations(mask(40))))
            .isEqualTo(Result.UNKNOWN_DESTINATION);
        assertThat(agent.track(request.reset().messageId(1).destinations(mask(a)).priority(500)))
            .isEqualTo(Result.INVALID_ARGUMENT);

        assertThat(agent.pendingCount()).isZero();
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.UNKNOWN);
        assertThat(counter(TrackerCounter.INVALID_REQUESTS)).isEqualTo(7);
        assertThat(counter(TrackerCounter.TRACKED)).isZero();
    }

    @Test
    void shouldRefuseTheReservedMessageIdThatTheQueuesUseAsTheirEmptyMarker()
    {
        // Found by the transport's decoder fuzzing: a Track of id Long.MIN_VALUE was accepted, and its Reject then
        // threw a NullPointerException out of the dead-letter index (an Agrona LongArrayQueue whose null value is
        // Long.MIN_VALUE) half way through finishing the message; a retry of it read as "retry queue empty".
        final TrackRequest request = new TrackRequest();
        assertThat(agent.track(request.reset().messageId(Long.MIN_VALUE).destinations(mask(a))))
            .isEqualTo(Result.INVALID_ARGUMENT);
        assertThat(agent.recordReject(Long.MIN_VALUE, a, 9)).isEqualTo(Result.UNKNOWN_MESSAGE);
        assertThat(agent.track(request.reset().messageId(Long.MIN_VALUE + 1).destinations(mask(a))))
            .isEqualTo(Result.OK);
        assertThat(agent.recordReject(Long.MIN_VALUE + 1, a, 9)).isEqualTo(Result.OK);

        assertThat(agent.pendingCount()).isZero();
        assertThat(counter(TrackerCounter.TRACKED)).isEqualTo(1);
        assertThat(counter(TrackerCounter.INVALID_REQUESTS)).isEqualTo(1);
        assertThat(counter(TrackerCounter.DLQ_SIZE)).isEqualTo(1);
        assertThat(counter(TrackerCounter.ERRORS)).isZero();
    }

    @Test
    void shouldRefuseNamesBeyondLimitsWhenTrackingByName()
    {
        final String[] many = new String[65];
        for (int i = 0; i < many.length; i++)
        {
            many[i] = "d" + i;
        }
        assertThat(tracker.offerTrack(1, many)).isEqualTo(Result.TOO_MANY_DESTINATIONS);
        assertThat(tracker.offerTrack(1, "has space")).isEqualTo(Result.UNKNOWN_DESTINATION);
        assertThat(tracker.offerTrack(1, "a", "b")).isEqualTo(Result.QUEUED);
        drain(agent);
        assertThat(tracker.status(1).destinations()).isEqualTo(mask(a, b));
    }

    @Test
    void shouldRefuseUnknownDestinationNameWhenTheRegistryIsClosed()
    {
        tracker.close();
        open(Trackers.config(clock, outcomes).openRegistry(false));
        assertThat(tracker.offerTrack(1, "zzz")).isEqualTo(Result.UNKNOWN_DESTINATION);
        assertThat(tracker.destinations().size()).isEqualTo(4);
        assertThat(tracker.offerTrack(1, "a")).isEqualTo(Result.QUEUED);
    }

    @Test
    void shouldRefuseTrackBeyondCapacityAndAcceptAgainWhenRoomFrees()
    {
        tracker.close();
        open(Trackers.config(clock, outcomes).capacity(3).tombstoneCapacity(1));
        for (int id = 0; id < 3; id++)
        {
            assertThat(agent.track(id, mask(a))).isEqualTo(Result.OK);
        }
        assertThat(agent.track(3, mask(a))).isEqualTo(Result.CAPACITY_EXCEEDED);
        assertThat(counter(TrackerCounter.CAPACITY_EXCEEDED)).isEqualTo(1);
        assertThat(tracker.status(3).state()).isEqualTo(MessageState.UNKNOWN);

        agent.recordAck(0, a);
        assertThat(agent.track(3, mask(a))).isEqualTo(Result.OK);
        agent.recordAck(1, a);
        assertThat(counter(TrackerCounter.TOMBSTONES_EVICTED_EARLY)).isEqualTo(1);
        assertThat(agent.track(4, mask(a))).isEqualTo(Result.OK);
    }

    @Test
    void shouldFailOnAckTimeoutWithoutRetries()
    {
        agent.track(1, mask(a, b));
        agent.recordAck(1, a);
        clock.advanceMs(999);
        drain(agent);
        assertThat(outcomes.count()).isZero();

        clock.advanceMs(5);
        drain(agent);
        assertThat(outcomes.count()).isEqualTo(1);
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(outcomes.last().reason()).isEqualTo(FailureReason.TIMEOUT);
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.FAILED);
        assertThat(counter(TrackerCounter.TIMEOUTS)).isEqualTo(1);
        assertThat(counter(TrackerCounter.FAILED)).isEqualTo(1);
    }

    @Test
    void shouldExpireWhenTtlComesFirst()
    {
        final TrackRequest request = new TrackRequest().reset().messageId(1).destinations(mask(a))
            .ackTimeoutNs(TrackRequest.NO_TIMEOUT).ttlNs(50 * MS);
        agent.track(request);
        clock.advanceMs(49);
        drain(agent);
        assertThat(outcomes.count()).isZero();
        clock.advanceMs(3);
        drain(agent);
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.EXPIRED);
        assertThat(outcomes.last().reason()).isEqualTo(FailureReason.EXPIRED);
        assertThat(counter(TrackerCounter.EXPIRED)).isEqualTo(1);
    }

    @Test
    void shouldNeverTimeOutWithoutDeadlines()
    {
        agent.track(new TrackRequest().reset().messageId(1).destinations(mask(a))
            .ackTimeoutNs(TrackRequest.NO_TIMEOUT).ttlNs(TrackRequest.NO_TIMEOUT));
        clock.advanceMs(10_000_000);
        drain(agent);
        assertThat(outcomes.count()).isZero();
        assertThat(agent.recordAck(1, a)).isEqualTo(Result.COMPLETED);
    }

    @Test
    void shouldHandleABurstOfTracksWithTheSameTimeoutInOneTick()
    {
        tracker.close();
        open(Trackers.config(clock, outcomes).capacity(50_000).timerBudget(1000));
        for (int id = 0; id < 50_000; id++)
        {
            assertThat(agent.track(id, mask(a))).isEqualTo(Result.OK);
        }
        assertThat(agent.deadlines().bucketCount()).isEqualTo(1);

        clock.advanceMs(1_002);
        assertThat(agent.doWork()).isGreaterThanOrEqualTo(1000);
        assertThat(outcomes.count()).isEqualTo(1000);
        drain(agent);
        assertThat(outcomes.count()).isEqualTo(50_000);
        assertThat(outcomes.seen).allMatch((seen) -> seen.outcome() == Outcome.FAILED);
    }

    @Test
    void shouldApplyCumulativeAckToEveryMessageUpToTheOffsetForThatDestination()
    {
        final TrackRequest request = new TrackRequest();
        for (int seq = 1; seq <= 10; seq++)
        {
            agent.track(request.reset().messageId(100 + seq).destinations(mask(a, b)).stream(9, seq));
        }
        agent.track(request.reset().messageId(500).destinations(mask(a, b)).stream(8, 3));

        assertThat(agent.recordCumulativeAck(9, a, 6)).isEqualTo(Result.OK);
        assertThat(outcomes.count()).isZero();
        assertThat(tracker.status(106).hasAcked(a)).isTrue();
        assertThat(tracker.status(107).hasAcked(a)).isFalse();
        assertThat(tracker.status(500).hasAcked(a)).isFalse();

        assertThat(agent.recordCumulativeAck(9, b, 4)).isEqualTo(Result.OK);
        assertThat(outcomes.seen).extracting(Trackers.Seen::messageId).containsExactly(101L, 102L, 103L, 104L);

        assertThat(agent.recordCumulativeAck(9, b, 4)).isEqualTo(Result.DUPLICATE_ACK);
        assertThat(agent.recordCumulativeAck(9, b, 2)).isEqualTo(Result.DUPLICATE_ACK);
        assertThat(counter(TrackerCounter.CUMULATIVE_MESSAGES_ACKED)).isEqualTo(10);
        assertThat(counter(TrackerCounter.CUMULATIVE_ACKS)).isEqualTo(2);
    }

    @Test
    void shouldAckLateTrackedMessageCoveredByAnEarlierCumulativeOffset()
    {
        final TrackRequest request = new TrackRequest();
        agent.recordCumulativeAck(3, a, 100);
        agent.track(request.reset().messageId(1).destinations(mask(a, b)).stream(3, 50));
        assertThat(tracker.status(1).hasAcked(a)).isTrue();
        agent.track(request.reset().messageId(2).destinations(mask(a)).stream(3, 70));
        assertThat(outcomes.seen).extracting(Trackers.Seen::messageId).containsExactly(2L);
        agent.track(request.reset().messageId(3).destinations(mask(a)).stream(3, 101));
        assertThat(tracker.status(3).state()).isEqualTo(MessageState.PENDING);
    }

    @Test
    void shouldApplyALargeCumulativeAckInBoundedSlices()
    {
        tracker.close();
        open(Trackers.config(clock, outcomes).capacity(10_000).housekeepingBudget(100));
        final TrackRequest request = new TrackRequest();
        for (int seq = 0; seq < 5_000; seq++)
        {
            agent.track(request.reset().messageId(seq).destinations(mask(a)).stream(1, seq));
        }
        agent.recordCumulativeAck(1, a, 4_999);
        assertThat(outcomes.count()).isEqualTo(100);
        agent.doWork();
        assertThat(outcomes.count()).isEqualTo(200);
        drain(agent);
        assertThat(outcomes.count()).isEqualTo(5_000);
        assertThat(agent.pendingCount()).isZero();
    }

    @Test
    void shouldIgnoreCumulativeAckForADestinationNotOfTheMessage()
    {
        final TrackRequest request = new TrackRequest();
        agent.track(request.reset().messageId(1).destinations(mask(b)).stream(1, 1));
        assertThat(agent.recordCumulativeAck(1, a, 10)).isEqualTo(Result.OK);
        assertThat(tracker.status(1).acked()).isZero();
        assertThat(agent.recordCumulativeAck(1, 50, 10)).isEqualTo(Result.SPOOFED_DESTINATION);
    }

    @Test
    void shouldNotifyPerMessageListenerOnceAndKeepOthersIsolatedFromAThrowingListener()
    {
        tracker.close();
        final List<Throwable> errors = new ArrayList<>();
        open(Trackers.config(clock, outcomes).errorHandler(errors::add));
        final Trackers.Outcomes perMessage = new Trackers.Outcomes();
        agent.track(new TrackRequest().reset().messageId(1).destinations(mask(a)),
            (id, outcome, reason, latency, attempts, replay) ->
            {
                perMessage.onOutcome(id, outcome, reason, latency, attempts, replay);
                throw new IllegalStateException("listener bug");
            });
        agent.track(2, mask(a));

        agent.recordAck(1, a);
        agent.recordAck(2, a);
        assertThat(perMessage.seen).extracting(Trackers.Seen::messageId).containsExactly(1L);
        assertThat(outcomes.seen).extracting(Trackers.Seen::messageId).containsExactly(1L, 2L);
        assertThat(counter(TrackerCounter.LISTENER_ERRORS)).isEqualTo(1);
        assertThat(errors).hasSize(1);
    }

    @Test
    void shouldSurviveAListenerThatCallsBackIntoTheAgent()
    {
        tracker.close();
        open(Trackers.config(clock, (id, outcome, reason, latency, attempts, replay) ->
        {
            outcomes.onOutcome(id, outcome, reason, latency, attempts, replay);
            if (id < 5)
            {
                agent.track(id + 1, mask(a));
                agent.recordAck(id + 1, a);
            }
        }));
        agent.track(1, mask(a));
        agent.recordAck(1, a);
        assertThat(outcomes.seen).extracting(Trackers.Seen::messageId).containsExactly(1L, 2L, 3L, 4L, 5L);
        for (long id = 1; id <= 5; id++)
        {
            assertThat(tracker.status(id).state()).isEqualTo(MessageState.COMPLETED);
        }
        assertThat(agent.tombstoneCount()).isEqualTo(5);
    }

    @Test
    void shouldQueueCommandsFromOtherThreadsAndReportRefusals()
    {
        tracker.close();
        final List<Result> refused = new ArrayList<>();
        open(Trackers.config(clock, outcomes).refusalListener((command, id, result) -> refused.add(result)));

        assertThat(tracker.offerTrack(1, mask(a))).isEqualTo(Result.QUEUED);
        assertThat(tracker.offerTrack(1, mask(a))).isEqualTo(Result.QUEUED);
        assertThat(tracker.offerAck(1, a)).isEqualTo(Result.QUEUED);
        assertThat(tracker.offerAck(99, a)).isEqualTo(Result.QUEUED);
        assertThat(tracker.offerTrack(2, 0)).isEqualTo(Result.NO_DESTINATIONS);
        assertThat(agent.pendingCount()).isZero();

        drain(agent);
        assertThat(outcomes.seen).extracting(Trackers.Seen::messageId).containsExactly(1L);
        assertThat(refused).containsExactly(Result.DUPLICATE_TRACK, Result.UNKNOWN_MESSAGE);
        assertThat(counter(TrackerCounter.COMMANDS)).isEqualTo(4);
    }

    @Test
    void shouldAnswerBackPressuredAtOnceWhenTheQueueIsFullAndLoseNothingQueued()
    {
        tracker.close();
        open(Trackers.config(clock, outcomes).commandBufferLength(4096));
        int queued = 0;
        Result result;
        while ((result = tracker.offerTrack(queued, mask(a))) == Result.QUEUED)
        {
            queued++;
        }
        assertThat(result).isEqualTo(Result.BACK_PRESSURED);
        assertThat(queued).isGreaterThan(10);
        assertThat(counter(TrackerCounter.BACK_PRESSURED)).isEqualTo(1);

        drain(agent);
        assertThat(agent.pendingCount()).isEqualTo(queued);
        assertThat(tracker.offerTrack(queued, mask(a))).isEqualTo(Result.QUEUED);
    }

    @Test
    void shouldCompleteFuturesAndHandlesFromOtherThreads() throws Exception
    {
        final var future = tracker.trackAsync(new TrackRequest().reset().messageId(1).destinations(mask(a)));
        final var handle = tracker.trackForCompletion(new TrackRequest().reset().messageId(2).destinations(mask(a)));
        final var refused = tracker.trackAsync(new TrackRequest().reset().messageId(2).destinations(mask(a)));
        drain(agent);
        tracker.offerAck(1, a);
        tracker.offerAck(2, a);
        drain(agent);

        assertThat(future.get().outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(handle.await(java.time.Duration.ofSeconds(1)).outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(refused).isCompletedExceptionally();
    }

    @Test
    void shouldRepairARecordThatLostItsDeadline()
    {
        agent.track(1, mask(a));
        final int slot = 0;
        assertThat(agent.deadlines().cancel(slot)).isTrue();
        agent.requestOrphanSweep();
        drain(agent);
        assertThat(counter(TrackerCounter.ORPHANS_REPAIRED)).isEqualTo(1);

        clock.advanceMs(1_001);
        drain(agent);
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void shouldReportPercentilesAndCounters()
    {
        for (int id = 0; id < 100; id++)
        {
            agent.track(id, mask(a));
            clock.advanceNs(1_000 * (id + 1));
            agent.doWork();
            agent.recordAck(id, a);
        }
        final MetricsSnapshot metrics = tracker.metrics();
        assertThat(metrics.completionLatency().count()).isEqualTo(100);
        assertThat(metrics.completionLatency().max()).isBetween(99_000L, 101_000L);
        assertThat(metrics.completionLatency().p50()).isBetween(49_000L, 51_000L);
        assertThat(metrics.serviceTime().count()).isEqualTo(200);
        final EnumMap<TrackerCounter, Long> counters = metrics.counters();
        assertThat(counters.get(TrackerCounter.COMPLETED)).isEqualTo(100);
        assertThat(counters.get(TrackerCounter.PENDING)).isZero();
    }

    @Test
    void shouldRunOnItsOwnThread() throws Exception
    {
        tracker.close();
        final TrackerConfig config = new TrackerConfig().capacity(1000).destinations("a", "b");
        try (AckTracker launched = AckTracker.launch(config))
        {
            tracker = launched;
            final int x = launched.destination("a");
            final var future = launched.trackAsync(new TrackRequest().reset().messageId(5).destinations(mask(x)));
            while (launched.status(5).state() == MessageState.UNKNOWN)
            {
                Thread.onSpinWait();
            }
            assertThat(launched.offerAck(5, x)).isEqualTo(Result.QUEUED);
            assertThat(future.get(10, java.util.concurrent.TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(launched.invoker()).isNull();
        }
    }

    @Test
    void shouldBeComposableIntoAHostAgent() throws Exception
    {
        final org.agrona.concurrent.CompositeAgent host = new org.agrona.concurrent.CompositeAgent(agent,
            new org.agrona.concurrent.Agent()
            {
                public int doWork()
                {
                    return 0;
                }

                public String roleName()
                {
                    return "host";
                }
            });
        tracker.offerTrack(1, mask(a));
        tracker.offerAck(1, a);
        assertThat(host.doWork()).isGreaterThan(0);
        assertThat(outcomes.last().messageId()).isEqualTo(1);
    }

    @Test
    void shouldNeverStampACommandEarlierThanOneBeforeItWhenTheWallClockStepsBack()
    {
        agent.track(1, mask(a));
        clock.advanceMs(400);
        agent.doWork();
        final long before = agent.nowNs();

        clock.set(clock.nanoTime() - 3_600_000 * MS);
        agent.doWork();
        assertThat(agent.nowNs()).as("time held, not sent back an hour").isEqualTo(before);
        agent.track(2, mask(a));
        assertThat(tracker.status(2).createdNs()).isEqualTo(before);

        // the clock catches up: the first message times out at its own deadline, once
        clock.set(before + 700 * MS);
        Trackers.drain(agent);
        assertThat(counter(TrackerCounter.TIMEOUTS)).isEqualTo(1);
        assertThat(outcomes.seen).extracting(Trackers.Seen::messageId).containsExactly(1L);
    }
}

package io.acktracker.engine.dlq;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.DeadLetterAdmin;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.DeadLetter;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.DlqStats;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.ReplayMode;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.machine.DeadLetters;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.store.BlobTable;
import io.acktracker.engine.store.PendingTable;
import io.acktracker.engine.store.StoreLayout;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.acktracker.engine.Trackers.START_NS;
import static io.acktracker.engine.Trackers.drain;
import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterTest
{
    private static final long MS = 1_000_000L;

    @TempDir
    Path temp;

    private final TestClock clock = new TestClock(START_NS);
    private final Trackers.Outcomes outcomes = new Trackers.Outcomes();
    private final List<long[]> redeliveries = new ArrayList<>();
    private AckTracker tracker;
    private TrackerAgent agent;
    private DeadLetters dlq;

    private TrackerConfig config()
    {
        return Trackers.config(clock, outcomes)
            .dlqCapacity(3)
            .dlqRetentionNs(3_600_000 * MS)
            .dlqReplayBudget(2)
            .redeliveryListener((id, destination, attempt) -> redeliveries.add(new long[]{ id, destination, attempt }));
    }

    private void open(final TrackerConfig config)
    {
        tracker = AckTracker.open(config);
        agent = tracker.agent();
        dlq = agent.deadLetters();
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

    private void reject(final long id)
    {
        agent.track(id, mask(0, 1));
        agent.recordReject(id, 0, 1);
    }

    @Test
    void shouldMakeRoomInAFullQueueByEvictingItsOldestSoFailedMessagesNeverPileUpInThePendingTable()
    {
        open(config().capacity(8).tombstoneCapacity(8).tombstoneWindowNs(0));
        // far more failures than the queue holds, through a pending table of 8: none may stay behind
        for (int id = 1; id <= 50; id++)
        {
            reject(id);
        }
        drain(agent);
        assertThat(dlq.stats(null).count()).isEqualTo(3);
        assertThat(dlq.held()).isZero();
        assertThat(agent.pendingCount()).as("nothing wedged in the pending table").isZero();
        assertThat(agent.track(51, mask(0))).as("the table still takes Tracks").isEqualTo(Result.OK);
        assertThat(tracker.counters().value(TrackerCounter.DLQ_EVICTED)).isEqualTo(47);
        assertThat(tracker.counters().value(TrackerCounter.DLQ_FULL)).isZero();
        assertThat(dlq.stats(null).evictedOldest()).isEqualTo(47);
        assertThat(dlq.stats(null).totalMoved()).isEqualTo(50);
        // the newest three are kept, the oldest went first
        assertThat(dlq.get(48)).isNotNull();
        assertThat(dlq.get(50)).isNotNull();
        assertThat(dlq.get(47)).isNull();
        assertThat(outcomes.count()).as("every failure told").isEqualTo(50);
    }

    @Test
    void shouldRefuseWhenFullKeepTheMessageFailedAndMoveItWhenRoomAppears()
    {
        open(config().dlqEvictOldest(false));
        for (int id = 1; id <= 5; id++)
        {
            reject(id);
        }
        assertThat(dlq.stats(null).count()).isEqualTo(3);
        assertThat(dlq.held()).isEqualTo(2);
        assertThat(tracker.counters().value(TrackerCounter.DLQ_FULL)).isEqualTo(2);
        assertThat(tracker.counters().value(TrackerCounter.DLQ_HELD)).isEqualTo(2);
        assertThat(tracker.status(4).state()).isEqualTo(MessageState.FAILED);
        assertThat(outcomes.count()).isEqualTo(5);

        clock.advanceMs(60_000);
        drain(agent);
        assertThat(tracker.status(4).state()).isEqualTo(MessageState.FAILED);
        assertThat(agent.track(4, mask(0))).isEqualTo(Result.DUPLICATE_TRACK);

        assertThat(agent.deleteDeadLetters(1, 2, 99)).isEqualTo(2);
        drain(agent);
        assertThat(dlq.held()).isZero();
        assertThat(dlq.stats(null).count()).isEqualTo(3);
        assertThat(dlq.get(4)).isNotNull();
        assertThat(dlq.get(5)).isNotNull();
        final DlqStats stats = dlq.stats(null);
        assertThat(stats.totalMoved()).isEqualTo(5);
        assertThat(stats.totalDeleted()).isEqualTo(2);
        assertThat(stats.refusedFull()).isEqualTo(2);
    }

    @Test
    void shouldKeepOneQueuePerStreamPlusTheDefault()
    {
        open(config());
        final TrackRequest request = new TrackRequest();
        for (int id = 1; id <= 3; id++)
        {
            agent.track(request.reset().messageId(id).destinations(mask(0)).stream(8, id));
            agent.recordReject(id, 0, 0);
        }
        reject(10);
        agent.track(request.reset().messageId(11).destinations(mask(0)).stream(9, 1));
        agent.recordReject(11, 0, 0);

        assertThat(dlq.stats(8).count()).isEqualTo(3);
        assertThat(dlq.stats(DeadLetterAdmin.DEFAULT_QUEUE).count()).isEqualTo(1);
        assertThat(dlq.stats(9).count()).isEqualTo(1);
        assertThat(dlq.held()).isZero();
        assertThat(dlq.peek(8, 10)).extracting(DeadLetter::messageId).containsExactly(1L, 2L, 3L);
        assertThat(dlq.peek(8, 2)).extracting(DeadLetter::messageId).containsExactly(1L, 2L);
        assertThat(dlq.queues()).containsExactlyInAnyOrder(8, 9, DeadLetterAdmin.DEFAULT_QUEUE);
    }

    @Test
    void shouldListByReasonAndByDestination()
    {
        open(config().dlqCapacity(100).defaultMaxAttempts(1));
        reject(1);
        agent.track(2, mask(0, 1));
        agent.recordAck(2, 0);
        clock.advanceMs(1_001);
        drain(agent);
        agent.track(new TrackRequest().reset().messageId(3).destinations(mask(2)).ttlNs(10 * MS)
            .ackTimeoutNs(TrackRequest.NO_TIMEOUT));
        clock.advanceMs(20);
        drain(agent);

        assertThat(dlq.listByReason(FailureReason.REJECTED, 10)).extracting(DeadLetter::messageId)
            .containsExactly(1L);
        assertThat(dlq.listByReason(FailureReason.TIMEOUT, 10)).extracting(DeadLetter::messageId)
            .containsExactly(2L);
        assertThat(dlq.listByReason(FailureReason.EXPIRED, 10)).extracting(DeadLetter::messageId)
            .containsExactly(3L);
        assertThat(dlq.listByDestination(1, 10)).extracting(DeadLetter::messageId)
            .containsExactlyInAnyOrder(1L, 2L);
        assertThat(dlq.listByDestination(0, 10)).extracting(DeadLetter::messageId).containsExactly(1L);
    }

    @Test
    void shouldRemoveDeadLettersPastRetentionInSlices()
    {
        open(config().dlqCapacity(100).housekeepingBudget(2).dlqRetentionNs(1_000 * MS));
        for (int id = 1; id <= 5; id++)
        {
            reject(id);
        }
        clock.advanceMs(999);
        agent.doWork();
        assertThat(dlq.stats(null).count()).isEqualTo(5);
        clock.advanceMs(2);
        agent.doWork();
        assertThat(dlq.stats(null).count()).isEqualTo(3);
        assertThat(dlq.stats(null).retentionViolations()).isEqualTo(3);
        drain(agent);
        assertThat(dlq.stats(null).count()).isZero();
        assertThat(dlq.stats(null).retentionRemoved()).isEqualTo(5);
        assertThat(dlq.stats(null).retentionViolations()).isZero();
    }

    @Test
    void shouldReplayToAllDestinationsWithAttemptsResetAtTheReplayRate()
    {
        open(config().dlqCapacity(100).defaultMaxAttempts(3).defaultAckTimeoutNs(10 * MS));
        final byte[] metadata = { 1, 2, 3 };
        for (int id = 1; id <= 3; id++)
        {
            agent.track(new TrackRequest().reset().messageId(id).destinations(mask(0, 1))
                .metadata(new UnsafeBuffer(metadata), 0, 3));
            agent.recordAck(id, 0);
            agent.recordReject(id, 1, 7);
        }
        clock.advanceMs(6_000);
        drain(agent);
        redeliveries.clear();

        agent.replayDeadLetters(ReplayMode.ALL_DESTINATIONS, 1, 2, 3);
        agent.doWork();
        assertThat(redeliveries).extracting((r) -> r[0]).containsExactly(1L, 1L, 2L, 2L);
        assertThat(dlq.pendingReplays()).isEqualTo(1);
        agent.doWork();
        assertThat(redeliveries).hasSize(6);
        assertThat(redeliveries).allMatch((r) -> r[2] == 1);

        assertThat(tracker.status(1).state()).isEqualTo(MessageState.PENDING);
        assertThat(tracker.status(1).destinations()).isEqualTo(mask(0, 1));
        assertThat(tracker.status(1).attempts()).isEqualTo(1);
        assertThat(dlq.stats(null).count()).isZero();
        assertThat(dlq.stats(null).totalReplayed()).isEqualTo(3);

        agent.recordReject(1, 1, 8);
        final DeadLetter again = dlq.get(1);
        assertThat(again.replayed()).isTrue();
        assertThat(again.metadata()).containsExactly(1, 2, 3);
    }

    @Test
    void shouldRedriveOnlyTheDestinationsThatNeverAcked()
    {
        open(config().dlqCapacity(100));
        agent.track(1, mask(0, 1, 2), 3, 0, 0);
        agent.recordAck(1, 0);
        agent.recordReject(1, 2, 5);
        clock.advanceMs(6_000);
        drain(agent);
        redeliveries.clear();

        assertThat(agent.replayDeadLetterNow(ReplayMode.UNACKED_DESTINATIONS, 1)).isEqualTo(Result.OK);
        assertThat(tracker.status(1).destinations()).isEqualTo(mask(1, 2));
        assertThat(tracker.status(1).requiredAcks()).isEqualTo(2);
        assertThat(redeliveries).extracting((r) -> r[1]).containsExactly(1L, 2L);
        agent.recordAck(1, 1);
        assertThat(agent.recordAck(1, 2)).isEqualTo(Result.COMPLETED);
    }

    @Test
    void shouldRefuseReplayOfAnUnknownOrLiveId()
    {
        open(config().dlqCapacity(100));
        assertThat(agent.replayDeadLetterNow(ReplayMode.ALL_DESTINATIONS, 42)).isEqualTo(Result.UNKNOWN_MESSAGE);
        reject(1);
        assertThat(agent.replayDeadLetterNow(ReplayMode.ALL_DESTINATIONS, 1)).isEqualTo(Result.OK);
        assertThat(agent.replayDeadLetterNow(ReplayMode.ALL_DESTINATIONS, 1)).isEqualTo(Result.UNKNOWN_MESSAGE);
    }

    @Test
    void shouldServeOperationsFromOtherThreadsThroughFutures() throws Exception
    {
        open(config().dlqCapacity(100));
        reject(1);
        reject(2);
        final DeadLetterAdmin admin = tracker.deadLetters();
        final CompletableFuture<List<DeadLetter>> peek = admin.peek(DeadLetterAdmin.DEFAULT_QUEUE, 10);
        final CompletableFuture<DlqStats> stats = admin.stats();
        final CompletableFuture<Integer> deleted = admin.delete(2);
        final CompletableFuture<List<DeadLetter>> byDestination = admin.listByDestination("a", 10);
        assertThat(admin.listByDestination("nope", 1)).isCompletedExceptionally();
        assertThat(peek).isNotDone();
        agent.doWork();
        assertThat(peek.get()).extracting(DeadLetter::messageId).containsExactly(1L, 2L);
        assertThat(stats.get().count()).isEqualTo(2);
        assertThat(deleted.get()).isEqualTo(1);
        assertThat(byDestination.get()).extracting(DeadLetter::messageId).containsExactly(1L);
    }

    @Test
    void shouldKeepDeadLettersTotalsAndPendingRetriesAcrossARestart()
    {
        final Path dir = temp.resolve("data");
        open(config().dataDir(dir).dlqCapacity(2).dlqEvictOldest(false).defaultMaxAttempts(3)
            .defaultAckTimeoutNs(50 * MS).defaultBackoff(io.acktracker.engine.api.Backoff.fixed(100 * MS)));
        reject(1);
        reject(2);
        reject(3);
        agent.track(4, mask(1));
        clock.advanceMs(60);
        drain(agent);
        assertThat(dlq.held()).isEqualTo(1);
        assertThat(redeliveries).isEmpty();
        tracker.close();
        tracker = null;

        open(config().dataDir(dir).dlqCapacity(2).dlqEvictOldest(false).defaultMaxAttempts(3)
            .defaultAckTimeoutNs(50 * MS));
        assertThat(dlq.stats(null).count()).isEqualTo(2);
        assertThat(dlq.stats(null).totalMoved()).isEqualTo(2);
        assertThat(dlq.stats(null).refusedFull()).isEqualTo(1);
        assertThat(dlq.held()).isEqualTo(1);
        assertThat(tracker.status(3).state()).isEqualTo(MessageState.FAILED);
        clock.advanceMs(105);
        drain(agent);
        assertThat(redeliveries).extracting((r) -> r[0]).containsExactly(4L);
        assertThat(redeliveries.get(0)[2]).isEqualTo(2);

        agent.deleteDeadLetters(1);
        drain(agent);
        assertThat(dlq.held()).isZero();
        assertThat(dlq.get(3)).isNotNull();
    }

    @Test
    void shouldFinishADeadLetterMoveInterruptedByACrash() throws Exception
    {
        final Path dir = temp.resolve("data");
        open(config().dataDir(dir).dlqCapacity(10));
        reject(1);
        reject(2);
        tracker.close();
        tracker = null;

        // a crash after the final status was written but before the dead letter was: flag set, entry missing
        final Map<Long, Long> addresses = new HashMap<>();
        try (PendingTable table = PendingTable.persisted(dir.resolve(StoreLayout.PENDING_FILE).toFile(), 4096,
            false))
        {
            table.forEachRecord(addresses::put);
            new PendingRecord().wrap(addresses.get(2L)).setFlag2(PendingRecord.FLAG2_DLQ_PENDING);
        }
        try (BlobTable letters = BlobTable.open("acktracker-dlq", dir.resolve(StoreLayout.DEAD_LETTERS_FILE).toFile(),
            1024, 512, false))
        {
            letters.remove(2);
        }
        java.nio.file.Files.delete(dir.resolve(StoreLayout.CLEAN_MARKER));

        open(config().dataDir(dir).dlqCapacity(10));
        assertThat(dlq.get(1)).isNotNull();
        assertThat(dlq.get(2)).isNotNull();
        assertThat(dlq.get(2).reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(dlq.stats(null).count()).isEqualTo(2);
        assertThat(outcomes.seen).extracting(Trackers.Seen::outcome).containsOnly(Outcome.FAILED);
    }
}

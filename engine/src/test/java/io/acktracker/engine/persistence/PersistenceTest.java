package io.acktracker.engine.persistence;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.metrics.CountersFile;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.store.PendingTable;
import io.acktracker.engine.store.SnapshotInfo;
import io.acktracker.engine.store.Snapshots;
import io.acktracker.engine.store.StoreLayout;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import static io.acktracker.engine.Trackers.START_NS;
import static io.acktracker.engine.Trackers.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PersistenceTest
{
    private static final long MS = 1_000_000L;

    @TempDir
    Path temp;

    private final TestClock clock = new TestClock(START_NS);
    private final Trackers.Outcomes outcomes = new Trackers.Outcomes();

    private TrackerConfig config(final Path dir)
    {
        return Trackers.config(clock, outcomes).dataDir(dir);
    }

    private static long mask(final int... ids)
    {
        return DestinationRegistry.mask(ids);
    }

    @Test
    void shouldRecoverPendingRecordsAcksDeadlinesAndTombstonesOnReopen()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            final TrackerAgent agent = tracker.agent();
            agent.track(1, mask(0, 1));
            agent.track(2, mask(0, 1, 2), 2, 200 * MS, 0);
            agent.track(3, mask(0));
            agent.recordAck(1, 0);
            agent.recordAck(2, 2);
            agent.recordAck(3, 0);
            assertThat(outcomes.count()).isEqualTo(1);
        }

        clock.advanceMs(100);
        outcomes.seen.clear();
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            final TrackerAgent agent = tracker.agent();
            assertThat(agent.pendingCount()).isEqualTo(2);
            assertThat(agent.tombstoneCount()).isEqualTo(1);
            assertThat(tracker.counters().value(TrackerCounter.RECOVERED)).isEqualTo(2);
            assertThat(tracker.status(1).hasAcked(0)).isTrue();
            assertThat(tracker.status(1).state()).isEqualTo(MessageState.PARTIAL);
            assertThat(tracker.status(3).state()).isEqualTo(MessageState.COMPLETED);

            assertThat(agent.recordAck(1, 0)).isEqualTo(Result.DUPLICATE_ACK);
            assertThat(agent.recordAck(3, 0)).isEqualTo(Result.LATE_ACK);
            assertThat(agent.track(3, mask(0))).isEqualTo(Result.DUPLICATE_TRACK);

            clock.advanceMs(150);
            drain(agent);
            assertThat(outcomes.seen).extracting(Trackers.Seen::messageId).containsExactly(2L);
            assertThat(outcomes.last().outcome()).isEqualTo(Outcome.FAILED);
            assertThat(outcomes.last().replay()).isFalse();

            assertThat(agent.recordAck(1, 1)).isEqualTo(Result.COMPLETED);
        }
    }

    @Test
    void shouldFireDeadlinesThatPassedWhileDownAtOnce()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            tracker.agent().track(1, mask(0));
            tracker.agent().track(2, mask(0));
        }

        clock.advanceMs(60_000);
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            tracker.agent().doWork();
            assertThat(outcomes.seen).extracting(Trackers.Seen::messageId).containsExactlyInAnyOrder(1L, 2L);
        }
    }

    @Test
    void shouldRecoverAfterAnUncleanStopThroughChronicleRecovery() throws Exception
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            for (int id = 0; id < 1000; id++)
            {
                tracker.agent().track(id, mask(0, 1));
                tracker.agent().recordAck(id, id % 2);
            }
        }
        Files.delete(dir.resolve(StoreLayout.CLEAN_MARKER));

        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            assertThat(tracker.agent().pendingCount()).isEqualTo(1000);
            for (int id = 0; id < 1000; id++)
            {
                assertThat(tracker.agent().recordAck(id, (id + 1) % 2)).isEqualTo(Result.COMPLETED);
            }
        }
        assertThat(Files.exists(dir.resolve(StoreLayout.CLEAN_MARKER))).isTrue();
    }

    @Test
    void shouldReplayAnOutcomeWhoseNotificationMayNotHaveFinished()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            tracker.agent().track(1, mask(0));
            tracker.agent().track(2, mask(0));
            tracker.agent().recordAck(1, 0);
            tracker.agent().recordAck(2, 0);
        }

        // what a crash between writing the final status and finishing the listeners leaves behind
        final Map<Long, Long> addresses = new HashMap<>();
        final PendingTable table = PendingTable.persisted(dir.resolve(StoreLayout.PENDING_FILE).toFile(), 4096, false);
        table.forEachRecord(addresses::put);
        final PendingRecord record = new PendingRecord().wrap(addresses.get(2L));
        record.flags((byte)(record.flags() & ~PendingRecord.FLAG_NOTIFIED));
        table.close();

        outcomes.seen.clear();
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            drain(tracker.agent());
            assertThat(outcomes.seen).hasSize(1);
            assertThat(outcomes.last().messageId()).isEqualTo(2);
            assertThat(outcomes.last().outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(outcomes.last().replay()).isTrue();
            assertThat(tracker.counters().value(TrackerCounter.OUTCOMES_REPLAYED)).isEqualTo(1);
        }

        outcomes.seen.clear();
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            drain(tracker.agent());
            assertThat(outcomes.seen).isEmpty();
        }
    }

    @Test
    void shouldReplayAnUnnotifiedOutcomeEvenWhenItsTombstoneWindowPassedWhileDown()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            tracker.agent().track(7, mask(0));
            tracker.agent().recordAck(7, 0);
        }
        final Map<Long, Long> addresses = new HashMap<>();
        try (PendingTable table = PendingTable.persisted(dir.resolve(StoreLayout.PENDING_FILE).toFile(), 4096,
            false))
        {
            table.forEachRecord(addresses::put);
            final PendingRecord record = new PendingRecord().wrap(addresses.get(7L));
            record.flags((byte)(record.flags() & ~PendingRecord.FLAG_NOTIFIED));
        }

        clock.advanceMs(60_000);
        outcomes.seen.clear();
        try (AckTracker tracker = AckTracker.open(config(dir).housekeepingBudget(1)))
        {
            drain(tracker.agent());
            assertThat(outcomes.seen).hasSize(1);
            assertThat(outcomes.last().messageId()).isEqualTo(7);
            assertThat(outcomes.last().replay()).isTrue();
            assertThat(tracker.status(7).state()).isEqualTo(MessageState.UNKNOWN);
        }
    }

    @Test
    void shouldRecoverStreamsAndReapplyPersistedCumulativeOffsets()
    {
        final Path dir = temp.resolve("data");
        final TrackRequest request = new TrackRequest();
        try (AckTracker tracker = AckTracker.open(config(dir).housekeepingBudget(2)))
        {
            for (int seq = 1; seq <= 10; seq++)
            {
                tracker.agent().track(request.reset().messageId(seq).destinations(mask(0, 1)).stream(4, seq));
            }
            tracker.agent().recordCumulativeAck(4, 0, 8);
            assertThat(tracker.status(3).hasAcked(0)).isFalse();
        }

        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            drain(tracker.agent());
            for (int seq = 1; seq <= 8; seq++)
            {
                assertThat(tracker.status(seq).hasAcked(0)).isTrue();
            }
            assertThat(tracker.status(9).hasAcked(0)).isFalse();
            assertThat(tracker.agent().recordCumulativeAck(4, 1, 9)).isEqualTo(Result.OK);
            assertThat(outcomes.seen).extracting(Trackers.Seen::messageId)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            assertThat(tracker.agent().recordCumulativeAck(4, 0, 8)).isEqualTo(Result.DUPLICATE_ACK);
        }
    }

    @Test
    void shouldKeepDestinationIdsAcrossRestarts()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            assertThat(tracker.destination("late-joiner")).isEqualTo(4);
        }
        try (AckTracker tracker = AckTracker.open(new TrackerConfig().dataDir(dir).destinations("x")))
        {
            assertThat(tracker.destination("late-joiner")).isEqualTo(4);
            assertThat(tracker.destination("a")).isEqualTo(0);
            assertThat(tracker.destination("x")).isEqualTo(5);
        }
    }

    @Test
    void shouldRefuseASecondTrackerOnTheSameDataDirectory()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker first = AckTracker.open(config(dir)))
        {
            first.agent().track(1, mask(0));
            assertThatThrownBy(() -> AckTracker.open(config(dir)))
                .isInstanceOf(TrackerException.class)
                .hasMessageContaining("already open in this process");
            assertThat(first.agent().recordAck(1, 0)).isEqualTo(Result.COMPLETED);
        }
        try (AckTracker again = AckTracker.open(config(dir)))
        {
            assertThat(again.status(1).state()).isEqualTo(MessageState.COMPLETED);
        }
    }

    @Test
    void shouldCreateTheDataDirectoryAndItsFilesOwnerOnly() throws Exception
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            tracker.agent().track(1, mask(0));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            try (var files = Files.list(dir))
            {
                for (final Path file : (Iterable<Path>)files::iterator)
                {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                        .as(file.toString()).isEqualTo("rw-------");
                }
            }
        }
    }

    @Test
    void shouldReportACorruptPendingTableClearly() throws Exception
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            tracker.agent().track(1, mask(0));
        }
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve(StoreLayout.PENDING_FILE).toFile(), "rw"))
        {
            file.setLength(100);
        }
        assertThatThrownBy(() -> AckTracker.open(config(dir)))
            .isInstanceOf(TrackerException.class)
            .hasMessageContaining(StoreLayout.PENDING_FILE).hasMessageContaining("truncated")
            .hasMessageContaining("restore a snapshot");
    }

    @Test
    void shouldTakeAConsistentSnapshotWhileRunningAndRestoreIt() throws Exception
    {
        final Path dir = temp.resolve("data");
        final Path snapshot = temp.resolve("snap");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            final TrackRequest request = new TrackRequest();
            for (int id = 0; id < 100; id++)
            {
                tracker.agent().track(request.reset().messageId(id).destinations(mask(0, 1)).stream(1, id));
            }
            tracker.agent().recordAck(5, 0);
            tracker.agent().recordCumulativeAck(1, 1, 10);
            final var future = tracker.snapshot(snapshot);
            tracker.agent().doWork();
            final SnapshotInfo info = future.get();
            assertThat(info.entries()).isEqualTo(100);
            assertThat(tracker.counters().value(TrackerCounter.SNAPSHOTS)).isEqualTo(1);
            tracker.agent().recordAck(6, 0);
        }

        final Path restored = temp.resolve("restored");
        Snapshots.restore(snapshot, restored);
        outcomes.seen.clear();
        try (AckTracker tracker = AckTracker.open(config(restored)))
        {
            drain(tracker.agent());
            assertThat(tracker.agent().pendingCount()).isEqualTo(99);
            assertThat(tracker.status(5).state()).isEqualTo(MessageState.COMPLETED);
            assertThat(tracker.status(6).hasAcked(0)).isFalse();
            assertThat(tracker.status(6).hasAcked(1)).isTrue();
        }
    }

    @Test
    void shouldSnapshotAnInMemoryTracker() throws Exception
    {
        final Path snapshot = temp.resolve("snap");
        try (AckTracker tracker = AckTracker.open(Trackers.config(clock, outcomes)))
        {
            tracker.agent().track(1, mask(0, 1));
            tracker.agent().recordAck(1, 1);
            final var future = tracker.snapshot(snapshot);
            tracker.agent().doWork();
            assertThat(future.get().entries()).isEqualTo(1);
        }
        final Path restored = temp.resolve("restored");
        Snapshots.restore(snapshot, restored);
        try (AckTracker tracker = AckTracker.open(config(restored)))
        {
            assertThat(tracker.status(1).hasAcked(1)).isTrue();
            assertThat(tracker.agent().recordAck(1, 0)).isEqualTo(Result.COMPLETED);
        }
    }

    @Test
    void shouldExposeCountersToAReaderInAnotherProcessThroughTheCountersFile()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            tracker.agent().track(1, mask(0));
            tracker.agent().track(2, mask(0));
            tracker.agent().recordAck(1, 0);

            try (CountersFile file = CountersFile.openReadOnly(dir.resolve(CountersFile.FILE_NAME).toFile()))
            {
                final CountersReader reader = file.newReader();
                final Map<String, Long> byLabel = new HashMap<>();
                reader.forEach((counterId, typeId, keyBuffer, label) ->
                    byLabel.put(label, reader.getCounterValue(counterId)));
                assertThat(byLabel).containsEntry("messages tracked: acktracker", 2L);
                assertThat(byLabel).containsEntry("messages completed: acktracker", 1L);
                assertThat(byLabel).containsEntry("pending messages: acktracker", 1L);
                assertThat(file.pid()).isEqualTo(ProcessHandle.current().pid());
            }
        }
    }
}

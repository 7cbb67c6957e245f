package io.acktracker.engine.pending;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.MessageStatus;
import io.acktracker.engine.api.OutcomeEvent;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.store.PendingTable;
import io.acktracker.engine.store.StoreLayout;
import net.openhft.chronicle.core.values.IntValue;
import net.openhft.chronicle.values.Values;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.acktracker.engine.Trackers.START_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pending table as a slot arena: a slot's entry is created once and reused, messages keep their slots across a
 * restart, and a damaged arena is refused or repaired, never silently served.
 */
class SlotArenaTest
{
    private static final long MS = 1_000_000L;

    @TempDir
    Path temp;

    private final TestClock clock = new TestClock(START_NS);
    private final Trackers.Outcomes outcomes = new Trackers.Outcomes();

    private TrackerConfig config(final Path dir)
    {
        return Trackers.config(clock, outcomes).capacity(64).tombstoneCapacity(16).tombstoneWindowNs(10 * MS)
            .dataDir(dir);
    }

    @Test
    void shouldCreateEachSlotOnceAndReuseItForLaterMessages()
    {
        try (AckTracker tracker = AckTracker.open(config(temp.resolve("data"))))
        {
            final Records records = tracker.agent().records();
            long id = 0;
            for (int round = 0; round < 50; round++)
            {
                for (int i = 0; i < 40; i++, id++)
                {
                    tracker.agent().track(id, 1);
                }
                for (long acked = id - 40; acked < id; acked++)
                {
                    tracker.agent().recordAck(acked, 0);
                }
                clock.advanceMs(20);
                Trackers.drain(tracker.agent());
            }

            // 2,000 messages went through 40 at a time: their records used no more than pending plus tombstones
            final long created = records.createdSlots();
            assertThat(created).isLessThanOrEqualTo(64 + 16).isGreaterThanOrEqualTo(40);
            assertThat(records.pendingCount()).isZero();
            assertThat(outcomes.count()).isEqualTo(2_000);
        }
    }

    @Test
    void shouldKeepEveryMessageInItsSlotAcrossARestartAndReuseTheFreeOnes()
    {
        final Path dir = temp.resolve("data");
        final Map<Long, Integer> slots = new HashMap<>();
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            for (long id = 1; id <= 30; id++)
            {
                tracker.agent().track(id, 0b11);
            }
            for (long id = 1; id <= 10; id++)
            {
                tracker.agent().recordAck(id, 0);
                tracker.agent().recordAck(id, 1);
            }
            clock.advanceMs(20);
            Trackers.drain(tracker.agent());
            for (long id = 11; id <= 30; id++)
            {
                tracker.agent().recordAck(id, 0);
                slots.put(id, tracker.agent().records().slotOf(id));
            }
        }

        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            final Records records = tracker.agent().records();
            for (long id = 11; id <= 30; id++)
            {
                assertThat(records.slotOf(id)).as("slot of " + id).isEqualTo(slots.get(id));
                final MessageStatus status = tracker.status(id);
                assertThat(status.state()).isEqualTo(MessageState.PARTIAL);
                assertThat(status.acked()).isEqualTo(0b01);
            }
            for (long id = 1; id <= 10; id++)
            {
                assertThat(records.slotOf(id)).isEqualTo(Records.MISSING);
            }
            final long liveBefore = records.size();
            for (long id = 100; id < 110; id++)
            {
                tracker.agent().track(id, 1);
                assertThat(records.slotOf(id)).as("the freed slots are reused first").isLessThan(30);
            }
            assertThat(records.size()).isEqualTo(liveBefore + 10);
            assertThat(records.createdSlots()).isEqualTo(30);
            assertThat(tracker.counters().value(TrackerCounter.RECOVERED)).isEqualTo(20);
        }
    }

    @Test
    void shouldFreeATornInsertAndDiscardASecondRecordOfTheSameIdAtRecovery() throws Exception
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            tracker.agent().track(1, 1);
            tracker.agent().track(2, 1);
            tracker.agent().track(3, 1);
        }
        try (PendingTable table = PendingTable.persisted(dir.resolve(StoreLayout.PENDING_FILE).toFile(), 80, false))
        {
            final Map<Long, Long> addresses = new HashMap<>();
            table.forEachRecord(addresses::put);
            // a kill in the middle of an insert: the copy landed, the status did not
            new PendingRecord().wrap(addresses.get(2L)).status(RecordStatus.NONE);
            // a record of message 1 in a second slot, as only a damaged file could hold
            new PendingRecord().wrap(addresses.get(3L)).messageId(1);
        }
        Files.deleteIfExists(dir.resolve(StoreLayout.CLEAN_MARKER));

        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            assertThat(tracker.status(1).state()).isEqualTo(MessageState.PENDING);
            assertThat(tracker.status(2).state()).isEqualTo(MessageState.UNKNOWN);
            assertThat(tracker.status(3).state()).isEqualTo(MessageState.UNKNOWN);
            assertThat(tracker.agent().pendingCount()).isEqualTo(1);
            assertThat(tracker.counters().value(TrackerCounter.ERRORS)).isEqualTo(1);
            for (long id = 10; id < 12; id++)
            {
                tracker.agent().track(id, 1);
            }
            assertThat(tracker.agent().records().size()).isEqualTo(3);
        }
    }

    @Test
    void shouldRefuseAnArenaWithAMissingSlot()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            for (long id = 0; id < 5; id++)
            {
                tracker.agent().track(id, 1);
            }
        }
        try (PendingTable table = PendingTable.persisted(dir.resolve(StoreLayout.PENDING_FILE).toFile(), 80, false))
        {
            final IntValue key = Values.newHeapInstance(IntValue.class);
            key.setValue(2);
            assertThat(table.map().remove(key)).isNotNull();
        }

        assertThatThrownBy(() -> AckTracker.open(config(dir).errorHandler((ex) -> { })))
            .isInstanceOf(TrackerException.class)
            .hasMessageContaining("damaged").hasMessageContaining("1 of its 5 slots are missing");
    }

    @Test
    void shouldRefuseAnArenaHoldingARecordBeyondTheConfiguredSlots()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            for (long id = 0; id < 60; id++)
            {
                tracker.agent().track(id, 1);
            }
        }

        assertThatThrownBy(() -> AckTracker.open(config(dir).capacity(20).tombstoneCapacity(4)
            .errorHandler((ex) -> { })))
            .isInstanceOf(TrackerException.class)
            .hasMessageContaining("beyond capacity plus tombstone capacity (24)");
    }

    @Test
    void shouldAnswerStatusFromAnotherThreadAndFromAListenerOfATrackerOnItsOwnThread() throws Exception
    {
        final TrackerConfig config = Trackers.config(clock, outcomes).capacity(64)
            .idleStrategy(new SleepingMillisIdleStrategy(1));
        try (AckTracker tracker = AckTracker.launch(config))
        {
            final CompletableFuture<OutcomeEvent> done = tracker.trackAsync(
                new io.acktracker.engine.api.TrackRequest().messageId(5).destinations(0b11));
            tracker.offerAck(5, 0);
            // this thread is not the agent's: the agent answers
            assertThat(waitForAcked(tracker, 5, 0b01)).isTrue();

            // a callback on the waiter thread asks for a status: answered by the agent, no deadlock on itself
            final CompletableFuture<MessageState> fromCallback = done.thenApply((event) ->
                tracker.status(event.messageId()).state());
            tracker.offerAck(5, 1);
            assertThat(fromCallback.get(10, TimeUnit.SECONDS)).isEqualTo(MessageState.COMPLETED);
        }
    }

    private static boolean waitForAcked(final AckTracker tracker, final long id, final long acked)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0)
        {
            if (tracker.status(id).acked() == acked)
            {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }
}

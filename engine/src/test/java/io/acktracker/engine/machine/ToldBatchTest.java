package io.acktracker.engine.machine;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.CommandJournal;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.journal.JournalConfig;
import io.acktracker.engine.journal.JournalReader;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.state.StateImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outcomes told over a batch of queued commands are applied as one OUTCOME_TOLD command listing them (at most
 * {@code CommandApplier.TOLD_BATCH} each), journaled as such, replayed to the same state; a Track that needs the slot
 * of a record whose telling is still gathered gets it.
 */
class ToldBatchTest
{
    private static final int MESSAGES = 100;

    @TempDir
    Path dir;

    @Test
    void shouldJournalTheOutcomesToldInABatchAsOneCommandAndReplayThem()
    {
        final TestClock clock = new TestClock(Trackers.START_NS);
        final StateImage before = new StateImage();
        try (AckTracker tracker = AckTracker.open(config(clock, 4 * MESSAGES)))
        {
            final int a = tracker.destination("a");
            for (long id = 1; id <= MESSAGES; id++)
            {
                assertThat(tracker.offerTrack(track(id, a))).isEqualTo(Result.QUEUED);
                assertThat(tracker.offerAck(id, a)).isEqualTo(Result.QUEUED);
            }
            tracker.agent().doWork();
            assertThat(tracker.counters().value(TrackerCounter.COMPLETED)).isEqualTo(MESSAGES);
            assertThat(tracker.counters().value(TrackerCounter.PENDING)).isZero();
            tracker.agent().appendState(before);
        }

        // one frame per 64 outcomes told, not one per outcome
        final List<Integer> toldPairs = new ArrayList<>();
        final JournalReader reader = JournalReader.open(
            new JournalConfig().directory(dir.resolve(CommandJournal.DIRECTORY)));
        reader.replay(reader.startPosition(),
            (type, timestampNs, clientId, clientSequence, buffer, offset, length, position) ->
            {
                if (CommandLayout.OUTCOME_TOLD == type)
                {
                    toldPairs.add(length / CommandLayout.TOLD_LENGTH);
                }
            });
        assertThat(toldPairs).containsExactly(64, MESSAGES - 64);

        try (AckTracker reopened = AckTracker.open(config(clock, 4 * MESSAGES)))
        {
            final StateImage after = new StateImage();
            reopened.agent().appendState(after);
            assertThat(before.firstDifference(after)).as("the state replayed from the journal").isNull();
        }
    }

    @Test
    void shouldGiveATrackTheSlotOfARecordWhoseTellingIsStillGathered()
    {
        final TestClock clock = new TestClock(Trackers.START_NS);
        // room for exactly MESSAGES records and no tombstones: the second half of the batch needs the first half's
        // slots, freed only when their telling is applied
        try (AckTracker tracker = AckTracker.open(config(clock, MESSAGES)))
        {
            final int a = tracker.destination("a");
            for (long id = 1; id <= MESSAGES; id++)
            {
                assertThat(tracker.offerTrack(track(id, a))).isEqualTo(Result.QUEUED);
            }
            for (long id = 1; id <= MESSAGES; id++)
            {
                assertThat(tracker.offerAck(id, a)).isEqualTo(Result.QUEUED);
                assertThat(tracker.offerTrack(track(MESSAGES + id, a))).isEqualTo(Result.QUEUED);
            }
            tracker.agent().doWork();
            assertThat(tracker.counters().value(TrackerCounter.CAPACITY_EXCEEDED)).isZero();
            assertThat(tracker.counters().value(TrackerCounter.COMPLETED)).isEqualTo(MESSAGES);
            assertThat(tracker.counters().value(TrackerCounter.PENDING)).isEqualTo(MESSAGES);
        }
    }

    private io.acktracker.engine.api.TrackerConfig config(final TestClock clock, final int capacity)
    {
        return Trackers.config(clock, (messageId, outcome, reason, latencyNs, attempts, replay) -> { })
            .capacity(capacity)
            .tombstoneCapacity(0)
            .tombstoneWindowNs(0)
            .commandLimit(4 * MESSAGES)
            .dataDir(dir)
            .journal(true)
            .checkpointAtClose(false);
    }

    private static TrackRequest track(final long id, final int destination)
    {
        return new TrackRequest().messageId(id).destinations(1L << destination).requiredAcks(1);
    }
}

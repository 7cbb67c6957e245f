package io.acktracker.engine.machine;

import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.checkpoint.CheckpointStore;
import io.acktracker.engine.journal.JournalStatus;
import io.acktracker.engine.machine.DeterminismTest.Ack;
import io.acktracker.engine.machine.DeterminismTest.Engine;
import io.acktracker.engine.machine.DeterminismTest.Track;
import io.acktracker.engine.metrics.TrackerCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With group commit on, a checkpoint's manifest (what makes it exist) is written only once the journal is synced at
 * or beyond the checkpoint's position P, so a power loss never leaves a checkpoint the journal does not reach. The
 * sync interval here is an hour, so the journal's helper syncs only when it retires a full segment: the checkpoint
 * helper (run on a thread the test starts) writes the records and the image, then waits; nothing is complete while
 * the journal is synced below P. Once more commands fill the segment, its retirement syncs it, and the checkpoint
 * completes. The closing checkpoint is written once the journal's close has msynced it to its end. No timing is
 * asserted: the test waits (bounded) for states, never for durations.
 */
class CheckpointJournalSyncTest
{
    private final Path root = CheckpointReplayTest.tempDir();

    @AfterEach
    void deleteRoot()
    {
        CheckpointReplayTest.delete(root);
    }

    @Test
    void shouldWriteTheManifestOnlyOnceTheJournalIsSyncedToTheCheckpoint() throws Exception
    {
        final Path dir = root.resolve("data");
        final QueuedExecutor helper = new QueuedExecutor();
        final long endPosition;
        try (Engine engine = new Engine(false, dir, new TestClock(Trackers.START_NS), false,
            (config) -> config.syncIntervalNs(TimeUnit.HOURS.toNanos(1))))
        {
            engine.tracker().agent().checkpointExecutor(helper);
            long id = trackAndAck(engine, 1, 40);
            helper.runAll();
            engine.assertIdleTickChangesNothing("before the checkpoint");
            final JournalStatus journal = engine.tracker().journalStatus();
            final long position = journal.appendPosition();
            assertThat(position).as("inside the first segment").isLessThan(64 * 1024);
            assertThat(journal.syncedPosition()).isLessThan(position);

            engine.tracker().agent().requestCheckpoint();
            engine.tracker().agent().doWork();
            assertThat(engine.tracker().agent().checkpointInFlight()).isTrue();
            final Thread writer = new Thread(helper::runAll, "test-checkpoint-helper");
            writer.start();
            final Path checkpoints = dir.resolve(CheckpointStore.DIRECTORY);
            final Path unfinished = checkpoints.resolve("cp-" + position + ".tmp");
            awaitUntil(() -> Files.exists(unfinished.resolve(CheckpointStore.STATE_FILE)) &&
                Thread.State.TIMED_WAITING == writer.getState(), "the helper waiting for the journal's sync");
            assertThat(journal.syncedPosition()).isLessThan(position);
            assertThat(unfinished.resolve(CheckpointStore.MANIFEST_FILE)).doesNotExist();
            assertThat(checkpoints.resolve("cp-" + position)).doesNotExist();
            assertThat(engine.tracker().agent().checkpointInFlight()).isTrue();

            while (journal.appendPosition() < 64 * 1024 + 4096)
            {
                id = trackAndAck(engine, id, 10);
            }
            writer.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(writer.isAlive()).as("the helper done once the segment was retired and synced").isFalse();
            CheckpointRecoveryTest.awaitCheckpoint(engine);
            assertThat(journal.syncedPosition()).isGreaterThanOrEqualTo(position);
            assertThat(checkpoints.resolve("cp-" + position).resolve(CheckpointStore.MANIFEST_FILE)).exists();
            assertThat(engine.tracker().counters().values().get(TrackerCounter.CHECKPOINTS)).isEqualTo(1);
            engine.assertIdleTickChangesNothing("before the close");
            endPosition = journal.appendPosition();
        }
        // the closing checkpoint: written after the journal's close msynced it, without waiting for an interval
        assertThat(new CheckpointStore(dir.resolve(CheckpointStore.DIRECTORY)).positions()[0]).isEqualTo(endPosition);
    }

    private static long trackAndAck(final Engine engine, final long from, final int count)
    {
        long id = from;
        for (int i = 0; i < count; i++, id++)
        {
            engine.apply(new Track(id, 0b1, 0, 0, 0, 0, 8, 0));
            engine.apply(new Ack(id, 0));
        }
        return id;
    }

    private static void awaitUntil(final java.util.function.BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadlineNs).as("still waiting for " + what).isNegative();
            Thread.onSpinWait();
        }
    }

    /** The checkpoint helper's tasks, run when and where the test says. */
    private static final class QueuedExecutor implements Executor
    {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        public synchronized void execute(final Runnable task)
        {
            tasks.add(task);
        }

        void runAll()
        {
            for (Runnable task = next(); null != task; task = next())
            {
                task.run();
            }
        }

        private synchronized Runnable next()
        {
            return tasks.poll();
        }
    }
}

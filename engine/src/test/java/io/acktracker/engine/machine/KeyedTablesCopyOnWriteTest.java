package io.acktracker.engine.machine;

import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.checkpoint.CheckpointStore;
import io.acktracker.engine.machine.CopyOnWriteCheckpointTest.SteppedExecutor;
import io.acktracker.engine.machine.DeterminismTest.Ack;
import io.acktracker.engine.machine.DeterminismTest.Delete;
import io.acktracker.engine.machine.DeterminismTest.Engine;
import io.acktracker.engine.machine.DeterminismTest.Nack;
import io.acktracker.engine.machine.DeterminismTest.Reject;
import io.acktracker.engine.machine.DeterminismTest.Replay;
import io.acktracker.engine.machine.DeterminismTest.Track;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.state.StateImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static io.acktracker.engine.machine.CopyOnWriteCheckpointTest.apply;
import static io.acktracker.engine.machine.CopyOnWriteCheckpointTest.exactHash;
import static io.acktracker.engine.machine.CopyOnWriteCheckpointTest.exactImage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Copy-on-write of the message-keyed tables (extras, dead letters): entries added, replaced and removed while the
 * checkpoint's helper walks them end up in the checkpoint as they were at its position P. The helper's tasks run on
 * an executor the test steps: the records' copy, then the extras' keys and half their values, then commands that
 * change extras read and not yet read and dead letters not yet collected (complete, nack, track with metadata,
 * reject, delete and replay dead letters), then the dead letters' keys, more changes, then the rest. Checked: the
 * checkpoint's {@code state.bin} is the exact image at P; an engine started on the journal cut at P holds the
 * exact image and records at P; one started on a later copy reaches the engine that never stopped.
 */
class KeyedTablesCopyOnWriteTest
{
    /** The tasks after the records' copy: per keyed table its keys and 4 parts of values, then the write. */
    private static final int TABLE_TASKS_AND_WRITE = 2 * (1 + 4) + 1;

    private final Path root = CheckpointReplayTest.tempDir();

    @AfterEach
    void deleteRoot()
    {
        CheckpointReplayTest.delete(root);
    }

    @Test
    void shouldWriteTheKeyedTablesAtTheCheckpointWhileEntriesChangeDuringTheCopy() throws Exception
    {
        final Path dir = root.resolve("data");
        final TestClock clock = new TestClock(Trackers.START_NS);
        final SteppedExecutor helper = new SteppedExecutor();
        final Consumer<TrackerConfig> sizes = (config) -> config.capacity(1500).tombstoneCapacity(60);
        try (Engine engine = new Engine(false, dir, clock, false, sizes))
        {
            engine.tracker().agent().checkpointExecutor(helper);
            for (long id = 1; id <= 800; id++)
            {
                // most with metadata: an extras entry each
                final int metadata = 0 == id % 3 ? 0 : 8 + (int)(id % 20);
                apply(engine, new Track(id, 0b111, 2, 0, 0, 0, metadata, 0));
            }
            for (long id = 1; id <= 300; id += 2)
            {
                // dead letters, their extras moved into them
                apply(engine, new Reject(id, 0));
            }
            apply(engine, new Nack(400, 0, 5));
            for (int i = 0; i < 10 && engine.tracker().agent().checkpointInFlight(); i++)
            {
                helper.runAll();
                engine.tracker().agent().doWork();
            }
            engine.assertIdleTickChangesNothing("before the checkpoint");
            assertThat(engine.tracker().agent().checkpointInFlight()).as("the copy block has grown").isFalse();

            final StateImage canonicalAtP = engine.image();
            final byte[] exactAtP = exactImage(engine);
            final String hashAtP = exactHash(engine);
            final long clockAtP = clock.nanoTime();
            engine.tracker().agent().requestCheckpoint();
            engine.tracker().agent().doWork();
            assertThat(engine.tracker().agent().checkpointInFlight()).isTrue();
            assertThat(helper.size()).isGreaterThan(TABLE_TASKS_AND_WRITE);
            while (helper.size() > TABLE_TASKS_AND_WRITE)
            {
                // the records and the deadline arrays
                helper.runOne();
            }
            // the extras' keys, and the values of their first half
            helper.runOne();
            helper.runOne();
            helper.runOne();

            // extras read and not read: completed (removed), nacked (history replaced), new ones inserted
            apply(engine, new Ack(410, 0));
            apply(engine, new Ack(410, 1));
            apply(engine, new Ack(790, 0));
            apply(engine, new Ack(790, 1));
            apply(engine, new Nack(404, 0, 5));
            apply(engine, new Nack(785, 1, 5));
            for (long id = 900; id < 910; id++)
            {
                apply(engine, new Track(id, 0b11, 1, 0, 0, 0, 12, 0));
            }
            // dead letters before their keys are collected: a new one, a deleted one, a replayed one
            apply(engine, new Reject(430, 1));
            apply(engine, new Delete(3));
            apply(engine, new Replay(5, true, false));
            apply(engine, new Ack(5, 0));
            apply(engine, new Ack(5, 1));
            apply(engine, new Ack(5, 2));

            // the rest of the extras' values, the dead letters' keys
            helper.runOne();
            helper.runOne();
            helper.runOne();
            apply(engine, new Delete(7));
            apply(engine, new Delete(430));
            apply(engine, new Reject(440, 0));
            apply(engine, new Replay(9, false, false));
            apply(engine, new Ack(401, 0));
            apply(engine, new Ack(401, 1));
            apply(engine, new Track(910, 0b1, 1, 0, 0, 0, 20, 0));
            helper.runOne();
            // values read: the live values of these keys differ from P, their pre-images decide
            apply(engine, new Delete(11));
            apply(engine, new Reject(442, 2));
            apply(engine, new Ack(770, 0));
            apply(engine, new Ack(770, 1));
            helper.runAll();
            engine.tracker().agent().doWork();
            assertThat(engine.tracker().agent().checkpointInFlight()).isFalse();
            assertThat(engine.tracker().counters().values().get(TrackerCounter.CHECKPOINTS)).isEqualTo(1);

            final long position = new CheckpointStore(dir.resolve(CheckpointStore.DIRECTORY)).positions()[0];
            final Path checkpoint = dir.resolve(CheckpointStore.DIRECTORY).resolve("cp-" + position);
            assertThat(Files.readAllBytes(checkpoint.resolve(CheckpointStore.STATE_FILE)))
                .as("the exact image at P").isEqualTo(exactAtP);

            final Path cut = root.resolve("cut");
            JournaledEngineKillTest.copyCut(dir, cut, position);
            try (Engine restored = new Engine(false, cut, new TestClock(clockAtP), false, sizes))
            {
                assertThat(restored.tracker().recoveredFromCheckpoint()).isEqualTo(position);
                assertThat(exactHash(restored)).as("the exact image and records restored from P").isEqualTo(hashAtP);
                restored.assertIdleTickChangesNothing("restored at P");
                assertThat(canonicalAtP.firstDifference(restored.image())).isNull();
            }

            clock.advanceMs(30);
            engine.tracker().agent().doWork();
            apply(engine, new Delete(13));
            engine.assertIdleTickChangesNothing("after the checkpoint");
            final Path crashed = root.resolve("crashed");
            CheckpointReplayTest.copyRunning(dir, crashed);
            try (Engine recovered = new Engine(false, crashed, new TestClock(clock.nanoTime()), false, sizes))
            {
                assertThat(recovered.tracker().recoveredFromCheckpoint()).isEqualTo(position);
                recovered.assertIdleTickChangesNothing("recovered");
                assertThat(engine.image().firstDifference(recovered.image())).isNull();
                for (long id = 600; id < 606; id++)
                {
                    assertThat(apply(recovered, new Reject(id, 2))).isEqualTo(apply(engine, new Reject(id, 2)));
                    assertThat(engine.image().firstDifference(recovered.image())).isNull();
                }
            }
        }
    }
}

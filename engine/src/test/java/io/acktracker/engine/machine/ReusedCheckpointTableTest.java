package io.acktracker.engine.machine;

import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.checkpoint.CheckpointStore;
import io.acktracker.engine.machine.CopyOnWriteCheckpointTest.SteppedExecutor;
import io.acktracker.engine.machine.DeterminismTest.Ack;
import io.acktracker.engine.machine.DeterminismTest.Engine;
import io.acktracker.engine.machine.DeterminismTest.Track;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static io.acktracker.engine.machine.CopyOnWriteCheckpointTest.apply;
import static io.acktracker.engine.machine.CopyOnWriteCheckpointTest.exactHash;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A checkpoint writes its records into the table of the checkpoint retired before it (the same file: its entries
 * exist, each record is written in place through its slot's offset) and restores exactly as one written into a
 * fresh table: the exact image and records at its position, byte for byte; and with slots created since the retired
 * one, which get new entries.
 */
class ReusedCheckpointTableTest
{
    private static final int CHECKPOINTS = 5;

    private final Path root = CheckpointReplayTest.tempDir();

    @AfterEach
    void deleteRoot()
    {
        CheckpointReplayTest.delete(root);
    }

    @Test
    void shouldWriteACheckpointIntoTheRetiredOnesTableAndRestoreItExactly() throws Exception
    {
        final Path dir = root.resolve("data");
        final Path checkpoints = dir.resolve(CheckpointStore.DIRECTORY);
        final TestClock clock = new TestClock(Trackers.START_NS);
        final SteppedExecutor helper = new SteppedExecutor();
        final Consumer<TrackerConfig> sizes = (config) -> config.capacity(1500).tombstoneCapacity(60);
        final List<Object> tables = new ArrayList<>();
        final List<Object> spares = new ArrayList<>();
        final List<Long> positions = new ArrayList<>();
        String hashAtLast = null;
        long clockAtLast = 0;
        try (Engine engine = new Engine(false, dir, clock, false, sizes))
        {
            engine.tracker().agent().checkpointExecutor(helper);
            long next = 1;
            for (; next <= 1000; next++)
            {
                apply(engine, new Track(next, 0b111, 2, 0, 0, 0, (int)(next % 9), 0));
            }
            for (int checkpoint = 0; checkpoint < CHECKPOINTS; checkpoint++)
            {
                // each checkpoint holds other records: some completed, and new slots created since the last
                for (long id = 1 + 150L * checkpoint; id <= 150L * (checkpoint + 1); id++)
                {
                    apply(engine, new Ack(id, 0));
                    apply(engine, new Ack(id, checkpoint % 2 + 1));
                }
                for (int i = 0; i < 40; i++, next++)
                {
                    apply(engine, new Track(next, 0b11, 1, 0, 0, 0, 3, 0));
                }
                for (int i = 0; i < 10 && engine.tracker().agent().checkpointInFlight(); i++)
                {
                    helper.runAll();
                    engine.tracker().agent().doWork();
                }
                engine.assertIdleTickChangesNothing("before checkpoint " + checkpoint);
                hashAtLast = exactHash(engine);
                clockAtLast = clock.nanoTime();
                spares.add(spareTable(checkpoints));
                engine.tracker().agent().requestCheckpoint();
                engine.tracker().agent().doWork();
                for (int i = 0; i < 20 && engine.tracker().agent().checkpointInFlight(); i++)
                {
                    helper.runAll();
                    engine.tracker().agent().doWork();
                }
                assertThat(engine.tracker().agent().checkpointInFlight()).isFalse();
                final long position = new CheckpointStore(checkpoints).positions()[0];
                positions.add(position);
                final Path table = checkpoints.resolve("cp-" + position).resolve(CheckpointStore.PENDING_FILE);
                assertThat(checkpoints.resolve("cp-" + position).resolve(CheckpointStore.SLOTS_FILE)).exists();
                tables.add(Files.getAttribute(table, "unix:ino"));
                clock.advanceMs(5);
            }
        }

        // two checkpoints are kept: from the fourth on, each is written into the table of the one retired before it
        // (the spare, which still exists when the checkpoint starts, so an equal inode is the same file)
        assertThat(spares.subList(0, 3)).containsOnlyNulls();
        for (int i = 3; i < CHECKPOINTS; i++)
        {
            assertThat(spares.get(i)).as("the spare before checkpoint %d: checkpoint %d's table", i, i - 3)
                .isEqualTo(tables.get(i - 3));
            assertThat(tables.get(i)).as("checkpoint %d's table, the spare", i).isEqualTo(spares.get(i));
        }

        final long last = positions.get(CHECKPOINTS - 1);
        final Path cut = root.resolve("cut");
        JournaledEngineKillTest.copyCut(dir, cut, last);
        try (Engine restored = new Engine(false, cut, new TestClock(clockAtLast), false, sizes))
        {
            assertThat(restored.tracker().recoveredFromCheckpoint()).isEqualTo(last);
            assertThat(exactHash(restored)).as("the exact image and records restored from a reused table")
                .isEqualTo(hashAtLast);
        }
    }

    /** The inode of the spare table waiting in the checkpoints' directory, or null when there is none. */
    private static Object spareTable(final Path checkpoints) throws java.io.IOException
    {
        if (!Files.isDirectory(checkpoints))
        {
            return null;
        }
        try (java.util.stream.Stream<Path> entries = Files.list(checkpoints))
        {
            final List<Path> spares = entries.filter((path) -> path.getFileName().toString().startsWith("spare-"))
                .toList();
            assertThat(spares).as("spares").hasSizeLessThanOrEqualTo(1);
            return spares.isEmpty() ? null :
                Files.getAttribute(spares.get(0).resolve(CheckpointStore.PENDING_FILE), "unix:ino");
        }
    }
}

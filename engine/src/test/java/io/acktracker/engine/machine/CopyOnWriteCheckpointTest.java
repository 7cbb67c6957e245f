package io.acktracker.engine.machine;

import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.checkpoint.CheckpointStore;
import io.acktracker.engine.machine.DeterminismTest.Ack;
import io.acktracker.engine.machine.DeterminismTest.Engine;
import io.acktracker.engine.machine.DeterminismTest.Nack;
import io.acktracker.engine.machine.DeterminismTest.Reject;
import io.acktracker.engine.machine.DeterminismTest.Track;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Copy-on-write checkpoints: records changed while a checkpoint's copy is under way end up in the checkpoint as they
 * were at its position P. The checkpoint helper's tasks run on an executor the test steps (a few chunks copied by
 * the helper, then commands that change records in copied and uncopied chunks, reuse free slots and create new
 * ones, then the rest of the copy and the files), so every interleaving here is the same on every run. Checked:
 * <ul>
 *     <li>the agent copied some chunks itself and the helper the others;</li>
 *     <li>the checkpoint's {@code state.bin} is the exact image at P, byte for byte;</li>
 *     <li>an engine started on the directory with the journal cut at P (so it restores the checkpoint and replays
 *     nothing) holds, before its first duty cycle, the exact image and the records at P: same SHA-256;</li>
 *     <li>an engine started on a copy taken later (the checkpoint plus the journal's tail) reaches the state of the
 *     engine that never stopped, and goes on as it does.</li>
 * </ul>
 */
class CopyOnWriteCheckpointTest
{
    private final Path root = CheckpointReplayTest.tempDir();

    @AfterEach
    void deleteRoot()
    {
        CheckpointReplayTest.delete(root);
    }

    @Test
    void shouldWriteTheStateAtTheCheckpointWhileRecordsChangeDuringTheCopy() throws Exception
    {
        final Path dir = root.resolve("data");
        final TestClock clock = new TestClock(Trackers.START_NS);
        final SteppedExecutor helper = new SteppedExecutor();
        final Consumer<TrackerConfig> sizes = (config) -> config.capacity(1500).tombstoneCapacity(60);
        try (Engine engine = new Engine(false, dir, clock, false, sizes))
        {
            engine.tracker().agent().checkpointExecutor(helper);
            for (long id = 1; id <= 1200; id++)
            {
                // past 1,024 slots: two chunks of the deadline arrays
                apply(engine, new Track(id, 0b111, 2, 0, 0, 0, (int)(id % 9), 0));
            }
            for (long id = 1; id <= 120; id++)
            {
                // completed: tombstones, the oldest removed (free slots)
                apply(engine, new Ack(id, 0));
                apply(engine, new Ack(id, 1));
            }
            // the copy block grows in steps as slots are created: run the helper until it is done
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
            final int chunksAtP = (engine.tracker().agent().records().createdSlots() + 63) / 64;
            engine.tracker().agent().requestCheckpoint();
            engine.tracker().agent().doWork();
            assertThat(engine.tracker().agent().checkpointInFlight()).isTrue();
            final int tasks = helper.size();
            assertThat(tasks).as("copy tasks and the write").isGreaterThan(4);

            // the first task: the first records' chunk and the deadline arrays' first chunk (slots below 1,024)
            helper.runOne();
            for (long id = 121; id <= 1200; id += 37)
            {
                apply(engine, new Ack(id, 2));
            }
            apply(engine, new Nack(300, 0, 5));
            apply(engine, new Reject(500, 1));
            // acks that complete messages past slot 1,024: their deadlines are cancelled, in the arrays' second chunk
            apply(engine, new Ack(1150, 0));
            apply(engine, new Ack(1150, 1));
            apply(engine, new Nack(1160, 0, 5));
            for (long id = 5000; id < 5060; id++)
            {
                // reuse freed slots (in copied and uncopied chunks) and create new ones past the checkpoint's
                apply(engine, new Track(id, 0b11, 1, 0, 0, 0, 3, 0));
            }
            helper.runOne();
            apply(engine, new Ack(630, 0));
            apply(engine, new Ack(630, 1));
            helper.runAll();
            engine.tracker().agent().doWork();
            assertThat(engine.tracker().agent().checkpointInFlight()).isFalse();
            assertThat(engine.tracker().counters().values().get(TrackerCounter.CHECKPOINTS)).isEqualTo(1);
            final long agentCopies =
                engine.tracker().counters().values().get(TrackerCounter.CHECKPOINT_AGENT_COPIES);
            assertThat(agentCopies).as("chunks the agent copied itself, of " + chunksAtP).isPositive()
                .isLessThan(chunksAtP);

            final long position = new CheckpointStore(dir.resolve(CheckpointStore.DIRECTORY)).positions()[0];
            final Path checkpoint = dir.resolve(CheckpointStore.DIRECTORY).resolve("cp-" + position);
            assertThat(Files.readAllBytes(checkpoint.resolve(CheckpointStore.STATE_FILE)))
                .as("the exact image at P").isEqualTo(exactAtP);

            assertThat(checkpoint.resolve(CheckpointStore.SLOTS_FILE)).as("built like the tracker's table: " +
                Files.readString(checkpoint.resolve(CheckpointStore.MANIFEST_FILE))).exists();
            for (final boolean inOneBlock : new boolean[]{ true, false })
            {
                final Path cut = root.resolve("cut-" + inOneBlock);
                JournaledEngineKillTest.copyCut(dir, cut, position);
                if (!inOneBlock)
                {
                    // an older checkpoint's layout: no slot offsets, so the table is loaded slot by slot
                    final Path copied = cut.resolve(CheckpointStore.DIRECTORY).resolve("cp-" + position);
                    Files.delete(copied.resolve(CheckpointStore.SLOTS_FILE));
                    final Path manifest = copied.resolve(CheckpointStore.MANIFEST_FILE);
                    Files.writeString(manifest, Files.readString(manifest).lines()
                        .filter((line) -> !line.contains(CheckpointStore.SLOTS_FILE + "."))
                        .map((line) -> line.replace("," + CheckpointStore.SLOTS_FILE, ""))
                        .collect(Collectors.joining("\n", "", "\n")));
                }
                try (Engine restored = new Engine(false, cut, new TestClock(clockAtP), false, sizes))
                {
                    assertThat(restored.tracker().recoveredFromCheckpoint()).isEqualTo(position);
                    assertThat(exactHash(restored)).as("the exact image and records restored from P (in one " +
                        "block: %s)", inOneBlock).isEqualTo(hashAtP);
                    restored.assertIdleTickChangesNothing("restored at P");
                    assertThat(canonicalAtP.firstDifference(restored.image())).isNull();
                    // the loaded table takes new slots as a table built slot by slot does
                    for (long id = 6000; id < 6100; id++)
                    {
                        assertThat(apply(restored, new Track(id, 0b1, 0, 0, 0, 0, 0, 0))).isEqualTo(Result.OK);
                    }
                }
            }

            int damage = 0;
            final List<Consumer<Path>> damages = List.of(CopyOnWriteCheckpointTest::flipAByte,
                CopyOnWriteCheckpointTest::truncate, CopyOnWriteCheckpointTest::remove);
            for (final Consumer<Path> damageSlots : damages)
            {
                // a damaged slot offsets file is refused as any damaged checkpoint file is: passed over, in one line
                final Path cut = root.resolve("damaged-" + damage++);
                JournaledEngineKillTest.copyCut(dir, cut, position);
                damageSlots.accept(cut.resolve(CheckpointStore.DIRECTORY).resolve("cp-" + position)
                    .resolve(CheckpointStore.SLOTS_FILE));
                final List<Throwable> errors = new ArrayList<>();
                try (Engine restored = new Engine(false, cut, new TestClock(clockAtP), false,
                    sizes.andThen((config) -> config.errorHandler(errors::add))))
                {
                    assertThat(restored.tracker().recoveredFromCheckpoint()).as("damage %d", damage).isEqualTo(-1);
                    assertThat(errors).singleElement().asString().contains(CheckpointStore.SLOTS_FILE)
                        .contains("passed over");
                    restored.assertIdleTickChangesNothing("replayed from the journal's start");
                    assertThat(canonicalAtP.firstDifference(restored.image())).isNull();
                }
            }

            clock.advanceMs(30);
            engine.tracker().agent().doWork();
            apply(engine, new Ack(5001, 0));
            engine.assertIdleTickChangesNothing("after the checkpoint");
            final Path crashed = root.resolve("crashed");
            CheckpointReplayTest.copyRunning(dir, crashed);
            try (Engine recovered = new Engine(false, crashed, new TestClock(clock.nanoTime()), false, sizes))
            {
                assertThat(recovered.tracker().recoveredFromCheckpoint()).isEqualTo(position);
                recovered.assertIdleTickChangesNothing("recovered");
                assertThat(engine.image().firstDifference(recovered.image())).isNull();
                for (long id = 5001; id < 5010; id++)
                {
                    assertThat(apply(recovered, new Ack(id, 1))).isEqualTo(apply(engine, new Ack(id, 1)));
                    assertThat(engine.image().firstDifference(recovered.image())).isNull();
                }
            }
        }
    }

    /**
     * Apply a command, again while the journal answers BACK_PRESSURED (its next segment is prepared by a thread of its
     * own, late on a loaded machine): the sequence, and so every figure checked, is then the same on every run.
     */
    static Result apply(final Engine engine, final DeterminismTest.Op op)
    {
        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        Result result = engine.apply(op);
        while (Result.BACK_PRESSURED == result && System.nanoTime() - deadlineNs < 0)
        {
            Thread.onSpinWait();
            result = engine.apply(op);
        }
        return result;
    }

    private static void flipAByte(final Path file)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 3] ^= 0x40;
            Files.write(file, bytes);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void truncate(final Path file)
    {
        try
        {
            Files.write(file, Arrays.copyOf(Files.readAllBytes(file), (int)(Files.size(file) / 2)));
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void remove(final Path file)
    {
        try
        {
            Files.delete(file);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    static byte[] exactImage(final Engine engine)
    {
        final ImageWriter image = new ImageWriter(1 << 16);
        engine.tracker().agent().dumpState(image);
        final byte[] bytes = new byte[image.length()];
        image.buffer().getBytes(0, bytes);
        return bytes;
    }

    /** SHA-256 of the exact image and every created slot's record bytes, free slots included. */
    static String exactHash(final Engine engine) throws NoSuchAlgorithmException
    {
        final MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(exactImage(engine));
        final Records records = engine.tracker().agent().records();
        final UnsafeBuffer record = new UnsafeBuffer(0, 0);
        final byte[] bytes = new byte[PendingRecord.LENGTH];
        for (int slot = 0; slot < records.createdSlots(); slot++)
        {
            record.wrap(records.recordAddress(slot), PendingRecord.LENGTH);
            record.getBytes(0, bytes);
            digest.update(bytes);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The checkpoint helper's tasks, queued until the test runs them on its own thread. */
    static final class SteppedExecutor implements Executor
    {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        public void execute(final Runnable task)
        {
            tasks.add(task);
        }

        int size()
        {
            return tasks.size();
        }

        void runOne()
        {
            tasks.remove().run();
        }

        void runAll()
        {
            while (!tasks.isEmpty())
            {
                runOne();
            }
        }
    }
}

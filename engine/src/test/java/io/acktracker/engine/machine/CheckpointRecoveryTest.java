package io.acktracker.engine.machine;

import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.CommandJournal;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.checkpoint.CheckpointStore;
import io.acktracker.engine.machine.DeterminismTest.Ack;
import io.acktracker.engine.machine.DeterminismTest.Engine;
import io.acktracker.engine.machine.DeterminismTest.Op;
import io.acktracker.engine.machine.DeterminismTest.Track;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.state.StateImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Recovery when the newest checkpoint is damaged, and once the journal's start is gone: a journaled engine runs
 * enough commands for several journal segments, takes checkpoint A, more commands, checkpoint B, more commands.
 * Segments wholly below A are deleted by the journal's helper. Then copies of the directory (as a crash leaves it)
 * with B truncated, a byte of B flipped, or B's manifest gone each recover from A plus the journal after it, count
 * the damaged checkpoint, reach exactly the state before, and go on exactly as the engine that never stopped. With
 * A damaged too, nothing is left to recover from (the journal's start was deleted): refused in one line.
 */
class CheckpointRecoveryTest
{
    private final Path root = CheckpointReplayTest.tempDir();

    @AfterEach
    void deleteRoot()
    {
        CheckpointReplayTest.delete(root);
    }

    @Test
    void shouldFallBackToTheOlderCheckpointWhenTheNewestIsDamagedAfterSegmentsWereDeleted() throws IOException
    {
        final Path dir = root.resolve("data");
        final TestClock clock = new TestClock(Trackers.START_NS);
        try (Engine engine = new Engine(false, dir, clock, false, (config) -> { }))
        {
            long id = 1;
            id = trackAndAck(engine, id, 900);
            final long a = checkpoint(engine, dir);
            id = trackAndAck(engine, id, 300);
            final long b = checkpoint(engine, dir);
            id = trackAndAck(engine, id, 50);
            track(engine, id, 5);
            assertThat(a).as("checkpoint A beyond the first segment").isGreaterThanOrEqualTo(64 * 1024);
            assertThat(b).isGreaterThan(a);

            final Path firstSegment = dir.resolve(CommandJournal.DIRECTORY).resolve(segment(0));
            final long deadlineNs = System.nanoTime() + 20_000_000_000L;
            while (Files.exists(firstSegment) && System.nanoTime() - deadlineNs < 0)
            {
                Thread.onSpinWait();
            }
            assertThat(firstSegment).as("the segment below checkpoint A, deleted by the journal's helper")
                .doesNotExist();
            assertThat(dir.resolve(CommandJournal.DIRECTORY).resolve(segment(a - a % (64 * 1024))))
                .as("the segment holding A's position, kept").exists();

            final List<Op> after = new ArrayList<>();
            for (long next = id; next < id + 5; next++)
            {
                after.add(new Ack(next, 0));
            }
            final List<Consumer<Path>> damages = List.of(
                (cp) -> truncate(cp.resolve(CheckpointStore.STATE_FILE)),
                (cp) -> flipByte(cp.resolve(CheckpointStore.PENDING_FILE)),
                (cp) -> deleteFile(cp.resolve(CheckpointStore.MANIFEST_FILE)));
            int copy = 0;
            for (final Consumer<Path> damage : damages)
            {
                final StateImage before = engine.image();
                final Path copied = root.resolve("copy-" + copy++);
                CheckpointReplayTest.copyRunning(dir, copied);
                damage.accept(copied.resolve(CheckpointStore.DIRECTORY).resolve("cp-" + b));
                final List<Throwable> errors = new ArrayList<>();
                try (Engine recovered = new Engine(false, copied, new TestClock(clock.nanoTime()), false,
                    (config) -> config.errorHandler(errors::add)))
                {
                    assertThat(recovered.tracker().recoveredFromCheckpoint()).as("damage " + copy).isEqualTo(a);
                    assertThat(recovered.tracker().counters().values().get(TrackerCounter.CHECKPOINTS_DAMAGED))
                        .isEqualTo(1);
                    assertThat(errors).singleElement().asString().contains("cp-" + b).contains("passed over");
                    recovered.assertIdleTickChangesNothing("recovered");
                    assertThat(before.firstDifference(recovered.image())).as("damage " + copy).isNull();
                    for (final Op op : after)
                    {
                        // the same commands, the same results and state as the engine that never stopped
                        assertThat(recovered.apply(op)).isEqualTo(engine.apply(op));
                        assertThat(engine.image().firstDifference(recovered.image())).isNull();
                    }
                }
            }

            final Path bothDamaged = root.resolve("both");
            CheckpointReplayTest.copyRunning(dir, bothDamaged);
            flipByte(bothDamaged.resolve(CheckpointStore.DIRECTORY).resolve("cp-" + a)
                .resolve(CheckpointStore.STATE_FILE));
            flipByte(bothDamaged.resolve(CheckpointStore.DIRECTORY).resolve("cp-" + b)
                .resolve(CheckpointStore.STATE_FILE));
            assertThatThrownBy(() -> new Engine(false, bothDamaged, new TestClock(clock.nanoTime()), false,
                (config) -> config.errorHandler((ex) -> { })))
                .isInstanceOf(TrackerException.class)
                .hasMessageContaining("its start was deleted after a checkpoint")
                .hasMessageContaining("no valid checkpoint");
        }
    }

    @Test
    void shouldRemoveACheckpointACrashLeftUnfinished() throws IOException
    {
        final Path dir = root.resolve("data");
        final TestClock clock = new TestClock(Trackers.START_NS);
        final StateImage before;
        try (Engine engine = new Engine(false, dir, clock, false, (config) -> { }))
        {
            trackAndAck(engine, 1, 20);
            track(engine, 100, 3);
            before = engine.image();
            final Path copied = root.resolve("copy");
            CheckpointReplayTest.copyRunning(dir, copied);
            final Path unfinished = copied.resolve(CheckpointStore.DIRECTORY).resolve("cp-999999.tmp");
            Files.createDirectories(unfinished);
            Files.write(unfinished.resolve(CheckpointStore.STATE_FILE), new byte[100]);
            try (Engine recovered =
                new Engine(false, copied, new TestClock(clock.nanoTime()), false, (config) -> { }))
            {
                assertThat(unfinished).doesNotExist();
                assertThat(recovered.tracker().recoveredFromCheckpoint()).isEqualTo(-1);
                recovered.assertIdleTickChangesNothing("recovered");
                assertThat(before.firstDifference(recovered.image())).isNull();
            }
        }
    }

    private static long trackAndAck(final Engine engine, final long from, final int count)
    {
        long id = from;
        for (int i = 0; i < count; i++, id++)
        {
            engine.apply(new Track(id, 0b1, 0, 0, 0, 0, 0, 0));
            engine.apply(new Ack(id, 0));
        }
        return id;
    }

    private static void track(final Engine engine, final long from, final int count)
    {
        for (long id = from; id < from + count; id++)
        {
            engine.apply(new Track(id, 0b11, 0, 0, 0, 0, 0, 0));
        }
    }

    private static long checkpoint(final Engine engine, final Path dir)
    {
        final long before = engine.tracker().counters().values().get(TrackerCounter.CHECKPOINTS);
        engine.tracker().agent().requestCheckpoint();
        engine.tracker().agent().doWork();
        assertThat(engine.tracker().agent().checkpointInFlight()).as("the helper writes the files").isTrue();
        awaitCheckpoint(engine);
        assertThat(engine.tracker().counters().values().get(TrackerCounter.CHECKPOINTS)).isEqualTo(before + 1);
        return new CheckpointStore(dir.resolve(CheckpointStore.DIRECTORY)).positions()[0];
    }

    /** Run idle duty cycles until the checkpoint in flight is written (bounded: 60 s). */
    static void awaitCheckpoint(final Engine engine)
    {
        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        while (engine.tracker().agent().checkpointInFlight() && System.nanoTime() - deadlineNs < 0)
        {
            engine.tracker().agent().doWork();
        }
        assertThat(engine.tracker().agent().checkpointInFlight()).as("checkpoint still in flight").isFalse();
    }

    private static String segment(final long basePosition)
    {
        return String.format("journal-%016x.seg", basePosition);
    }

    private static void truncate(final Path file)
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(raf.length() / 2);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void flipByte(final Path file)
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            final long at = raf.length() / 3;
            raf.seek(at);
            final int value = raf.read();
            raf.seek(at);
            raf.write(value ^ 0x40);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void deleteFile(final Path file)
    {
        try
        {
            Files.delete(file);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}

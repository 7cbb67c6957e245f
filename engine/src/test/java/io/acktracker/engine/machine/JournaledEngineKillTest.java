package io.acktracker.engine.machine;

import io.acktracker.engine.TestClock;
import io.acktracker.engine.agent.CommandJournal;
import io.acktracker.engine.checkpoint.CheckpointStore;
import io.acktracker.engine.machine.DeterminismTest.Engine;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.testing.ChildJvm;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Determinism across a kill: a child JVM ({@link JournaledOpsChild}) applies random commands of every kind to a
 * journaled engine and reports, after each, the journal position and a hash of the exact state image; it is killed
 * with SIGKILL at a random moment. The parent cuts a copy of the journal at the last reported position, starts an
 * engine on it, and the replayed state must hash the same as the child's state at that position. The journal as the
 * kill left it (possibly a few frames further) must replay too, every command getting the result it had.
 */
@Timeout(600)
class JournaledEngineKillTest
{
    private static final int SEGMENT_LENGTH = 64 * 1024;

    @TempDir
    Path temp;

    @Test
    void shouldReplayToExactlyTheStateTheKilledProcessReported() throws Exception
    {
        runCycles(3, 11);
    }

    @Test
    @Tag("long")
    void shouldReplayToExactlyTheStateTheKilledProcessReportedLong() throws Exception
    {
        runCycles(Integer.getInteger("crash.cycles", 100), Long.getLong("crash.seed", System.nanoTime()));
    }

    static String hash(final StateImage image)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image.toByteArray()));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private void runCycles(final int cycles, final long seed) throws Exception
    {
        final SplittableRandom random = new SplittableRandom(seed);
        long checkedLines = 0;
        int killsInCheckpoints = 0;
        for (int cycle = 1; cycle <= cycles; cycle++)
        {
            final Path dataDir = temp.resolve("data-" + cycle);
            final Path report = temp.resolve("report-" + cycle);
            final int linesBeforeKill = 20 + random.nextInt(600);
            final Process child = new ProcessBuilder(ChildJvm.javaCommand(
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), JournaledOpsChild.class, dataDir.toString(),
                String.valueOf(random.nextLong()), report.toString())).redirectErrorStream(true).start();
            try
            {
                ChildJvm.awaitReady(child);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (countLines(report) < linesBeforeKill && child.isAlive() && System.nanoTime() - deadline < 0)
                {
                    Thread.onSpinWait();
                }
                assertThat(child.isAlive()).as("the child runs until killed").isTrue();
            }
            finally
            {
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }

            killsInCheckpoints += hasUnfinishedCheckpoint(dataDir) ? 1 : 0;
            final String[] last = lastCompleteLine(report).split(" ");
            final long position = Long.parseLong(last[0]);
            final long clockNs = Long.parseLong(last[1]);
            final Path cut = temp.resolve("cut-" + cycle);
            copyCut(dataDir, cut, position);
            try (Engine replayed = new Engine(false, cut, new TestClock(clockNs), true))
            {
                replayed.assertIdleTickChangesNothing("cycle " + cycle + " after the replay");
                assertThat(hash(replayed.image())).as("cycle %d: state replayed to position %d", cycle, position)
                    .isEqualTo(last[2]);
            }
            try (Engine whole = new Engine(false, dataDir, new TestClock(clockNs), true))
            {
                whole.assertIdleTickChangesNothing("cycle " + cycle + " after the replay of the whole journal");
            }
            checkedLines += countLines(report);
        }
        System.out.printf("journaled engine kills: %d cycles (%d during a checkpoint), %d reported states, seed %d%n",
            cycles, killsInCheckpoints, checkedLines, seed);
    }

    /** Copy a data directory, the journal cut at a position: zeros after it, no later segment. */
    static void copyCut(final Path from, final Path to, final long position) throws IOException
    {
        Files.createDirectories(to.resolve(CommandJournal.DIRECTORY));
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
        copyCheckpoints(from.resolve(CheckpointStore.DIRECTORY), to.resolve(CheckpointStore.DIRECTORY), position);
        final long segmentBase = position - position % SEGMENT_LENGTH;
        try (Stream<Path> segments = Files.list(from.resolve(CommandJournal.DIRECTORY)))
        {
            for (final Path segment : segments.filter((p) -> p.toString().endsWith(".seg")).toList())
            {
                final String name = segment.getFileName().toString();
                final long base = Long.parseLong(name.substring(name.indexOf('-') + 1, name.indexOf('.')), 16);
                if (base > segmentBase)
                {
                    continue;
                }
                final Path copy = to.resolve(CommandJournal.DIRECTORY).resolve(name);
                Files.copy(segment, copy);
                if (base == segmentBase)
                {
                    try (RandomAccessFile file = new RandomAccessFile(copy.toFile(), "rw"))
                    {
                        file.seek(position - base);
                        file.write(new byte[(int)(SEGMENT_LENGTH - (position - base))]);
                    }
                }
            }
        }
    }

    /**
     * Copy the checkpoints at or below a position (those above it hold a state after it) and any a kill left
     * unfinished (which the start must remove).
     */
    private static void copyCheckpoints(final Path from, final Path to, final long position) throws IOException
    {
        if (!Files.isDirectory(from))
        {
            return;
        }
        try (Stream<Path> checkpoints = Files.list(from))
        {
            for (final Path checkpoint : checkpoints.toList())
            {
                final String name = checkpoint.getFileName().toString();
                // unfinished checkpoints and the spare table go along, as a crash leaves them
                if (name.endsWith(".tmp") || name.startsWith("spare-") ||
                    Long.parseLong(name.substring("cp-".length())) <= position)
                {
                    CheckpointReplayTest.copyRunning(checkpoint, to.resolve(name));
                }
            }
        }
    }

    private static boolean hasUnfinishedCheckpoint(final Path dataDir) throws IOException
    {
        final Path checkpoints = dataDir.resolve(CheckpointStore.DIRECTORY);
        if (!Files.isDirectory(checkpoints))
        {
            return false;
        }
        try (Stream<Path> entries = Files.list(checkpoints))
        {
            return entries.anyMatch((path) -> path.getFileName().toString().endsWith(".tmp"));
        }
    }

    private static long countLines(final Path report) throws IOException
    {
        if (!Files.exists(report))
        {
            return 0;
        }
        final byte[] bytes = Files.readAllBytes(report);
        long lines = 0;
        for (final byte b : bytes)
        {
            lines += '\n' == b ? 1 : 0;
        }
        return lines;
    }

    private static String lastCompleteLine(final Path report) throws IOException
    {
        final String text = Files.readString(report, StandardCharsets.US_ASCII);
        final int end = text.lastIndexOf('\n');
        assertThat(end).as("the child reported at least one state").isPositive();
        return text.substring(text.lastIndexOf('\n', end - 1) + 1, end);
    }
}

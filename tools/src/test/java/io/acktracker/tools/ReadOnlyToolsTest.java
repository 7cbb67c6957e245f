package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.store.StoreLayout;
import io.acktracker.engine.testing.ChildJvm;
import io.acktracker.engine.testing.DirectoryState;
import io.acktracker.engine.testing.TrackerChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code inspect} and {@code dlq list|peek|stats} never create, write, truncate or rename a file of the data
 * directory they read (every file byte-identical with the same modification time afterwards), not even to recover
 * an unclean one or when a table is empty (which {@code inspect} used to grow to 50 MB); and a directory a tracker
 * holds, in another process or this one, is reported as in use by its pid before anything else.
 */
@Timeout(120)
class ReadOnlyToolsTest
{
    @TempDir
    Path temp;

    private Path populated()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(TrackerChild.config(dir).defaultMaxAttempts(1)))
        {
            final TrackRequest request = new TrackRequest();
            for (int id = 1; id <= 20; id++)
            {
                tracker.agent().track(request.reset().messageId(id).destinations(0b11).stream(4, id));
            }
            tracker.agent().recordAck(1, 0);
            tracker.agent().recordReject(3, 1, 500);
        }
        return dir;
    }

    private static CliRunner run(final String... args)
    {
        final CliRunner cli = CliRunner.run(args);
        assertThat(cli.exitCode).as(String.join(" ", args) + ": " + cli.err()).isZero();
        return cli;
    }

    @Test
    void shouldReadADataDirectoryWithoutWritingAByte() throws Exception
    {
        final Path dir = populated();
        final DirectoryState before = DirectoryState.of(dir);

        assertThat(run("inspect", dir.toString()).out()).containsPattern("pending\\s+19");
        assertThat(run("inspect", dir.toString(), "--message", "3").out()).contains("REJECT");
        assertThat(run("dlq", "list", dir.toString()).out()).contains("(1 shown)");
        assertThat(run("dlq", "peek", dir.toString(), "--queue", "4").out()).contains("(1 shown)");
        assertThat(run("dlq", "stats", dir.toString()).out()).containsPattern("all\\s+1");
        assertThat(DirectoryState.of(dir)).isEqualTo(before);

        Files.delete(dir.resolve(StoreLayout.CLEAN_MARKER));
        final DirectoryState unclean = DirectoryState.of(dir);
        assertThat(run("inspect", dir.toString(), "--recover").out()).containsPattern("pending\\s+19");
        assertThat(run("dlq", "stats", dir.toString(), "--recover").out()).containsPattern("all\\s+1");
        assertThat(DirectoryState.of(dir)).as("recovery ran on a copy").isEqualTo(unclean);
    }

    @Test
    void shouldRefuseAnEmptyTableWithoutGrowingIt() throws Exception
    {
        final Path dir = populated();
        Files.write(dir.resolve(StoreLayout.PENDING_FILE), new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        final DirectoryState before = DirectoryState.of(dir);

        final CliRunner inspect = CliRunner.run("inspect", dir.toString());
        assertThat(inspect.exitCode).isNotZero();
        assertThat(inspect.err().strip()).startsWith("acktracker: data directory file " +
            dir.resolve(StoreLayout.PENDING_FILE) + " is empty (0 bytes)").contains("restore a snapshot")
            .doesNotContain("\n");
        assertThat(CliRunner.run("dlq", "list", dir.toString()).err()).contains("is empty (0 bytes)");
        assertThat(DirectoryState.of(dir)).isEqualTo(before);
        assertThat(Files.size(dir.resolve(StoreLayout.PENDING_FILE))).isZero();
    }

    @Test
    void shouldRefuseAJournalStoreInOneLineSayingWhatToDoAndChangeNothing() throws Exception
    {
        final Path dir = temp.resolve("journaled");
        try (AckTracker tracker = AckTracker.open(new TrackerConfig().dataDir(dir).journal(true).destinations("a", "b")
            .journalSegmentLength(64 * 1024).defaultMaxAttempts(1)))
        {
            final TrackRequest request = new TrackRequest();
            for (int id = 1; id <= 5; id++)
            {
                assertThat(tracker.agent().track(request.reset().messageId(id).destinations(0b11)))
                    .isEqualTo(Result.OK);
            }
            tracker.agent().recordAck(1, 0);
            tracker.agent().recordReject(2, 1, 500);
        }
        assertThat(dir.resolve(StoreLayout.JOURNAL_DIRECTORY)).isDirectory();
        try (java.util.stream.Stream<Path> checkpoints = Files.list(dir.resolve(io.acktracker.engine.checkpoint.CheckpointStore.DIRECTORY)))
        {
            assertThat(checkpoints.map((path) -> path.getFileName().toString()))
                .as("the closing checkpoint: the newest state is there too, and still refused").isNotEmpty()
                .allMatch((name) -> name.startsWith("cp-"));
        }

        final DirectoryState before = DirectoryState.of(dir);
        for (final String[] command : new String[][]{
            {"inspect", dir.toString()}, {"inspect", dir.toString(), "--message", "2"},
            {"inspect", dir.toString(), "--recover"}, {"dlq", "list", dir.toString()},
            {"dlq", "peek", dir.toString()}, {"dlq", "stats", dir.toString()}, {"dlq", "replay", dir.toString(), "2"},
            {"dlq", "delete", dir.toString(), "2"}})
        {
            final CliRunner tool = CliRunner.run(command);
            assertThat(tool.exitCode).as(String.join(" ", command)).isEqualTo(1);
            assertThat(tool.out()).isEmpty();
            assertThat(tool.err().strip()).as(String.join(" ", command)).isEqualTo("acktracker: " + dir +
                " holds a journal store (a checkpoint plus the journal after it, replayed with the service's own " +
                "settings), which the offline tools cannot read: start the service on it (acktracker run with its " +
                "config) and ask it: acktracker stat|dlq --aeron-dir DIR, or its HTTP /stats");
        }
        assertThat(DirectoryState.of(dir)).isEqualTo(before);
    }

    @Test
    void shouldReportADirectoryHeldByATrackerAsInUseByItsPid()
    {
        final Path dir = populated();
        try (ChildJvm child = ChildJvm.start(false, TrackerChild.class))
        {
            child.send("open " + dir);
            assertThat(child.await("OPENED", "REFUSED")).isEqualTo("OPENED");
            final DirectoryState before = DirectoryState.ofRunning(dir);
            for (final String[] command : new String[][]{
                {"inspect", dir.toString()}, {"inspect", dir.toString(), "--recover"}, {"dlq", "list", dir.toString()},
                {"dlq", "stats", dir.toString()}, {"dlq", "delete", dir.toString(), "3"}})
            {
                final CliRunner cli = CliRunner.run(command);
                assertThat(cli.exitCode).isNotZero();
                assertThat(cli.err().strip()).as(String.join(" ", command))
                    .startsWith("acktracker: data directory " + dir + " is in use by pid " + child.pid());
            }
            assertThat(DirectoryState.ofRunning(dir)).isEqualTo(before);
        }

        try (AckTracker here = AckTracker.open(TrackerChild.config(dir)))
        {
            final CliRunner cli = CliRunner.run("dlq", "peek", dir.toString());
            assertThat(cli.err()).contains("in use by pid " + ProcessHandle.current().pid());
            assertThat(here.isClosed()).isFalse();
        }
    }
}

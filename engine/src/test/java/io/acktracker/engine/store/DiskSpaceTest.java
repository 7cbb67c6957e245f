package io.acktracker.engine.store;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.journal.JournalCounter;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.state.StateImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.acktracker.engine.Trackers.START_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Out of space, for real: a small tmpfs mounted for the test (the tests run as root on the project's machines; when
 * the mount is refused the test fails and says why, it does not skip). The table files' space is reserved at open,
 * so a filesystem too small is refused at open with one clear line, and a filesystem that fills up after the open
 * cannot take a page from a table the agent is writing (without the reservation, the agent's first write to a
 * sparse page of a full tmpfs is a SIGBUS: an InternalError, or a JVM crash inside Chronicle's lock CAS).
 */
@Timeout(120)
class DiskSpaceTest
{
    @TempDir
    Path temp;

    private final TestClock clock = new TestClock(START_NS);

    @Test
    void shouldRefuseToOpenOnAFilesystemTooSmallForTheTables() throws Exception
    {
        final Path mount = mountTmpfs("4m");
        try
        {
            final Path dir = mount.resolve("data");
            assertThatThrownBy(() -> AckTracker.open(Trackers.config(clock, new Trackers.Outcomes())
                .capacity(100_000).dataDir(dir)))
                .isInstanceOf(TrackerException.class)
                .hasMessageContaining("not enough disk space for")
                .hasMessageContaining("MiB");
        }
        finally
        {
            unmount(mount);
        }
    }

    @Test
    void shouldKeepWritingItsTablesWhenTheFilesystemFillsUpAfterTheOpen() throws Exception
    {
        final Path mount = mountTmpfs("48m");
        try
        {
            final Path dir = mount.resolve("data");
            final Trackers.Outcomes outcomes = new Trackers.Outcomes();
            final List<Throwable> errors = new CopyOnWriteArrayList<>();
            try (AckTracker tracker = AckTracker.open(Trackers.config(clock, outcomes).capacity(20_000)
                .tombstoneCapacity(20_000).dataDir(dir).errorHandler(errors::add)))
            {
                final long filled = fill(mount.resolve("filler"));
                assertThat(filled).as("the filler took the rest of the filesystem").isPositive();

                // every slot of the table gets its entry created and written: pages never touched before the fill
                for (long id = 0; id < 40_000; id++)
                {
                    final Result result = tracker.agent().track(id, 0b1);
                    assertThat(result).as("track %d", id).isEqualTo(Result.OK);
                    if (id % 2 == 0)
                    {
                        assertThat(tracker.agent().recordAck(id, 0)).isEqualTo(Result.COMPLETED);
                    }
                }
                assertThat(tracker.failure()).isNull();
                assertThat(outcomes.count()).isEqualTo(20_000);
            }
            // even the clean-shutdown marker had no room: reported, and absent rather than empty
            assertThat(errors).singleElement().satisfies((ex) ->
                assertThat(ex).hasMessageContaining("the clean stop could not be recorded"));
            assertThat(dir.resolve(StoreLayout.CLEAN_MARKER)).doesNotExist();

            // space freed: the next start recovers every pending message from the tables
            Files.delete(mount.resolve("filler"));
            try (AckTracker tracker = AckTracker.open(Trackers.config(clock, outcomes).capacity(20_000)
                .tombstoneCapacity(20_000).dataDir(dir)))
            {
                assertThat(tracker.agent().pendingCount()).isEqualTo(20_000);
            }
        }
        finally
        {
            unmount(mount);
        }
    }

    @Test
    void shouldRefuseCommandsAndChangeNothingWhileTheJournalHasNoRoomThenCatchUpWhenSpaceIsFreed() throws Exception
    {
        final Path mount = mountTmpfs("8m");
        try
        {
            final Path dir = mount.resolve("data");
            final Trackers.Outcomes outcomes = new Trackers.Outcomes();
            final List<Throwable> errors = new CopyOnWriteArrayList<>();
            final TrackerConfig config = Trackers.config(clock, outcomes).capacity(200_000).dataDir(dir)
                .journal(true).journalSegmentLength(256 * 1024).errorHandler(errors::add);
            int tracked = 0;
            try (AckTracker tracker = AckTracker.open(config))
            {
                final TrackerAgent agent = tracker.agent();
                fill(mount.resolve("filler"));

                // the segments prepared before the fill take what fits; then the helper cannot make another
                Result result = Result.OK;
                for (long id = 0; id < 200_000 && Result.OK == result; id++)
                {
                    result = agent.track(id, 0b1);
                    tracked += Result.OK == result ? 1 : 0;
                }
                assertThat(result).isEqualTo(Result.BACK_PRESSURED);
                assertThat(tracked).isPositive();

                // refused on every way in, counted, and nothing changes: queued commands wait in the queue
                final StateImage before = image(agent);
                assertThat(agent.recordAck(0, 0)).isEqualTo(Result.BACK_PRESSURED);
                assertThat(tracker.offerAck(1, 0)).isEqualTo(Result.QUEUED);
                assertThat(tracker.offerAck(2, 0)).isEqualTo(Result.QUEUED);
                for (int i = 0; i < 100; i++)
                {
                    clock.advanceMs(1);
                    agent.doWork();
                }
                assertThat(before.firstDifference(image(agent))).isNull();
                assertThat(tracker.counters().value(TrackerCounter.BACK_PRESSURED)).isGreaterThan(2);
                assertThat(tracker.journalCounters().get(JournalCounter.REFUSED_NEXT_SEGMENT_NOT_READY))
                    .isGreaterThan(2);
                assertThat(tracker.journalStatus().lastPreparationError()).contains("No space left");
                assertThat(outcomes.count()).isZero();

                // space freed: the helper's next try prepares the segment and the queued acks go through, in order
                Files.delete(mount.resolve("filler"));
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (outcomes.count() < 2 && System.nanoTime() - deadline < 0)
                {
                    agent.doWork();
                }
                assertThat(outcomes.count()).isEqualTo(2);
                assertThat(agent.recordAck(0, 0)).isEqualTo(Result.COMPLETED);
                assertThat(agent.pendingCount()).isEqualTo(tracked - 3);
            }
            // the closing checkpoint does not fit the small filesystem: refused and reported, nothing else fails
            assertThat(errors).allSatisfy((error) -> assertThat(error).hasMessageContaining("checkpoint at journal")
                .hasMessageContaining("could not be written"));

            // and the journal holds all of it: a start replays every command applied
            try (AckTracker tracker = AckTracker.open(config))
            {
                assertThat(tracker.agent().pendingCount()).isEqualTo(tracked - 3);
                assertThat(tracker.status(0).state()).isEqualTo(MessageState.COMPLETED);
            }
        }
        finally
        {
            unmount(mount);
        }
    }

    private static StateImage image(final TrackerAgent agent)
    {
        final StateImage image = new StateImage();
        agent.appendState(image);
        return image;
    }

    private static long fill(final Path file) throws IOException
    {
        final byte[] block = new byte[1 << 16];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file))
        {
            for (int i = 0; i < 100_000; i++)
            {
                out.write(block);
                written += block.length;
            }
            fail("the tmpfs never filled up");
        }
        catch (final IOException ex)
        {
            if (!String.valueOf(ex.getMessage()).contains("No space left"))
            {
                throw ex;
            }
        }
        return written;
    }

    private Path mountTmpfs(final String size) throws Exception
    {
        final Path mount = Files.createDirectory(temp.resolve("tmpfs-" + size));
        final Process process = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs",
            mount.toString()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || 0 != process.exitValue())
        {
            fail("this test needs to mount a small tmpfs (it runs as root on the project's machines): 'mount -t " +
                "tmpfs -o size=" + size + " tmpfs " + mount + "' failed: " + output.trim());
        }
        return mount;
    }

    private static void unmount(final Path mount) throws Exception
    {
        final Process process = new ProcessBuilder("umount", "-l", mount.toString()).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}

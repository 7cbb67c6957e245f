package io.acktracker.engine.journal;

import io.acktracker.engine.TestClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import static io.acktracker.engine.journal.JournalTestSupport.SEGMENT_LENGTH;
import static io.acktracker.engine.journal.JournalTestSupport.config;
import static io.acktracker.engine.journal.JournalTestSupport.openAfterReplay;
import static io.acktracker.engine.journal.JournalTestSupport.replayAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A full disk, for real: a 2 MiB tmpfs. Filling it must end in counted back pressure with the cause visible, never a
 * SIGBUS or an {@code InternalError} in the appender (the space of every segment is reserved before it is handed
 * over); freeing space (deleting segments after a checkpoint) must let appends resume after the retry backoff.
 * <p>
 * Needs root (tests run as root on this machine) and {@code mount}; when the mount fails the test fails saying why.
 */
class JournalOutOfSpaceTest
{
    private static final long RETRY_MIN_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long RETRY_MAX_NS = TimeUnit.MILLISECONDS.toNanos(40);

    @TempDir
    Path temp;

    @Test
    void shouldTurnAFullDiskIntoCountedBackPressureAndResumeWhenSpaceIsFreed() throws Exception
    {
        final Path mountPoint = Files.createDirectory(temp.resolve("tmpfs"));
        run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.toString());
        try
        {
            fillAndRecover(mountPoint.resolve("journal"));
        }
        finally
        {
            unmount(mountPoint);
        }
    }

    private void fillAndRecover(final Path directory)
    {
        final TestClock clock = new TestClock(0);
        final JournalConfig config = config(directory, clock).preparationRetryNs(RETRY_MIN_NS, RETRY_MAX_NS);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[200]);
        long lastPosition = 0;
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            final JournalHelperAgent helper = journal.helperAgent();
            final JournalAppender appender = journal.appender();
            int frames = 0;
            while (journal.counters().get(JournalCounter.PREPARATION_FAILURES) == 0)
            {
                final long position = appender.append(1, frames, 0, 0, body, 0, 200);
                if (position > 0)
                {
                    lastPosition = position;
                    frames++;
                }
                helper.doWork();
                assertThat(frames).as("2 MiB should fill well before this").isLessThan(100_000);
            }
            assertThat(frames).isGreaterThan(5_000);
            assertThat(journal.status().lastPreparationError())
                .contains("cannot prepare journal segment").contains("No space left on device");
            assertThat(journal.status().consecutivePreparationFailures()).isEqualTo(1);
            assertThat(Files.exists(directory.resolve(SegmentFiles.tmpFileName(appender.position() -
                (appender.position() & (SEGMENT_LENGTH - 1)) + SEGMENT_LENGTH)))).as("no temporary file left").isFalse();

            // The appender fills what it has, then is refused, counted, without ever touching unreserved space.
            while (appender.append(1, frames, 0, 0, body, 0, 200) > 0)
            {
                frames++;
            }
            final long refusedBefore = journal.counters().get(JournalCounter.REFUSED_NEXT_SEGMENT_NOT_READY);
            assertThat(appender.append(1, frames, 0, 0, body, 0, 200)).isEqualTo(JournalAppender.NEXT_SEGMENT_NOT_READY);
            assertThat(journal.counters().get(JournalCounter.REFUSED_NEXT_SEGMENT_NOT_READY)).isEqualTo(refusedBefore + 1);
            lastPosition = appender.position();

            // Retries wait for the backoff, then fail again and double it (up to the maximum).
            helper.doWork();
            assertThat(journal.counters().get(JournalCounter.PREPARATION_FAILURES)).isEqualTo(1);
            clock.advanceNs(RETRY_MIN_NS);
            driveHelper(helper, 20);
            assertThat(journal.counters().get(JournalCounter.PREPARATION_FAILURES)).isEqualTo(2);
            clock.advanceNs(RETRY_MIN_NS);
            driveHelper(helper, 20);
            assertThat(journal.counters().get(JournalCounter.PREPARATION_FAILURES)).as("backoff doubled").isEqualTo(2);
            clock.advanceNs(RETRY_MIN_NS);
            driveHelper(helper, 20);
            assertThat(journal.counters().get(JournalCounter.PREPARATION_FAILURES)).isEqualTo(3);

            // A checkpoint lets old segments go; the next retry succeeds and appends resume.
            journal.deleteSegmentsBelow(lastPosition);
            clock.advanceNs(RETRY_MAX_NS);
            driveHelper(helper, 50);
            assertThat(journal.counters().get(JournalCounter.SEGMENTS_DELETED)).isGreaterThan(20);
            assertThat(journal.status().consecutivePreparationFailures()).isZero();
            for (int i = 0; i < 100; i++)
            {
                assertThat(appender.append(1, frames, 0, 0, body, 0, 200)).isPositive();
                frames++;
            }
            lastPosition = appender.position();
        }
        final JournalTestSupport.Replayed replayed = replayAll(config);
        assertThat(replayed.end().endPosition()).isEqualTo(lastPosition);
        assertThat(replayed.end().tornBytes()).isZero();
    }

    private static void driveHelper(final JournalHelperAgent helper, final int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            helper.doWork();
        }
    }

    private static void unmount(final Path mountPoint) throws Exception
    {
        final Process umount = new ProcessBuilder("umount", mountPoint.toString()).redirectErrorStream(true).start();
        final String output = new String(umount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!umount.waitFor(30, TimeUnit.SECONDS) || 0 != umount.exitValue())
        {
            run("umount", "-l", mountPoint.toString()); // still busy: detach it so the temp dir can go
            fail("umount " + mountPoint + " failed (" + output.strip() + "): was a segment left mapped?");
        }
    }

    private static void run(final String... command) throws IOException, InterruptedException
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot run " + String.join(" ", command) + " (" + ex.getMessage() +
                "): this test needs root and mount(8) to fill a real 2 MiB tmpfs", ex);
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || 0 != process.exitValue())
        {
            fail(String.join(" ", command) + " failed (" + output.strip() + "): this test needs root and mount(8) " +
                "to fill a real 2 MiB tmpfs; it does not skip, because the out-of-space path would go untested");
        }
    }
}

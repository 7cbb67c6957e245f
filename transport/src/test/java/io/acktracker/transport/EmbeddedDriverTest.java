package io.acktracker.transport;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded driver's files are the owner's alone, and what killed drivers leave behind is cleaned up.
 */
@Timeout(60)
class EmbeddedDriverTest
{
    @TempDir
    Path temp;

    @Test
    void shouldKeepItsDirectoryAndLogBuffersBehindAnOwnerOnlyParent() throws Exception
    {
        try (EmbeddedDriver driver = EmbeddedDriver.launch(EmbeddedDriver.context("perm"));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            Publication publication = aeron.addPublication("aeron:ipc", 1001))
        {
            final Path aeronDir = Path.of(driver.aeronDirectoryName());
            final Path parent = aeronDir.getParent();
            assertThat(parent.getFileName().toString()).startsWith("acktracker-perm-" + ProcessHandle.current().pid());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(parent))).isEqualTo("rwx------");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.isDirectory(aeronDir.resolve("publications")) && System.nanoTime() - deadline < 0)
            {
                Thread.onSpinWait();
            }
            try (var logBuffers = Files.walk(aeronDir))
            {
                assertThat(logBuffers.filter((p) -> p.toString().endsWith(".logbuffer")).toList())
                    .as("every log buffer is under the private parent").isNotEmpty()
                    .allSatisfy((p) -> assertThat(p.startsWith(parent)).isTrue());
            }
            assertThat(publication.channel()).isEqualTo("aeron:ipc");
        }
    }

    @Test
    void shouldUseOneDirectoryPerDataDirectoryOnEveryStartAndTakeOverWhatADeadOneLeft() throws Exception
    {
        final Path dataDir = Files.createDirectory(temp.resolve("data"));
        final String first = EmbeddedDriver.stableDirectoryName("svc", dataDir);
        assertThat(EmbeddedDriver.stableDirectoryName("svc", temp.resolve("data/../data"))).isEqualTo(first);
        assertThat(EmbeddedDriver.stableDirectoryName("svc", Files.createDirectory(temp.resolve("other"))))
            .isNotEqualTo(first);

        // what a killed service left: a directory with files in it, under the same private parent
        final Path left = Path.of(first);
        Files.createDirectories(left);
        Files.writeString(left.resolve("leftover.logbuffer"), "from a driver killed with -9");
        try (EmbeddedDriver driver = EmbeddedDriver.launch(EmbeddedDriver.context("svc").aeronDirectoryName(first)))
        {
            assertThat(driver.aeronDirectoryName()).isEqualTo(first);
            assertThat(left.resolve("leftover.logbuffer")).doesNotExist();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(left.getParent())))
                .isEqualTo("rwx------");
        }
        assertThat(left.getParent()).as("a clean stop leaves nothing").doesNotExist();
        try (EmbeddedDriver again = EmbeddedDriver.launch(EmbeddedDriver.context("svc").aeronDirectoryName(first)))
        {
            assertThat(again.aeronDirectoryName()).as("the next start is where clients look").isEqualTo(first);
        }
    }

    @Test
    void shouldDeleteTheDirectoriesDeadProcessesLeftAndNothingElse() throws Exception
    {
        final Process finished = new ProcessBuilder("true").start();
        assertThat(finished.waitFor(10, TimeUnit.SECONDS)).isTrue();
        final long deadPid = finished.pid();
        final File dead = Files.createDirectories(temp.resolve("acktracker-svc-" + deadPid + "-1f2e").resolve("aeron"))
            .getParent().toFile();
        final File alive = Files.createDirectories(
            temp.resolve("acktracker-svc-" + ProcessHandle.current().pid() + "-3a4b")).toFile();
        final File other = Files.createDirectories(temp.resolve("acktracker-notes")).toFile();
        final File unrelated = Files.createDirectories(temp.resolve("aeron-root-" + deadPid + "-5c")).toFile();

        assertThat(EmbeddedDriver.sweepLeftovers(temp.toFile())).isEqualTo(1);
        assertThat(dead).doesNotExist();
        assertThat(alive).exists();
        assertThat(other).exists();
        assertThat(unrelated).exists();
    }

    @Test
    void shouldDeleteAStableDirectoryOnlyWhenItsDriverLeftACncFileAndWentSilent() throws Exception
    {
        final Path data = Files.createDirectories(temp.resolve("data"));
        final File stable = new File(EmbeddedDriver.stableDirectoryName("gone", data)).getParentFile();
        final File dead = temp.resolve(stable.getName()).toFile();
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dead, "aeron").getPath())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(false)
            .threadingMode(ThreadingMode.SHARED)))
        {
            assertThat(new File(driver.aeronDirectoryName())).exists();
            assertThat(EmbeddedDriver.sweepLeftovers(temp.toFile(), 5_000)).as("its driver heartbeats").isZero();
        }
        final File starting = Files.createDirectories(temp.resolve(stable.getName() + "0").resolve("aeron"))
            .getParent().toFile();
        Thread.sleep(300);

        assertThat(EmbeddedDriver.sweepLeftovers(temp.toFile(), 200)).isEqualTo(1);
        assertThat(dead).as("a killed service's, never started again").doesNotExist();
        assertThat(starting).as("no CnC file yet: maybe a driver starting now").exists();
    }
}

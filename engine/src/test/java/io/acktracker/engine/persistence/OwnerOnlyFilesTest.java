package io.acktracker.engine.persistence;

import io.acktracker.engine.store.Snapshots;
import io.acktracker.engine.store.StoreLayout;
import io.acktracker.engine.testing.ChildJvm;
import io.acktracker.engine.testing.DirectoryState;
import io.acktracker.engine.testing.TrackerChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every file a tracker creates in a data directory is {@code 0600} and the directory {@code 0700}, whatever the
 * umask: a real child process started under {@code umask 000} (where a file created without an explicit mode is
 * {@code rw-rw-rw-}) opens a tracker with no destinations, registers the first one at run time (the registry file
 * used to be created then, world-readable), closes, and fails a start half way (Chronicle's files used to stay
 * world-readable); the directory is checked after each step, and after a restore.
 */
@Timeout(180)
class OwnerOnlyFilesTest
{
    @TempDir
    Path temp;

    @Test
    void shouldCreateEveryFileOwnerOnlyUnderAPermissiveUmaskOnEveryPath() throws Exception
    {
        final Path dir = temp.resolve("data");
        try (ChildJvm child = ChildJvm.start(true, TrackerChild.class))
        {
            child.await("READY");
            child.send("umask-probe " + temp.resolve("probe"));
            assertThat(child.await("UMASK-PROBE")).as("the child really runs under umask 000")
                .isEqualTo("UMASK-PROBE rw-rw-rw-");

            child.send("open-bare " + dir);
            assertThat(child.await("OPENED", "REFUSED")).isEqualTo("OPENED");
            assertThat(DirectoryState.notOwnerOnly(dir)).as("after open").isEmpty();

            child.send("register late-joiner");
            assertThat(child.await("REGISTERED")).isEqualTo("REGISTERED 0");
            child.send("track 7");
            assertThat(child.await("TRACKED")).isEqualTo("TRACKED OK");
            assertThat(dir.resolve(StoreLayout.DESTINATIONS_FILE)).content().endsWith("\nlate-joiner\n");
            assertThat(DirectoryState.notOwnerOnly(dir)).as("after a run-time registration").isEmpty();

            child.send("close");
            child.await("CLOSED");
            assertThat(dir.resolve(StoreLayout.CLEAN_MARKER)).exists();
            assertThat(DirectoryState.notOwnerOnly(dir)).as("after close").isEmpty();

            final Path failed = temp.resolve("failed");
            final Path obstacle = failed.resolve(StoreLayout.DESTINATIONS_FILE + ".new");
            Files.createDirectories(obstacle.resolve("in-the-way"));
            Files.setPosixFilePermissions(failed, PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(obstacle, PosixFilePermissions.fromString("rwx------"));
            child.send("open " + failed);
            assertThat(child.await("REFUSED", "OPENED")).as("a start that fails once the tables are made")
                .startsWith("REFUSED").contains(StoreLayout.DESTINATIONS_FILE);
            assertThat(failed.resolve(StoreLayout.PENDING_FILE)).as("the start failed after the tables").exists();
            assertThat(DirectoryState.notOwnerOnly(failed)).as("after a failed start").isEmpty();

            final Path snapshot = temp.resolve("snapshot");
            final Path restored = temp.resolve("restored");
            child.send("open " + dir);
            assertThat(child.await("OPENED", "REFUSED")).isEqualTo("OPENED");
            child.send("close");
            child.await("CLOSED");
            assertThat(DirectoryState.notOwnerOnly(dir)).as("after a reopen").isEmpty();
            Snapshots.restore(snapshotOf(dir, snapshot), restored);
            assertThat(DirectoryState.notOwnerOnly(restored)).as("after a restore").isEmpty();
        }
    }

    /** A snapshot directory made by hand from a closed data directory (what Snapshots.take writes). */
    private static Path snapshotOf(final Path dir, final Path snapshot)
    {
        try
        {
            Files.createDirectories(snapshot);
            for (final String name : StoreLayout.SNAPSHOT_FILES)
            {
                Files.copy(dir.resolve(name), snapshot.resolve(name));
            }
            Files.writeString(snapshot.resolve(Snapshots.MANIFEST), "format=1\n");
            return snapshot;
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}

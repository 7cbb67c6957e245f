package io.acktracker.engine.persistence;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.DataDirectory;
import io.acktracker.engine.testing.ChildJvm;
import io.acktracker.engine.testing.DirectoryState;
import io.acktracker.engine.testing.TrackerChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One tracker per data directory, across this JVM and other processes, and a refused opener touches nothing: a
 * second open in this JVM is refused from the JVM's set of held directories without opening {@code tracker.lock}
 * (closing a second descriptor of it used to drop the first tracker's lock on Linux, and another process then
 * recovered live tables), and a real child process is refused naming this pid, then gets the directory once the
 * first tracker closes.
 */
@Timeout(180)
class DataDirectoryLockTest
{
    @TempDir
    Path temp;

    @Test
    void shouldRefuseASecondOpenInThisJvmAndKeepTheLockAgainstAnotherProcess()
    {
        final Path dir = temp.resolve("data");
        final long pid = ProcessHandle.current().pid();
        try (ChildJvm child = ChildJvm.start(false, TrackerChild.class))
        {
            child.await("READY");
            try (AckTracker first = AckTracker.open(TrackerChild.config(dir)))
            {
                first.agent().track(1, 1);
                final DirectoryState before = DirectoryState.of(dir);

                assertThatThrownBy(() -> AckTracker.open(TrackerChild.config(dir)))
                    .isInstanceOf(TrackerException.class)
                    .hasMessageContaining("already open in this process")
                    .hasMessageContaining(dir.toString());
                assertThatThrownBy(() -> DataDirectory.open(dir.resolve("..").resolve("data")))
                    .as("the same directory by another path")
                    .hasMessageContaining("already open in this process");
                assertThat(DirectoryState.of(dir)).as("the refusal in this JVM changed nothing").isEqualTo(before);

                child.send("open " + dir);
                assertThat(child.await("OPENED", "REFUSED"))
                    .as("the first tracker still holds the lock after the refusal in its own JVM")
                    .startsWith("REFUSED")
                    .contains("in use by pid " + pid)
                    .contains(dir.toString());
                assertThat(DirectoryState.of(dir)).as("the other process's refusal changed nothing").isEqualTo(before);

                assertThat(first.agent().recordAck(1, 0)).isEqualTo(Result.COMPLETED);
            }

            child.send("open " + dir);
            assertThat(child.await("OPENED", "REFUSED")).isEqualTo("OPENED");
            assertThatThrownBy(() -> AckTracker.open(TrackerChild.config(dir)))
                .isInstanceOf(TrackerException.class)
                .hasMessageContaining("in use by pid " + child.pid());
            child.send("close");
            child.await("CLOSED");
        }

        try (AckTracker again = AckTracker.open(TrackerChild.config(dir)))
        {
            assertThat(again.status(1).state()).isEqualTo(MessageState.COMPLETED);
        }
    }

    @Test
    void shouldTakeTheLockBeforeCreatingAnyFileInABrandNewDirectory() throws Exception
    {
        final Path dir = temp.resolve("new");
        Files.createDirectories(dir);
        try (DataDirectory held = DataDirectory.open(dir);
            ChildJvm child = ChildJvm.start(false, TrackerChild.class))
        {
            assertThat(held.isFresh()).isTrue();
            final DirectoryState before = DirectoryState.of(dir);
            child.send("open " + dir);
            assertThat(child.await("OPENED", "REFUSED")).startsWith("REFUSED").contains("in use by");
            assertThat(DirectoryState.of(dir)).as("the loser created no table, registry or marker")
                .isEqualTo(before);
            try (var files = Files.list(dir))
            {
                assertThat(files.map((file) -> file.getFileName().toString())).containsExactly("tracker.lock");
            }
        }
    }
}

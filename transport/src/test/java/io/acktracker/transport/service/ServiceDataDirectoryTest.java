package io.acktracker.transport.service;

import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.StoreLayout;
import io.acktracker.engine.testing.ChildJvm;
import io.acktracker.engine.testing.DirectoryState;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.TransportErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The service takes its data directory's lock before it touches any file: a second service on the same directory,
 * in this JVM or in a real child process, is refused naming the holder and leaves every file byte-identical with
 * the same modification time (the counters files, which the running service writes live, by inode: the loser used
 * to replace the transport's); and every file the service and its transport create there is owner-only.
 */
@Timeout(120)
class ServiceDataDirectoryTest
{
    @TempDir
    Path dir;

    private ServiceConfig config(final Path data, final String name)
    {
        return ServiceConfig.load(new String[]{
            "--name=" + name, "--data.dir=" + data, "--capacity=1000", "--destinations=a,b",
            "--driver.term.length=64k", "--idle.strategy=sleeping"}, new Properties());
    }

    @Test
    void shouldRefuseASecondServiceWithoutTouchingTheFirstOnesFiles()
    {
        final Path data = dir.resolve("data");
        try (TrackerService first = TrackerService.start(config(data, "first")))
        {
            assertThat(data.resolve(TransportCounters.FILE_NAME)).exists();
            assertThat(data.resolve(TransportErrors.FILE_NAME)).exists();
            assertThat(DirectoryState.notOwnerOnly(data)).as("every file of a running service").isEmpty();
            final DirectoryState before = DirectoryState.ofRunning(data);

            assertThatThrownBy(() -> TrackerService.start(config(data, "second")).close())
                .isInstanceOf(TrackerException.class)
                .hasMessageContaining("already open in this process");
            assertThat(DirectoryState.ofRunning(data)).as("the in-process loser changed nothing").isEqualTo(before);

            try (ChildJvm child = ChildJvm.start(false, TrackerServiceMain.class, "--name=child",
                "--data.dir=" + data, "--destinations=a,b", "--driver.term.length=64k"))
            {
                assertThat(child.await("acktracker")).contains("cannot start")
                    .contains("in use by pid " + ProcessHandle.current().pid());
            }
            assertThat(DirectoryState.ofRunning(data)).as("the other process's loser changed nothing").isEqualTo(before);

            assertThat(first.tracker().isClosed()).isFalse();
        }
        assertThat(data.resolve(StoreLayout.CLEAN_MARKER)).exists();
        assertThat(DirectoryState.notOwnerOnly(data)).as("every file after a clean stop").isEmpty();
    }
}

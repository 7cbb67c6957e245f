package io.acktracker.engine.persistence;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.DestinationsFile;
import io.acktracker.engine.store.StoreLayout;
import io.acktracker.engine.testing.DirectoryState;
import io.acktracker.engine.testing.TrackerChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A data directory that has been used and lost or damaged a file is refused at open, with one line naming the file
 * and what is wrong and saying to restore a snapshot, and the refusal changes nothing (every file byte-identical,
 * same modification time). Before: a zero-length {@code pending.cmap} started the tracker empty, and a deleted
 * {@code destinations.txt} turned destination names into {@code #0}, {@code #1}.
 */
@Timeout(120)
class DamagedStoreTest
{
    private static final int MESSAGES = 200;

    @TempDir
    Path temp;

    private Path used()
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(TrackerChild.config(dir)))
        {
            for (int id = 1; id <= MESSAGES; id++)
            {
                tracker.agent().track(id, 0b11);
            }
        }
        return dir;
    }

    private static void assertRefusedAndUnchanged(final Path dir, final String file, final String what)
    {
        final DirectoryState before = DirectoryState.of(dir);
        final Throwable refused = catchThrowable(() -> AckTracker.open(TrackerChild.config(dir)).close());
        assertThat(refused).as("refused").isInstanceOf(TrackerException.class);
        assertThat(refused.getMessage()).contains(dir.resolve(file).toString()).contains(what)
            .contains("restore").contains("snapshot").doesNotContain("\n");
        assertThat(DirectoryState.of(dir)).as("the refusal changed nothing").isEqualTo(before);
    }

    @Test
    void shouldCreateABrandNewDirectoryComplete() throws Exception
    {
        final Path dir = temp.resolve("new");
        try (AckTracker tracker = AckTracker.open(TrackerChild.bareConfig(dir)))
        {
            for (final String table : StoreLayout.TABLE_FILES)
            {
                assertThat(Files.size(dir.resolve(table))).as(table).isPositive();
            }
            assertThat(DestinationsFile.read(dir.resolve(StoreLayout.DESTINATIONS_FILE))).isEmpty();
            assertThat(dir.resolve(StoreLayout.DESTINATIONS_FILE)).content().startsWith(DestinationsFile.HEADER);
            assertThat(tracker.destination("late")).isZero();
        }
        try (AckTracker reopened = AckTracker.open(TrackerChild.bareConfig(dir)))
        {
            assertThat(reopened.destinations().names()).containsExactly("late");
        }
    }

    @Test
    void shouldRefuseAZeroLengthTable() throws Exception
    {
        final Path dir = used();
        Files.write(dir.resolve(StoreLayout.PENDING_FILE), new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        assertRefusedAndUnchanged(dir, StoreLayout.PENDING_FILE, "is empty (0 bytes)");
    }

    @Test
    void shouldRefuseATruncatedTable() throws Exception
    {
        final Path dir = used();
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve(StoreLayout.PENDING_FILE).toFile(), "rw"))
        {
            file.setLength(file.length() / 2);
        }
        assertRefusedAndUnchanged(dir, StoreLayout.PENDING_FILE, "unexpected length");
    }

    @Test
    void shouldRefuseATableWhoseHeaderIsZeroed() throws Exception
    {
        final Path dir = used();
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve(StoreLayout.DEAD_LETTERS_FILE).toFile(), "rw"))
        {
            file.write(new byte[4096]);
        }
        assertRefusedAndUnchanged(dir, StoreLayout.DEAD_LETTERS_FILE, "zeroed header");
    }

    @Test
    void shouldRefuseAMissingTable() throws Exception
    {
        final Path dir = used();
        Files.delete(dir.resolve(StoreLayout.STATE_FILE));
        assertRefusedAndUnchanged(dir, StoreLayout.STATE_FILE, "is missing");
    }

    @Test
    void shouldRefuseADeletedRegistryAndOpenWhenItIsRestored() throws Exception
    {
        final Path dir = used();
        final Path registry = dir.resolve(StoreLayout.DESTINATIONS_FILE);
        final byte[] saved = Files.readAllBytes(registry);
        Files.delete(registry);
        assertRefusedAndUnchanged(dir, StoreLayout.DESTINATIONS_FILE, "is missing");

        Files.write(registry, saved);
        try (AckTracker tracker = AckTracker.open(TrackerChild.config(dir)))
        {
            assertThat(tracker.agent().pendingCount()).isEqualTo(MESSAGES);
            assertThat(tracker.destinations().names(tracker.status(1).destinations())).containsExactly("a", "b");
        }
    }

    @Test
    void shouldRefuseARegistryThatNamesADestinationTwice() throws Exception
    {
        final Path dir = used();
        Files.writeString(dir.resolve(StoreLayout.DESTINATIONS_FILE), "a\n", StandardOpenOption.APPEND);
        assertRefusedAndUnchanged(dir, StoreLayout.DESTINATIONS_FILE, "names 'a' twice (lines 2 and 4)");
    }

    @Test
    void shouldRefuseAnEmptyOrCutRegistry() throws Exception
    {
        final Path dir = used();
        final Path registry = dir.resolve(StoreLayout.DESTINATIONS_FILE);
        Files.write(registry, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        assertRefusedAndUnchanged(dir, StoreLayout.DESTINATIONS_FILE, "is empty");

        Files.writeString(registry, DestinationsFile.HEADER + "\na\nb", StandardOpenOption.TRUNCATE_EXISTING);
        assertRefusedAndUnchanged(dir, StoreLayout.DESTINATIONS_FILE, "cut short");
    }

    @Test
    void shouldReadARegistryWrittenBeforeTheHeaderExisted() throws Exception
    {
        final Path dir = used();
        Files.write(dir.resolve(StoreLayout.DESTINATIONS_FILE), List.of("a", "b"));
        try (AckTracker tracker = AckTracker.open(TrackerChild.config(dir)))
        {
            assertThat(tracker.destinations().names()).containsExactly("a", "b");
            assertThat(tracker.agent().pendingCount()).isEqualTo(MESSAGES);
        }
    }
}

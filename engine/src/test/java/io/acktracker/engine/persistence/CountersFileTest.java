package io.acktracker.engine.persistence;

import io.acktracker.engine.metrics.CountersFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CountersFileTest
{
    @TempDir
    Path temp;

    @Test
    void shouldRefuseFilesThatAreNotCountersFilesWithAClearMessage() throws Exception
    {
        final Path shortFile = Files.write(temp.resolve("short.dat"), new byte[10]);
        assertThatThrownBy(() -> CountersFile.openReadOnly(shortFile.toFile()))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("too short");

        final Path zeros = Files.write(temp.resolve("zeros.dat"), new byte[4096]);
        assertThatThrownBy(() -> CountersFile.openReadOnly(zeros.toFile()))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("not an acktracker counters file");

        CountersFile.create(temp.resolve("real.dat").toFile(), 8).close();
        final byte[] bytes = Files.readAllBytes(temp.resolve("real.dat"));
        final Path truncated = Files.write(temp.resolve("truncated.dat"), java.util.Arrays.copyOf(bytes, 200));
        assertThatThrownBy(() -> CountersFile.openReadOnly(truncated.toFile()))
            .isInstanceOf(IllegalStateException.class);
        CountersFile.openReadOnly(temp.resolve("real.dat").toFile()).close();
    }
}

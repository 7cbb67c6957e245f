package io.acktracker.cluster;

import io.acktracker.transport.TransportConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The service's warm-up: the first engine a JVM opens compiles code for tens of seconds on a loaded host, so a member
 * pays it before it takes part ({@link ClusterNode#launch}), not on the service thread at its first log entry.
 */
class TrackerClusteredServiceTest
{
    @TempDir
    Path dir;

    @Test
    void shouldOpenAndCloseAThrowawayEngineWithItsSettingsAndKeepNothing()
    {
        final AtomicInteger made = new AtomicInteger();
        final Path counters = dir.resolve("counters.dat");
        final TrackerClusteredService service = new TrackerClusteredService(() ->
        {
            made.incrementAndGet();
            return ClusterRig.trackerSettings().countersFile(counters);
        }, new TransportConfig(), TimeUnit.MILLISECONDS.toNanos(10));

        service.warmUp();
        service.warmUp();

        assertThat(made).hasValue(2);
        assertThat(service.agent()).as("no engine kept: the real one opens at the log's time").isNull();
        assertThat(service.transportCounters()).isNull();
        assertThat(counters).as("the member's counters file is its real engine's").doesNotExist();
    }

    @Test
    void shouldRefuseADataDirBeforeAnyComponentOfTheMemberStarts()
    {
        final TrackerClusteredService service = new TrackerClusteredService(
            () -> ClusterRig.trackerSettings().dataDir(dir.resolve("data")), new TransportConfig(),
            TimeUnit.MILLISECONDS.toNanos(10));
        final File memberDir = dir.resolve("member-0").toFile();

        assertThatThrownBy(() -> ClusterNode.launch(ClusterRig.settings(0, 20_000, memberDir), service, (error) -> { }))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no data.dir");
        assertThat(memberDir).as("no driver, archive or consensus module started").doesNotExist();
        assertThat(dir.resolve("data")).doesNotExist();
    }
}

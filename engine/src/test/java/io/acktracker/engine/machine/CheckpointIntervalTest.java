package io.acktracker.engine.machine;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.acktracker.engine.Trackers.START_NS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A journaled tracker restarted more often than its checkpoint intervals still takes checkpoints: the byte interval
 * counts from the checkpoint the start restored, not from the start, so a start never replays much more than an
 * interval however often the process is killed (found by killing the service every 1-2 s: no checkpoint was ever
 * taken and each start replayed the whole journal, until one took over a minute).
 */
class CheckpointIntervalTest
{
    private static final long INTERVAL_BYTES = 96 * 1024;

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(START_NS);

    private TrackerConfig config()
    {
        return Trackers.config(clock, new Trackers.Outcomes())
            .capacity(8192)
            .dataDir(dir)
            .journal(true)
            .journalSegmentLength(1 << 20)
            .checkpointIntervalBytes(INTERVAL_BYTES)
            .checkpointIntervalNs(0)
            .checkpointAtClose(false);
    }

    /**
     * One run of a "process" that never checkpoints at close: track messages until the journal grew by
     * {@code bytes}, then duty cycles until a checkpoint is on disk (bounded: 20 s when one is expected, 1 s when
     * none is), then close.
     *
     * @return whether the data directory holds a checkpoint afterwards.
     */
    private boolean run(final long firstId, final long bytes, final boolean expectOne) throws java.io.IOException
    {
        try (AckTracker tracker = AckTracker.open(config()))
        {
            final TrackerAgent agent = tracker.agent();
            final long start = tracker.journalStatus().appendPosition();
            long id = firstId;
            while (tracker.journalStatus().appendPosition() - start < bytes)
            {
                agent.track(id++, 0b1);
                agent.doWork();
            }
            // the helper thread may first grow its copy block: give a due checkpoint time to begin and be written
            final long deadlineNs = System.nanoTime() +
                java.util.concurrent.TimeUnit.SECONDS.toNanos(expectOne ? 20 : 1);
            while (System.nanoTime() - deadlineNs < 0 && !hasCheckpoint())
            {
                agent.doWork();
                Thread.yield();
            }
        }
        return hasCheckpoint();
    }

    private boolean hasCheckpoint() throws java.io.IOException
    {
        final Path checkpoints = dir.resolve("checkpoints");
        if (!java.nio.file.Files.isDirectory(checkpoints))
        {
            return false;
        }
        try (var entries = java.nio.file.Files.list(checkpoints))
        {
            return entries.anyMatch((entry) -> entry.getFileName().toString().matches("cp-\\d+"));
        }
    }

    @Test
    void shouldCountTheByteIntervalFromTheLastCheckpointAcrossRestarts() throws java.io.IOException
    {
        // each run writes 60% of the interval: no run alone reaches it
        final long perRun = INTERVAL_BYTES * 6 / 10;
        assertThat(run(1, perRun, false)).as("the first run stays below the interval").isFalse();
        assertThat(run(1_000_000, perRun, true)).as("the second passes it, counted from the genesis").isTrue();
    }
}

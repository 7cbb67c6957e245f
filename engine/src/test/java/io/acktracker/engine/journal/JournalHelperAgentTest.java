package io.acktracker.engine.journal;

import io.acktracker.engine.TestClock;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.acktracker.engine.journal.JournalTestSupport.Frame;
import static io.acktracker.engine.journal.JournalTestSupport.SEGMENT_LENGTH;
import static io.acktracker.engine.journal.JournalTestSupport.append;
import static io.acktracker.engine.journal.JournalTestSupport.config;
import static io.acktracker.engine.journal.JournalTestSupport.openAfterReplay;
import static io.acktracker.engine.journal.JournalTestSupport.prepareNext;
import static io.acktracker.engine.journal.JournalTestSupport.replayAll;
import static io.acktracker.engine.journal.JournalTestSupport.segmentFile;
import static io.acktracker.engine.journal.JournalTestSupport.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;

class JournalHelperAgentTest
{
    private static final byte[] QUARTER = new byte[SEGMENT_LENGTH / 4 - 64];

    @TempDir
    Path temp;

    private final TestClock clock = new TestClock(1_000);

    @Test
    void shouldRefuseWithBackPressureUntilTheNextSegmentIsPreparedThenRollOntoIt()
    {
        try (Journal journal = openAfterReplay(config(temp, clock), new ArrayList<>()))
        {
            final JournalAppender appender = journal.appender();
            final UnsafeBuffer body = new UnsafeBuffer(QUARTER);
            for (int i = 0; i < 4; i++)
            {
                assertThat(appender.append(1, i, 0, 0, body, 0, QUARTER.length)).isPositive();
            }
            final long full = appender.position();
            for (int attempt = 1; attempt <= 3; attempt++)
            {
                assertThat(appender.append(1, 9, 0, 0, body, 0, QUARTER.length))
                    .isEqualTo(JournalAppender.NEXT_SEGMENT_NOT_READY);
                assertThat(journal.counters().get(JournalCounter.REFUSED_NEXT_SEGMENT_NOT_READY)).isEqualTo(attempt);
            }
            assertThat(appender.position()).as("padded out, nothing else written").isEqualTo(SEGMENT_LENGTH);
            assertThat(full).isLessThan(SEGMENT_LENGTH);

            journal.helperAgent().doWork(); // one step is not a whole segment
            assertThat(appender.append(1, 9, 0, 0, body, 0, QUARTER.length))
                .isEqualTo(JournalAppender.NEXT_SEGMENT_NOT_READY);
            prepareNext(journal);
            assertThat(appender.append(1, 9, 0, 0, body, 0, QUARTER.length)).isGreaterThan(SEGMENT_LENGTH);
            assertThat(journal.counters().get(JournalCounter.SEGMENT_ROLLS)).isEqualTo(1);

            journal.helperAgent().doWork();
            assertThat(journal.counters().get(JournalCounter.SEGMENTS_RETIRED)).isEqualTo(1);
        }
        assertThat(replayAll(config(temp, clock)).frames()).hasSize(5);
    }

    @Test
    void shouldPrepareTheNextSegmentAheadSoTheAppenderIsNeverRefused()
    {
        try (Journal journal = openAfterReplay(config(temp, clock), new ArrayList<>()))
        {
            final UnsafeBuffer body = new UnsafeBuffer(QUARTER);
            for (int i = 0; i < 40; i++)
            {
                // The helper's duty cycles interleaved with the appends: a 64 KiB segment takes 10 (begin, 4 chunks
                // of zeros, 4 of pre-touching, the handoff), a segment holds 4 of these frames.
                for (int cycle = 0; cycle < 3; cycle++)
                {
                    journal.helperAgent().doWork();
                }
                assertThat(journal.appender().append(1, i, 0, 0, body, 0, QUARTER.length)).isPositive();
            }
            assertThat(journal.counters().get(JournalCounter.REFUSED_NEXT_SEGMENT_NOT_READY)).isZero();
            assertThat(journal.counters().get(JournalCounter.SEGMENT_ROLLS)).isEqualTo(9);
        }
    }

    @Test
    void shouldSyncWhatWasAppendedOncePerIntervalAndPublishTheSyncedPosition()
    {
        final JournalConfig config = config(temp, clock).syncIntervalNs(TimeUnit.MILLISECONDS.toNanos(10));
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            prepareNext(journal);
            final long first = append(journal, new Frame(1, 1, 0, 0, new byte[100]));
            journal.helperAgent().doWork();
            assertThat(journal.status().syncedPosition()).as("interval not yet elapsed").isZero();

            clock.advanceMs(10);
            journal.helperAgent().doWork();
            assertThat(journal.status().syncedPosition()).isEqualTo(first);
            assertThat(journal.counters().get(JournalCounter.SYNCS)).isEqualTo(1);

            final long second = append(journal, new Frame(2, 2, 0, 0, new byte[100]));
            clock.advanceMs(5);
            journal.helperAgent().doWork();
            assertThat(journal.status().syncedPosition()).isEqualTo(first);
            clock.advanceMs(5);
            journal.helperAgent().doWork();
            assertThat(journal.status().syncedPosition()).isEqualTo(second);

            clock.advanceMs(10);
            journal.helperAgent().doWork();
            assertThat(journal.counters().get(JournalCounter.SYNCS)).as("nothing new to sync").isEqualTo(2);

            // Across a roll: the rest of the left segment is synced when it is retired.
            long last = second;
            while (last < SEGMENT_LENGTH + 1_000)
            {
                last = append(journal, new Frame(3, 3, 0, 0, new byte[1_000]));
            }
            journal.helperAgent().doWork();
            assertThat(journal.status().syncedPosition()).isEqualTo(SEGMENT_LENGTH);
            clock.advanceMs(10);
            journal.helperAgent().doWork();
            assertThat(journal.status().syncedPosition()).isEqualTo(last);
        }
    }

    @Test
    void shouldNeverSyncWithAnIntervalOfZero()
    {
        try (Journal journal = openAfterReplay(config(temp, clock), new ArrayList<>()))
        {
            append(journal, new Frame(1, 1, 0, 0, new byte[100]));
            clock.advanceMs(1_000);
            journal.helperAgent().doWork();
            assertThat(journal.status().syncedPosition()).isZero();
            assertThat(journal.counters().get(JournalCounter.SYNCS)).isZero();
        }
    }

    @Test
    void shouldDeleteSegmentsWhollyBelowTheRequestedPositionButNeverTheCurrentOne()
    {
        final JournalConfig config = config(temp, clock);
        final List<Long> positions = new ArrayList<>();
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            while (positions.isEmpty() || positions.get(positions.size() - 1) < 3L * SEGMENT_LENGTH + 100)
            {
                positions.add(append(journal, new Frame(1, positions.size(), 0, 0, new byte[500])));
            }
            final long checkpoint = 2L * SEGMENT_LENGTH + 100; // inside the third segment: the first two may go
            journal.deleteSegmentsBelow(checkpoint);
            journal.helperAgent().doWork();
            assertThat(segmentFile(temp, 0)).doesNotExist();
            assertThat(segmentFile(temp, SEGMENT_LENGTH)).doesNotExist();
            assertThat(segmentFile(temp, 2L * SEGMENT_LENGTH)).exists();
            assertThat(journal.counters().get(JournalCounter.SEGMENTS_DELETED)).isEqualTo(2);

            journal.deleteSegmentsBelow(Long.MAX_VALUE);
            journal.helperAgent().doWork();
            assertThat(segmentFiles(temp)).contains(segmentFile(temp, 3L * SEGMENT_LENGTH));
        }
        final JournalReader reader = JournalReader.open(config);
        assertThat(reader.startPosition()).isEqualTo(3L * SEGMENT_LENGTH);
        final JournalEnd end = reader.replay(reader.startPosition(), (t, ts, c, s, b, o, l, p) -> { });
        assertThat(end.endPosition()).isEqualTo(positions.get(positions.size() - 1));
    }

    @Test
    void shouldRunOnItsOwnNamedThreadUnderAnAgentRunner() throws Exception
    {
        final JournalConfig config = new JournalConfig().directory(temp).segmentLength(SEGMENT_LENGTH)
            .syncIntervalNs(TimeUnit.MILLISECONDS.toNanos(1));
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final int frameCount = 20_000;
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            final AgentRunner runner = new AgentRunner(
                new SleepingMillisIdleStrategy(1), error::set, null, journal.helperAgent());
            final Thread thread = AgentRunner.startOnThread(runner);
            try
            {
                assertThat(thread.getName()).isEqualTo(JournalHelperAgent.ROLE_NAME);
                final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (int i = 0; i < frameCount; i++)
                {
                    body.putInt(0, i);
                    while (journal.appender().append(1, i, 0, 0, body, 0, 64) < 0)
                    {
                        assertThat(System.nanoTime() - deadlineNs).as("appends stuck: " + journal.status())
                            .isNegative();
                        Thread.onSpinWait();
                    }
                }
                final long appended = journal.appender().position();
                while (journal.status().syncedPosition() < appended)
                {
                    assertThat(System.nanoTime() - deadlineNs).as("never synced: " + journal.status()).isNegative();
                    Thread.sleep(1);
                }
            }
            finally
            {
                runner.close();
            }
            assertThat(error.get()).isNull();
            assertThat(journal.counters().get(JournalCounter.SEGMENT_ROLLS)).isGreaterThan(15);
        }
        final JournalTestSupport.Replayed replayed = replayAll(config);
        assertThat(replayed.frames()).hasSize(frameCount);
        for (int i = 0; i < frameCount; i++)
        {
            assertThat(new UnsafeBuffer(replayed.frames().get(i).body()).getInt(0)).isEqualTo(i);
        }
    }
}

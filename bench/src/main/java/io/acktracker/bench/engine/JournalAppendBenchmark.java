package io.acktracker.bench.engine;

import io.acktracker.bench.support.TempDirs;
import io.acktracker.engine.journal.Journal;
import io.acktracker.engine.journal.JournalAppender;
import io.acktracker.engine.journal.JournalConfig;
import io.acktracker.engine.journal.JournalCounter;
import io.acktracker.engine.journal.JournalEnd;
import io.acktracker.engine.journal.JournalReader;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Cost of one journal append (a command of {@code bodyLength} bytes, 40 bytes of header) on the agent thread, with
 * the helper agent on its own thread preparing 64 MiB segments ahead, group-committing every {@code syncIntervalMs}
 * (0 = never msync), and deleting the segments the benchmark has left (as checkpoints would). Two figures:
 * <ul>
 *     <li>{@code append}, sustained: time per append including back pressure. An appender that never stops outruns
 *     the helper's preparation of the next segment (64 MiB of zeros written and fsynced, then pre-touched) and the
 *     kernel's writeback, and is retried until accepted; the auxiliary counter {@code refusals} says how many
 *     refusals that took. This is the disk's rate, not the appender's cost;</li>
 *     <li>{@code appendWithinSegment}: {@value #BATCH} appends into a segment prepared in advance, the next one
 *     already prepared too (so no preparation I/O overlaps, and no refusal can happen), with group commit running:
 *     the appender's own cost per frame, as the agent would see it below the disk's rate.</li>
 * </ul>
 * Run with {@code -prof gc} to see the allocation per append (0 B/op expected).
 * <p>
 * The directory is under {@code java.io.tmpdir} unless {@code -Dacktracker.bench.dir} moves it.
 * <p>
 * Appender = the JMH thread; helper = an {@code AgentRunner} thread named {@code acktracker-journal}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
public class JournalAppendBenchmark
{
    /** Appends per invocation of {@code appendWithinSegment}: at most 42 MB of frames, inside one 64 MiB segment. */
    public static final int BATCH = 400_000;

    /** The journal, its helper on its own thread, and the command appended. */
    @State(Scope.Thread)
    public static class JournalState
    {
        /** Body bytes per command: an ack is 16, a track without metadata 64. */
        @Param({ "16", "64" })
        public int bodyLength;

        /** Group-commit interval in ms; 0 never msyncs. */
        @Param({ "0", "10" })
        public int syncIntervalMs;

        private Path directory;
        private Journal journal;
        private AgentRunner helperRunner;
        private JournalAppender appender;
        private final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
        private long timestampNs;

        /**
         * Open an empty journal and start its helper.
         */
        @Setup(Level.Trial)
        public void setUp()
        {
            directory = TempDirs.create("journal-bench");
            final JournalConfig config = new JournalConfig().directory(directory)
                .syncIntervalNs(TimeUnit.MILLISECONDS.toNanos(syncIntervalMs));
            final JournalReader reader = JournalReader.open(config);
            final JournalEnd end = reader.replay(reader.startPosition(), (t, ts, c, s, b, o, l, p) -> { });
            journal = Journal.open(config, end);
            appender = journal.appender();
            helperRunner = new AgentRunner(
                new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, journal.helperAgent());
            AgentRunner.startOnThread(helperRunner);
            for (int i = 0; i < body.capacity(); i++)
            {
                body.putByte(i, (byte)i);
            }
        }

        /**
         * Keep the disk use bounded: what was appended is as good as checkpointed here.
         */
        @TearDown(Level.Iteration)
        public void deleteLeftSegments()
        {
            journal.deleteSegmentsBelow(appender.position());
            if (journal.counters().get(JournalCounter.PREPARATION_FAILURES) > 0)
            {
                System.out.println("journal preparation failing: " + journal.status().lastPreparationError());
            }
        }

        /**
         * Stop the helper, close the journal, delete its files; print the counters.
         */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            helperRunner.close();
            System.out.println();
            System.out.println("journal counters: " + journal.counters());
            System.out.println("journal status: " + journal.status());
            journal.close();
            TempDirs.delete(directory);
        }

        long append()
        {
            return appender.append(2, ++timestampNs, 0, 0, body, 0, bodyLength);
        }

        void rollOntoFreshSegment() throws InterruptedException
        {
            final long rolls = journal.counters().get(JournalCounter.SEGMENT_ROLLS);
            while (journal.counters().get(JournalCounter.SEGMENT_ROLLS) == rolls)
            {
                if (append() < 0)
                {
                    Thread.onSpinWait();
                }
            }
            journal.deleteSegmentsBelow(appender.position());
            while (journal.counters().get(JournalCounter.SEGMENTS_PREPARED) <=
                journal.counters().get(JournalCounter.SEGMENT_ROLLS))
            {
                Thread.sleep(1);
            }
        }
    }

    /** Refusals the appends met (back pressure), per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class BackPressure
    {
        /** Refused attempts, retried. */
        public long refusals;

        /** Reset per iteration. */
        @Setup(Level.Iteration)
        public void reset()
        {
            refusals = 0;
        }
    }

    /** The journal, moved before each batch onto a fresh segment with the next one prepared. */
    @State(Scope.Thread)
    public static class FreshSegmentState extends JournalState
    {
        /**
         * Move the appender to the start of a fresh segment and wait for the helper to prepare the one after it.
         *
         * @throws InterruptedException if interrupted while waiting.
         */
        @Setup(Level.Invocation)
        public void rollBeforeBatch() throws InterruptedException
        {
            rollOntoFreshSegment();
        }
    }

    /**
     * Append one command, retrying while back-pressured.
     *
     * @param state        the journal.
     * @param backPressure counts the refusals.
     * @return the position after the frame.
     */
    @Benchmark
    public long append(final JournalState state, final BackPressure backPressure)
    {
        long position;
        while ((position = state.append()) < 0)
        {
            backPressure.refusals++;
            state.journal.deleteSegmentsBelow(state.appender.position());
            Thread.onSpinWait();
        }
        return position;
    }

    /**
     * Append {@value #BATCH} commands into a segment already prepared; a refusal cannot happen and would fail.
     *
     * @param state the journal, rolled onto a fresh segment before each invocation.
     * @return the position after the last frame.
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(BATCH)
    public long appendWithinSegment(final FreshSegmentState state)
    {
        long position = 0;
        for (int i = 0; i < BATCH; i++)
        {
            position = state.append();
            if (position < 0)
            {
                throw new IllegalStateException("refused within a prepared segment: " + position);
            }
        }
        return position;
    }
}

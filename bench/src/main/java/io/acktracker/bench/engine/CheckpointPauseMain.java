package io.acktracker.bench.engine;

import io.acktracker.bench.support.TempDirs;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The journal store's checkpoint costs at scale, as a timed main (a checkpoint is a single long event, not an
 * operation JMH can repeat in a loop): a journaled tracker with {@code pending} pending messages (three
 * destinations, quorum two, one ack each) takes {@code samples} stop-the-world checkpoints, one more message
 * tracked between each so every one is new; then it is closed (its closing checkpoint leaves no journal to replay)
 * and reopened {@code samples} times, each start restoring that checkpoint alone.
 * <p>
 * Printed per sample: the agent's pause (the duty cycle that took the checkpoint, wall clock, and the
 * {@code CHECKPOINT_PAUSE_US} counter), the time until the helper thread had written it, and each reopen's time
 * until the tracker serves; then min, median, max.
 * The checkpoint's files are written and forced to the data directory's disk ({@code acktracker.bench.dir} picks
 * it): the pause includes the fsyncs.
 * <p>
 * Run: {@code java -cp bench/target/acktracker-bench.jar io.acktracker.bench.engine.CheckpointPauseMain
 * [pending=1000000] [samples=5]} with the project's JVM flags.
 */
public final class CheckpointPauseMain
{
    private CheckpointPauseMain()
    {
    }

    public static void main(final String[] args)
    {
        final int pending = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final int samples = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final TrackerConfig config = TrackerFixture.config(pending + samples + 1).recordServiceTime(false)
            .checkpointIntervalBytes(0).checkpointIntervalNs(0);
        final TrackerFixture fixture = TrackerFixture.open(TrackerFixture.Store.journal, config);
        try
        {
            final long buildStartNs = System.nanoTime();
            fixture.trackRange(0, pending, fixture.mask(3), 2);
            for (int i = 0; i < pending; i++)
            {
                fixture.agent().recordAck(i, fixture.destination(i % 3));
            }
            fixture.agent().doWork();
            System.out.printf("data set: %,d pending in %,d ms%n", fixture.agent().pendingCount(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - buildStartNs));

            final long[] pauses = new long[samples];
            final long[] writes = new long[samples];
            for (int s = 0; s < samples; s++)
            {
                fixture.trackRange(pending + s, 1, fixture.mask(3), 2);
                fixture.agent().requestCheckpoint();
                final long startNs = System.nanoTime();
                fixture.agent().doWork();
                pauses[s] = System.nanoTime() - startNs;
                // the helper writes the files meanwhile; idle duty cycles until it is done
                while (fixture.agent().checkpointInFlight())
                {
                    fixture.agent().doWork();
                }
                writes[s] = System.nanoTime() - startNs;
                System.out.printf("checkpoint %d: duty cycle %,d us (counter %,d us), written after %,d ms, " +
                    "checkpoints %d%n", s + 1, pauses[s] / 1000,
                    fixture.tracker().counters().value(TrackerCounter.CHECKPOINT_PAUSE_US), writes[s] / 1_000_000,
                    fixture.tracker().counters().value(TrackerCounter.CHECKPOINTS));
            }
            final long closeStartNs = System.nanoTime();
            fixture.closeKeepingData();
            System.out.printf("close (with its checkpoint): %,d ms; data directory %,d MiB%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStartNs),
                TempDirs.sizeOf(fixture.dataDir()) >> 20);

            final long[] reopens = new long[samples];
            for (int s = 0; s < samples; s++)
            {
                final long startNs = System.nanoTime();
                final TrackerFixture reopened = TrackerFixture.reopen(config.dataDir(fixture.dataDir()).journal(true));
                reopens[s] = System.nanoTime() - startNs;
                final int recovered = reopened.agent().pendingCount();
                final long from = reopened.tracker().recoveredFromCheckpoint();
                reopened.closeKeepingData();
                System.out.printf("reopen %d: %,d ms, %,d pending, from checkpoint %d%n", s + 1,
                    TimeUnit.NANOSECONDS.toMillis(reopens[s]), recovered, from);
                if (recovered != pending + samples || from < 0)
                {
                    throw new IllegalStateException("recovered " + recovered + " from checkpoint " + from);
                }
            }
            System.out.printf("pause ms: %s%nwritten ms: %s%nreopen ms: %s%n", summary(pauses), summary(writes),
                summary(reopens));
        }
        finally
        {
            TempDirs.delete(fixture.dataDir());
        }
    }

    private static String summary(final long[] valuesNs)
    {
        final long[] sorted = valuesNs.clone();
        Arrays.sort(sorted);
        return String.format("min %.1f, median %.1f, max %.1f (n=%d)", sorted[0] / 1e6, sorted[sorted.length / 2] / 1e6,
            sorted[sorted.length - 1] / 1e6, sorted.length);
    }
}

package io.acktracker.bench.engine;

import io.acktracker.bench.support.TempDirs;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The journal store's checkpoint costs at scale, as a timed main (a checkpoint is a single long event, not an
 * operation JMH can repeat in a loop): a journaled tracker with {@code pending} pending messages (three
 * destinations, quorum two, one ack each) takes {@code samples} checkpoints, one more message
 * tracked between each so every one is new; then it is closed (its closing checkpoint leaves no journal to replay)
 * and reopened {@code samples} times, each start restoring that checkpoint alone.
 * <p>
 * Printed per sample: the agent's pause ({@code CHECKPOINT_PAUSE_US}: the image, the records are copied on
 * write), the longest duty cycle and the longest single ack while the checkpoint was in flight (64 duplicate acks
 * at random messages between duty cycles, so the agent reads records the helper may not have copied yet and copies
 * their chunk first), the chunks the agent copied, the time until the helper thread had written it, and each
 * reopen's time until the tracker serves; then min, median, max; then the machine's image written
 * {@value #BREAKDOWN_RUNS} times with the tracker stopped, timed part by part (the deadline index's slot arrays are
 * in it there, while a checkpoint only reserves their place).
 * <p>
 * Options after the two counts, to load the keyed tables the image holds: {@code deadLetters=N} puts N dead letters
 * in the dead-letter queue before the pending messages (rejected at once, one destination; the queue's capacity is
 * raised to N when above its default), {@code metadata=B} gives every pending message B bytes of metadata (an entry
 * of the extras table each).
 * The checkpoint's files are written and forced to the data directory's disk ({@code acktracker.bench.dir} picks
 * it): the pause includes the fsyncs.
 * <p>
 * Run: {@code java -cp bench/target/acktracker-bench.jar io.acktracker.bench.engine.CheckpointPauseMain
 * [pending=1000000] [samples=5] [deadLetters=0] [metadata=0]} with the project's JVM flags.
 */
public final class CheckpointPauseMain
{
    private static final int BREAKDOWN_RUNS = 5;
    private static final long DEAD_LETTER_IDS = 1L << 40;

    private CheckpointPauseMain()
    {
    }

    public static void main(final String[] args)
    {
        final int pending = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final int samples = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int deadLetters = 0;
        int metadataBytes = 0;
        for (int i = 2; i < args.length; i++)
        {
            final String[] option = args[i].split("=", 2);
            switch (option[0])
            {
                case "deadLetters" -> deadLetters = Integer.parseInt(option[1]);
                case "metadata" -> metadataBytes = Integer.parseInt(option[1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] +
                    " (deadLetters=N, metadata=B)");
            }
        }
        final TrackerConfig config = TrackerFixture.config(pending + samples + 4097).recordServiceTime(false)
            .checkpointIntervalBytes(0).checkpointIntervalNs(0);
        if (deadLetters > config.dlqCapacity())
        {
            config.dlqCapacity(deadLetters);
        }
        final TrackerFixture fixture = TrackerFixture.open(TrackerFixture.Store.journal, config);
        try
        {
            final long buildStartNs = System.nanoTime();
            deadLetters(fixture, deadLetters);
            if (metadataBytes > 0)
            {
                trackWithMetadata(fixture, pending, metadataBytes);
            }
            else
            {
                fixture.trackRange(0, pending, fixture.mask(3), 2);
            }
            for (int i = 0; i < pending; i++)
            {
                fixture.agent().recordAck(i, fixture.destination(i % 3));
            }
            fixture.agent().doWork();
            System.out.printf("data set: %,d pending (metadata %d bytes each), %,d dead letters in %,d ms%n",
                fixture.agent().pendingCount(), metadataBytes, fixture.tracker().counters().value(TrackerCounter.DLQ_SIZE),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - buildStartNs));

            // the copy block grows on the helper as the slots are created: wait for it, as a running tracker would
            while (fixture.agent().checkpointInFlight())
            {
                fixture.agent().doWork();
            }
            // the control: the same acks with no checkpoint in flight (journal rollovers, the VM's own stalls)
            long controlCycleNs = 0;
            long controlAckNs = 0;
            final SplittableRandom controlRandom = new SplittableRandom(7);
            for (int round = 0; round < 20_000; round++)
            {
                final long cycleStartNs = System.nanoTime();
                fixture.agent().doWork();
                controlCycleNs = Math.max(controlCycleNs, System.nanoTime() - cycleStartNs);
                for (int i = 0; i < 64; i++)
                {
                    final int id = controlRandom.nextInt(pending);
                    final long ackStartNs = System.nanoTime();
                    fixture.agent().recordAck(id, fixture.destination(id % 3));
                    controlAckNs = Math.max(controlAckNs, System.nanoTime() - ackStartNs);
                }
            }
            System.out.printf("control, no checkpoint: longest duty cycle %,d us, longest ack %,d us (%,d acks)%n",
                controlCycleNs / 1000, controlAckNs / 1000, 20_000L * 64);
            final long[] pauses = new long[samples];
            final long[] cycles = new long[samples];
            final long[] acks = new long[samples];
            final long[] writes = new long[samples];
            final SplittableRandom random = new SplittableRandom(42);
            for (int s = 0; s < samples; s++)
            {
                fixture.trackRange(pending + s, 1, fixture.mask(3), 2);
                fixture.agent().requestCheckpoint();
                final long startNs = System.nanoTime();
                long ackCount = 0;
                while (true)
                {
                    final long cycleStartNs = System.nanoTime();
                    fixture.agent().doWork();
                    cycles[s] = Math.max(cycles[s], System.nanoTime() - cycleStartNs);
                    if (!fixture.agent().checkpointInFlight())
                    {
                        break;
                    }
                    // while the helper copies and writes: acks at random messages (duplicates, the state stays the
                    // same) whose records the agent reads and may copy first (copy-on-write)
                    for (int i = 0; i < 64; i++)
                    {
                        final int id = random.nextInt(pending);
                        final long ackStartNs = System.nanoTime();
                        fixture.agent().recordAck(id, fixture.destination(id % 3));
                        acks[s] = Math.max(acks[s], System.nanoTime() - ackStartNs);
                    }
                    ackCount += 64;
                }
                writes[s] = System.nanoTime() - startNs;
                pauses[s] = fixture.tracker().counters().value(TrackerCounter.CHECKPOINT_PAUSE_US) * 1000;
                System.out.printf("checkpoint %d: pause %,d us, longest duty cycle %,d us, longest ack %,d us " +
                    "(%,d acks during it, %,d chunks copied by the agent), written after %,d ms, checkpoints %d%n",
                    s + 1, pauses[s] / 1000, cycles[s] / 1000, acks[s] / 1000, ackCount,
                    fixture.tracker().counters().value(TrackerCounter.CHECKPOINT_AGENT_COPIES), writes[s] / 1_000_000,
                    fixture.tracker().counters().value(TrackerCounter.CHECKPOINTS));
            }
            breakdown(fixture);
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
            System.out.printf("pause ms: %s%nlongest duty cycle ms: %s%nlongest ack ms: %s%nwritten ms: %s%n" +
                "reopen ms: %s%n", summary(pauses), summary(cycles), summary(acks), summary(writes), summary(reopens));
        }
        finally
        {
            TempDirs.delete(fixture.dataDir());
        }
    }

    /** The dead letters: tracked to one destination and rejected at once. */
    private static void deadLetters(final TrackerFixture fixture, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final long id = DEAD_LETTER_IDS + i;
            TrackerFixture.expect(Result.OK, fixture.agent().track(id, fixture.mask(1), 0, 0, 0), id);
            TrackerFixture.expect(Result.OK, fixture.agent().recordReject(id, fixture.destination(0), 7), id);
            if ((i & 1023) == 0)
            {
                fixture.agent().doWork();
            }
        }
        fixture.agent().doWork();
    }

    /** The pending messages as {@link TrackerFixture#trackRange} tracks them, each with its own metadata. */
    private static void trackWithMetadata(final TrackerFixture fixture, final int count, final int metadataBytes)
    {
        final UnsafeBuffer metadata = new UnsafeBuffer(new byte[metadataBytes]);
        final TrackRequest request = new TrackRequest();
        for (int i = 0; i < count; i++)
        {
            metadata.putInt(0, i);
            request.reset().messageId(i).destinations(fixture.mask(3)).requiredAcks(2)
                .metadata(metadata, 0, metadataBytes);
            TrackerFixture.expect(Result.OK, fixture.agent().track(request), i);
            if ((i & 4095) == 0)
            {
                fixture.agent().doWork();
            }
        }
        fixture.agent().doWork();
    }

    /** The image written with the tracker stopped, timed part by part: where a pause would go. */
    private static void breakdown(final TrackerFixture fixture)
    {
        final ImageWriter image = new ImageWriter(64 << 20);
        final long[] startNs = new long[32];
        final int[] tags = new int[32];
        final int[] parts = new int[1];
        image.sectionListener((tag, offset) ->
        {
            startNs[parts[0]] = System.nanoTime();
            tags[parts[0]++] = tag;
        });
        final StringBuilder lines = new StringBuilder();
        for (int run = 0; run < BREAKDOWN_RUNS; run++)
        {
            parts[0] = 0;
            image.reset();
            final long runStartNs = System.nanoTime();
            fixture.agent().dumpState(image);
            final long endNs = System.nanoTime();
            lines.append(String.format("image %d (tracker stopped): %.1f ms, %,d bytes:", run + 1,
                (endNs - runStartNs) / 1e6, image.length()));
            int table = 0;
            for (int i = 0; i < parts[0]; i++)
            {
                final long partNs = (i + 1 < parts[0] ? startNs[i + 1] : endNs) - startNs[i];
                final String name = ImageSections.TABLE == tags[i] ? TABLES[table++] : name(tags[i]);
                if (partNs >= 50_000)
                {
                    lines.append(String.format(" %s %.2f", name, partNs / 1e6));
                }
            }
            lines.append(" (parts under 0.05 ms left out)\n");
        }
        System.out.print(lines);
    }

    private static final String[] TABLES = {"extras", "deadLetterTable", "stateTable", "streamOffsetTable"};

    private static String name(final int tag)
    {
        return switch (tag)
        {
            case ImageSections.MACHINE -> "machine";
            case ImageSections.RECORDS -> "records";
            case ImageSections.DEADLINES -> "deadlines";
            case ImageSections.HEALTH -> "health";
            case ImageSections.STREAMS -> "streams";
            case ImageSections.EARLY_ACKS -> "earlyAcks";
            case ImageSections.LEASES -> "leases";
            case ImageSections.RETRIES -> "retries";
            case ImageSections.DEAD_LETTERS -> "deadLetterQueues";
            case ImageSections.HOUSEKEEPING -> "housekeeping";
            case ImageSections.SESSIONS -> "sessions";
            case ImageSections.COUNTERS -> "counters";
            case ImageSections.END -> "end";
            default -> Integer.toHexString(tag);
        };
    }

    private static String summary(final long[] valuesNs)
    {
        final long[] sorted = valuesNs.clone();
        Arrays.sort(sorted);
        return String.format("min %.1f, median %.1f, max %.1f (n=%d)", sorted[0] / 1e6, sorted[sorted.length / 2] / 1e6,
            sorted[sorted.length - 1] / 1e6, sorted.length);
    }
}

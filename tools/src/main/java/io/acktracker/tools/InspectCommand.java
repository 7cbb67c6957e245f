package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.DeadLetter;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.MessageStatus;
import io.acktracker.engine.metrics.LatencySummary;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Offline view of a persisted pending table: counts by status, oldest entries, per destination, per stream, or one
 * message in full. Reads a private copy ({@link ReadOnlyCopy}): the data directory is never written.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Offline view of a tracker's data directory (the tracker must be stopped).")
final class InspectCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DATA_DIR", description = "The tracker's data directory.")
    Path dataDir;

    @Option(names = "--message", paramLabel = "ID", description = "Show one message in full.")
    Long messageId;

    @Option(names = "--oldest", paramLabel = "N",
        defaultValue = "10", description = "Oldest pending entries to list (default 10).")
    int oldest;

    @Option(names = "--recover", description = "Accept a directory that was not shut down cleanly (Chronicle's " +
        "recovery runs on a private copy; the directory is not changed).")
    boolean recover;

    public Integer call()
    {
        Usage.require(spec, oldest >= 0, "--oldest must be 0 or more, not " + oldest);
        final PrintWriter out = spec.commandLine().getOut();
        try (DataDirs.OfflineTracker offline = DataDirs.openReadOnly(dataDir, recover))
        {
            final AckTracker tracker = offline.tracker();
            if (null != messageId)
            {
                return showMessage(tracker, out);
            }
            summary(tracker, out);
        }
        return 0;
    }

    private int showMessage(final AckTracker tracker, final PrintWriter out)
    {
        final DestinationRegistry registry = tracker.destinations();
        final MessageStatus status = tracker.status(messageId);
        final DeadLetter letter = tracker.agent().deadLetters().get(messageId);
        if (MessageStatus.unknown(messageId).equals(status) && null == letter)
        {
            out.println("message " + messageId + ": not in the pending table or a dead-letter queue");
            return 1;
        }
        out.println("message " + messageId);
        if (!MessageStatus.unknown(messageId).equals(status))
        {
            out.printf("  state          %s%s%n", status.state(),
                status.reason() == io.acktracker.engine.api.FailureReason.NONE ? "" : " (" + status.reason() + ")");
            out.printf("  destinations   %s%n", registry.names(status.destinations()));
            out.printf("  acked          %s (%d of %d required)%n", registry.names(status.acked()),
                Long.bitCount(status.acked()), status.requiredAcks());
            out.printf("  given up       %s%n", registry.names(status.failed()));
            out.printf("  attempts       %d%n", status.attempts());
            out.printf("  created        %s%n", time(status.createdNs()));
            out.printf("  ack deadline   %s%n", time(status.deadlineNs()));
            out.printf("  ttl deadline   %s%n", time(status.ttlDeadlineNs()));
            if (status.finishedNs() != 0)
            {
                out.printf("  finished       %s%n", time(status.finishedNs()));
            }
            if (status.hasStream())
            {
                out.printf("  stream         %d, sequence %d%n", status.streamId(), status.sequence());
            }
        }
        if (null != letter)
        {
            out.printf("  dead letter    queue %s, reason %s, died %s%n", queueName(letter.queue()), letter.reason(),
                time(letter.deadNs()));
            letter.history().forEach((event) -> out.printf("    %s  %-12s %-14s attempt %d%s%n", time(event.timeNs()),
                destinationName(registry, event.destination()), event.type(), event.attempt(),
                event.code() == 0 ? "" : " code " + event.code()));
            if (letter.metadata().length > 0)
            {
                out.printf("  metadata       %d bytes%n", letter.metadata().length);
            }
        }
        return 0;
    }

    private void summary(final AckTracker tracker, final PrintWriter out)
    {
        final DestinationRegistry registry = tracker.destinations();
        final long[] byStatus = new long[8];
        final long[] pendingPerDestination = new long[64];
        final long[] ackedPerDestination = new long[64];
        final Map<Integer, long[]> streams = new TreeMap<>();
        final List<long[]> pendingByAge = new ArrayList<>();
        final PendingRecord record = new PendingRecord();
        tracker.agent().records().forEachRecord((id, address) ->
        {
            record.wrap(address);
            byStatus[record.status() & 7]++;
            if (RecordStatus.PENDING == record.status())
            {
                pendingByAge.add(new long[]{ record.createdNs(), id });
                for (long bits = record.destinations(); bits != 0; bits &= bits - 1)
                {
                    final int d = Long.numberOfTrailingZeros(bits);
                    pendingPerDestination[d]++;
                    if ((record.acked() & (1L << d)) != 0)
                    {
                        ackedPerDestination[d]++;
                    }
                }
                if (record.hasFlag(PendingRecord.FLAG_HAS_STREAM))
                {
                    final long[] stream = streams.computeIfAbsent(record.streamId(),
                        (k) -> new long[]{ 0, Long.MAX_VALUE, Long.MIN_VALUE });
                    stream[0]++;
                    stream[1] = Math.min(stream[1], record.streamSequence());
                    stream[2] = Math.max(stream[2], record.streamSequence());
                }
            }
        });

        out.println("data directory " + dataDir);
        out.printf("  %-10s %,12d%n", "pending", byStatus[RecordStatus.PENDING]);
        out.printf("  %-10s %,12d%n", "completed", byStatus[RecordStatus.COMPLETED]);
        out.printf("  %-10s %,12d%n", "failed", byStatus[RecordStatus.FAILED]);
        out.printf("  %-10s %,12d%n", "expired", byStatus[RecordStatus.EXPIRED]);
        out.printf("  (completed, failed and expired entries are tombstones kept for the tombstone window)%n");
        out.printf("  %-10s %,12d%n", "dead letters", tracker.agent().deadLetters().stats(null).count());

        out.println();
        out.println("per destination (pending messages)");
        out.printf("  %-3s %-24s %12s %12s %10s%n", "id", "name", "pending", "acked", "circuit");
        for (int d = 0; d < registry.size(); d++)
        {
            out.printf("  %-3d %-24s %,12d %,12d %10s%n", d, registry.name(d), pendingPerDestination[d],
                ackedPerDestination[d], tracker.agent().destinationHealth(d).circuit());
        }

        if (!streams.isEmpty())
        {
            out.println();
            out.println("per stream (pending messages)");
            out.printf("  %-10s %12s %16s %16s%n", "stream", "pending", "lowest seq", "highest seq");
            streams.forEach((id, stream) -> out.printf("  %-10d %,12d %16d %16d%n", id, stream[0], stream[1], stream[2]));
        }

        pendingByAge.sort(Comparator.comparingLong((long[] entry) -> entry[0]));
        if (!pendingByAge.isEmpty())
        {
            out.println();
            out.println("oldest pending");
            final long now = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < Math.min(oldest, pendingByAge.size()); i++)
            {
                final MessageStatus status = tracker.status(pendingByAge.get(i)[1]);
                out.printf("  %-20d age %-10s %s acked %s%n", status.messageId(),
                    LatencySummary.format(Math.max(0, now - status.createdNs())), status.state(),
                    registry.names(status.acked()));
            }
        }
    }

    static String time(final long epochNs)
    {
        if (PendingRecord.NO_DEADLINE == epochNs)
        {
            return "none";
        }
        return Instant.ofEpochSecond(0, epochNs).toString();
    }

    static String queueName(final int queue)
    {
        return queue == io.acktracker.engine.DeadLetterAdmin.DEFAULT_QUEUE ? "default" : "stream " + queue;
    }

    static String destinationName(final DestinationRegistry registry, final int destination)
    {
        if (destination < 0)
        {
            return "consumer";
        }
        final String name = registry.name(destination);
        return null == name ? "#" + destination : name;
    }
}

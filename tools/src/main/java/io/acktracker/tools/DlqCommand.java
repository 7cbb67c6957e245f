package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.DeadLetterAdmin;
import io.acktracker.engine.DestinationRegistry;
import io.acktracker.engine.FailureReason;
import io.acktracker.engine.Result;
import io.acktracker.engine.TrackerException;
import io.acktracker.engine.agent.DeadLetters;
import io.acktracker.engine.dlq.DeadLetter;
import io.acktracker.engine.dlq.DlqStats;
import io.acktracker.engine.dlq.ReplayMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Dead-letter administration on a stopped tracker's data directory: list, peek, replay, delete, stats.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true,
    description = "Dead-letter queues of a stopped tracker's data directory.",
    subcommands = { DlqCommand.ListCommand.class, DlqCommand.PeekCommand.class, DlqCommand.ReplayCommand.class,
        DlqCommand.DeleteCommand.class, DlqCommand.StatsCommand.class })
final class DlqCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    abstract static class Base implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DATA_DIR", description = "The tracker's data directory.")
        Path dataDir;

        @Option(names = "--recover", description = "Accept a directory that was not shut down cleanly.")
        boolean recover;

        public Integer call()
        {
            try (AckTracker tracker = DataDirs.openTracker(dataDir, recover))
            {
                return run(tracker, tracker.agent().deadLetters(), spec.commandLine().getOut());
            }
        }

        abstract int run(AckTracker tracker, DeadLetters dlq, PrintWriter out);

        static int queue(final String queue)
        {
            if ("default".equals(queue))
            {
                return DeadLetterAdmin.DEFAULT_QUEUE;
            }
            try
            {
                return Integer.parseInt(queue);
            }
            catch (final NumberFormatException ex)
            {
                throw new TrackerException("--queue must be 'default' or a stream id: " + queue);
            }
        }

        static void print(final AckTracker tracker, final List<DeadLetter> letters, final PrintWriter out)
        {
            final DestinationRegistry registry = tracker.destinations();
            out.printf("%-20s %-10s %-14s %-28s %-24s %s%n", "message", "queue", "reason", "died", "acked / of",
                "last errors");
            for (final DeadLetter letter : letters)
            {
                final StringBuilder errors = new StringBuilder();
                letter.lastErrors().forEach((destination, event) -> errors.append(InspectCommand.destinationName(
                    registry, destination)).append('=').append(event.type()).append(event.code() == 0 ? "" :
                    "(" + event.code() + ")").append(' '));
                out.printf("%-20d %-10s %-14s %-28s %-24s %s%n", letter.messageId(),
                    InspectCommand.queueName(letter.queue()), letter.reason(), InspectCommand.time(letter.deadNs()),
                    registry.names(letter.status().acked()) + "/" + registry.names(letter.status().destinations()),
                    errors.toString().strip());
            }
            out.printf("(%d shown)%n", letters.size());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters by reason or destination.")
    static final class ListCommand extends Base
    {
        @Option(names = "--reason", description = "Only this reason: ${COMPLETION-CANDIDATES}.")
        FailureReason reason;

        @Option(names = "--destination", description = "Only those whose given destination never acked.")
        String destination;

        @Option(names = "--limit", defaultValue = "100", description = "Most to show (default 100).")
        int limit;

        int run(final AckTracker tracker, final DeadLetters dlq, final PrintWriter out)
        {
            final List<DeadLetter> letters;
            if (null != destination)
            {
                final int id = tracker.destinations().id(destination);
                if (DestinationRegistry.UNKNOWN == id)
                {
                    throw new TrackerException("unknown destination '" + destination + "'");
                }
                letters = dlq.list((letter) -> (null == reason || letter.reason() == reason) &&
                    (letter.status().destinations() & (1L << id)) != 0 &&
                    (letter.status().acked() & (1L << id)) == 0, limit);
            }
            else
            {
                letters = dlq.list((letter) -> null == reason || letter.reason() == reason, limit);
            }
            print(tracker, letters, out);
            return 0;
        }
    }

    @Command(name = "peek", mixinStandardHelpOptions = true, description = "Oldest dead letters of a queue.")
    static final class PeekCommand extends Base
    {
        @Option(names = "--queue", defaultValue = "default", description = "'default' or a stream id.")
        String queue;

        @Option(names = {"-n", "--count"}, defaultValue = "10", description = "How many (default 10).")
        int count;

        int run(final AckTracker tracker, final DeadLetters dlq, final PrintWriter out)
        {
            print(tracker, dlq.peek(queue(queue), count), out);
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Put dead letters back into tracking, attempts reset. Offline, the redelivery goes out when " +
            "the tracker next runs and their first ack timeout passes.")
    static final class ReplayCommand extends Base
    {
        @Parameters(index = "1..*", paramLabel = "ID", description = "Message ids.")
        long[] ids;

        @Option(names = "--unacked-only", description = "Targeted redrive: only the destinations that never acked.")
        boolean unackedOnly;

        int run(final AckTracker tracker, final DeadLetters dlq, final PrintWriter out)
        {
            int failures = 0;
            for (final long id : ids)
            {
                final Result result = dlq.replayOne(id, unackedOnly ? ReplayMode.UNACKED_DESTINATIONS :
                    ReplayMode.ALL_DESTINATIONS);
                out.printf("%d: %s%n", id, Result.OK == result ? "replayed" : result);
                if (Result.OK != result)
                {
                    failures++;
                }
            }
            return 0 == failures ? 0 : 1;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete dead letters.")
    static final class DeleteCommand extends Base
    {
        @Parameters(index = "1..*", paramLabel = "ID", description = "Message ids.")
        long[] ids;

        int run(final AckTracker tracker, final DeadLetters dlq, final PrintWriter out)
        {
            final int deleted = dlq.delete(ids);
            out.printf("deleted %d of %d%n", deleted, ids.length);
            return deleted == ids.length ? 0 : 1;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Dead-letter statistics.")
    static final class StatsCommand extends Base
    {
        int run(final AckTracker tracker, final DeadLetters dlq, final PrintWriter out)
        {
            out.printf("%-10s %10s %12s %12s %12s %12s %10s %12s  %s%n", "queue", "held", "moved", "replayed",
                "deleted", "refused", "waiting", "retention", "oldest");
            print(out, "all", dlq.stats(null));
            for (final int queue : dlq.queues())
            {
                print(out, InspectCommand.queueName(queue), dlq.stats(queue));
            }
            return 0;
        }

        private static void print(final PrintWriter out, final String name, final DlqStats stats)
        {
            out.printf("%-10s %,10d %,12d %,12d %,12d %,12d %,10d %,12d  %s%n", name, stats.count(),
                stats.totalMoved(), stats.totalReplayed(), stats.totalDeleted(), stats.refusedFull(),
                stats.heldForRoom(), stats.retentionRemoved(),
                0 == stats.oldestDeadNs() ? "-" : InspectCommand.time(stats.oldestDeadNs()));
        }
    }
}

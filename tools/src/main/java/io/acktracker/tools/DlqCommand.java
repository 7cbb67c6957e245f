package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.DeadLetterAdmin;
import io.acktracker.engine.api.DeadLetter;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.DlqStats;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.ReplayMode;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.machine.DeadLetters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Dead-letter administration: list, peek, replay, delete, stats, on a stopped tracker's data directory (offline),
 * or on a running service through its admin stream ({@code --aeron-dir}, see {@link AdminServer}). Both run the
 * same code against the tracker's dead-letter queues; online it runs on the service's agent thread. Offline, list,
 * peek and stats read a private copy and never write to the directory; replay and delete open it in place.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true,
    description = {"Dead-letter queues: of a stopped tracker's data directory (DATA_DIR), or of a running service " +
        "started with 'acktracker run' (--aeron-dir DIR)."},
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

    /**
     * What a served command returns.
     *
     * @param exitCode exit code.
     * @param out      output.
     * @param err      errors.
     */
    record Served(int exitCode, String out, String err)
    {
    }

    /**
     * Run a dead-letter command for the admin stream, on the tracker's agent thread.
     *
     * @param tracker   the running tracker.
     * @param arguments the command after {@code dlq}, as {@link Base#remoteArguments()} wrote it.
     * @return completes with the command's output once the agent has run it.
     */
    static CompletableFuture<Served> serve(final AckTracker tracker, final List<String> arguments)
    {
        final CommandLine line = new CommandLine(new DlqCommand());
        CommandLine.ParseResult parsed;
        try
        {
            parsed = line.parseArgs(arguments.toArray(new String[0]));
        }
        catch (final CommandLine.ParameterException ex)
        {
            return CompletableFuture.completedFuture(new Served(2, "", "acktracker: " + ex.getMessage() + "\n"));
        }
        while (parsed.hasSubcommand())
        {
            parsed = parsed.subcommand();
        }
        if (!(parsed.commandSpec().userObject() instanceof Base))
        {
            return CompletableFuture.completedFuture(new Served(2, "",
                "acktracker: name a dlq command: list, peek, replay, delete or stats\n"));
        }
        final Base command = (Base)parsed.commandSpec().userObject();
        command.served = true;
        return tracker.submit((agent) ->
        {
            final StringWriter out = new StringWriter();
            try (PrintWriter writer = new PrintWriter(out))
            {
                final int exitCode = command.run(tracker, agent.deadLetters(), writer);
                writer.flush();
                return new Served(exitCode, out.toString(), "");
            }
            catch (final CommandLine.ParameterException ex)
            {
                return new Served(2, out.toString(), "acktracker: " + ex.getMessage() + "\n");
            }
            catch (final TrackerException | IllegalArgumentException ex)
            {
                return new Served(1, out.toString(), "acktracker: " + ex.getMessage() + "\n");
            }
        });
    }

    abstract static class Base implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--aeron-dir", paramLabel = "DIR",
            description = "A running service's Aeron directory: ask the service (started with 'acktracker run') " +
                "through its admin stream instead of reading a data directory.")
        Path aeronDir;

        @Option(names = "--admin-key", paramLabel = "FILE",
            description = "With --aeron-dir: the service's secret (its http.token.file) to sign the command with " +
                "(default: the file the service registered).")
        Path adminKey;

        @Option(names = "--recover", description = "Accept a directory that was not shut down cleanly (offline: " +
            "list, peek and stats recover a private copy; replay and delete recover the directory).")
        boolean recover;

        /** Set on the service side: the operands hold no data directory. */
        boolean served;

        public Integer call()
        {
            checkOptions();
            final Path dataDir = dataDir();
            if (null != aeronDir)
            {
                if (null != dataDir)
                {
                    throw new TrackerException("give a DATA_DIR (stopped tracker) or --aeron-dir (running service), " +
                        "not both");
                }
                final List<String> arguments = new ArrayList<>(List.of("dlq"));
                arguments.addAll(remoteArguments());
                final AdminServer.Reply reply = AdminClient.call(aeronDir, adminKey, arguments);
                spec.commandLine().getOut().print(reply.out());
                spec.commandLine().getOut().flush();
                spec.commandLine().getErr().print(reply.err());
                spec.commandLine().getErr().flush();
                return reply.exitCode();
            }
            if (null == dataDir)
            {
                throw new TrackerException("say which tracker: DATA_DIR (a stopped tracker's data directory) or " +
                    "--aeron-dir DIR (a running service)");
            }
            try (DataDirs.OfflineTracker offline = changesDeadLetters() ? DataDirs.openInPlace(dataDir, recover) :
                DataDirs.openReadOnly(dataDir, recover))
            {
                final AckTracker tracker = offline.tracker();
                return run(tracker, tracker.agent().deadLetters(), spec.commandLine().getOut());
            }
        }

        /**
         * Whether the command changes dead letters: offline it then opens the directory in place (lock and all);
         * the others read a private copy and never write to it.
         *
         * @return true for replay and delete.
         */
        boolean changesDeadLetters()
        {
            return false;
        }

        /**
         * The data directory named on the command line.
         *
         * @return it, or null when none was given.
         */
        abstract Path dataDir();

        /**
         * This command for the service's admin stream: its name and options, without the data directory.
         *
         * @return the arguments after {@code dlq}.
         */
        abstract List<String> remoteArguments();

        abstract int run(AckTracker tracker, DeadLetters dlq, PrintWriter out);

        /**
         * Refuse a bad option value (exit 2) before a directory is opened or a service asked.
         */
        void checkOptions()
        {
        }

        /**
         * Message ids from operands that may start with the data directory.
         *
         * @param operands the positional arguments.
         * @return the ids.
         */
        long[] ids(final List<String> operands)
        {
            final int first = null != aeronDir || served ? 0 : 1;
            if (operands.size() <= first)
            {
                throw Usage.error(spec, "give the message ids after " + (0 == first ? "the options" : "DATA_DIR"));
            }
            final long[] ids = new long[operands.size() - first];
            for (int i = first; i < operands.size(); i++)
            {
                try
                {
                    ids[i - first] = Long.parseLong(operands.get(i));
                }
                catch (final NumberFormatException ex)
                {
                    throw Usage.error(spec, "not a message id: '" + operands.get(i) + "'");
                }
            }
            return ids;
        }

        Path dataDirOperand(final List<String> operands)
        {
            return null != aeronDir || served || operands.isEmpty() ? null : Path.of(operands.get(0));
        }

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
        @Parameters(index = "0", arity = "0..1", paramLabel = "DATA_DIR", description = "The tracker's data directory.")
        Path dataDir;

        @Option(names = "--reason", paramLabel = "REASON", description = "Only this reason: ${COMPLETION-CANDIDATES}.")
        FailureReason reason;

        @Option(names = "--destination", paramLabel = "NAME",
            description = "Only those whose given destination never acked.")
        String destination;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "Most to show (default 100).")
        int limit;

        Path dataDir()
        {
            return dataDir;
        }

        void checkOptions()
        {
            Usage.require(spec, limit >= 1, "--limit must be 1 or more, not " + limit);
        }

        List<String> remoteArguments()
        {
            final List<String> arguments = new ArrayList<>(List.of("list", "--limit", Integer.toString(limit)));
            if (null != reason)
            {
                arguments.addAll(List.of("--reason", reason.name()));
            }
            if (null != destination)
            {
                arguments.addAll(List.of("--destination", destination));
            }
            return arguments;
        }

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
        @Parameters(index = "0", arity = "0..1", paramLabel = "DATA_DIR", description = "The tracker's data directory.")
        Path dataDir;

        @Option(names = "--queue", paramLabel = "QUEUE",
            defaultValue = "default", description = "'default' or a stream id.")
        String queue;

        @Option(names = {"-n", "--count"}, paramLabel = "N",
            defaultValue = "10", description = "How many (default 10).")
        int count;

        Path dataDir()
        {
            return dataDir;
        }

        void checkOptions()
        {
            Usage.require(spec, count >= 1, "-n/--count must be 1 or more, not " + count);
            Usage.require(spec, "default".equals(queue) || queue.matches("-?\\d{1,10}"),
                "--queue must be 'default' or a stream id, not '" + queue + "'");
        }

        List<String> remoteArguments()
        {
            return List.of("peek", "--queue", queue, "--count", Integer.toString(count));
        }

        int run(final AckTracker tracker, final DeadLetters dlq, final PrintWriter out)
        {
            print(tracker, dlq.peek(queue(queue), count), out);
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Put dead letters back into tracking, attempts reset. Online the tracker asks for the " +
            "redelivery at once (its redelivery listeners); offline, when the tracker next runs and their first ack " +
            "timeout passes.")
    static final class ReplayCommand extends Base
    {
        @Parameters(arity = "1..*", paramLabel = "[DATA_DIR] ID",
            description = "The data directory (offline), then message ids.")
        List<String> operands;

        @Option(names = "--unacked-only", description = "Targeted redrive: only the destinations that never acked.")
        boolean unackedOnly;

        boolean changesDeadLetters()
        {
            return true;
        }

        Path dataDir()
        {
            return dataDirOperand(operands);
        }

        void checkOptions()
        {
            ids(operands);
        }

        List<String> remoteArguments()
        {
            final List<String> arguments = new ArrayList<>(List.of("replay"));
            if (unackedOnly)
            {
                arguments.add("--unacked-only");
            }
            for (final long id : ids(operands))
            {
                arguments.add(Long.toString(id));
            }
            return arguments;
        }

        int run(final AckTracker tracker, final DeadLetters dlq, final PrintWriter out)
        {
            int failures = 0;
            for (final long id : ids(operands))
            {
                final Result result = tracker.agent().replayDeadLetterNow(
                    unackedOnly ? ReplayMode.UNACKED_DESTINATIONS : ReplayMode.ALL_DESTINATIONS, id);
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
        @Parameters(arity = "1..*", paramLabel = "[DATA_DIR] ID",
            description = "The data directory (offline), then message ids.")
        List<String> operands;

        boolean changesDeadLetters()
        {
            return true;
        }

        Path dataDir()
        {
            return dataDirOperand(operands);
        }

        void checkOptions()
        {
            ids(operands);
        }

        List<String> remoteArguments()
        {
            final List<String> arguments = new ArrayList<>(List.of("delete"));
            for (final long id : ids(operands))
            {
                arguments.add(Long.toString(id));
            }
            return arguments;
        }

        int run(final AckTracker tracker, final DeadLetters dlq, final PrintWriter out)
        {
            final long[] ids = ids(operands);
            final int deleted = tracker.agent().deleteDeadLetters(ids);
            out.printf("deleted %d of %d%n", deleted, ids.length);
            return deleted == ids.length ? 0 : 1;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Dead-letter statistics.")
    static final class StatsCommand extends Base
    {
        @Parameters(index = "0", arity = "0..1", paramLabel = "DATA_DIR", description = "The tracker's data directory.")
        Path dataDir;

        Path dataDir()
        {
            return dataDir;
        }

        List<String> remoteArguments()
        {
            return List.of("stats");
        }

        int run(final AckTracker tracker, final DeadLetters dlq, final PrintWriter out)
        {
            out.printf("%-10s %10s %12s %12s %12s %12s %12s %10s %12s  %s%n", "queue", "held", "moved", "replayed",
                "deleted", "refused", "evicted", "waiting", "retention", "oldest");
            print(out, "all", dlq.stats(null));
            for (final int queue : dlq.queues())
            {
                print(out, InspectCommand.queueName(queue), dlq.stats(queue));
            }
            return 0;
        }

        private static void print(final PrintWriter out, final String name, final DlqStats stats)
        {
            out.printf("%-10s %,10d %,12d %,12d %,12d %,12d %,12d %,10d %,12d  %s%n", name, stats.count(),
                stats.totalMoved(), stats.totalReplayed(), stats.totalDeleted(), stats.refusedFull(),
                stats.evictedOldest(), stats.heldForRoom(), stats.retentionRemoved(),
                0 == stats.oldestDeadNs() ? "-" : InspectCommand.time(stats.oldestDeadNs()));
        }
    }
}

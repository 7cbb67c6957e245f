package io.acktracker.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The {@code acktracker} command line. Errors speak to a person: one line and a non-zero exit, with the stack trace
 * only under {@code --verbose}. {@code acktracker help COMMAND} is picocli's help command; no command at all is a
 * usage error (exit 2). Option values are labelled by what they are ({@code DURATION}, {@code DIR}, {@code N}),
 * never by a field name.
 */
@Command(
    name = "acktracker",
    mixinStandardHelpOptions = true,
    version = "acktracker 0.1.0-SNAPSHOT",
    description = "Embeddable ACK tracker: demo, tools and service.",
    subcommands = { CommandLine.HelpCommand.class, DemoCommand.class, RunCommand.class, StatCommand.class,
        ErrorsCommand.class, InspectCommand.class, DlqCommand.class, LoadCommand.class, PlotCommand.class,
        ClusterCommand.class })
public final class AckTrackerCli implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", description = "Print stack traces on errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    /**
     * No command given: the usage, on standard error, and the exit code of a usage error (2), so a script that
     * forgot its command fails.
     *
     * @return 2.
     */
    public Integer call()
    {
        final CommandLine line = spec.commandLine();
        line.getErr().println("acktracker: say which command to run");
        line.usage(line.getErr());
        line.getErr().flush();
        return line.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * Run a command line, returning its exit code (for tests and {@link #main}).
     *
     * @param out  standard output.
     * @param err  error output.
     * @param args arguments.
     * @return exit code.
     */
    public static int execute(final PrintWriter out, final PrintWriter err, final String... args)
    {
        final AckTrackerCli cli = new AckTrackerCli();
        final CommandLine commandLine = new CommandLine(cli);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((ex, arguments) ->
        {
            final CommandLine line = ex.getCommandLine();
            line.getErr().println("acktracker: " + message(ex) + " (see '" +
                line.getCommandSpec().qualifiedName() + " --help')");
            if (cli.verbose)
            {
                ex.printStackTrace(line.getErr());
            }
            line.getErr().flush();
            return line.getCommandSpec().exitCodeOnInvalidInput();
        });
        commandLine.setExecutionExceptionHandler((ex, line, parseResult) ->
        {
            line.getErr().println("acktracker: " + message(ex));
            if (cli.verbose)
            {
                ex.printStackTrace(line.getErr());
            }
            line.getErr().flush();
            return 1;
        });
        return commandLine.execute(args);
    }

    private static String message(final Throwable error)
    {
        Throwable ex = error;
        while ((ex instanceof java.util.concurrent.CompletionException ||
            ex instanceof java.util.concurrent.ExecutionException) && null != ex.getCause())
        {
            ex = ex.getCause();
        }
        final String message = ex.getMessage();
        return null == message || message.isBlank() ? ex.getClass().getSimpleName() : message;
    }

    public static void main(final String[] args)
    {
        final PrintWriter out = new PrintWriter(System.out, true);
        final PrintWriter err = new PrintWriter(System.err, true);
        System.exit(execute(out, err, args));
    }
}

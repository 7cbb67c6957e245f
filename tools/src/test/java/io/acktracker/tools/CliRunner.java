package io.acktracker.tools;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs the command line in-process with captured output.
 */
final class CliRunner
{
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    int exitCode;

    static CliRunner run(final String... args)
    {
        final CliRunner runner = new CliRunner();
        runner.exitCode = AckTrackerCli.execute(new PrintWriter(runner.out, true), new PrintWriter(runner.err, true),
            args);
        return runner;
    }

    String out()
    {
        return out.toString();
    }

    String err()
    {
        return err.toString();
    }
}

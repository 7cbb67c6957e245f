package io.acktracker.tools;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * A bad option value found after parsing (a range, a combination): reported like picocli's own parse errors, as one
 * line naming the option with a pointer to the command's help, and exit code 2, before anything is opened or
 * changed.
 * <p>
 * Threading: any thread; stateless.
 */
final class Usage
{
    private Usage()
    {
    }

    /**
     * A usage error of a command.
     *
     * @param spec    the command.
     * @param message one line naming the option and what it takes.
     * @return the exception to throw from {@code call()}.
     */
    static ParameterException error(final CommandSpec spec, final String message)
    {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * Refuse an option value unless a condition holds.
     *
     * @param spec      the command.
     * @param condition what must hold.
     * @param message   one line naming the option and what it takes.
     */
    static void require(final CommandSpec spec, final boolean condition, final String message)
    {
        if (!condition)
        {
            throw error(spec, message);
        }
    }
}

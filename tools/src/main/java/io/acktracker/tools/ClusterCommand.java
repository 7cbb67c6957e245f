package io.acktracker.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code acktracker cluster}: the replicated tracker on Aeron Cluster. Its one subcommand today starts a member
 * ({@link ClusterNodeCommand}); without one it is a usage error.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "The tracker replicated on Aeron Cluster (see transport/cluster/README.md).",
    subcommands = { ClusterNodeCommand.class })
final class ClusterCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    public Integer call()
    {
        final CommandLine line = spec.commandLine();
        line.getErr().println("acktracker cluster: say which subcommand to run");
        line.usage(line.getErr());
        line.getErr().flush();
        return line.getCommandSpec().exitCodeOnInvalidInput();
    }
}

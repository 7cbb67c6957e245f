package io.acktracker.tools;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line's help speaks to a person: option values labelled by what they are, {@code help COMMAND}, and no
 * command at all is a usage error.
 */
class HelpTest
{
    @Test
    void shouldLabelEveryOptionValueByWhatItIsNotByAFieldName()
    {
        final List<String> bad = new ArrayList<>();
        check(new CommandLine(new AckTrackerCli()), bad);
        assertThat(bad).isEmpty();
    }

    private static void check(final CommandLine line, final List<String> bad)
    {
        for (final OptionSpec option : line.getCommandSpec().options())
        {
            if (option.arity().max() > 0 && !option.paramLabel().matches("[A-Z][A-Z_]*(\\.[a-z]+)?"))
            {
                bad.add(line.getCommandSpec().qualifiedName() + " " + option.longestName() + " " +
                    option.paramLabel());
            }
        }
        line.getSubcommands().values().forEach((sub) -> check(sub, bad));
    }

    @Test
    void shouldShowACommandsHelpThroughTheHelpCommand()
    {
        final CliRunner cli = CliRunner.run("help", "stat");
        assertThat(cli.exitCode).as(cli.err()).isZero();
        assertThat(cli.out()).startsWith("Usage: acktracker stat").contains("--interval-ms=MS")
            .doesNotContain("Unmatched");
        assertThat(CliRunner.run("help", "run").out()).contains("Service keys");
        assertThat(CliRunner.run("--help").out()).contains("errors").contains("help");
    }

    @Test
    void shouldFailWithTheUsageWhenNoCommandIsGiven()
    {
        final CliRunner cli = CliRunner.run();
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).startsWith("acktracker: say which command to run").contains("Usage: acktracker");
        assertThat(cli.out()).isEmpty();
    }
}

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
        assertThat(CliRunner.run("--help").out()).contains("errors").contains("help");
    }

    @Test
    void shouldKeepRunsHelpShortAndSayWhereEveryKeyIs()
    {
        for (final String[] args : new String[][]{{"run", "--help"}, {"help", "run"}})
        {
            final CliRunner cli = CliRunner.run(args);
            assertThat(cli.exitCode).as(cli.err()).isZero();
            assertThat(cli.out().lines().count()).as(cli.out()).isLessThan(60);
            assertThat(cli.out()).contains("--config=FILE").contains("--print-config-reference")
                .contains("acktracker run --print-config-reference    (or transport/CONFIG.md)")
                .doesNotContain("http.max.connections");
        }
        final CliRunner reference = CliRunner.run("run", "--print-config-reference");
        assertThat(reference.exitCode).as(reference.err()).isZero();
        assertThat(reference.out()).contains("http.max.connections").contains("inbound.channel");
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

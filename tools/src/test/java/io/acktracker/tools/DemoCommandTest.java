package io.acktracker.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest
{
    @TempDir
    Path temp;

    @Test
    @Timeout(120)
    void shouldRunOverAeronAndAccountForEveryMessage()
    {
        final Path data = temp.resolve("demo-data");
        final Path hgrm = temp.resolve("demo.hgrm");
        final CliRunner cli = CliRunner.run("demo", "--rate", "2000", "--duration", "2s", "--warmup", "0",
            "--loss", "0.2", "--dark-at", "0.25", "--data-dir", data.toString(), "--hgrm", hgrm.toString());
        final String out = cli.out();

        assertThat(cli.exitCode).as(out + cli.err()).isZero();
        assertThat(out).contains("over Aeron IPC, quorum 2 of 3").containsPattern("\\d+\\.\\ds  sent ")
            .contains("circuits open");

        final long sent = number(out, "sent");
        final long completed = number(out, "completed");
        final long failed = number(out, "failed");
        final long expired = number(out, "expired");
        assertThat(sent).isEqualTo(4000);
        assertThat(number(out, "no outcome")).as(out).isZero();
        assertThat(completed + failed + expired).as("every message has exactly one outcome: " + out).isEqualTo(sent);
        assertThat(completed).as(out).isGreaterThan(sent / 2);
        assertThat(number(out, "session")).as("every Track confirmed applied to the sender's session: " + out)
            .isEqualTo(sent);
        assertThat(out).containsPattern("[\\d,]+ entries from its outbox");

        assertThat(number(out, "redeliveries")).as("the flaky destination's lost acks are retried").isPositive();
        assertThat(out).containsPattern("the sender got [\\d,]+ Redeliver frames");
        assertThat(out).containsPattern("dest-a\\s+CLOSED\\s+0 ").as("the steady destination stays healthy");
        assertThat(out).containsPattern("dest-c\\s+(OPEN|HALF_OPEN)\\s+[1-9]").as("the dark one's circuit opened");
        assertThat(out).contains("Dead letters").containsPattern("held\\s+[\\d,]+\\s+added");
        assertThat(out).containsPattern("count\\s+p50\\s+p99\\s+p99.9\\s+max\\n");
        final long firstAttempt = number(out, "completed, first attempt");
        final long redelivered = number(out, "completed, redelivered");
        assertThat(firstAttempt + redelivered).as("completions split by attempts: " + out).isEqualTo(completed);
        assertThat(redelivered).as("the flaky destination's lost acks make some complete on a redelivery: " + out)
            .isPositive();
        assertThat(out).containsPattern("completed, first attempt\\s+[\\d,]+(\\s+\\d+(\\.\\d)?(ns|us|ms|s)){4}\\n");
        assertThat(out).contains("./acktracker inspect " + data);
        assertThat(Files.exists(hgrm)).isTrue();
        assertThat(HgrmFile.read(hgrm).totalCount()).isEqualTo(completed);

        final CliRunner inspect = CliRunner.run("inspect", data.toString());
        assertThat(inspect.exitCode).as("the demo closed its data directory cleanly: " + inspect.err()).isZero();
        assertThat(inspect.out()).contains("dest-c");
    }

    @Test
    void shouldRefuseBadFlagsWithOneLine()
    {
        CliRunner cli = CliRunner.run("demo", "--quorum", "4");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo("acktracker: --quorum must be 1..--destinations (3), not 4 (see " +
            "'acktracker demo --help')");

        cli = CliRunner.run("demo", "--rate", "fast");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err().strip().lines()).hasSize(1);
        assertThat(cli.err()).contains("Invalid value for option '--rate'").doesNotContain("Usage");

        cli = CliRunner.run("demo", "--duration", "soon");
        assertThat(cli.err()).contains("'soon' is not a duration");

        cli = CliRunner.run("demo", "--in-memory", "--data-dir", temp.toString());
        assertThat(cli.err().strip()).isEqualTo("acktracker: --in-memory and --data-dir exclude each other (see " +
            "'acktracker demo --help')");
    }

    private static long number(final String out, final String label)
    {
        final Matcher matcher = Pattern.compile("(?m)^  " + Pattern.quote(label) + "\\s+([\\d,]+)").matcher(out);
        assertThat(matcher.find()).as("'" + label + "' in " + out).isTrue();
        return Long.parseLong(matcher.group(1).replace(",", ""));
    }
}

package io.acktracker.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command's bad input, run in-process: one line naming the option (or the file) and what is wrong, exit 2 for
 * a usage error, no library message or stack trace, and nothing created.
 */
class BadInputTest
{
    @TempDir
    Path temp;

    private static CliRunner usageError(final String expected, final String... args)
    {
        final CliRunner cli = CliRunner.run(args);
        assertThat(cli.exitCode).as(String.join(" ", args) + ": " + cli.err()).isEqualTo(2);
        assertThat(cli.err().strip().lines()).as(cli.err()).hasSize(1);
        assertThat(cli.err()).startsWith("acktracker: ").contains(expected).contains("--help')")
            .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(cli.out()).isEmpty();
        return cli;
    }

    private static CliRunner failure(final String expected, final String... args)
    {
        final CliRunner cli = CliRunner.run(args);
        assertThat(cli.exitCode).as(String.join(" ", args) + ": " + cli.err()).isEqualTo(1);
        assertThat(cli.err().strip().lines()).as(cli.err()).hasSize(1);
        assertThat(cli.err()).startsWith("acktracker: ").contains(expected).doesNotContain("Exception")
            .doesNotContain("\tat ");
        return cli;
    }

    @Test
    void shouldRefuseBadDemoOptionsAsUsageErrorsNamingTheOption()
    {
        usageError("--rate must be 1..1,000,000 messages per second", "demo", "--rate", "-5");
        usageError("--rate must be 1..1,000,000", "demo", "--rate", "0");
        usageError("--destinations must be 1..64, not 0", "demo", "--destinations", "0");
        usageError("--destinations must be 1..64, not 100", "demo", "--destinations", "100");
        usageError("--quorum must be 1..--destinations (3), not 9", "demo", "--quorum", "9");
        usageError("--loss must be a fraction 0..1, not 2.0", "demo", "--loss", "2");
        usageError("--dark-at must be a fraction", "demo", "--dark-at", "-1");
        usageError("--max-attempts must be 1..15, not 0", "demo", "--max-attempts", "0");
        usageError("--ttl must be positive", "demo", "--ttl", "0");
        usageError("--ack-timeout must be positive", "demo", "--ack-timeout", "0");
        usageError("--messages must be positive", "demo", "--messages", "0");
        usageError("'-1s' is not a duration", "demo", "--duration", "-1s");
        usageError("--in-memory and --data-dir exclude each other", "demo", "--in-memory", "--data-dir", "x");
    }

    @Test
    void shouldSayWhyADemoDataDirectoryCannotBeCreated() throws Exception
    {
        final Path file = Files.writeString(temp.resolve("a-file"), "x");
        failure("is a file, not a data directory", "demo", "--data-dir", file.toString(), "--warmup", "0");
        final CliRunner cli = failure("--data-dir: cannot create " + file.resolve("sub") + ": ", "demo",
            "--data-dir", file.resolve("sub").toString(), "--warmup", "0");
        assertThat(cli.err().strip()).doesNotEndWith(file.resolve("sub").toString());
    }

    @Test
    void shouldRefuseBadLoadOptionsAsUsageErrorsBeforeLookingForAService()
    {
        usageError("--rate must be 1 or more messages per second, not 0", "load", "--rate", "0",
            "--aeron-dir", "/nonexistent");
        usageError("--duration must be positive", "load", "--duration", "0", "--aeron-dir", "/nonexistent");
        usageError("--quorum must be 0 (all)..2 (the destinations), not -1", "load", "--quorum", "-1",
            "--aeron-dir", "/nonexistent");
        usageError("--quorum must be 0 (all)..2", "load", "--quorum", "3", "--aeron-dir", "/nonexistent");
        usageError("--destinations must name 1..64", "load", "--destinations", "", "--aeron-dir",
            "/nonexistent");
    }

    @Test
    void shouldRefuseBadOfflineToolOptionsBeforeOpeningTheDirectory()
    {
        final String dir = temp.toString();
        usageError("--oldest must be 0 or more, not -3", "inspect", dir, "--oldest", "-3");
        usageError("'abc' is not a long", "inspect", dir, "--message", "abc");
        usageError("-n/--count must be 1 or more, not -1", "dlq", "peek", dir, "-n", "-1");
        usageError("--queue must be 'default' or a stream id, not 'x'", "dlq", "peek", dir, "--queue", "x");
        usageError("--limit must be 1 or more, not 0", "dlq", "list", dir, "--limit", "0");
        usageError("give the message ids after DATA_DIR", "dlq", "delete", dir);
        usageError("not a message id: 'seven'", "dlq", "replay", dir, "seven");
        usageError("--interval-ms must be 1 to 3600000 (ms): 0", "stat", "--interval-ms", "0", "--data-dir", dir);
        usageError("--interval-ms must be 1 to 3600000 (ms): -5", "stat", "--interval-ms", "-5", "--data-dir", dir);
    }

    @Test
    void shouldRefuseABadServiceSettingInOneLineNamingTheKey()
    {
        failure("invalid http.port='99999': expected 0..65535 (flag --http.port)", "run", "--http.enabled=true",
            "--http.port=99999");
        final CliRunner cli = failure("inbound channel endpoint port must be 0..65535: localhost:99999", "run",
            "--inbound.channel=aeron:udp?endpoint=localhost:99999");
        assertThat(cli.err()).doesNotContain("ERROR -").doesNotContain("errorCodeValue");
        failure("outbound channel endpoint must be HOST:PORT: localhost", "run",
            "--outbound.channel=aeron:udp?endpoint=localhost");
        failure("cannot create data directory " + temp.resolve("f/sub") + ": ", "run",
            "--data.dir=" + createFile(temp.resolve("f")).resolve("sub"));
    }

    @Test
    void shouldSayWhyTheServiceCannotStartWithTheCause() throws Exception
    {
        final Path noDriver = Files.createDirectories(temp.resolve("no-driver"));
        failure("driver: external, but no Aeron media driver runs at " + noDriver + " (no cnc.dat there): start " +
            "one there, name its directory with driver.dir, or use driver: embedded", "run", "--driver=external",
            "--driver.dir=" + noDriver);

        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            failure("cannot start the HTTP edge on 127.0.0.1:" + taken.getLocalPort() + " (http.host, http.port): " +
                "Address already in use", "run", "--http.enabled=true", "--http.port=" + taken.getLocalPort());
        }
    }

    @Test
    void shouldRefuseAnAdminStreamThatIsNegativeOrTheServicesOwn()
    {
        usageError("--admin-stream must be 1..2147483646 (replies go on ID+1), not -5", "run", "--admin-stream",
            "-5");
        failure("--admin-stream 7001 (replies on 7002) collides with the service's IPC inbound stream 7001; pick " +
            "another (default 7003) or --no-admin", "run", "--admin-stream", "7001");
        failure("collides with the service's IPC outbound stream 7002", "run", "--admin-stream", "7002");
    }

    @Test
    void shouldSayWhyAChartCannotBeWritten() throws Exception
    {
        final org.HdrHistogram.Histogram histogram = new org.HdrHistogram.Histogram(3);
        histogram.recordValue(1_000);
        final Path hgrm = temp.resolve("run.hgrm");
        try (java.io.PrintStream out = new java.io.PrintStream(hgrm.toFile()))
        {
            histogram.outputPercentileDistribution(out, 1000.0);
        }
        final Path directory = Files.createDirectories(temp.resolve("chart.png"));
        final CliRunner cli = failure("cannot write " + directory + ": ", "plot", hgrm.toString(), "-o",
            directory.toString());
        assertThat(cli.err().strip()).doesNotEndWith(directory.toString());
    }

    private static Path createFile(final Path file)
    {
        try
        {
            return Files.writeString(file, "x");
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}

package io.acktracker.tools;

import io.acktracker.transport.ErrorLogFile;
import io.acktracker.transport.ProtocolError;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.TransportErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code errors} over the real error logs a service writes (the transport's {@link TransportErrors} and the
 * tracker's {@link ErrorLogFile}), read while their writers still hold them; and the one-line refusals of a missing,
 * an empty and a damaged log.
 */
@Timeout(60)
class ErrorsCommandTest
{
    @TempDir
    Path temp;

    @Test
    void shouldPrintEachDistinctErrorWithItsCountTimesAndStackTrace()
    {
        final Path dir = temp.resolve("data");
        final long beforeMs = System.currentTimeMillis();
        try (TransportCounters counters = new TransportCounters(null, "errors-test");
            TransportErrors transport = new TransportErrors(counters, dir(dir).resolve(TransportErrors.FILE_NAME),
                64 * 1024);
            ErrorLogFile tracker = ErrorLogFile.create(dir.resolve(ErrorLogFile.TRACKER_FILE_NAME), 64 * 1024, null))
        {
            transport.onMalformed(ProtocolError.WRONG_SCHEMA);
            transport.onMalformed(ProtocolError.WRONG_SCHEMA);
            transport.onMalformed(ProtocolError.WRONG_SCHEMA);
            transport.onMalformed(ProtocolError.FRAGMENTED);
            for (int i = 0; i < 2; i++)
            {
                tracker.onError(failure());
            }

            final CliRunner cli = CliRunner.run("errors", "--data-dir", dir.toString());
            assertThat(cli.exitCode).as(cli.err()).isZero();
            final String out = cli.out();
            assertThat(out).contains("tracker errors: " + dir.resolve(ErrorLogFile.TRACKER_FILE_NAME) +
                " (1 distinct in all)").contains("transport errors: " + dir.resolve(TransportErrors.FILE_NAME) +
                " (2 distinct in all)");
            assertThat(out).containsPattern("2 observations from \\S+Z to \\S+Z for:\\s+" +
                "java.lang.IllegalStateException: the journal disk is read-only")
                .contains("at io.acktracker.tools.ErrorsCommandTest.failure(ErrorsCommandTest.java");
            assertThat(out).containsPattern("3 observations from \\S+ to \\S+ for:\\s+\\S*MalformedFrameException: " +
                "malformed frame WRONG_SCHEMA: wrong schema id")
                .containsPattern("1 observation from \\S+ to \\S+ for:\\s+\\S*MalformedFrameException: " +
                "malformed frame FRAGMENTED");
            assertThat(out).contains("3 distinct errors observed.");
            final String first = out.substring(out.indexOf("observations from ") + "observations from ".length());
            final Instant seen = Instant.parse(first.substring(0, first.indexOf(' ')));
            assertThat(seen.toEpochMilli()).isBetween(beforeMs, System.currentTimeMillis());

            final CliRunner later = CliRunner.run("errors", "--data-dir", dir.toString(), "--since",
                Instant.now().plusSeconds(60).toString());
            assertThat(later.exitCode).as(later.err()).isZero();
            assertThat(later.out()).contains("none since").contains("0 distinct errors observed since");

            final CliRunner one = CliRunner.run("errors", "--file", dir.resolve(TransportErrors.FILE_NAME).toString(),
                "--since", "1h");
            assertThat(one.out()).startsWith(dir.resolve(TransportErrors.FILE_NAME) + " (2 distinct in all)")
                .contains("2 distinct errors observed since").doesNotContain("journal disk");
        }
    }

    @Test
    void shouldSaySoWhenThereIsNoErrorLog()
    {
        final Path empty = dir(temp.resolve("empty"));
        CliRunner cli = CliRunner.run("errors", "--data-dir", empty.toString());
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err().strip()).isEqualTo("acktracker: no error logs (tracker-errors.dat, " +
            "transport-errors.dat) in " + empty + "; is it the data directory of a tracker service (acktracker run)?");

        cli = CliRunner.run("errors", "--file", empty.resolve("nothing.dat").toString());
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err().strip()).isEqualTo("acktracker: no error log at " + empty.resolve("nothing.dat") +
            " (no such file)");

        cli = CliRunner.run("errors", "--data-dir", temp.resolve("missing").toString());
        assertThat(cli.err().strip()).isEqualTo("acktracker: no such data directory: " + temp.resolve("missing"));
    }

    @Test
    void shouldSayAnEmptyLogHasNoErrors()
    {
        final Path dir = dir(temp.resolve("data"));
        final ErrorLogFile log = ErrorLogFile.create(dir.resolve(ErrorLogFile.TRACKER_FILE_NAME), 4096, null);
        try
        {
            final CliRunner cli = CliRunner.run("errors", "--data-dir", dir.toString());
            assertThat(cli.exitCode).as(cli.err()).isZero();
            assertThat(cli.out()).contains("(0 distinct in all)").contains("no errors recorded")
                .contains("0 distinct errors observed.");
        }
        finally
        {
            log.close();
        }
    }

    @Test
    void shouldRefuseADamagedLogInOneLine() throws Exception
    {
        final Path dir = dir(temp.resolve("data"));
        final Path log = dir.resolve(TransportErrors.FILE_NAME);
        try (TransportCounters counters = new TransportCounters(null, "errors-test");
            TransportErrors errors = new TransportErrors(counters, log, 4096))
        {
            errors.onMalformed(ProtocolError.BAD_FIELD);
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "rw"))
        {
            // a negative length would send Agrona's reader backwards for ever
            file.seek(0);
            file.writeInt(Integer.reverseBytes(-8));
        }
        CliRunner cli = CliRunner.run("errors", "--data-dir", dir.toString());
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err().strip()).isEqualTo("acktracker: " + log + " is damaged: record 1 at byte 0 has length " +
            "-8 outside the file (not an Agrona distinct error log, or overwritten)");

        Files.write(log, new byte[5]);
        cli = CliRunner.run("errors", "--file", log.toString());
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err().strip()).isEqualTo("acktracker: " + log + " is not an error log: damaged or " +
            "truncated (5 bytes, not a positive multiple of 8)");

        cli = CliRunner.run("errors", "--file", log.toString(), "--since", "yesterday");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("'yesterday' is neither an ISO-8601 instant");
    }

    private static IllegalStateException failure()
    {
        return new IllegalStateException("the journal disk is read-only");
    }

    private static Path dir(final Path dir)
    {
        try
        {
            return Files.createDirectories(dir);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}

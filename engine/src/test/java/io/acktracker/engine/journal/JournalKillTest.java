package io.acktracker.engine.journal;

import org.agrona.concurrent.UnsafeBuffer;
import io.acktracker.engine.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 a process appending as fast as it can, then recover: the reader must find one contiguous, valid run of
 * frames holding every frame the child reported appended (at the positions it reported), and the journal must take
 * appends again after it. Twice over the same directory, so the second child also resumed a killed journal.
 */
class JournalKillTest
{
    private static final int SEGMENT_LENGTH = 256 * 1024;
    private static final int REPORTS_BEFORE_KILL = 30;

    @TempDir
    Path temp;

    @Test
    void shouldRecoverEveryReportedFrameAfterSigkill() throws Exception
    {
        for (int cycle = 0; cycle < 2; cycle++)
        {
            final long[] lastReport = killChildAfterReports(REPORTS_BEFORE_KILL);

            final JournalConfig config = new JournalConfig().directory(temp).segmentLength(SEGMENT_LENGTH);
            final long[] expectedIndex = { 0 };
            final List<String> mismatches = new ArrayList<>();
            final long[] reportedPositionSeen = { -1 };
            final JournalReader reader = JournalReader.open(config);
            final JournalEnd end = reader.replay(reader.startPosition(),
                (type, timestampNs, clientId, sequence, buffer, offset, length, position) ->
                {
                    final long index = expectedIndex[0]++;
                    final UnsafeBuffer expected = new UnsafeBuffer(new byte[128]);
                    final int expectedLength = JournalKillWorkload.fill(expected, index);
                    if (type != JournalKillWorkload.type(index) || timestampNs != index || clientId != index ||
                        sequence != index || length != expectedLength ||
                        !sameBytes(buffer, offset, expected, length))
                    {
                        mismatches.add("frame " + index + " at position " + position);
                    }
                    if (index + 1 == lastReport[0])
                    {
                        reportedPositionSeen[0] = position;
                    }
                });

            assertThat(mismatches).isEmpty();
            assertThat(end.frameCount()).as("frames recovered, cycle " + cycle).isGreaterThanOrEqualTo(lastReport[0]);
            assertThat(reportedPositionSeen[0]).as("position of the last reported frame").isEqualTo(lastReport[1]);
            assertThat(end.endPosition()).isGreaterThanOrEqualTo(lastReport[1]);
            System.out.println("cycle " + cycle + ": child reported " + lastReport[0] + " frames at " + lastReport[1] +
                ", recovered " + end);
        }
    }

    /** @return the last report: frames appended and the position after the last of them. */
    private long[] killChildAfterReports(final int reports) throws Exception
    {
        final List<String> command = ChildJvm.javaCommand(List.of("-Xmx256m"), JournalKillWorkload.class,
            // bounds of the child's loop: frames and seconds
            temp.toString(), String.valueOf(SEGMENT_LENGTH), String.valueOf(50_000_000), String.valueOf(60));
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final long[] last = { 0, 0 };
        int seen = 0;
        final List<String> output = new ArrayList<>();
        try (BufferedReader lines =
            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (seen < reports && null != (line = lines.readLine()))
            {
                output.add(line);
                if (line.startsWith("appended "))
                {
                    final String[] parts = line.split(" ");
                    last[0] = Long.parseLong(parts[1]);
                    last[1] = Long.parseLong(parts[2]);
                    seen++;
                }
            }
            assertThat(seen).as("child output: " + output).isEqualTo(reports);
            assertThat(child.isAlive()).as("child still appending when killed").isTrue();
            child.destroyForcibly(); // SIGKILL on Linux, to this child's own pid only
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        }
        finally
        {
            if (child.isAlive())
            {
                child.destroyForcibly();
            }
        }
        return last;
    }

    private static boolean sameBytes(
        final org.agrona.DirectBuffer buffer, final int offset, final UnsafeBuffer expected, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != expected.getByte(i))
            {
                return false;
            }
        }
        return true;
    }
}

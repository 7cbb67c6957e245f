package io.acktracker.tools;

import io.acktracker.engine.metrics.LatencySummary;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's latency table, fed known values: first-attempt completions apart from redelivered ones, every row in
 * the same columns, counts with separators and durations in one format.
 */
class DemoReportTest
{
    private static Histogram uniform(final long fromNs, final long stepNs, final int count)
    {
        final Histogram histogram = new Histogram(60_000_000_000L, 3);
        for (int i = 0; i < count; i++)
        {
            histogram.recordValue(fromNs + i * stepNs);
        }
        return histogram;
    }

    @Test
    void shouldSplitFirstAttemptCompletionsFromRedeliveredOnesInOneFormat()
    {
        final Histogram first = uniform(100_000, 10, 29_000);
        final Histogram retried = uniform(100_000_000, 1_000, 997);
        final Histogram all = new Histogram(60_000_000_000L, 3);
        all.add(first);
        all.add(retried);
        final LatencySummary tracker = new LatencySummary(29_997, 3_182_600, 105_300_000, 106_000_000, 106_100_000,
            106_200_000, 5e6);

        final StringWriter text = new StringWriter();
        DemoReport.latency(new PrintWriter(text, true), first, retried, all, tracker);
        final List<String> lines = text.toString().lines().toList();

        assertThat(lines.get(1)).startsWith("Latency, track -> outcome");
        assertThat(lines.get(2)).containsPattern("count\\s+p50\\s+p99\\s+p99.9\\s+max");
        assertThat(lines.get(3)).startsWith("  completed, first attempt").contains(" 29,000 ")
            .contains(Durations.format(first.getValueAtPercentile(50))).contains("us ");
        assertThat(lines.get(4)).startsWith("  completed, redelivered").contains(" 997 ")
            .contains(Durations.format(retried.getValueAtPercentile(50))).contains("ms ")
            .endsWith(Durations.format(retried.getMaxValue()));
        assertThat(lines.get(5)).startsWith("  all outcomes").contains(" 29,997 ");
        assertThat(lines.get(6)).startsWith("  tracker's own, completed").contains(" 29,997 ").contains("3.2ms")
            .contains("105.3ms").contains("106.2ms");
        for (final String line : lines.subList(3, 7))
        {
            assertThat(line).as("one duration format: 1 decimal and a unit, no '=' or raw counts")
                .doesNotContain("=").doesNotContainPattern("\\d{4,}[^,\\d]").doesNotContainPattern("\\d\\.\\d\\d");
        }
        final int column = lines.get(2).indexOf("count") + "count".length();
        for (final String line : lines.subList(3, 7))
        {
            assertThat(line.charAt(column - 1)).as("counts right-aligned under 'count': " + line).isNotEqualTo(' ');
        }
    }

    @Test
    void shouldShowAnEmptyRowAsDashes()
    {
        final StringWriter text = new StringWriter();
        final Histogram empty = new Histogram(3);
        DemoReport.latency(new PrintWriter(text, true), empty, empty, empty,
            new LatencySummary(0, 0, 0, 0, 0, 0, 0));
        assertThat(text.toString()).containsPattern("completed, redelivered\\s+0\\s+-\\s+-\\s+-\\s+-");
    }
}

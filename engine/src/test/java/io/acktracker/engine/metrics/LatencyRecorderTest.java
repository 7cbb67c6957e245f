package io.acktracker.engine.metrics;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A metrics scrape and an interval log read the same recorder without taking values from each other.
 */
class LatencyRecorderTest
{
    @Test
    void shouldNotLetASummaryStealTheIntervalOfAnIntervalLog()
    {
        final LatencyRecorder recorder = new LatencyRecorder();
        for (int i = 1; i <= 100; i++)
        {
            recorder.record(i * 1_000L);
        }

        assertThat(recorder.summary().count()).isEqualTo(100);
        assertThat(recorder.summary().count()).isEqualTo(100);

        final Histogram interval = recorder.intervalHistogram();
        assertThat(interval.getTotalCount()).isEqualTo(100);
        assertThat(interval.getMaxValue()).isBetween(99_000L, 101_000L);
        assertThat(recorder.intervalHistogram().getTotalCount()).isZero();

        recorder.record(5_000);
        assertThat(recorder.totalHistogram().getTotalCount()).isEqualTo(101);
        assertThat(recorder.summary().count()).isEqualTo(101);
        assertThat(recorder.intervalHistogram().getTotalCount()).isEqualTo(1);
        assertThat(recorder.summary().count()).isEqualTo(101);
    }

    @Test
    void shouldForgetAColdStartInTheRecentPercentilesButKeepItInTheTotal()
    {
        final LatencyRecorder recorder = new LatencyRecorder();
        final long startMs = 1_000_000;
        recorder.record(5_000_000_000L);
        for (int i = 0; i < 99; i++)
        {
            recorder.record(1_000);
        }
        assertThat(recorder.recentSummary(startMs).max()).as("cold start seen").isGreaterThan(4_000_000_000L);

        recorder.record(2_000);
        assertThat(recorder.recentSummary(startMs + LatencyRecorder.RECENT_WINDOW_MS).max())
            .as("one window later the cold start is in the previous window").isGreaterThan(4_000_000_000L);

        recorder.record(3_000);
        final LatencySummary later = recorder.recentSummary(startMs + 2 * LatencyRecorder.RECENT_WINDOW_MS);
        assertThat(later.count()).as("only what the last window's reads drained").isEqualTo(1);
        assertThat(later.max()).isLessThan(4_000);
        assertThat(recorder.summary().count()).as("the total keeps everything").isEqualTo(102);
        assertThat(recorder.summary().max()).isGreaterThan(4_000_000_000L);

        assertThat(recorder.recentSummary(startMs + 10 * LatencyRecorder.RECENT_WINDOW_MS).count())
            .as("a long silence empties both windows").isZero();
    }

    @Test
    void shouldRecordEachDestinationApartWithTheCoarserResolution()
    {
        final DestinationLatencies latencies = new DestinationLatencies();
        latencies.record(0, 1_500_000);
        latencies.record(63, 40_000_000);
        latencies.record(63, 60_000_000);

        assertThat(latencies.recorder(0).summary().count()).isEqualTo(1);
        assertThat(latencies.recorder(0).summary().p50()).isBetween(1_485_000L, 1_515_000L);
        assertThat(latencies.recorder(63).summary().count()).isEqualTo(2);
        assertThat(latencies.recorder(1).summary().count()).isZero();
    }
}

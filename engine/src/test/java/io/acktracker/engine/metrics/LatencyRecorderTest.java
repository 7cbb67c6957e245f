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
}

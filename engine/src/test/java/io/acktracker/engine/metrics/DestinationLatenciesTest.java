package io.acktracker.engine.metrics;

import io.acktracker.engine.api.DestinationRegistry;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the per-destination ack latency recorders cost and what they hold: the footprint the class comment promises
 * (two agent-side histograms per destination, every possible destination made up front, under 4 MiB), from
 * HdrHistogram's own estimate with the recorders' own settings; and each destination's values kept apart.
 */
class DestinationLatenciesTest
{
    @Test
    void shouldKeepEveryPossibleDestinationsAgentSideHistogramsUnderFourMebibytes()
    {
        final long perHistogram = new Histogram(DestinationLatencies.LOWEST_DISCERNIBLE_NS,
            LatencyRecorder.HIGHEST_TRACKABLE_NS, DestinationLatencies.SIGNIFICANT_DIGITS)
            .getEstimatedFootprintInBytes();
        // a SingleWriterRecorder holds two: the one being written and the one last swapped out
        final long all = 2 * perHistogram * DestinationRegistry.MAX_DESTINATIONS;

        assertThat(perHistogram).as("one histogram, bytes").isBetween(20_000L, 32_768L);
        assertThat(all).as("every destination's agent-side histograms, bytes").isLessThan(4L << 20);
    }

    @Test
    void shouldKeepEachDestinationsLatenciesApart()
    {
        final DestinationLatencies latencies = new DestinationLatencies();
        latencies.record(0, 5_000);
        latencies.record(0, 7_000);
        latencies.record(DestinationRegistry.MAX_DESTINATIONS - 1, 2_000_000);

        assertThat(latencies.recorder(0).totalHistogram().getTotalCount()).isEqualTo(2);
        assertThat(latencies.recorder(1).totalHistogram().getTotalCount()).isZero();
        final Histogram last = latencies.recorder(DestinationRegistry.MAX_DESTINATIONS - 1).totalHistogram();
        assertThat(last.getTotalCount()).isEqualTo(1);
        assertThat(last.getMaxValue()).isBetween(1_980_000L, 2_020_000L);
    }
}

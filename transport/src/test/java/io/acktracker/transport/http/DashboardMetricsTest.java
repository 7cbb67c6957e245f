package io.acktracker.transport.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard check's name extraction: what is a metric name in PromQL and what is not.
 */
class DashboardMetricsTest
{
    @Test
    void shouldFindOnlyMetricNames()
    {
        assertThat(DashboardMetrics.metricNames("histogram_quantile(0.99, sum by (destination, le) " +
            "(rate(acktracker_destination_ack_latency_seconds_bucket{tracker=~\"$tracker\"}[$__rate_interval])))"))
            .containsExactly("acktracker_destination_ack_latency_seconds_bucket");
        assertThat(DashboardMetrics.metricNames("time() - acktracker_agent_heartbeat_timestamp_seconds{a=\"x y\"}"))
            .containsExactly("acktracker_agent_heartbeat_timestamp_seconds");
        assertThat(DashboardMetrics.metricNames("sum by (tracker) (rate(a_sum[5m])) / sum without (gc) (b_count) " +
            "> 1e3 and on (instance) c == 1"))
            .containsExactly("a_sum", "b_count", "c");
        assertThat(DashboardMetrics.metricNames("label_values(acktracker_pending, tracker)"))
            .containsExactly("acktracker_pending");
    }
}

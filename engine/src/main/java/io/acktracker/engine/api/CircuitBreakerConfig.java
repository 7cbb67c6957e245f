package io.acktracker.engine.api;

import java.util.concurrent.TimeUnit;

/**
 * When a destination's circuit opens and how it recovers.
 *
 * @param consecutiveFailures  open after this many failures in a row (timeouts, nacks, rejects).
 * @param failureRateThreshold or open when the failure rate over the window reaches this (0..1].
 * @param windowSize           outcomes in the sliding window (1..1024).
 * @param minimumSamples       outcomes needed in the window before the rate counts.
 * @param openCooldownNs       time OPEN before probing.
 * @param halfOpenProbes       redeliveries let through while HALF_OPEN.
 * @param successesToClose     successful probes that close the circuit.
 * @param ewmaAlpha            weight of a new sample in the ack latency average (0..1].
 */
public record CircuitBreakerConfig(
    int consecutiveFailures,
    double failureRateThreshold,
    int windowSize,
    int minimumSamples,
    long openCooldownNs,
    int halfOpenProbes,
    int successesToClose,
    double ewmaAlpha)
{
    /**
     * Checks ranges.
     *
     * @param consecutiveFailures  open after this many failures in a row (timeouts, nacks, rejects).
     * @param failureRateThreshold or open when the failure rate over the window reaches this (0..1].
     * @param windowSize           outcomes in the sliding window (1..1024).
     * @param minimumSamples       outcomes needed in the window before the rate counts.
     * @param openCooldownNs       time OPEN before probing.
     * @param halfOpenProbes       redeliveries let through while HALF_OPEN.
     * @param successesToClose     successful probes that close the circuit.
     * @param ewmaAlpha            weight of a new sample in the ack latency average (0..1].
     * @throws IllegalArgumentException naming the values when one is out of range.
     */
    public CircuitBreakerConfig
    {
        if (consecutiveFailures < 1 || windowSize < 1 || windowSize > 1024 || minimumSamples < 1 ||
            !(failureRateThreshold > 0 && failureRateThreshold <= 1) || openCooldownNs < 0 || halfOpenProbes < 1 ||
            successesToClose < 1 || !(ewmaAlpha > 0 && ewmaAlpha <= 1))
        {
            throw new IllegalArgumentException("invalid circuit breaker config: " + consecutiveFailures + ", " +
                failureRateThreshold + ", " + windowSize + ", " + minimumSamples + ", " + openCooldownNs + ", " +
                halfOpenProbes + ", " + successesToClose + ", " + ewmaAlpha);
        }
    }

    /**
     * Defaults: open after 5 failures in a row or a 50% failure rate over the last 100 outcomes (at least 20),
     * cool down 5 s, one probe, one success closes.
     *
     * @return the defaults.
     */
    public static CircuitBreakerConfig defaults()
    {
        return new CircuitBreakerConfig(5, 0.5, 100, 20, TimeUnit.SECONDS.toNanos(5), 1, 1, 0.2);
    }
}

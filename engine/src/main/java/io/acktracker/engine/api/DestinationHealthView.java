package io.acktracker.engine.api;


/**
 * One destination's health as seen by the tracker.
 *
 * @param destination         id.
 * @param name                registered name.
 * @param circuit             circuit state.
 * @param consecutiveFailures failures in a row.
 * @param failureRate         failures over the sliding window (0..1).
 * @param windowSamples       outcomes in the window.
 * @param ewmaAckLatencyNs    exponentially weighted ack latency.
 * @param inFlight            messages sent to it and awaiting its answer.
 * @param parked              redeliveries parked behind its open circuit.
 * @param acks                acks from it.
 * @param failures            timeouts, nacks and rejects from it.
 * @param openedAtNs          when the circuit last opened (epoch ns), 0 if never.
 */
public record DestinationHealthView(
    int destination,
    String name,
    CircuitState circuit,
    int consecutiveFailures,
    double failureRate,
    int windowSamples,
    double ewmaAckLatencyNs,
    long inFlight,
    long parked,
    long acks,
    long failures,
    long openedAtNs)
{
}

package io.acktracker.engine.api;


/**
 * Told when a destination's circuit changes state. Called on the agent thread: must not block.
 */
@FunctionalInterface
public interface CircuitListener
{
    /**
     * A circuit changed state.
     *
     * @param destination destination id.
     * @param from        previous state.
     * @param to          new state.
     * @param nowNs       when (epoch ns).
     */
    void onCircuitStateChange(int destination, CircuitState from, CircuitState to, long nowNs);
}

package io.acktracker.engine.agent;

import io.acktracker.engine.api.CircuitListener;
import io.acktracker.engine.api.CircuitState;
import io.acktracker.engine.api.CommandType;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.OutcomeListener;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.api.RefusalListener;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerExtension;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.TrackerCounter;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.List;

/**
 * Tells the world what the state machine decided: drains its {@link Effects} after each command and calls the
 * outcome, redelivery, refusal and circuit listeners, the per-message listeners and the futures waiting on outcomes.
 * A listener that throws an Exception is counted and logged; the others are still told. An Error is not caught: it
 * fails the tracker (a JVM fault, such as the asynchronous InternalError a lost page of a mapped file raises, may
 * surface inside a listener call, and must not pass for a listener's bug). After an outcome is told the agent applies
 * an OUTCOME_TOLD command (the record may then leave the table), so that change too goes through the machine's one
 * way in. A listener may call back into the tracker: the command it applies is
 * complete before its effects are told, after the ones already queued.
 * <p>
 * Agent thread only.
 */
final class Listeners implements Effects.Handler
{
    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final Result[] RESULTS = Result.values();
    private static final CircuitState[] CIRCUIT_STATES = CircuitState.values();

    /** How the teller reports an outcome told: the agent applies it as an OUTCOME_TOLD command. */
    @FunctionalInterface
    interface ToldCommand
    {
        /**
         * An outcome was told.
         *
         * @param messageId its message.
         * @param slot      its record's slot.
         */
        void told(long messageId, int slot);
    }

    private final ToldCommand toldCommand;
    private final OutcomeListener[] outcomeListeners;
    private final RedeliveryListener[] redeliveryListeners;
    private final RefusalListener refusalListener;
    private final CircuitListener circuitListener;
    private final OutcomeWaiters waiters;
    private final Counters counters;
    private final ErrorHandler errorHandler;
    private final Long2ObjectHashMap<OutcomeListener> messageListeners = new Long2ObjectHashMap<>();

    Listeners(
        final TrackerConfig config,
        final ToldCommand toldCommand,
        final OutcomeWaiters waiters,
        final Counters counters)
    {
        final TrackerExtension[] extensions = config.extensions().toArray(new TrackerExtension[0]);
        this.toldCommand = toldCommand;
        this.outcomeListeners = collect(OutcomeListener.class, config.outcomeListener(), extensions)
            .toArray(new OutcomeListener[0]);
        this.redeliveryListeners = collect(RedeliveryListener.class, config.redeliveryListener(), extensions)
            .toArray(new RedeliveryListener[0]);
        this.refusalListener = config.refusalListener();
        this.circuitListener = config.circuitListener();
        this.waiters = waiters;
        this.counters = counters;
        this.errorHandler = config.errorHandler();
    }

    /**
     * Register a listener for one message's outcome, before its track is applied.
     *
     * @return false when one is registered already.
     */
    boolean register(final long messageId, final OutcomeListener listener)
    {
        if (messageListeners.containsKey(messageId))
        {
            return false;
        }
        messageListeners.put(messageId, listener);
        return true;
    }

    void unregister(final long messageId)
    {
        messageListeners.remove(messageId);
    }

    public void onOutcome(
        final long messageId, final int outcomeCode, final int reasonCode, final long latencyNs, final int attempts,
        final int flags, final int slot)
    {
        final Outcome outcome = OUTCOMES[outcomeCode];
        final FailureReason reason = FailureReason.of(reasonCode);
        final boolean replay = (flags & Effects.FLAG_REPLAY) != 0;
        final boolean kept = (flags & Effects.FLAG_OUTBOX) != 0;
        for (final OutcomeListener listener : outcomeListeners)
        {
            if (kept && !listener.hearsOutboxOutcomes())
            {
                continue;
            }
            try
            {
                listener.onOutcome(messageId, outcome, reason, latencyNs, attempts, replay);
            }
            catch (final Exception ex)
            {
                listenerFailed(ex);
            }
        }
        if ((flags & Effects.FLAG_WAITER) != 0)
        {
            final OutcomeListener listener = messageListeners.remove(messageId);
            if (null != listener)
            {
                try
                {
                    listener.onOutcome(messageId, outcome, reason, latencyNs, attempts, replay);
                }
                catch (final Exception ex)
                {
                    listenerFailed(ex);
                }
            }
            waiters.complete(messageId, outcome, reason, latencyNs, attempts, replay);
        }
        toldCommand.told(messageId, slot);
    }

    public void onRedelivery(final long messageId, final int destination, final int attempt)
    {
        for (final RedeliveryListener listener : redeliveryListeners)
        {
            try
            {
                listener.onRedeliver(messageId, destination, attempt);
            }
            catch (final Exception ex)
            {
                listenerFailed(ex);
            }
        }
    }

    public void onRefusal(final int commandType, final long id, final int resultCode, final int flags)
    {
        final Result result = RESULTS[resultCode];
        try
        {
            refusalListener.onRefused(CommandType.of(commandType), id, result);
        }
        catch (final Exception ex)
        {
            listenerFailed(ex);
        }
        if ((flags & Effects.FLAG_WAITER) != 0)
        {
            waiters.refuse(id, result);
        }
    }

    public void onCircuit(final int destination, final int from, final int to, final long nowNs)
    {
        try
        {
            circuitListener.onCircuitStateChange(destination, CIRCUIT_STATES[from], CIRCUIT_STATES[to], nowNs);
        }
        catch (final Exception ex)
        {
            listenerFailed(ex);
        }
    }

    private void listenerFailed(final Throwable ex)
    {
        counters.increment(TrackerCounter.LISTENER_ERRORS);
        errorHandler.onError(ex);
    }

    private static <T> List<T> collect(final Class<T> type, final T first, final TrackerExtension[] extensions)
    {
        final List<T> all = new ArrayList<>();
        all.add(first);
        for (final TrackerExtension extension : extensions)
        {
            if (type.isInstance(extension))
            {
                all.add(type.cast(extension));
            }
        }
        return all;
    }
}

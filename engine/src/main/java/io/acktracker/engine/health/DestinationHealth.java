package io.acktracker.engine.health;

import io.acktracker.engine.api.CircuitBreakerConfig;
import io.acktracker.engine.api.CircuitState;
import io.acktracker.engine.api.DestinationHealthView;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.store.LongLongTable;
import org.agrona.collections.LongArrayQueue;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Health of every destination: consecutive failures, failure rate over a sliding window, exponentially weighted ack
 * latency, in-flight count, and a circuit breaker (CLOSED -> OPEN -> HALF_OPEN -> CLOSED) with the redeliveries it
 * parks while open.
 * <p>
 * A failure is an ack timeout, a nack or a reject from the destination; a success is an ack. Circuit states are
 * persisted on every transition, so an open circuit stays open across a restart until its cool-down ends. Parked
 * redeliveries are rebuilt from the records on recovery.
 * <p>
 * Agent thread only, except {@link #view(int)} which reads plain fields and may be slightly stale from another
 * thread.
 * <p>
 * Why this file is long: one destination's health is a dozen parallel arrays, each written by the rules, the
 * canonical state image, and the exact dump and restore of a checkpoint; they change together.
 */
public final class DestinationHealth
{
    private static final int MAX = DestinationRegistry.MAX_DESTINATIONS;
    private static final long OPENED_AT_KEY_BASE = 1_000;

    private final CircuitBreakerConfig config;
    private final LongLongTable store;
    private final Effects effects;
    private final DestinationRegistry registry;

    private final int[] consecutiveFailures = new int[MAX];
    private final long[][] window = new long[MAX][];
    private final int[] windowIndex = new int[MAX];
    private final int[] windowSamples = new int[MAX];
    private final int[] windowFailures = new int[MAX];
    private final double[] ewmaLatencyNs = new double[MAX];
    private final long[] inFlight = new long[MAX];
    private final long[] acks = new long[MAX];
    private final long[] failures = new long[MAX];
    private final CircuitState[] state = new CircuitState[MAX];
    private final long[] openedAtNs = new long[MAX];
    private final int[] probesInFlight = new int[MAX];
    private final int[] probeSuccesses = new int[MAX];
    private final LongArrayQueue[] parked = new LongArrayQueue[MAX];
    private final AtomicCounter circuitsOpen;
    private final AtomicCounter transitions;
    private volatile long openMask;
    private long resumableMask;

    /**
     * Health for every destination, restoring persisted circuit states.
     *
     * @param config       circuit breaker settings.
     * @param store        persisted circuit states.
     * @param effects      where state changes are queued for the circuit listener.
     * @param registry     destination names.
     * @param circuitsOpen gauge of open circuits.
     * @param transitions  count of state changes.
     */
    public DestinationHealth(
        final CircuitBreakerConfig config,
        final LongLongTable store,
        final Effects effects,
        final DestinationRegistry registry,
        final AtomicCounter circuitsOpen,
        final AtomicCounter transitions)
    {
        this.config = config;
        this.store = store;
        this.effects = effects;
        this.registry = registry;
        this.circuitsOpen = circuitsOpen;
        this.transitions = transitions;
        java.util.Arrays.fill(state, CircuitState.CLOSED);
        store.forEach((key, value) ->
        {
            if (key >= OPENED_AT_KEY_BASE && key < OPENED_AT_KEY_BASE + MAX)
            {
                openedAtNs[(int)(key - OPENED_AT_KEY_BASE)] = value;
            }
            else if (key >= 0 && key < MAX)
            {
                state[(int)key] = CircuitState.of((int)(value & 0xFF));
                consecutiveFailures[(int)key] = (int)(value >>> 8);
            }
        });
        long open = 0;
        for (int d = 0; d < MAX; d++)
        {
            if (CircuitState.CLOSED != state[d])
            {
                open |= 1L << d;
            }
        }
        openMask = open;
        circuitsOpen.setRelease(Long.bitCount(open));
    }

    /**
     * May a redelivery go to this destination now? Moves an OPEN circuit whose cool-down ended to HALF_OPEN, and
     * counts a probe when HALF_OPEN.
     *
     * @param destination id.
     * @param nowNs       current time.
     * @return true to send, false to park.
     */
    @SuppressWarnings("fallthrough")
    public boolean tryRedeliver(final int destination, final long nowNs)
    {
        switch (state[destination])
        {
            case CLOSED:
                return true;
            case OPEN:
                if (nowNs - openedAtNs[destination] < config.openCooldownNs())
                {
                    return false;
                }
                transition(destination, CircuitState.HALF_OPEN, nowNs);
                // fall through: the first probe
            default:
                if (probesInFlight[destination] < config.halfOpenProbes())
                {
                    probesInFlight[destination]++;
                    return true;
                }
                return false;
        }
    }

    /**
     * Whether a redelivery could go now, without counting it (OPEN circuits answer false even past their cool-down;
     * {@link #poll(long)} moves those to HALF_OPEN).
     *
     * @param destination id.
     * @return true when closed, or half-open with a probe to spare.
     */
    public boolean mayRedeliver(final int destination)
    {
        final CircuitState current = state[destination];
        return CircuitState.CLOSED == current ||
            (CircuitState.HALF_OPEN == current && probesInFlight[destination] < config.halfOpenProbes());
    }

    /**
     * The destination acked.
     *
     * @param destination id.
     * @param latencyNs   since the attempt was sent.
     * @param nowNs       current time.
     */
    public void onSuccess(final int destination, final long latencyNs, final long nowNs)
    {
        acks[destination]++;
        consecutiveFailures[destination] = 0;
        sample(destination, false);
        final double alpha = config.ewmaAlpha();
        ewmaLatencyNs[destination] = 0 == ewmaLatencyNs[destination] ?
            latencyNs : ewmaLatencyNs[destination] + alpha * (latencyNs - ewmaLatencyNs[destination]);

        if (CircuitState.HALF_OPEN == state[destination])
        {
            probesInFlight[destination] = Math.max(0, probesInFlight[destination] - 1);
            if (++probeSuccesses[destination] >= config.successesToClose())
            {
                transition(destination, CircuitState.CLOSED, nowNs);
            }
        }
    }

    /**
     * The destination timed out, nacked or rejected.
     *
     * @param destination id.
     * @param nowNs       current time.
     */
    public void onFailure(final int destination, final long nowNs)
    {
        failures[destination]++;
        consecutiveFailures[destination]++;
        sample(destination, true);

        switch (state[destination])
        {
            case CLOSED:
                if (consecutiveFailures[destination] >= config.consecutiveFailures() ||
                    (windowSamples[destination] >= config.minimumSamples() &&
                    windowFailures[destination] >= config.failureRateThreshold() * windowSamples[destination]))
                {
                    transition(destination, CircuitState.OPEN, nowNs);
                }
                break;
            case HALF_OPEN:
                transition(destination, CircuitState.OPEN, nowNs);
                break;
            default:
                break;
        }
    }

    /**
     * Housekeeping: open circuits whose cool-down ended become HALF_OPEN.
     *
     * @param nowNs current time.
     * @return transitions made.
     */
    public int poll(final long nowNs)
    {
        int work = 0;
        for (long bits = openMask; bits != 0; bits &= bits - 1)
        {
            final int destination = Long.numberOfTrailingZeros(bits);
            if (CircuitState.OPEN == state[destination] &&
                nowNs - openedAtNs[destination] >= config.openCooldownNs())
            {
                transition(destination, CircuitState.HALF_OPEN, nowNs);
                work++;
            }
        }
        return work;
    }

    /**
     * Park a redelivery behind the destination's open circuit.
     *
     * @param destination id.
     * @param messageId   message.
     */
    public void park(final int destination, final long messageId)
    {
        LongArrayQueue queue = parked[destination];
        if (null == queue)
        {
            queue = new LongArrayQueue(64, Long.MIN_VALUE);
            parked[destination] = queue;
        }
        queue.offerLong(messageId);
        if (CircuitState.OPEN != state[destination])
        {
            resumableMask |= 1L << destination;
        }
    }

    /**
     * Destinations whose circuit lets parked redeliveries go (closed, or half-open with probes to spare) and that
     * have some parked.
     *
     * @return bitset of destination ids.
     */
    public long resumable()
    {
        // pure: the mask is kept exact where parked queues change (a bit is set when a destination with parked
        // redeliveries leaves OPEN or parks while not OPEN, cleared when its queue empties), so looking changes
        // nothing and an idle tick leaves it as it was
        long result = 0;
        for (long bits = resumableMask; bits != 0; bits &= bits - 1)
        {
            final int destination = Long.numberOfTrailingZeros(bits);
            if (CircuitState.CLOSED == state[destination] || (CircuitState.HALF_OPEN == state[destination] &&
                probesInFlight[destination] < config.halfOpenProbes()))
            {
                result |= 1L << destination;
            }
        }
        return result;
    }

    /**
     * Take the oldest parked redelivery of a destination.
     *
     * @param destination id.
     * @return message id, or {@link Long#MIN_VALUE} when none.
     */
    public long pollParked(final int destination)
    {
        final LongArrayQueue queue = parked[destination];
        if (null == queue || queue.isEmpty())
        {
            resumableMask &= ~(1L << destination);
            return Long.MIN_VALUE;
        }
        final long messageId = queue.pollLong();
        if (queue.isEmpty())
        {
            resumableMask &= ~(1L << destination);
        }
        return messageId;
    }

    /**
     * Move in-flight counts: destinations that stopped and started awaiting an answer.
     *
     * @param stopped bitset of destinations no longer awaited.
     * @param started bitset of destinations now awaited.
     */
    public void inFlight(final long stopped, final long started)
    {
        for (long bits = stopped; bits != 0; bits &= bits - 1)
        {
            inFlight[Long.numberOfTrailingZeros(bits)]--;
        }
        for (long bits = started; bits != 0; bits &= bits - 1)
        {
            inFlight[Long.numberOfTrailingZeros(bits)]++;
        }
    }

    /**
     * A destination's circuit.
     *
     * @param destination id.
     * @return its state.
     */
    public CircuitState state(final int destination)
    {
        return state[destination];
    }

    /**
     * Bitset of destinations whose circuit is not CLOSED.
     *
     * @return the mask.
     */
    public long openMask()
    {
        return openMask;
    }

    /**
     * Everything known about one destination.
     *
     * @param destination id.
     * @return a snapshot.
     */
    public DestinationHealthView view(final int destination)
    {
        final LongArrayQueue queue = parked[destination];
        return new DestinationHealthView(
            destination,
            registry.name(destination),
            state[destination],
            consecutiveFailures[destination],
            0 == windowSamples[destination] ? 0 : (double)windowFailures[destination] / windowSamples[destination],
            windowSamples[destination],
            ewmaLatencyNs[destination],
            inFlight[destination],
            null == queue ? 0 : queue.size(),
            acks[destination],
            failures[destination],
            openedAtNs[destination]);
    }

    private void sample(final int destination, final boolean failure)
    {
        long[] bits = window[destination];
        if (null == bits)
        {
            bits = new long[(config.windowSize() + 63) >> 6];
            window[destination] = bits;
        }
        final int index = windowIndex[destination];
        final long bit = 1L << (index & 63);
        if (windowSamples[destination] == config.windowSize())
        {
            if ((bits[index >> 6] & bit) != 0)
            {
                windowFailures[destination]--;
            }
        }
        else
        {
            windowSamples[destination]++;
        }
        if (failure)
        {
            bits[index >> 6] |= bit;
            windowFailures[destination]++;
        }
        else
        {
            bits[index >> 6] &= ~bit;
        }
        windowIndex[destination] = index + 1 == config.windowSize() ? 0 : index + 1;
    }

    private void transition(final int destination, final CircuitState to, final long nowNs)
    {
        final CircuitState from = state[destination];
        state[destination] = to;
        probesInFlight[destination] = 0;
        probeSuccesses[destination] = 0;
        if (CircuitState.OPEN == to)
        {
            openedAtNs[destination] = nowNs;
            store.put(OPENED_AT_KEY_BASE + destination, nowNs);
        }
        if (CircuitState.CLOSED == to)
        {
            consecutiveFailures[destination] = 0;
        }
        final LongArrayQueue queue = parked[destination];
        if (CircuitState.OPEN != to && null != queue && !queue.isEmpty())
        {
            resumableMask |= 1L << destination;
        }
        persist(destination);

        final long open = CircuitState.CLOSED == to ? openMask & ~(1L << destination) : openMask | (1L << destination);
        openMask = open;
        circuitsOpen.setRelease(Long.bitCount(open));
        transitions.incrementRelease();
        effects.circuit(destination, from.ordinal(), to.ordinal(), nowNs);
    }

    private void persist(final int destination)
    {
        store.put(destination, ((long)consecutiveFailures[destination] << 8) | state[destination].ordinal());
    }

    /**
     * Note parked redeliveries found on recovery.
     *
     * @param destination id.
     * @param messageId   message.
     */
    public void recoverParked(final int destination, final long messageId)
    {
        park(destination, messageId);
    }

    /**
     * Append every destination's health, circuit and parked redeliveries to a state image.
     *
     * @param image the image.
     */
    public void appendState(final StateImage image)
    {
        image.section("health").putLong(openMask).putLong(resumableMask);
        for (int d = 0; d < MAX; d++)
        {
            image.putInt(consecutiveFailures[d]).putInt(windowIndex[d]).putInt(windowSamples[d])
                .putInt(windowFailures[d]).putDouble(ewmaLatencyNs[d]).putLong(inFlight[d]).putLong(acks[d])
                .putLong(failures[d]).putInt(state[d].ordinal()).putLong(openedAtNs[d]).putInt(probesInFlight[d])
                .putInt(probeSuccesses[d]);
            final long[] samples = window[d];
            image.putInt(null == samples ? -1 : samples.length);
            if (null != samples)
            {
                for (final long sample : samples)
                {
                    image.putLong(sample);
                }
            }
            final LongArrayQueue queue = parked[d];
            image.putInt(null == queue ? -1 : queue.size());
            if (null != queue)
            {
                queue.forEachLong(image::putLong);
            }
        }
    }

    /**
     * Append every destination's health, exactly, to an image: counts, sliding windows with their cursor, latency,
     * circuits, probes, parked redeliveries in queue order, and the open and resumable masks.
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        out.section(ImageSections.HEALTH).putLong(openMask).putLong(resumableMask);
        for (int d = 0; d < MAX; d++)
        {
            out.putInt(consecutiveFailures[d]).putInt(windowIndex[d]).putInt(windowSamples[d])
                .putInt(windowFailures[d]).putDouble(ewmaLatencyNs[d]).putLong(inFlight[d]).putLong(acks[d])
                .putLong(failures[d]).putInt(state[d].ordinal()).putLong(openedAtNs[d]).putInt(probesInFlight[d])
                .putInt(probeSuccesses[d]);
            final long[] samples = window[d];
            out.putBoolean(null != samples);
            if (null != samples)
            {
                out.putLongs(samples, samples.length);
            }
            final LongArrayQueue queue = parked[d];
            out.putInt(null == queue ? -1 : queue.size());
            if (null != queue)
            {
                queue.forEachLong(out::putLong);
            }
        }
    }

    /**
     * Restore every destination's health from {@link #dump}, replacing what the constructor loaded.
     *
     * @param in the image, at what {@link #dump} wrote.
     */
    public void restore(final ImageReader in)
    {
        in.section(ImageSections.HEALTH, "health");
        final long open = in.getLong();
        resumableMask = in.getLong();
        for (int d = 0; d < MAX; d++)
        {
            consecutiveFailures[d] = in.getInt();
            windowIndex[d] = in.getInt();
            windowSamples[d] = in.getInt();
            windowFailures[d] = in.getInt();
            ewmaLatencyNs[d] = in.getDouble();
            inFlight[d] = in.getLong();
            acks[d] = in.getLong();
            failures[d] = in.getLong();
            state[d] = CircuitState.of(in.getInt());
            openedAtNs[d] = in.getLong();
            probesInFlight[d] = in.getInt();
            probeSuccesses[d] = in.getInt();
            if (in.getBoolean())
            {
                final long[] samples = in.getLongs(null);
                window[d] = java.util.Arrays.copyOf(samples, in.lastCount());
            }
            else
            {
                window[d] = null;
            }
            final int count = in.getInt();
            parked[d] = count < 0 ? null : new LongArrayQueue(Math.max(64, count), Long.MIN_VALUE);
            for (int i = 0; i < count; i++)
            {
                parked[d].offerLong(in.getLong());
            }
        }
        openMask = open;
        circuitsOpen.setRelease(Long.bitCount(open));
    }
}

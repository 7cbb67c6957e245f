package io.acktracker.engine.util;

import java.util.random.RandomGenerator;

/**
 * The engine's only source of randomness (backoff jitter, lease nonces): SplitMix64 over one {@code long} of state
 * that can be read and restored, so the generator is part of the engine's state like any record. The same seed and
 * the same sequence of draws give the same values on every machine and every run.
 * <p>
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): the state
 * advances by a fixed odd gamma and each output is the state run through a 64-bit finaliser. Not cryptographic:
 * receipt handles are made unforgeable by their keyed MAC, not by the nonce.
 * <p>
 * Agent thread only.
 */
public final class SeededRandom implements RandomGenerator
{
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    /**
     * A generator starting from a seed.
     *
     * @param seed initial state.
     */
    public SeededRandom(final long seed)
    {
        this.state = seed;
    }

    /**
     * A seed derived from a base seed and a second value (an incarnation, say): different values give unrelated
     * sequences.
     *
     * @param seed  base seed.
     * @param value mixed in.
     * @return the derived seed.
     */
    public static long mix(final long seed, final long value)
    {
        return new SeededRandom(seed ^ (value * GOLDEN_GAMMA)).nextLong();
    }

    public long nextLong()
    {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The generator's whole state, for a state image or a checkpoint.
     *
     * @return the state.
     */
    public long state()
    {
        return state;
    }

    /**
     * Restore a state taken with {@link #state()}.
     *
     * @param state the state.
     */
    public void state(final long state)
    {
        this.state = state;
    }
}

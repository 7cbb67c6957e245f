package io.acktracker.engine.api;

import java.util.random.RandomGenerator;

/**
 * How long to wait before the next attempt: a strategy (exponential, linear or fixed) capped at a maximum, with a
 * jitter to spread retries out. Immutable; {@link #delayNs} is a pure, allocation-free function of the attempt
 * number, the previous delay and a random generator.
 */
public final class Backoff
{
    /** Growth of the raw delay with the attempt number. */
    public enum Kind
    {
        /** {@code base * multiplier^(attempt-1)}, capped. */
        EXPONENTIAL,
        /** {@code base + increment * (attempt-1)}, capped. */
        LINEAR,
        /** Always {@code base}. */
        FIXED
    }

    /** Randomisation of the raw delay {@code d}. */
    public enum Jitter
    {
        /** Exactly {@code d}. */
        NONE,
        /** Uniform in {@code [0, d]}. */
        FULL,
        /** {@code d/2} plus uniform in {@code [0, d/2]}. */
        EQUAL,
        /** AWS "decorrelated": uniform in {@code [base, 3 x previous delay]}, capped at the maximum. */
        DECORRELATED
    }

    private final Kind kind;
    private final Jitter jitter;
    private final long baseNs;
    private final double multiplier;
    private final long incrementNs;
    private final long maxNs;

    private Backoff(
        final Kind kind,
        final Jitter jitter,
        final long baseNs,
        final double multiplier,
        final long incrementNs,
        final long maxNs)
    {
        if (baseNs < 0 || maxNs < baseNs || incrementNs < 0)
        {
            throw new IllegalArgumentException("backoff needs 0 <= base <= max and increment >= 0");
        }
        if (Kind.EXPONENTIAL == kind && !(multiplier > 1.0))
        {
            throw new IllegalArgumentException("exponential backoff needs a multiplier > 1: " + multiplier);
        }
        this.kind = kind;
        this.jitter = jitter;
        this.baseNs = baseNs;
        this.multiplier = multiplier;
        this.incrementNs = incrementNs;
        this.maxNs = maxNs;
    }

    /**
     * Exponential backoff without jitter.
     *
     * @param baseNs     first delay.
     * @param multiplier growth per attempt, greater than 1.
     * @param maxNs      cap.
     * @return the backoff.
     */
    public static Backoff exponential(final long baseNs, final double multiplier, final long maxNs)
    {
        return new Backoff(Kind.EXPONENTIAL, Jitter.NONE, baseNs, multiplier, 0, maxNs);
    }

    /**
     * Linear backoff without jitter.
     *
     * @param baseNs      first delay.
     * @param incrementNs added per attempt.
     * @param maxNs       cap.
     * @return the backoff.
     */
    public static Backoff linear(final long baseNs, final long incrementNs, final long maxNs)
    {
        return new Backoff(Kind.LINEAR, Jitter.NONE, baseNs, 1.0, incrementNs, maxNs);
    }

    /**
     * The same delay every time, without jitter.
     *
     * @param delayNs the delay.
     * @return the backoff.
     */
    public static Backoff fixed(final long delayNs)
    {
        return new Backoff(Kind.FIXED, Jitter.NONE, delayNs, 1.0, 0, delayNs);
    }

    /**
     * The same backoff with another jitter.
     *
     * @param jitter the jitter.
     * @return a new backoff.
     */
    public Backoff withJitter(final Jitter jitter)
    {
        return new Backoff(kind, jitter, baseNs, multiplier, incrementNs, maxNs);
    }

    /**
     * How the delay grows from one retry to the next.
     *
     * @return the kind.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * How the delay is randomised.
     *
     * @return the jitter.
     */
    public Jitter jitter()
    {
        return jitter;
    }

    /**
     * The first delay.
     *
     * @return nanoseconds.
     */
    public long baseNs()
    {
        return baseNs;
    }

    /**
     * The longest delay.
     *
     * @return nanoseconds.
     */
    public long maxNs()
    {
        return maxNs;
    }

    /**
     * Growth per attempt of an exponential backoff (1.0 for the other kinds).
     *
     * @return the multiplier.
     */
    public double multiplier()
    {
        return multiplier;
    }

    /**
     * Added per attempt by a linear backoff (0 for the other kinds).
     *
     * @return nanoseconds.
     */
    public long incrementNs()
    {
        return incrementNs;
    }

    /**
     * The delay before the next attempt, without jitter.
     *
     * @param attempt attempts made so far (1 after the first send).
     * @return nanoseconds in {@code [base, max]}, non-decreasing in {@code attempt}.
     */
    public long rawDelayNs(final int attempt)
    {
        final int n = Math.max(0, attempt - 1);
        switch (kind)
        {
            case EXPONENTIAL:
            {
                final double delay = baseNs * Math.pow(multiplier, n);
                return delay >= maxNs ? maxNs : (long)delay;
            }
            case LINEAR:
            {
                final double delay = baseNs + (double)incrementNs * n;
                return delay >= maxNs ? maxNs : (long)delay;
            }
            default:
                return baseNs;
        }
    }

    /**
     * The delay before the next attempt, with jitter.
     *
     * @param attempt         attempts made so far (1 after the first send).
     * @param previousDelayNs the delay used last time (decorrelated jitter), 0 when none.
     * @param random          the tracker's seeded generator.
     * @return nanoseconds in {@code [0, max]}.
     */
    public long delayNs(final int attempt, final long previousDelayNs, final RandomGenerator random)
    {
        final long delay = rawDelayNs(attempt);
        switch (jitter)
        {
            case FULL:
                return uniform(0, delay, random);
            case EQUAL:
            {
                final long half = delay >>> 1;
                return half + uniform(0, delay - half, random);
            }
            case DECORRELATED:
            {
                final long previous = previousDelayNs > 0 ? previousDelayNs : baseNs;
                final long upper = previous > maxNs / 3 ? maxNs : Math.min(maxNs, previous * 3);
                return uniform(baseNs, Math.max(baseNs, upper), random);
            }
            default:
                return delay;
        }
    }

    private static long uniform(final long low, final long high, final RandomGenerator random)
    {
        return high <= low ? low : low + random.nextLong(high - low + 1);
    }

    /**
     * For logs and config dumps.
     *
     * @return kind, base, max and jitter.
     */
    public String toString()
    {
        return kind.name().toLowerCase() + "(base=" + baseNs + "ns" +
            (Kind.EXPONENTIAL == kind ? ", x" + multiplier : "") +
            (Kind.LINEAR == kind ? ", +" + incrementNs + "ns" : "") +
            ", max=" + maxNs + "ns, jitter=" + jitter.name().toLowerCase() + ")";
    }
}

package io.acktracker.engine.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A generator of random test samples: a pure function of a seeded {@link SplittableRandom}, so the same seed always
 * gives the same sample (that is what makes a failure replayable by seed, see {@link Property}). Generators compose
 * as plain lambdas, {@code (random) -> new Ack(ids.next(random), destinations.next(random))}, with the few
 * combinators below for ranges, choices and lists.
 * <p>
 * A generator may also say how to shrink a failing sample ({@link #shrink}); only {@link #list} does: it offers the
 * list with chunks removed, never below its minimum size. Other samples are kept as generated.
 *
 * @param <T> type of the samples.
 */
@FunctionalInterface
public interface Gen<T>
{
    /**
     * Generate one sample.
     *
     * @param random the only source of randomness a generator may use.
     * @return the sample.
     */
    T next(SplittableRandom random);

    /**
     * Simpler samples to try in place of a failing one, most promising first.
     *
     * @param sample a sample this generator made.
     * @return candidates, empty when this generator does not shrink.
     */
    default List<T> shrink(final T sample)
    {
        return List.of();
    }

    /**
     * @param mapper applied to every sample.
     * @param <R>    type of the mapped samples.
     * @return a generator of mapped samples (which do not shrink).
     */
    default <R> Gen<R> map(final Function<? super T, ? extends R> mapper)
    {
        return (random) -> mapper.apply(next(random));
    }

    /**
     * @param value the only sample.
     * @param <T>   type of the sample.
     * @return a generator always giving {@code value}.
     */
    static <T> Gen<T> just(final T value)
    {
        return (random) -> value;
    }

    /**
     * @param min lowest value.
     * @param max highest value, inclusive.
     * @return uniformly distributed ints in {@code [min, max]}.
     */
    static Gen<Integer> ints(final int min, final int max)
    {
        if (max < min)
        {
            throw new IllegalArgumentException("max < min: " + max + " < " + min);
        }
        return (random) -> (int)random.nextLong(min, (long)max + 1);
    }

    /**
     * @return uniformly distributed ints over the whole range.
     */
    static Gen<Integer> ints()
    {
        return SplittableRandom::nextInt;
    }

    /**
     * @param min lowest value.
     * @param max highest value, inclusive.
     * @return uniformly distributed longs in {@code [min, max]}.
     */
    static Gen<Long> longs(final long min, final long max)
    {
        if (max < min)
        {
            throw new IllegalArgumentException("max < min: " + max + " < " + min);
        }
        if (Long.MIN_VALUE == min && Long.MAX_VALUE == max)
        {
            return longs();
        }
        return Long.MAX_VALUE == max ?
            (random) -> random.nextLong(min - 1, max) + 1 : (random) -> random.nextLong(min, max + 1);
    }

    /**
     * @return uniformly distributed longs over the whole range.
     */
    static Gen<Long> longs()
    {
        return SplittableRandom::nextLong;
    }

    /**
     * @param min lowest value.
     * @param max highest value, exclusive.
     * @return uniformly distributed doubles in {@code [min, max)}.
     */
    static Gen<Double> doubles(final double min, final double max)
    {
        return (random) -> random.nextDouble(min, max);
    }

    /**
     * @param values to choose from.
     * @param <T>    type of the values.
     * @return one of the values, each as likely.
     */
    @SafeVarargs
    static <T> Gen<T> of(final T... values)
    {
        final List<T> copy = new ArrayList<>(values.length);
        for (final T value : values)
        {
            copy.add(value);
        }
        return of(copy);
    }

    /**
     * @param values to choose from.
     * @param <T>    type of the values.
     * @return one of the values, each as likely.
     */
    static <T> Gen<T> of(final List<T> values)
    {
        final List<T> copy = List.copyOf(values);
        return (random) -> copy.get(random.nextInt(copy.size()));
    }

    /**
     * @param gens to choose from.
     * @param <T>  type of the samples.
     * @return a sample of one of the generators, each as likely.
     */
    @SafeVarargs
    static <T> Gen<T> oneOf(final Gen<? extends T>... gens)
    {
        final List<Gen<? extends T>> copy = new ArrayList<>(gens.length);
        for (final Gen<? extends T> gen : gens)
        {
            copy.add(gen);
        }
        return (random) -> copy.get(random.nextInt(copy.size())).next(random);
    }

    /**
     * A generator with a weight, for {@link #frequency}.
     *
     * @param weight relative likelihood, at least 1.
     * @param gen    the generator.
     * @param <T>    type of the samples.
     */
    record Weighted<T>(int weight, Gen<? extends T> gen)
    {
    }

    /**
     * @param weight relative likelihood, at least 1.
     * @param gen    the generator.
     * @param <T>    type of the samples.
     * @return the pair, for {@link #frequency}.
     */
    static <T> Weighted<T> weighted(final int weight, final Gen<? extends T> gen)
    {
        if (weight < 1)
        {
            throw new IllegalArgumentException("weight < 1: " + weight);
        }
        return new Weighted<>(weight, gen);
    }

    /**
     * @param choices generators with their weights.
     * @param <T>     type of the samples.
     * @return a sample of one of the generators, chosen in proportion to the weights.
     */
    @SafeVarargs
    static <T> Gen<T> frequency(final Weighted<? extends T>... choices)
    {
        final List<Weighted<? extends T>> copy = new ArrayList<>(choices.length);
        int sum = 0;
        for (final Weighted<? extends T> choice : choices)
        {
            copy.add(choice);
            sum += choice.weight();
        }
        final int total = sum;
        return (random) ->
        {
            int pick = random.nextInt(total);
            for (final Weighted<? extends T> choice : copy)
            {
                pick -= choice.weight();
                if (pick < 0)
                {
                    return choice.gen().next(random);
                }
            }
            throw new IllegalStateException("unreachable");
        };
    }

    /**
     * Lists of a uniformly chosen size, shrinking by removing chunks: halves first, then quarters and so on down to
     * single elements, never below {@code minSize} (the elements themselves are not shrunk).
     *
     * @param element generator of the elements.
     * @param minSize smallest size.
     * @param maxSize largest size, inclusive.
     * @param <T>     type of the elements.
     * @return the list generator.
     */
    static <T> Gen<List<T>> list(final Gen<? extends T> element, final int minSize, final int maxSize)
    {
        return list(element, minSize, maxSize, minSize);
    }

    /**
     * As {@link #list(Gen, int, int)}, but shrinking may go down to {@code shrinkToSize}: for lists that are valid
     * samples at any size (a sequence of commands) and are generated long only to reach deeper states.
     *
     * @param element      generator of the elements.
     * @param minSize      smallest size generated.
     * @param maxSize      largest size generated, inclusive.
     * @param shrinkToSize smallest size shrinking may reach.
     * @param <T>          type of the elements.
     * @return the list generator.
     */
    static <T> Gen<List<T>> list(
        final Gen<? extends T> element, final int minSize, final int maxSize, final int shrinkToSize)
    {
        final Gen<Integer> sizes = ints(minSize, maxSize);
        return new Gen<>()
        {
            public List<T> next(final SplittableRandom random)
            {
                final int size = sizes.next(random);
                final List<T> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++)
                {
                    list.add(element.next(random));
                }
                return list;
            }

            public List<List<T>> shrink(final List<T> sample)
            {
                final List<List<T>> candidates = new ArrayList<>();
                for (int chunk = sample.size() / 2; chunk >= 1; chunk /= 2)
                {
                    if (sample.size() - chunk < shrinkToSize)
                    {
                        continue;
                    }
                    for (int from = 0; from + chunk <= sample.size(); from += chunk)
                    {
                        final List<T> candidate = new ArrayList<>(sample.subList(0, from));
                        candidate.addAll(sample.subList(from + chunk, sample.size()));
                        candidates.add(candidate);
                    }
                }
                return candidates;
            }
        };
    }
}

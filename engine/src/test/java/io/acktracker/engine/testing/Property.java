package io.acktracker.engine.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A seeded property runner, called from a JUnit test method:
 * {@code Property.forAll(steps()).tries(150).check((steps) -> run(steps))}.
 * <p>
 * Try {@code i} draws its sample from its own seed, the {@code i}-th long of a {@link SplittableRandom} made from the
 * base seed and the test's name. The base seed is chosen at random once per JVM (so every property of a test run
 * shares it) unless the system property {@value #SEED_PROPERTY} fixes it, and then each property repeats exactly the
 * same samples. On the first failing try the runner shrinks the sample as its generator allows
 * ({@link Gen#shrink}, greedily, within {@link #shrinkLimits}) and throws an {@link AssertionError} giving the seed,
 * a one-line Maven command replaying the run, the shrunk sample and its failure (also the cause), then the original
 * sample and failure. Anything the check throws counts as a failure, so shrinking may slip to another failure.
 * Clean-up after each try belongs in the check (try/finally).
 *
 * @param <T> type of the samples.
 */
public final class Property<T>
{
    /** System property fixing the base seed, to replay a failed run. */
    public static final String SEED_PROPERTY = "acktracker.seed";

    /** What a property checks for one sample: returns normally, or throws to fail. */
    @FunctionalInterface
    public interface Check<T>
    {
        void accept(T sample) throws Exception;
    }

    private static final long RUN_SEED = ThreadLocalRandom.current().nextLong();

    private final Gen<T> gen;
    private int tries = 100;
    private int maxShrinkAttempts = 1_000;
    private long maxShrinkNs = TimeUnit.SECONDS.toNanos(30);
    private boolean replayWholeClass;

    private Property(final Gen<T> gen)
    {
        this.gen = gen;
    }

    /**
     * @param gen generator of the samples.
     * @param <T> type of the samples.
     * @return a property over samples of {@code gen}, 100 tries unless told.
     */
    public static <T> Property<T> forAll(final Gen<T> gen)
    {
        return new Property<>(gen);
    }

    /**
     * @param tries number of samples to check.
     * @return this.
     */
    public Property<T> tries(final int tries)
    {
        this.tries = tries;
        return this;
    }

    /**
     * @param attempts most re-runs of the check while shrinking.
     * @param seconds  most time spent shrinking.
     * @return this.
     */
    public Property<T> shrinkLimits(final int attempts, final long seconds)
    {
        this.maxShrinkAttempts = attempts;
        this.maxShrinkNs = TimeUnit.SECONDS.toNanos(seconds);
        return this;
    }

    /**
     * For properties of a class whose methods share state (one harness for the class): the replay command then runs
     * the whole class, whose methods repeat their samples in the same order from the same base seed.
     *
     * @return this.
     */
    public Property<T> replayWholeClass()
    {
        this.replayWholeClass = true;
        return this;
    }

    /**
     * Run the tries.
     *
     * @param check the property.
     * @throws AssertionError on the first failing try, after shrinking its sample.
     */
    public void check(final Check<T> check)
    {
        final StackWalker.StackFrame caller = testMethodFrame();
        final Long fixed = Long.getLong(SEED_PROPERTY);
        final long seed = null != fixed ? fixed : RUN_SEED;
        final String name = caller.getDeclaringClass().getSimpleName() + "#" + caller.getMethodName();
        System.out.println(name + ": " + tries + " tries, seed " + seed);

        final SplittableRandom seeds = new SplittableRandom(seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L));
        for (int i = 0; i < tries; i++)
        {
            final long trySeed = seeds.nextLong();
            final T sample = gen.next(new SplittableRandom(trySeed));
            final Throwable failure = failure(check, sample);
            if (null != failure)
            {
                throw shrunk(check, sample, failure, seed, i, caller);
            }
        }
    }

    private AssertionError shrunk(
        final Check<T> check,
        final T original,
        final Throwable originalFailure,
        final long seed,
        final int tryIndex,
        final StackWalker.StackFrame caller)
    {
        final long deadlineNs = System.nanoTime() + maxShrinkNs;
        T sample = original;
        Throwable failure = originalFailure;
        int attempts = 0;
        int steps = 0;
        boolean progress = true;
        while (progress && attempts < maxShrinkAttempts && System.nanoTime() - deadlineNs < 0)
        {
            progress = false;
            for (final T candidate : gen.shrink(sample))
            {
                if (attempts >= maxShrinkAttempts || System.nanoTime() - deadlineNs >= 0)
                {
                    break;
                }
                attempts++;
                final Throwable candidateFailure = failure(check, candidate);
                if (null != candidateFailure)
                {
                    sample = candidate;
                    failure = candidateFailure;
                    steps++;
                    progress = true;
                    break;
                }
            }
        }

        final String eol = System.lineSeparator();
        final String message = "property failed on try " + (tryIndex + 1) + " of " + tries + ", seed " + seed + eol +
            "replay: " + replayCommand(caller, seed) + eol +
            "shrunk sample (" + steps + " shrinks in " + attempts + " attempts): " + sample + eol +
            "failure: " + failure +
            (steps > 0 ? eol + "original sample: " + original + eol + "original failure: " + originalFailure : "");
        return new AssertionError(message, failure);
    }

    private static <T> Throwable failure(final Check<T> check, final T sample)
    {
        try
        {
            check.accept(sample);
            return null;
        }
        catch (final OutOfMemoryError ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            return ex;
        }
    }

    private String replayCommand(final StackWalker.StackFrame caller, final long seed)
    {
        final Class<?> testClass = caller.getDeclaringClass();
        final Optional<Method> method = Arrays.stream(testClass.getDeclaredMethods())
            .filter((m) -> m.getName().equals(caller.getMethodName())).findFirst();
        final boolean longRun = isLong(testClass.getAnnotationsByType(Tag.class)) ||
            method.map((m) -> isLong(m.getAnnotationsByType(Tag.class))).orElse(false);
        final Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        final boolean isModule = Files.exists(dir.resolve("pom.xml")) && null != dir.getParent() &&
            Files.exists(dir.getParent().resolve("pom.xml"));
        return "mvn -B verify" +
            (isModule ? " -pl " + dir.getFileName() + " -am" : "") +
            (longRun ? " -Plong" : "") +
            " -Dtest=" + testClass.getSimpleName() + (replayWholeClass ? "" : "#" + caller.getMethodName()) +
            " -D" + SEED_PROPERTY + "=" + seed +
            " -Dsurefire.failIfNoSpecifiedTests=false";
    }

    private static boolean isLong(final Tag[] tags)
    {
        return Arrays.stream(tags).anyMatch((tag) -> "long".equals(tag.value()));
    }

    /** The JUnit test method calling us: the nearest caller annotated {@link Test}, else the nearest caller. */
    private static StackWalker.StackFrame testMethodFrame()
    {
        final List<StackWalker.StackFrame> callers = StackWalker.getInstance(
            StackWalker.Option.RETAIN_CLASS_REFERENCE).walk((frames) -> frames
            .filter((frame) -> frame.getDeclaringClass() != Property.class)
            .limit(16)
            .toList());
        return callers.stream().filter(Property::isTestMethod).findFirst().orElse(callers.get(0));
    }

    private static boolean isTestMethod(final StackWalker.StackFrame frame)
    {
        return Arrays.stream(frame.getDeclaringClass().getDeclaredMethods())
            .anyMatch((m) -> m.getName().equals(frame.getMethodName()) && m.isAnnotationPresent(Test.class));
    }
}

package io.acktracker.transport.fuzz;

import io.acktracker.engine.testing.Gen;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Decoder fuzzing, long version (tagged {@code long}: {@code mvn -B verify -Plong}): the same generators and checks
 * as {@link InboundFramePropertiesTest}, every kind of input mixed, for {@code -Dacktracker.fuzz.seconds} (default
 * 180) seconds, with a fresh tracker every {@value #RECYCLE_EVERY} inputs so its table never stays full. The inputs
 * are one sequence drawn from a {@link SplittableRandom} seeded with {@code -Dacktracker.fuzz.seed} (default: the
 * clock); the seed is printed, and a failure names the input (in hex), its number in the sequence, the seed and a
 * command replaying the run.
 */
class InboundFrameSoakTest
{
    private static final int RECYCLE_EVERY = 250_000;

    @Test
    @Tag("long")
    void mutatedAndRandomFramesForMinutes()
    {
        final long seconds = Long.getLong("acktracker.fuzz.seconds", 180);
        final long seed = Long.getLong("acktracker.fuzz.seed", System.nanoTime());
        System.out.println("decoder soak: " + seconds + " s, seed " + seed);
        final Gen<FuzzInput> inputs = FrameGenerators.anything();
        final SplittableRandom random = new SplittableRandom(seed);
        final FuzzStats stats = new FuzzStats("decoder fuzzing, long run (seed " + seed + ")");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        InboundHarness harness = InboundHarness.open(stats);
        try
        {
            long fed = 0;
            while (System.nanoTime() - deadlineNs < 0)
            {
                for (int i = 0; i < 1000; i++)
                {
                    final FuzzInput input = inputs.next(random);
                    try
                    {
                        input.feedTo(harness);
                    }
                    catch (final RuntimeException | AssertionError ex)
                    {
                        throw new AssertionError("decoder soak failed on input " + (fed + i + 1) + ", seed " + seed +
                            ": " + input + System.lineSeparator() +
                            "replay: mvn -B verify -pl transport -am -Plong -Dtest=InboundFrameSoakTest" +
                            " -Dacktracker.fuzz.seed=" + seed + " -Dacktracker.fuzz.seconds=" + seconds +
                            " -Dsurefire.failIfNoSpecifiedTests=false", ex);
                    }
                }
                fed += 1000;
                if (fed % RECYCLE_EVERY == 0)
                {
                    harness.close();
                    harness = InboundHarness.open(stats);
                }
            }
        }
        finally
        {
            final String summary = harness.summary();
            harness.close();
            System.out.println(stats.report(summary));
        }
    }
}

package io.acktracker.transport.fuzz;

import net.jqwik.api.Example;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.Tag;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Decoder fuzzing, long version (tagged {@code long}: {@code mvn -B verify -Plong}): the same generators and checks
 * as {@link InboundFramePropertiesTest}, every kind of input mixed, for {@code -Dacktracker.fuzz.seconds} (default
 * 180) seconds, with a fresh tracker every {@value #RECYCLE_EVERY} inputs so its table never stays full. The seed is
 * printed (and can be given with {@code -Dacktracker.fuzz.seed}); a failure names the input in hex.
 */
class InboundFrameSoakTest
{
    private static final int RECYCLE_EVERY = 250_000;

    @Example
    @Tag("long")
    void mutatedAndRandomFramesForMinutes()
    {
        final long seconds = Long.getLong("acktracker.fuzz.seconds", 180);
        final long seed = Long.getLong("acktracker.fuzz.seed", System.nanoTime());
        System.out.println("decoder soak: " + seconds + " s, seed " + seed);
        final RandomGenerator<FuzzInput> generator = FrameArbitraries.anything().generator(1000);
        final Random random = new Random(seed);
        final FuzzStats stats = new FuzzStats("decoder fuzzing, jqwik long run (seed " + seed + ")");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        InboundHarness harness = InboundHarness.open(stats);
        try
        {
            long fed = 0;
            while (System.nanoTime() - deadlineNs < 0)
            {
                for (int i = 0; i < 1000; i++)
                {
                    generator.next(random).value().feedTo(harness);
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

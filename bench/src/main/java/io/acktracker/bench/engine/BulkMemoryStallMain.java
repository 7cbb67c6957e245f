package io.acktracker.bench.engine;

import io.acktracker.engine.util.ChunkedMemory;
import org.agrona.UnsafeApi;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a helper thread's bulk off-heap zeroing costs every other thread once a safepoint is requested: the finding
 * behind {@link ChunkedMemory}. A spinning thread stands for the agent and records the longest gap between two of
 * its loop iterations; a helper zeroes {@code bytes} of fresh memory (every page faulted in during the call), in one
 * {@code Unsafe.setMemory} call (what {@code ByteBuffer.allocateDirect} and the former checkpoint code did) or in
 * {@link ChunkedMemory#STEP_BYTES} steps; meanwhile the main thread requests a safepoint (a thread dump) and times
 * it. One call cannot be interrupted: the safepoint, and the spinner with it, waits until the call returns.
 * <p>
 * Printed per round and mode: the zeroing's time, the thread dump's time, the spinner's longest gap (ms); then
 * the medians. Run: {@code java -cp bench/target/acktracker-bench.jar
 * io.acktracker.bench.engine.BulkMemoryStallMain [megabytes=256] [rounds=5]} with the project's JVM flags (add
 * {@code -Xlog:safepoint} to see the time to safepoint itself).
 */
public final class BulkMemoryStallMain
{
    private BulkMemoryStallMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long bytes = (args.length > 0 ? Long.parseLong(args[0]) : 256) << 20;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final double[][] gaps = new double[2][rounds];
        final double[][] dumps = new double[2][rounds];
        System.out.printf("zeroing %,d MiB of fresh memory on a helper thread, %d rounds%n", bytes >> 20, rounds);
        for (int round = 0; round < rounds; round++)
        {
            for (int mode = 0; mode < 2; mode++)
            {
                final double[] result = run(1 == mode, bytes);
                dumps[mode][round] = result[1];
                gaps[mode][round] = result[2];
                System.out.printf("round %d %-8s zeroing %8.1f ms, safepoint (thread dump) %8.1f ms, spinner's " +
                    "longest gap %8.1f ms%n", round + 1, 1 == mode ? "steps" : "one call", result[0], result[1],
                    result[2]);
            }
        }
        for (int mode = 0; mode < 2; mode++)
        {
            java.util.Arrays.sort(gaps[mode]);
            java.util.Arrays.sort(dumps[mode]);
            System.out.printf("%-8s median safepoint %.1f ms (max %.1f), median longest gap %.1f ms (max %.1f)%n",
                1 == mode ? "steps" : "one call", dumps[mode][rounds / 2], dumps[mode][rounds - 1],
                gaps[mode][rounds / 2], gaps[mode][rounds - 1]);
        }
    }

    private static double[] run(final boolean inSteps, final long bytes) throws Exception
    {
        final long address = UnsafeApi.allocateMemory(bytes);
        try
        {
            final AtomicBoolean done = new AtomicBoolean();
            final long[] longestGapNs = new long[1];
            final Thread spinner = new Thread(() ->
            {
                long last = System.nanoTime();
                long longest = 0;
                while (!done.get())
                {
                    final long now = System.nanoTime();
                    longest = Math.max(longest, now - last);
                    last = now;
                }
                longestGapNs[0] = longest;
            }, "spinner");
            final long[] zeroNs = new long[1];
            final Thread helper = new Thread(() ->
            {
                final long start = System.nanoTime();
                if (inSteps)
                {
                    ChunkedMemory.zero(address, bytes);
                }
                else
                {
                    UnsafeApi.setMemory(address, bytes, (byte)0);
                }
                zeroNs[0] = System.nanoTime() - start;
            }, "helper");
            spinner.start();
            Thread.sleep(50);
            helper.start();
            Thread.sleep(5);
            final long dumpStart = System.nanoTime();
            ManagementFactory.getThreadMXBean().dumpAllThreads(false, false);
            final long dumpNs = System.nanoTime() - dumpStart;
            helper.join();
            done.set(true);
            spinner.join();
            return new double[] {ms(zeroNs[0]), ms(dumpNs), ms(longestGapNs[0])};
        }
        finally
        {
            UnsafeApi.freeMemory(address);
        }
    }

    private static double ms(final long ns)
    {
        return ns / (double)TimeUnit.MILLISECONDS.toNanos(1);
    }
}

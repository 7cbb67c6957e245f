package io.acktracker.bench.compare;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * What the JVM says about itself: process and thread CPU time, heap after a full collection, resident set size and
 * the stop-the-world GC pauses seen since the last {@link #resetPauses()} (from GC notifications; a G1 concurrent
 * cycle is not a pause and is left out).
 * <p>
 * Any thread; {@link #threadCpuNs()} measures the calling thread.
 */
public final class JvmProbe
{
    private final Object lock = new Object();
    private long pauses;
    private long pauseTotalNs;
    private long pauseMaxNs;

    /**
     * Listen to every collector's notifications.
     */
    public JvmProbe()
    {
        final NotificationListener listener = (notification, handback) ->
        {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType()))
            {
                return;
            }
            final GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData)notification.getUserData());
            if (info.getGcName().contains("Concurrent") || "No GC".equals(info.getGcCause()))
            {
                return;
            }
            final long durationNs = info.getGcInfo().getDuration() * 1_000_000L;
            synchronized (lock)
            {
                pauses++;
                pauseTotalNs += durationNs;
                pauseMaxNs = Math.max(pauseMaxNs, durationNs);
            }
        };
        for (final GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans())
        {
            if (bean instanceof NotificationEmitter)
            {
                ((NotificationEmitter)bean).addNotificationListener(listener, null, null);
            }
        }
    }

    /**
     * Forget the pauses seen so far.
     */
    public void resetPauses()
    {
        synchronized (lock)
        {
            pauses = 0;
            pauseTotalNs = 0;
            pauseMaxNs = 0;
        }
    }

    /**
     * Pauses seen since the reset: count, total and longest, in that order.
     *
     * @return {count, totalNs, maxNs}.
     */
    public long[] pauses()
    {
        synchronized (lock)
        {
            return new long[]{ pauses, pauseTotalNs, pauseMaxNs };
        }
    }

    /**
     * CPU time of the whole process: every thread, including GC and JIT compiler threads.
     *
     * @return nanoseconds.
     */
    public static long processCpuNs()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    /**
     * CPU time of the calling thread.
     *
     * @return nanoseconds.
     */
    public static long threadCpuNs()
    {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /**
     * Collections so far, every collector.
     *
     * @return the count.
     */
    public static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, bean.getCollectionCount());
        }
        return count;
    }

    /**
     * Heap in use after full collections (repeated until it settles).
     *
     * @return bytes.
     */
    public static long heapUsedAfterGc()
    {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++)
        {
            System.gc();
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
            final long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (Math.abs(used - now) < 1024 * 1024)
            {
                return now;
            }
            used = now;
        }
        return used;
    }

    /**
     * Resident set size of the process (Linux {@code VmRSS}), 0 where unknown.
     *
     * @return bytes.
     */
    public static long rssBytes()
    {
        try
        {
            for (final String line : Files.readAllLines(Paths.get("/proc/self/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return 0;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}

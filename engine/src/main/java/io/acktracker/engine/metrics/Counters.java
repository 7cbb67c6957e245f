package io.acktracker.engine.metrics;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.util.EnumMap;

/**
 * The tracker's {@link TrackerCounter}s allocated in a {@link CountersFile}. The agent is the single writer of each
 * (a plain read and an ordered store), except counters whose {@link TrackerCounter#hasSharedWriters()} is true
 * (refusals counted on callers' threads), which every writer bumps with an atomic add so no increment is lost.
 * <p>
 * Threading: increments and sets from the agent thread, or from any thread for counters with shared writers; reads
 * from any thread.
 */
public final class Counters implements AutoCloseable
{
    private final AtomicCounter[] counters = new AtomicCounter[TrackerCounter.values().length];
    private final boolean[] shared = new boolean[TrackerCounter.values().length];
    private final CountersFile file;

    /**
     * Allocate every system counter in a file.
     *
     * @param file        counters file, created by the caller.
     * @param trackerName label suffix to tell trackers apart.
     */
    public Counters(final CountersFile file, final String trackerName)
    {
        this.file = file;
        final CountersManager manager = file.newManager();
        for (final TrackerCounter counter : TrackerCounter.values())
        {
            shared[counter.ordinal()] = counter.hasSharedWriters();
            counters[counter.ordinal()] = manager.newCounter(
                counter.label() + ": " + trackerName,
                TrackerCounter.TYPE_ID,
                (buffer) -> buffer.putInt(0, counter.id()));
        }
    }

    /**
     * The counter for a system counter.
     *
     * @param counter which.
     * @return the Agrona counter.
     */
    public AtomicCounter get(final TrackerCounter counter)
    {
        return counters[counter.ordinal()];
    }

    /**
     * Bump an event counter: from the agent thread, or from any thread for a counter with shared writers.
     *
     * @param counter which.
     */
    public void increment(final TrackerCounter counter)
    {
        final int index = counter.ordinal();
        if (shared[index])
        {
            counters[index].increment();
        }
        else
        {
            counters[index].incrementRelease();
        }
    }

    /**
     * Add to a counter: from the agent thread, or from any thread for a counter with shared writers.
     *
     * @param counter which.
     * @param delta   amount.
     */
    public void add(final TrackerCounter counter, final long delta)
    {
        final int index = counter.ordinal();
        if (shared[index])
        {
            counters[index].getAndAdd(delta);
        }
        else
        {
            counters[index].getAndAddRelease(delta);
        }
    }

    /**
     * Set a gauge from the agent thread.
     *
     * @param counter which.
     * @param value   level.
     */
    public void set(final TrackerCounter counter, final long value)
    {
        counters[counter.ordinal()].setRelease(value);
    }

    /**
     * Read a counter from any thread.
     *
     * @param counter which.
     * @return its value.
     */
    public long value(final TrackerCounter counter)
    {
        return counters[counter.ordinal()].get();
    }

    /**
     * All values, from any thread.
     *
     * @return a new map of counter to value.
     */
    public EnumMap<TrackerCounter, Long> values()
    {
        final EnumMap<TrackerCounter, Long> values = new EnumMap<>(TrackerCounter.class);
        for (final TrackerCounter counter : TrackerCounter.values())
        {
            values.put(counter, counters[counter.ordinal()].get());
        }
        return values;
    }

    /**
     * The counters file (or in-memory buffer) behind these counters.
     *
     * @return the file.
     */
    public CountersFile file()
    {
        return file;
    }

    public void close()
    {
        for (final AtomicCounter counter : counters)
        {
            counter.disconnectCountersManager();
            counter.close();
        }
        file.close();
    }
}

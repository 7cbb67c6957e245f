package io.acktracker.transport;

import io.acktracker.engine.metrics.CountersFile;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.file.Path;
import java.util.EnumMap;

/**
 * The {@link TransportCounter}s, in their own counters file (the engine's {@link CountersFile} format, so the same
 * tools read it) or in memory.
 * <p>
 * Threading: the agent thread writes most counters; image handlers (Aeron client thread) and the HTTP edge bump
 * theirs with atomic increments; any thread reads.
 */
public final class TransportCounters implements AutoCloseable
{
    /** File name used inside a data directory. */
    public static final String FILE_NAME = "transport-counters.dat";

    private final AtomicCounter[] counters = new AtomicCounter[TransportCounter.values().length];
    private final CountersFile file;

    /**
     * Allocate every transport counter.
     *
     * @param file  counters file, or null to keep them in memory.
     * @param label label suffix to tell trackers apart.
     */
    public TransportCounters(final Path file, final String label)
    {
        final int count = TransportCounter.values().length;
        this.file = null == file ? CountersFile.inMemory(count) : CountersFile.create(file.toFile(), count);
        final CountersManager manager = this.file.newManager();
        for (final TransportCounter counter : TransportCounter.values())
        {
            counters[counter.ordinal()] = manager.newCounter(
                counter.label() + ": " + label,
                TransportCounter.TYPE_ID,
                (buffer) -> buffer.putInt(0, counter.id()));
        }
    }

    /**
     * The Agrona counter behind a transport counter.
     *
     * @param counter which.
     * @return the counter.
     */
    public AtomicCounter get(final TransportCounter counter)
    {
        return counters[counter.ordinal()];
    }

    /**
     * Bump an event counter from its single writer (the agent thread).
     *
     * @param counter which.
     */
    public void increment(final TransportCounter counter)
    {
        counters[counter.ordinal()].incrementRelease();
    }

    /**
     * Bump a counter that several threads write.
     *
     * @param counter which.
     */
    public void incrementShared(final TransportCounter counter)
    {
        counters[counter.ordinal()].increment();
    }

    /**
     * Set a gauge from the agent thread.
     *
     * @param counter which.
     * @param value   level.
     */
    public void set(final TransportCounter counter, final long value)
    {
        counters[counter.ordinal()].setRelease(value);
    }

    /**
     * Read a counter from any thread.
     *
     * @param counter which.
     * @return its value.
     */
    public long value(final TransportCounter counter)
    {
        return counters[counter.ordinal()].get();
    }

    /**
     * All values, from any thread (allocates: for reports).
     *
     * @return a new map of counter to value.
     */
    public EnumMap<TransportCounter, Long> values()
    {
        final EnumMap<TransportCounter, Long> values = new EnumMap<>(TransportCounter.class);
        for (final TransportCounter counter : TransportCounter.values())
        {
            values.put(counter, counters[counter.ordinal()].get());
        }
        return values;
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

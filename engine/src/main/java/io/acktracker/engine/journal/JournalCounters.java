package io.acktracker.engine.journal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The journal's own counters until the owner wires them to the engine's {@code Counters}: one slot per
 * {@link JournalCounter}, each incremented by a single thread with an ordered store (no lock, no atomic
 * read-modify-write), read by any.
 * <p>
 * Threading: {@link #increment} by the one thread named on each counter; {@link #get} from any thread.
 */
public final class JournalCounters
{
    private static final JournalCounter[] COUNTERS = JournalCounter.values();
    /** Slots 8 longs apart, so the appender's counters and the helper's never share a cache line. */
    private static final int STRIDE = 8;

    private final AtomicLongArray values = new AtomicLongArray(COUNTERS.length * STRIDE);

    /**
     * @param counter which.
     * @return its value.
     */
    public long get(final JournalCounter counter)
    {
        return values.get(counter.ordinal() * STRIDE);
    }

    void increment(final JournalCounter counter)
    {
        final int index = counter.ordinal() * STRIDE;
        values.lazySet(index, values.get(index) + 1);
    }

    public String toString()
    {
        final StringBuilder builder = new StringBuilder();
        for (final JournalCounter counter : COUNTERS)
        {
            builder.append(builder.length() == 0 ? "" : ", ").append(counter.name()).append('=').append(get(counter));
        }
        return builder.toString();
    }
}

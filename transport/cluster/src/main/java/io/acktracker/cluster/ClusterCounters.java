package io.acktracker.cluster;

import io.acktracker.engine.metrics.CountersFile;
import io.aeron.cluster.service.Cluster;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.file.Path;

/**
 * The {@link ClusterCounter}s of one member, in their own counters file (the engine's {@link CountersFile} format,
 * so {@code acktracker stat} reads them beside the engine's and the protocol's) or in memory.
 * <p>
 * Threading: the service thread writes; any thread reads.
 */
public final class ClusterCounters implements AutoCloseable
{
    /** File name inside a member's files directory. */
    public static final String FILE_NAME = "cluster-counters.dat";

    private final AtomicCounter[] counters = new AtomicCounter[ClusterCounter.values().length];
    private final CountersFile file;

    /**
     * Allocate every cluster counter.
     *
     * @param file  counters file, or null to keep them in memory.
     * @param label label suffix to tell members apart.
     */
    public ClusterCounters(final Path file, final String label)
    {
        final int count = ClusterCounter.values().length;
        this.file = null == file ? CountersFile.inMemory(count) : CountersFile.create(file.toFile(), count);
        final CountersManager manager = this.file.newManager();
        for (final ClusterCounter counter : ClusterCounter.values())
        {
            counters[counter.ordinal()] = manager.newCounter(counter.label() + ": " + label, ClusterCounter.TYPE_ID,
                (buffer) -> buffer.putInt(0, counter.id()));
        }
    }

    /**
     * Set a gauge.
     *
     * @param counter which.
     * @param value   level.
     */
    public void set(final ClusterCounter counter, final long value)
    {
        counters[counter.ordinal()].setRelease(value);
    }

    /**
     * Bump a count.
     *
     * @param counter which.
     */
    public void increment(final ClusterCounter counter)
    {
        counters[counter.ordinal()].incrementRelease();
    }

    /**
     * A counter's value.
     *
     * @param counter which.
     * @return its value.
     */
    public long get(final ClusterCounter counter)
    {
        return counters[counter.ordinal()].get();
    }

    /**
     * The role as its gauge value: 0 follower, 1 candidate, 2 leader (Aeron's codes).
     *
     * @param role the role.
     */
    void role(final Cluster.Role role)
    {
        set(ClusterCounter.ROLE, role.code());
    }

    public void close()
    {
        file.close();
    }
}

package io.acktracker.transport.service;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.metrics.CountersFile;
import io.acktracker.engine.metrics.DestinationLatencies;
import io.acktracker.engine.metrics.LatencyRecorder;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The tracker's track-to-completion latency over the last second, and each destination's ack latency, as gauges in
 * a counters file of their own ({@link #FILE_NAME}), so {@code acktracker stat} shows percentiles from another
 * process ({@code --match "ack latency"} for the destinations'). A destination's gauges are added the first second
 * after its name is registered, keyed {@link #destinationKey}. The histograms live in
 * the tracker's heap; once a second this agent copies their running total ({@link LatencyRecorder#totalHistogram()},
 * safe from any thread) and subtracts the previous copy, so the gauges say how the last second went, not how the
 * cold start did. Nothing runs on the tracker's agent thread; the copies are made here, off the hot path.
 * <p>
 * Threading: {@link #doWork()} on its own thread (the service's runner); readers in any process.
 */
public final class LatencyGauges implements Agent, AutoCloseable
{
    /** File name, in the service's data or run directory. */
    public static final String FILE_NAME = "latency-counters.dat";

    /** Counter type id of these gauges ("ACK" then 0x02; the engine's counters use 0x00, the transport's 0x01). */
    public static final int TYPE_ID = 0x41434B02;

    /** The gauges: nanoseconds over the last second, 0 when nothing completed in it; the key holds the id. */
    public enum Gauge
    {
        /** The median. */
        P50(1, 50.0, "track-to-completion latency p50 over the last second (ns)"),
        /** The 90th percentile. */
        P90(2, 90.0, "track-to-completion latency p90 over the last second (ns)"),
        /** The 99th percentile. */
        P99(3, 99.0, "track-to-completion latency p99 over the last second (ns)"),
        /** The 99.9th percentile. */
        P99_9(4, 99.9, "track-to-completion latency p99.9 over the last second (ns)"),
        /** The longest. */
        MAX(5, 100.0, "track-to-completion latency max over the last second (ns)");

        private final int id;
        private final double percentile;
        private final String label;

        Gauge(final int id, final double percentile, final String label)
        {
            this.id = id;
            this.percentile = percentile;
            this.label = label;
        }

        /**
         * Stable id, kept as the counter's key.
         *
         * @return the id.
         */
        public int id()
        {
            return id;
        }

        /**
         * What the gauge holds.
         *
         * @return the label.
         */
        public String label()
        {
            return label;
        }
    }

    private static final long PERIOD_MS = 1000;
    private static final Gauge[] DESTINATION_GAUGES = {Gauge.P50, Gauge.P99, Gauge.P99_9, Gauge.MAX};

    private final LatencyRecorder recorder;
    private final EpochClock clock;
    private final CountersFile file;
    private final AtomicCounter[] gauges = new AtomicCounter[Gauge.values().length];
    private final Histogram interval = new Histogram(LatencyRecorder.HIGHEST_TRACKABLE_NS, 3);
    private Histogram previous;
    private long nextMs;
    private final DestinationLatencies ackLatency;
    private final Supplier<List<String>> destinations;
    private final String name;
    private final CountersManager manager;
    private final AtomicCounter[][] destinationGauges = new AtomicCounter[DestinationRegistry.MAX_DESTINATIONS][];
    private final Histogram[] previousAck = new Histogram[DestinationRegistry.MAX_DESTINATIONS];
    private final Histogram ackInterval = new Histogram(DestinationLatencies.LOWEST_DISCERNIBLE_NS,
        LatencyRecorder.HIGHEST_TRACKABLE_NS, DestinationLatencies.SIGNIFICANT_DIGITS);

    /**
     * Gauges in a new file.
     *
     * @param path     the file, created (or replaced) owner-only.
     * @param name     the tracker's name, the labels' suffix.
     * @param recorder the latency to publish.
     * @param ackLatency   each destination's ack latency.
     * @param destinations the registered destination names, by id (read once a second).
     * @param clock    wall clock.
     */
    public LatencyGauges(
        final Path path,
        final String name,
        final LatencyRecorder recorder,
        final DestinationLatencies ackLatency,
        final Supplier<List<String>> destinations,
        final EpochClock clock)
    {
        this.recorder = recorder;
        this.clock = clock;
        this.ackLatency = ackLatency;
        this.destinations = destinations;
        this.name = name;
        this.file = CountersFile.create(path.toFile(),
            gauges.length + DestinationRegistry.MAX_DESTINATIONS * DESTINATION_GAUGES.length);
        manager = file.newManager();
        for (final Gauge gauge : Gauge.values())
        {
            gauges[gauge.ordinal()] = manager.newCounter(gauge.label() + ": " + name, TYPE_ID,
                (buffer) -> buffer.putInt(0, gauge.id()));
        }
    }

    public int doWork()
    {
        final long nowMs = clock.time();
        if (nowMs - nextMs < 0)
        {
            return 0;
        }
        nextMs = nowMs + PERIOD_MS;
        final Histogram total = recorder.totalHistogram();
        total.copyInto(interval);
        if (null != previous)
        {
            interval.subtract(previous);
        }
        previous = total;
        final boolean empty = 0 == interval.getTotalCount();
        for (final Gauge gauge : Gauge.values())
        {
            gauges[gauge.ordinal()].setRelease(empty ? 0 : Gauge.MAX == gauge ? interval.getMaxValue() :
                interval.getValueAtPercentile(gauge.percentile));
        }
        final List<String> names = destinations.get();
        for (int id = 0; id < names.size() && id < DestinationRegistry.MAX_DESTINATIONS; id++)
        {
            publishDestination(id, names.get(id));
        }
        return 1;
    }

    /**
     * The key of a destination's gauge: the destination id plus one in the high bits, the gauge's id below.
     *
     * @param destinationId the destination.
     * @param gauge         which percentile.
     * @return the counter's key.
     */
    public static int destinationKey(final int destinationId, final Gauge gauge)
    {
        return ((destinationId + 1) << 8) | gauge.id();
    }

    private void publishDestination(final int id, final String destination)
    {
        if (null == destinationGauges[id])
        {
            final AtomicCounter[] made = new AtomicCounter[DESTINATION_GAUGES.length];
            for (int i = 0; i < made.length; i++)
            {
                final Gauge gauge = DESTINATION_GAUGES[i];
                final int key = destinationKey(id, gauge);
                made[i] = manager.newCounter(gauge.label().replace("track-to-completion latency", "ack latency")
                    + ": " + destination + ": " + name, TYPE_ID, (buffer) -> buffer.putInt(0, key));
            }
            destinationGauges[id] = made;
        }
        final Histogram total = ackLatency.recorder(id).totalHistogram();
        total.copyInto(ackInterval);
        if (null != previousAck[id])
        {
            ackInterval.subtract(previousAck[id]);
        }
        previousAck[id] = total;
        final boolean empty = 0 == ackInterval.getTotalCount();
        for (int i = 0; i < DESTINATION_GAUGES.length; i++)
        {
            final Gauge gauge = DESTINATION_GAUGES[i];
            destinationGauges[id][i].setRelease(empty ? 0 : Gauge.MAX == gauge ? ackInterval.getMaxValue() :
                ackInterval.getValueAtPercentile(gauge.percentile));
        }
    }

    public String roleName()
    {
        return "acktracker-latency-gauges";
    }

    public void close()
    {
        for (final AtomicCounter gauge : gauges)
        {
            gauge.disconnectCountersManager();
            gauge.close();
        }
        for (final AtomicCounter[] perDestination : destinationGauges)
        {
            for (int i = 0; null != perDestination && i < perDestination.length; i++)
            {
                perDestination[i].disconnectCountersManager();
                perDestination[i].close();
            }
        }
        file.close();
    }
}

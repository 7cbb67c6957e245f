package io.acktracker.transport.http;

/**
 * Metrics a host of the engine adds to its HTTP edge's {@code /metrics}, besides the tracker's and the protocol's:
 * a cluster member's place in the cluster, say. Each is labelled with the tracker's name like the rest.
 * <p>
 * Threading: {@link #collect} on the edge's worker threads, at each scrape: what it reads must be readable from any
 * thread (counters, volatile fields).
 */
@FunctionalInterface
public interface ExtraMetrics
{
    /** Where {@link #collect} puts each value. */
    interface Sink
    {
        /**
         * A level.
         *
         * @param name  the metric's name ({@code acktracker_...}).
         * @param help  what it is.
         * @param value now.
         */
        void gauge(String name, String help, double value);

        /**
         * A count of events since the host started.
         *
         * @param name  the metric's name ({@code acktracker_...}, without {@code _total}).
         * @param help  what it counts.
         * @param value so far.
         */
        void counter(String name, String help, long value);
    }

    /**
     * Put every value, read now.
     *
     * @param sink where they go.
     */
    void collect(Sink sink);
}

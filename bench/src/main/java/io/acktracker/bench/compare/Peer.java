package io.acktracker.bench.compare;

/**
 * One tracker implementation behind the workload's common interface: track a message with a timeout, record acks,
 * report each outcome once to an {@link OutcomeSink}.
 * <p>
 * Every peer keeps its natural threading (timer threads, executors, its own agent); {@link #threading()} says what
 * it is. {@link #track} and {@link #ack} are called from one driver thread; {@link #doWork()} too, often, for peers
 * the host drives.
 */
public interface Peer extends AutoCloseable
{
    /**
     * Name used in results and tables.
     *
     * @return the name.
     */
    String name();

    /**
     * Which threads do the work, in a phrase for the tables.
     *
     * @return the description.
     */
    String threading();

    /**
     * Start the peer: open its structures, start its threads.
     *
     * @param spec what to track.
     * @param sink where outcomes go.
     */
    void open(PeerSpec spec, OutcomeSink sink);

    /**
     * Track a message that times out after {@code timeoutNs} unless its quorum of acks arrives first.
     *
     * @param messageId unique id.
     * @param timeoutNs relative timeout.
     */
    void track(long messageId, long timeoutNs);

    /**
     * An ack from a destination; duplicates and acks for finished or unknown messages must be harmless.
     *
     * @param messageId   message.
     * @param destination 0 .. destinations-1.
     */
    void ack(long messageId, int destination);

    /**
     * One duty cycle for peers the host drives; the others do nothing here.
     *
     * @return work done.
     */
    default int doWork()
    {
        return 0;
    }

    /**
     * The stream expects the ack just sent to have completed this message. Real peers ignore it (they decide for
     * themselves); only {@link HarnessFloorPeer} uses it, to report the outcome without tracking anything.
     *
     * @param messageId message the stream considers complete.
     */
    default void onStreamCompleted(final long messageId)
    {
    }

    /**
     * Off-heap bytes the peer's own structures hold now (not counted in the Java heap).
     *
     * @return bytes, 0 when it keeps everything on the heap.
     */
    default long offHeapBytes()
    {
        return 0;
    }

    /**
     * Add the peer's own counters to a run's results (after the run, before {@link #close()}); most have none.
     *
     * @param result the run's results.
     */
    default void report(final RunResult result)
    {
    }

    /**
     * Stop threads and release everything.
     */
    void close();
}

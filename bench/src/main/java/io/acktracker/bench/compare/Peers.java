package io.acktracker.bench.compare;

import io.acktracker.bench.compare.peer.AckTrackerPeer;
import io.acktracker.bench.compare.peer.AckTrackerQueuedPeer;
import io.acktracker.bench.compare.peer.AeronIpcPeer;
import io.acktracker.bench.compare.peer.JdkBaselinePeer;
import io.acktracker.bench.compare.peer.KafkaPurgatoryPeer;
import io.acktracker.bench.compare.peer.NettyWheelPeer;

import java.util.List;
import java.util.function.Supplier;

/**
 * The peers the harness knows, by name, in table order. acktracker-memory is the reference for ratios.
 */
public final class Peers
{
    /** Name of the peer every ratio is taken against. */
    public static final String REFERENCE = "acktracker-memory";

    /**
     * A named peer factory; unavailable peers are listed but not run.
     *
     * @param name              name in results and tables.
     * @param factory           makes a fresh peer.
     * @param unavailableReason why it cannot run, null when it can.
     * @param timeouts          whether it times messages out (the harness floor does not, so no burst run).
     */
    public record Entry(String name, Supplier<Peer> factory, String unavailableReason, boolean timeouts)
    {
        /**
         * Whether it can run.
         *
         * @return true when it can.
         */
        public boolean available()
        {
            return null == unavailableReason;
        }
    }

    /** Every peer, in table order. */
    public static final List<Entry> ALL = List.of(
        new Entry("acktracker-memory", () -> new AckTrackerPeer(AckTrackerPeer.Store.MEMORY), null, true),
        new Entry("acktracker-persisted", () -> new AckTrackerPeer(AckTrackerPeer.Store.PERSISTED), null, true),
        new Entry("acktracker-journal", () -> new AckTrackerPeer(AckTrackerPeer.Store.JOURNAL), null, true),
        new Entry("acktracker-memory-batched", () -> new AckTrackerPeer(AckTrackerPeer.Store.MEMORY, true), null, true),
        new Entry("acktracker-journal-batched", () -> new AckTrackerPeer(AckTrackerPeer.Store.JOURNAL, true), null,
            true),
        new Entry("acktracker-queued", AckTrackerQueuedPeer::new, null, true),
        new Entry("acktracker-aeron-ipc", AeronIpcPeer::new, null, true),
        new Entry("acktracker-aeron-ipc-journal", () -> new AeronIpcPeer(true, false), null, true),
        new Entry("acktracker-aeron-ipc-sessions", () -> new AeronIpcPeer(true, true), null, true),
        new Entry("kafka-purgatory", KafkaPurgatoryPeer::new, null, true),
        new Entry("netty-wheel", NettyWheelPeer::new, null, true),
        new Entry("jdk-baseline", JdkBaselinePeer::new, null, true),
        new Entry("harness-floor", HarnessFloorPeer::new, null, false));

    private Peers()
    {
    }

    /**
     * Find a peer by name.
     *
     * @param name as in {@link #ALL}.
     * @return the entry.
     * @throws IllegalArgumentException when unknown.
     */
    public static Entry byName(final String name)
    {
        for (final Entry entry : ALL)
        {
            if (entry.name().equals(name))
            {
                return entry;
            }
        }
        throw new IllegalArgumentException("unknown peer '" + name + "', known: " +
            ALL.stream().map(Entry::name).toList());
    }

    /**
     * Position of a peer in table order.
     *
     * @param name peer name.
     * @return its index, or the end for unknown names.
     */
    public static int order(final String name)
    {
        for (int i = 0; i < ALL.size(); i++)
        {
            if (ALL.get(i).name().equals(name))
            {
                return i;
            }
        }
        return ALL.size();
    }
}

package io.acktracker.bench.compare;

/**
 * What every peer is asked to track, identically.
 *
 * @param destinations destinations per message, 1 or 3 (ids 0..destinations-1).
 * @param requiredAcks acks that complete a message (quorum).
 * @param capacity     most messages pending at once (only acktracker preallocates from it).
 * @param pending      pending messages the workload keeps (peers may tune from it, say Kafka's purge interval).
 */
public record PeerSpec(int destinations, int requiredAcks, int capacity, int pending)
{
    /**
     * Check the values.
     */
    public PeerSpec
    {
        if (destinations < 1 || destinations > 64 || requiredAcks < 1 || requiredAcks > destinations)
        {
            throw new IllegalArgumentException("destinations " + destinations + ", required acks " + requiredAcks);
        }
        if (capacity < pending || pending < 1)
        {
            throw new IllegalArgumentException("capacity " + capacity + " < pending " + pending);
        }
    }
}

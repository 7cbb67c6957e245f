package io.acktracker.bench.compare;

import java.util.SplittableRandom;

/**
 * Generates the ack stream of the steady-state workloads and feeds it to a peer: {@code pending} ackable messages
 * are kept; each step sends one ack to a message chosen at random (random order, not oldest first), from a
 * destination that has not acked it yet. The ack that reaches the quorum completes the message, which is replaced
 * at once by a newly tracked one; with the configured probability a never-acked message is tracked alongside, so a
 * fixed fraction of all tracked messages time out. A step may instead repeat the previous ack (duplicate) or ack a
 * message completed earlier (late).
 * <p>
 * The stream is a pure function of the seed, so every peer gets the same one. Driver thread only.
 */
public final class AckStream
{
    private static final int RECENT = 4096;
    private static final int PPM = 1_000_000;

    private final WorkloadSpec spec;
    private final Peer peer;
    private final SplittableRandom random;
    private final long[] slotId;
    private final byte[] slotAcked;
    private final long[] recent = new long[RECENT];
    private final int duplicatePpm;
    private final int lateOrDuplicatePpm;
    private final double neverAckedPerCompletion;
    private final int destinations;
    private final int requiredAcks;
    private long nextId = 1;
    private long lastAckId;
    private int lastAckDestination;
    private long recentCount;

    private long acks;
    private long completingAcks;
    private long duplicateAcks;
    private long lateAcks;
    private long tracks;
    private long neverAckedTracks;

    /**
     * A stream for a workload, feeding a peer. Allocates its per-slot arrays here, before the peer opens.
     *
     * @param spec workload.
     * @param peer receives tracks and acks.
     */
    public AckStream(final WorkloadSpec spec, final Peer peer)
    {
        this.spec = spec;
        this.peer = peer;
        this.random = new SplittableRandom(spec.seed());
        this.slotId = new long[spec.pending()];
        this.slotAcked = new byte[spec.pending()];
        this.duplicatePpm = (int)Math.round(spec.duplicatePercent() * PPM / 100);
        this.lateOrDuplicatePpm = duplicatePpm + (int)Math.round(spec.latePercent() * PPM / 100);
        final double neverAcked = spec.neverAckedPercent() / 100;
        this.neverAckedPerCompletion = neverAcked / (1 - neverAcked);
        this.destinations = spec.destinations();
        this.requiredAcks = spec.requiredAcks();
    }

    /**
     * Track the initial {@code pending} ackable messages.
     */
    public void fill()
    {
        for (int slot = 0; slot < slotId.length; slot++)
        {
            slotId[slot] = trackAckable();
            if ((slot & 63) == 0)
            {
                peer.doWork();
            }
        }
        peer.doWork();
    }

    /**
     * Send the next ack, plus the tracks that follow a completion.
     *
     * @param stamps    told the intended time of a completing ack before it is sent; null for none.
     * @param intendedNs the time this ack was scheduled for (System.nanoTime), for the stamps.
     * @return the id this ack completes (as the stream expects), or 0 when it completes nothing.
     */
    public long step(final RunSink stamps, final long intendedNs)
    {
        final int roll = random.nextInt(PPM);
        if (roll < lateOrDuplicatePpm)
        {
            if (roll < duplicatePpm)
            {
                if (0 != lastAckId)
                {
                    acks++;
                    duplicateAcks++;
                    peer.ack(lastAckId, lastAckDestination);
                    return 0;
                }
            }
            else if (recentCount > 0)
            {
                acks++;
                lateAcks++;
                peer.ack(recent[random.nextInt((int)Math.min(recentCount, RECENT))], 0);
                return 0;
            }
        }

        final int slot = random.nextInt(slotId.length);
        final long id = slotId[slot];
        final int acked = slotAcked[slot];
        final int destination = pickUnacked(acked);
        final boolean completing = Integer.bitCount(acked) + 1 >= requiredAcks;
        if (completing && null != stamps)
        {
            stamps.stamp(id, intendedNs);
        }

        acks++;
        lastAckId = id;
        lastAckDestination = destination;
        peer.ack(id, destination);

        if (!completing)
        {
            slotAcked[slot] = (byte)(acked | (1 << destination));
            return 0;
        }

        completingAcks++;
        peer.onStreamCompleted(id);
        recent[(int)(recentCount++ & (RECENT - 1))] = id;
        slotAcked[slot] = 0;
        slotId[slot] = trackAckable();
        if (neverAckedPerCompletion > 0 && random.nextDouble() < neverAckedPerCompletion)
        {
            neverAckedTracks++;
            tracks++;
            peer.track(nextId++, spread(spec.neverAckedTimeoutMinNs(), spec.neverAckedTimeoutMaxNs()));
        }
        return id;
    }

    private long trackAckable()
    {
        final long id = nextId++;
        tracks++;
        peer.track(id, spread(spec.ackedTimeoutMinNs(), spec.ackedTimeoutMaxNs()));
        return id;
    }

    private int pickUnacked(final int acked)
    {
        if (1 == destinations)
        {
            return 0;
        }
        int choice = random.nextInt(destinations - Integer.bitCount(acked));
        for (int destination = 0; destination < destinations; destination++)
        {
            if ((acked & (1 << destination)) == 0 && choice-- == 0)
            {
                return destination;
            }
        }
        throw new IllegalStateException("no destination left to ack: " + acked);
    }

    private long spread(final long minNs, final long maxNs)
    {
        return minNs == maxNs ? minNs : minNs + random.nextLong(maxNs - minNs + 1);
    }

    /**
     * Acks sent, of every kind.
     *
     * @return the count.
     */
    public long acks()
    {
        return acks;
    }

    /**
     * Acks that completed a message.
     *
     * @return the count.
     */
    public long completingAcks()
    {
        return completingAcks;
    }

    public long duplicateAcks()
    {
        return duplicateAcks;
    }

    public long lateAcks()
    {
        return lateAcks;
    }

    /**
     * Messages tracked, ackable and never-acked, including the initial fill.
     *
     * @return the count.
     */
    public long tracks()
    {
        return tracks;
    }

    public long neverAckedTracks()
    {
        return neverAckedTracks;
    }
}

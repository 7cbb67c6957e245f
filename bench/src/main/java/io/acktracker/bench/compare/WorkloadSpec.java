package io.acktracker.bench.compare;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The message and ack stream every peer gets, identically.
 *
 * @param pending                 messages kept pending and ackable (steady state).
 * @param destinations            destinations per message (1 or 3).
 * @param requiredAcks            quorum (1, or 2 of 3).
 * @param neverAckedPercent       percentage of tracked messages that never get an ack, so their timeout fires.
 * @param duplicatePercent        percentage of acks that repeat the previous ack.
 * @param latePercent             percentage of acks for a message completed earlier.
 * @param ackedTimeoutMinNs       acked messages get a timeout spread evenly over [min, max]; it must not fire within
 *                                a run.
 * @param ackedTimeoutMaxNs       see above.
 * @param neverAckedTimeoutMinNs  never-acked messages get a timeout spread evenly over [min, max]; it fires within
 *                                the run.
 * @param neverAckedTimeoutMaxNs  see above.
 * @param seed                    seed of the stream's random choices (same stream for every peer).
 */
public record WorkloadSpec(
    int pending,
    int destinations,
    int requiredAcks,
    double neverAckedPercent,
    double duplicatePercent,
    double latePercent,
    long ackedTimeoutMinNs,
    long ackedTimeoutMaxNs,
    long neverAckedTimeoutMinNs,
    long neverAckedTimeoutMaxNs,
    long seed)
{
    /** Default acked-message timeout window: 5 to 10 minutes, longer than any run. */
    public static final long ACKED_TIMEOUT_MIN_NS = TimeUnit.MINUTES.toNanos(5);
    /** See {@link #ACKED_TIMEOUT_MIN_NS}. */
    public static final long ACKED_TIMEOUT_MAX_NS = TimeUnit.MINUTES.toNanos(10);
    /** Default never-acked timeout window: 0.5 to 1.5 seconds, so they fire during the run. */
    public static final long NEVER_ACKED_TIMEOUT_MIN_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /** See {@link #NEVER_ACKED_TIMEOUT_MIN_NS}. */
    public static final long NEVER_ACKED_TIMEOUT_MAX_NS = TimeUnit.MILLISECONDS.toNanos(1500);

    /**
     * Check the values.
     */
    public WorkloadSpec
    {
        if (pending < 1 || destinations < 1 || destinations > 8 || requiredAcks < 1 || requiredAcks > destinations)
        {
            throw new IllegalArgumentException("pending " + pending + ", destinations " + destinations +
                ", required acks " + requiredAcks);
        }
        if (neverAckedPercent < 0 || neverAckedPercent >= 100 || duplicatePercent < 0 || latePercent < 0 ||
            duplicatePercent + latePercent >= 100)
        {
            throw new IllegalArgumentException("percentages out of range");
        }
        if (ackedTimeoutMinNs <= 0 || ackedTimeoutMaxNs < ackedTimeoutMinNs ||
            neverAckedTimeoutMinNs <= 0 || neverAckedTimeoutMaxNs < neverAckedTimeoutMinNs)
        {
            throw new IllegalArgumentException("timeout windows out of range");
        }
    }

    /**
     * A workload with the default 1% duplicate, 1% late acks and the default timeout windows.
     *
     * @param pending           pending messages.
     * @param destinations      1 or 3.
     * @param neverAckedPercent percentage never acked.
     * @return the spec; three destinations get quorum two.
     */
    public static WorkloadSpec standard(final int pending, final int destinations, final double neverAckedPercent)
    {
        return new WorkloadSpec(pending, destinations, 1 == destinations ? 1 : 2, neverAckedPercent, 1.0, 1.0,
            ACKED_TIMEOUT_MIN_NS, ACKED_TIMEOUT_MAX_NS, NEVER_ACKED_TIMEOUT_MIN_NS, NEVER_ACKED_TIMEOUT_MAX_NS, 42);
    }

    /**
     * Read from {@code key=value} arguments ({@code pending, destinations, requiredAcks, neverAckedPercent,
     * duplicatePercent, latePercent, neverAckedTimeoutMinMs, neverAckedTimeoutMaxMs, seed}), defaults from
     * {@link #standard}.
     *
     * @param args arguments.
     * @return the spec.
     */
    public static WorkloadSpec from(final Map<String, String> args)
    {
        final int destinations = Integer.parseInt(args.getOrDefault("destinations", "3"));
        return new WorkloadSpec(
            Integer.parseInt(args.getOrDefault("pending", "100000")),
            destinations,
            Integer.parseInt(args.getOrDefault("requiredAcks", 1 == destinations ? "1" : "2")),
            Double.parseDouble(args.getOrDefault("neverAckedPercent", "1")),
            Double.parseDouble(args.getOrDefault("duplicatePercent", "1")),
            Double.parseDouble(args.getOrDefault("latePercent", "1")),
            ACKED_TIMEOUT_MIN_NS,
            ACKED_TIMEOUT_MAX_NS,
            millis(args, "neverAckedTimeoutMinMs", NEVER_ACKED_TIMEOUT_MIN_NS),
            millis(args, "neverAckedTimeoutMaxMs", NEVER_ACKED_TIMEOUT_MAX_NS),
            Long.parseLong(args.getOrDefault("seed", "42")));
    }

    private static long millis(final Map<String, String> args, final String key, final long defaultNs)
    {
        final String value = args.get(key);
        return null == value ? defaultNs : TimeUnit.MILLISECONDS.toNanos(Long.parseLong(value));
    }

    /**
     * The shape in a short label, e.g. {@code 3q2}.
     *
     * @return the label.
     */
    public String destinationsLabel()
    {
        return destinations == requiredAcks ? Integer.toString(destinations) : destinations + "q" + requiredAcks;
    }

    /**
     * The same messages for the peer interface, with room for never-acked messages in flight.
     *
     * @param extra additional capacity (never-acked messages waiting for their timeout).
     * @return the peer spec.
     */
    public PeerSpec peerSpec(final int extra)
    {
        return new PeerSpec(destinations, requiredAcks, pending + extra, pending);
    }
}

package io.acktracker.tools;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.TrackEncoder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.Agent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Fixed-rate load against a running tracker: message {@code i} is due at {@code start + i / rate}. It is tracked a
 * little ahead of that time ({@code trackAheadNs}), and at its due time every destination acks it. The Track goes on
 * the sender's Aeron session and the acks on the destinations' sessions, which the tracker reads in turn: an ack that
 * overtakes its Track is an orphan and the message then waits for its timeout. So, when the tracker's transport
 * counters can be read (a service with a data directory), an ack also waits until the tracker has read that many
 * Track frames; with client sessions (always over a cluster, whose log takes the sender's and the destinations'
 * frames from separate cluster sessions in any order), until the tracker confirmed it applied the Track. A Redeliver
 * frame for a message still waiting is answered with the destination's ack again. The latency of a message is from
 * its due time to the arrival of its Outcome frame: timed from the schedule, not from when the ack actually went out,
 * so a stall in the tracker, the driver or this generator delays everything behind it and shows in the numbers
 * (corrected for coordinated omission). The uncorrected figure, from the last ack's actual send, is kept beside it.
 * <p>
 * Threading: {@link #doWork()} and the handler callbacks on the load thread; {@link #stat(int)} and the recorder's
 * interval histograms from any thread; the uncorrected histogram once the agent has stopped.
 */
final class LoadGenerator implements Agent, TrackerClientHandler
{
    static final int TRACKED = 0;
    static final int ACKED = 1;
    static final int COMPLETED = 2;
    static final int FAILED = 3;
    static final int EXPIRED = 4;
    static final int REFUSED = 5;
    static final int OUTSTANDING = 6;
    static final int TRACK_BACK_PRESSURE = 7;
    static final int ACK_BACK_PRESSURE = 8;
    static final int REDELIVERS = 9;
    static final int STATS = 10;

    static final long HIGHEST_LATENCY_NS = TimeUnit.SECONDS.toNanos(60);

    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final int BURST = 256;
    private static final int POLL_LIMIT = 256;

    private final TrackerClient client;
    private final AckPublisher[] publishers;
    /** With sessions: the destinations' clients (polled for their confirmations), else null. */
    private final DestinationClient[] destinationClients;
    private final ClientSession session;
    private long firstSequence;
    private final TrackRequest request = new TrackRequest();
    private final long destinationMask;
    private final int quorum;
    private final long ackTimeoutNs;
    private final int rate;
    private final long trackAheadNs;
    private final long warmupNs;
    private final long endNs;
    private final long firstId;
    private final Long2LongHashMap lastAckNs = new Long2LongHashMap(Long.MIN_VALUE);
    private final SingleWriterRecorder recorder = new SingleWriterRecorder(HIGHEST_LATENCY_NS, 3);
    private final Histogram uncorrected = new Histogram(HIGHEST_LATENCY_NS, 3);
    private final AtomicLongArray stats = new AtomicLongArray(STATS);
    private final LongSupplier tracksRead;
    private final int[] publisherOfDestination = new int[DestinationRegistry.MAX_DESTINATIONS];
    private final AckSchedule reacks = new AckSchedule(64);
    private long tracksReadAtStart;

    private long startNs;
    private long nextTrackId;
    private long nextAckId;
    private int nextAckDestination;
    private volatile boolean done;

    /**
     * A generator; nothing is sent until it runs.
     *
     * @param target          where the tracker is; the sender and one publisher per destination connect to it.
     * @param destinationMask the destinations' tracker ids.
     * @param quorum          acks needed per message (0 = all).
     * @param ackTimeoutNs    per-message ack timeout (0 = the tracker's default).
     * @param rate            messages per second.
     * @param trackAheadNs    how long before its acks a message is tracked.
     * @param warmupNs        first stretch not recorded.
     * @param durationNs      recorded stretch after the warm-up.
     * @param firstId         first message id.
     * @param tracksRead      Track frames the tracker has read (its transport counter), or null when unknown.
     */
    LoadGenerator(
        final LoadTarget target,
        final long destinationMask,
        final int quorum,
        final long ackTimeoutNs,
        final int rate,
        final long trackAheadNs,
        final long warmupNs,
        final long durationNs,
        final long firstId,
        final LongSupplier tracksRead,
        final boolean sessions)
    {
        this.tracksRead = tracksRead;
        java.util.Arrays.fill(publisherOfDestination, -1);
        for (int i = 0; i < target.ids().length; i++)
        {
            publisherOfDestination[target.ids()[i]] = i;
        }
        this.client = target.newClient(this, sessions);
        this.session = client.session();
        try
        {
            this.destinationClients = sessions ? target.newDestinationClients(this) : null;
            if (sessions)
            {
                this.publishers = new AckPublisher[destinationClients.length];
                for (int i = 0; i < publishers.length; i++)
                {
                    publishers[i] = destinationClients[i].publisher();
                }
            }
            else
            {
                this.publishers = target.newPublishers();
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(client);
            throw ex;
        }
        this.destinationMask = destinationMask;
        this.quorum = quorum;
        this.ackTimeoutNs = ackTimeoutNs;
        this.rate = rate;
        this.trackAheadNs = trackAheadNs;
        this.warmupNs = warmupNs;
        this.endNs = warmupNs + durationNs;
        this.firstId = firstId;
        this.nextTrackId = firstId;
        this.nextAckId = firstId;
    }

    public void onStart()
    {
        startNs = System.nanoTime() + trackAheadNs;
        tracksReadAtStart = null == tracksRead ? 0 : tracksRead.getAsLong();
    }

    public int doWork()
    {
        final long nowNs = System.nanoTime();
        int work = pollClients();
        work += track(nowNs);
        work += ack(nowNs);
        work += reack(nowNs);
        stats.lazySet(OUTSTANDING, lastAckNs.size());
        return work;
    }

    public void onClose()
    {
        CloseHelper.quietClose(client);
        if (null != destinationClients)
        {
            CloseHelper.quietCloseAll(destinationClients);
        }
        else
        {
            CloseHelper.quietCloseAll(publishers);
        }
    }

    private int pollClients()
    {
        int work = client.poll(POLL_LIMIT);
        if (null != destinationClients)
        {
            for (final DestinationClient destination : destinationClients)
            {
                work += destination.poll(POLL_LIMIT);
            }
        }
        return work;
    }

    public String roleName()
    {
        return "acktracker-load";
    }

    private long dueNs(final long messageId)
    {
        // i / rate seconds exactly, for any rate (a whole-nanosecond interval drifts: 333 ns is 3,003,003/s)
        final long i = messageId - firstId;
        return startNs + i / rate * NANOS_PER_SECOND + i % rate * NANOS_PER_SECOND / rate;
    }

    private int track(final long nowNs)
    {
        int work = 0;
        while (work < BURST && !done)
        {
            final long dueNs = dueNs(nextTrackId);
            if (dueNs - startNs >= endNs)
            {
                done = true;
                break;
            }
            if (nowNs - (dueNs - trackAheadNs) < 0)
            {
                break;
            }
            request.reset().messageId(nextTrackId).destinations(destinationMask).requiredAcks(quorum);
            if (ackTimeoutNs > 0)
            {
                request.ackTimeoutNs(ackTimeoutNs);
            }
            final long taken = client.tryTrack(request);
            if (taken < 0)
            {
                increment(TRACK_BACK_PRESSURE);
                break;
            }
            if (null != session && nextTrackId == firstId)
            {
                // with a session every Track taken uses the next sequence: the id's sequence follows from this one
                firstSequence = taken;
            }
            lastAckNs.put(nextTrackId, 0);
            nextTrackId++;
            work++;
        }
        if (work > 0)
        {
            stats.lazySet(TRACKED, nextTrackId - firstId);
        }
        return work;
    }

    private int ack(final long nowNs)
    {
        // a destination acks what was tracked: with a session, what the tracker confirmed applied; without one, what
        // its transport read (or, without its counters, what was sent)
        final long readUpTo = null != session ? (0 == firstSequence ? firstId :
            firstId + session.appliedThrough() - firstSequence + 1) :
            null == tracksRead ? Long.MAX_VALUE : firstId + tracksRead.getAsLong() - tracksReadAtStart;
        int work = 0;
        while (work < BURST && nextAckId < nextTrackId && nextAckId < readUpTo && nowNs - dueNs(nextAckId) >= 0)
        {
            if (publishers[nextAckDestination].tryAck(nextAckId) < 0)
            {
                increment(ACK_BACK_PRESSURE);
                break;
            }
            work++;
            if (lastAckNs.containsKey(nextAckId))
            {
                lastAckNs.put(nextAckId, System.nanoTime());
            }
            if (++nextAckDestination == publishers.length)
            {
                nextAckDestination = 0;
                nextAckId++;
                stats.lazySet(ACKED, nextAckId - firstId);
            }
        }
        return work;
    }

    public void onOutcome(
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts,
        final boolean replay)
    {
        final long ackedNs = lastAckNs.remove(messageId);
        if (messageId < firstId || messageId >= nextTrackId)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        if (Outcome.COMPLETED == outcome)
        {
            increment(COMPLETED);
            if (dueNs(messageId) - startNs >= warmupNs)
            {
                recorder.recordValue(Math.min(HIGHEST_LATENCY_NS, Math.max(0, nowNs - dueNs(messageId))));
                if (Long.MIN_VALUE != ackedNs && 0 != ackedNs)
                {
                    uncorrected.recordValue(Math.min(HIGHEST_LATENCY_NS, Math.max(0, nowNs - ackedNs)));
                }
            }
        }
        else
        {
            increment(Outcome.FAILED == outcome ? FAILED : EXPIRED);
        }
    }

    private int reack(final long nowNs)
    {
        int work = 0;
        while (work < BURST && reacks.isDue(nowNs))
        {
            if (publishers[reacks.peekDestination()].tryAck(reacks.peekMessageId()) < 0)
            {
                break;
            }
            reacks.remove();
            work++;
        }
        return work;
    }

    public void onRedeliver(final long messageId, final int destinationId, final int attempt)
    {
        increment(REDELIVERS);
        if (destinationId >= 0 && destinationId < publisherOfDestination.length &&
            publisherOfDestination[destinationId] >= 0 && lastAckNs.containsKey(messageId))
        {
            reacks.add(System.nanoTime(), messageId, publisherOfDestination[destinationId]);
        }
    }

    public void onRefused(final int refusedTemplateId, final long correlationId, final RefusalCode code,
        final int destinationId)
    {
        if (TrackEncoder.TEMPLATE_ID == refusedTemplateId)
        {
            increment(REFUSED);
            lastAckNs.remove(correlationId);
        }
    }

    private void increment(final int stat)
    {
        stats.lazySet(stat, stats.get(stat) + 1);
    }

    long stat(final int stat)
    {
        return stats.get(stat);
    }

    boolean isDone()
    {
        return done;
    }

    /**
     * Whether the sender and every destination are connected to the tracker. Before the agent starts.
     *
     * @return a sentence saying what is not connected, or null when everything is.
     */
    String notConnected()
    {
        pollClients();
        if (!client.isConnected())
        {
            return "sender";
        }
        if (null != session && !session.isBound())
        {
            return "sender's session";
        }
        for (int i = 0; null != destinationClients && i < destinationClients.length; i++)
        {
            if (!destinationClients[i].publisher().session().isBound())
            {
                return "destination's session";
            }
        }
        for (final AckPublisher publisher : publishers)
        {
            if (!publisher.isConnected())
            {
                return "destination publisher";
            }
        }
        return null;
    }

    /**
     * Latencies recorded since the last call (corrected, ns). Any one reader thread.
     *
     * @param recycle the histogram the previous call returned, or null.
     * @return the interval's histogram.
     */
    Histogram intervalHistogram(final Histogram recycle)
    {
        return recorder.getIntervalHistogram(recycle);
    }

    /**
     * Uncorrected latencies (from the last ack's actual send); read after the agent stopped.
     *
     * @return the histogram.
     */
    Histogram uncorrected()
    {
        return uncorrected;
    }
}

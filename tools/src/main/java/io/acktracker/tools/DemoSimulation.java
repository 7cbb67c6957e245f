package io.acktracker.tools;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.TrackEncoder;
import io.aeron.Aeron;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.Agent;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The demo's sender and destinations over Aeron, as one agent on one thread: the sender tracks messages at a fixed
 * rate with a {@link TrackerClient} and reads the tracker's Outcome, Redeliver and Refused frames; each simulated
 * destination has its own {@link AckPublisher} (its own session) and acks what it was sent after its own latency,
 * unless it loses the ack (the flaky one) or has gone dark. A Redeliver frame from the tracker sends the message to
 * that destination again, which then acks (or loses) it like any delivery.
 * <p>
 * Latency is measured by the sender from each message's intended send time on the fixed-rate schedule to the
 * Outcome frame's arrival, so a stall shows up in the numbers rather than hiding (coordinated omission).
 * <p>
 * Threading: {@link #doWork()} and the handler callbacks on the demo's agent thread; {@link #stat(int)},
 * {@link #outstanding()} and {@link #isSendingDone()} from any thread; the histograms and reason counts once the
 * agent has stopped.
 */
final class DemoSimulation implements Agent, TrackerClientHandler
{
    static final int SENT = 0;
    static final int COMPLETED = 1;
    static final int FAILED = 2;
    static final int EXPIRED = 3;
    static final int REFUSED = 4;
    static final int REDELIVERS_RECEIVED = 5;
    static final int REDELIVERED = 6;
    static final int ACKS_SENT = 7;
    static final int ACKS_LOST = 8;
    static final int DARK_DROPPED = 9;
    static final int UNKNOWN_OUTCOMES = 10;
    static final int SEND_BACK_PRESSURE = 11;
    static final int OUTSTANDING = 12;
    static final int ACK_BACK_PRESSURE = 13;
    static final int STATS = 14;

    private static final int SEND_BURST = 256;
    private static final int ACK_BURST = 1024;
    private static final int POLL_LIMIT = 256;
    /** The sender's client name: its session's id is derived from it. */
    static final String SENDER_NAME = "demo-sender";
    private static final long HIGHEST_LATENCY_NS = TimeUnit.SECONDS.toNanos(60);

    /**
     * How a simulated destination behaves.
     *
     * @param name          registered name.
     * @param role          a few words for the summary.
     * @param meanLatencyNs typical time to process and ack.
     * @param loss          fraction of acks it loses (0..1).
     * @param darkAfterNs   time into the run after which it answers nothing, or {@link Long#MAX_VALUE}.
     */
    record Destination(String name, String role, long meanLatencyNs, double loss, long darkAfterNs)
    {
    }

    private final List<Destination> destinations;
    private final TrackerClient client;
    private final AckPublisher[] publishers;
    private final TrackRequest request = new TrackRequest();
    private final long allDestinations;
    private final int quorum;
    private final long intervalNs;
    private final long messageLimit;
    private final long runNs;
    private final SplittableRandom random;
    private final AckSchedule acks = new AckSchedule(8192);
    private final Long2LongHashMap intendedSendNs = new Long2LongHashMap(Long.MIN_VALUE);
    private final Histogram completedLatency = new Histogram(HIGHEST_LATENCY_NS, 3);
    private final Histogram firstAttemptLatency = new Histogram(HIGHEST_LATENCY_NS, 3);
    private final Histogram retriedLatency = new Histogram(HIGHEST_LATENCY_NS, 3);
    private final Histogram allLatency = new Histogram(HIGHEST_LATENCY_NS, 3);
    private final long[][] reasons = new long[Outcome.values().length][FailureReason.values().length];
    private final AtomicLongArray stats = new AtomicLongArray(STATS);

    private long startNs;
    private long nextSendNs;
    private final long firstId;
    private long nextId;
    private long nextDeliveryId;
    private long sent;
    private volatile boolean sendingDone;

    /**
     * A simulation; nothing is sent until it runs.
     *
     * @param aeron          a client of the tracker's driver.
     * @param destinations   the destinations, in the tracker's id order.
     * @param quorum       acks needed per message.
     * @param rate         messages per second.
     * @param runNs        how long to send for.
     * @param messageLimit most messages to send.
     * @param firstId      first message id.
     * @param seed         random seed (losses, latencies).
     */
    DemoSimulation(
        final Aeron aeron,
        final List<Destination> destinations,
        final int quorum,
        final int rate,
        final long runNs,
        final long messageLimit,
        final long firstId,
        final long seed)
    {
        this.destinations = destinations;
        this.quorum = quorum;
        this.intervalNs = Math.max(1, TimeUnit.SECONDS.toNanos(1) / rate);
        this.runNs = runNs;
        this.messageLimit = messageLimit;
        this.firstId = firstId;
        this.nextId = firstId;
        this.nextDeliveryId = firstId;
        this.random = new SplittableRandom(seed);
        this.allDestinations = destinations.size() == 64 ? -1L : (1L << destinations.size()) - 1;
        // the sender's Tracks go through a client session: numbered, kept until the tracker confirms them, and its
        // outcomes come from its outbox, each once (the exactly-once path, PROTOCOL.md "Sessions")
        this.client = new TrackerClient(aeron, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_INBOUND_STREAM_ID,
            Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_OUTBOUND_STREAM_ID, this,
            new ClientSession.Settings(ClientSession.Settings.idOf(SENDER_NAME), SENDER_NAME));
        this.publishers = new AckPublisher[destinations.size()];
        try
        {
            for (int i = 0; i < publishers.length; i++)
            {
                publishers[i] = new AckPublisher(aeron, destinations.get(i).name());
            }
        }
        catch (final RuntimeException ex)
        {
            onClose();
            throw ex;
        }
    }

    /**
     * Whether the sender and every destination reach the tracker. Before the agent starts: caller's thread.
     *
     * @return true when connected both ways.
     */
    boolean isConnected()
    {
        // binds the sender's session (before the agent starts, so on this thread)
        client.poll(POLL_LIMIT);
        if (!client.isConnected() || !client.session().isBound())
        {
            return false;
        }
        for (final AckPublisher publisher : publishers)
        {
            if (!publisher.isConnected())
            {
                return false;
            }
        }
        return true;
    }

    public void onStart()
    {
        startNs = System.nanoTime();
        nextSendNs = startNs;
    }

    public int doWork()
    {
        final long nowNs = System.nanoTime();
        int work = client.poll(POLL_LIMIT);
        work += send(nowNs);
        work += deliverTracked(nowNs);
        work += publishAcks(nowNs);
        stats.lazySet(OUTSTANDING, intendedSendNs.size());
        return work;
    }

    public void onClose()
    {
        CloseHelper.quietClose(client);
        if (null != publishers)
        {
            CloseHelper.quietCloseAll(publishers);
        }
    }

    public String roleName()
    {
        return "acktracker-demo-sim";
    }

    private int send(final long nowNs)
    {
        int work = 0;
        while (!sendingDone && work < SEND_BURST && nowNs - nextSendNs >= 0)
        {
            if (sent >= messageLimit || nextSendNs - (startNs + runNs) >= 0)
            {
                sendingDone = true;
                break;
            }
            final long messageId = nextId;
            request.reset().messageId(messageId).destinations(allDestinations).requiredAcks(quorum);
            if (client.tryTrack(request) < 0)
            {
                stats.lazySet(SEND_BACK_PRESSURE, stats.get(SEND_BACK_PRESSURE) + 1);
                break;
            }
            intendedSendNs.put(messageId, nextSendNs);
            nextId++;
            sent++;
            nextSendNs += intervalNs;
            work++;
        }
        if (work > 0)
        {
            stats.lazySet(SENT, sent);
        }
        return work;
    }

    /**
     * Hand the messages the tracker has applied to their destinations. The sender's Track and a destination's ack
     * travel on different Aeron sessions, and the tracker reads its images in turn, so an ack sent too early can
     * overtake its Track. The sender's session says what the tracker applied (its Tracks are numbered 1, 2, ... in
     * id order, and the tracker confirms them cumulatively), so a message goes to its destinations once its Track
     * is confirmed applied, as a real sender with a session would do.
     */
    private int deliverTracked(final long nowNs)
    {
        final long received = firstId + client.session().appliedThrough();
        int work = 0;
        while (nextDeliveryId < nextId && nextDeliveryId < received)
        {
            for (int d = 0; d < publishers.length; d++)
            {
                deliver(nextDeliveryId, d, nowNs);
            }
            nextDeliveryId++;
            work++;
        }
        return work;
    }

    /**
     * A destination receives a message (first delivery or a redelivery) and will ack it after its latency, unless
     * it loses the ack or is dark.
     */
    private void deliver(final long messageId, final int destination, final long nowNs)
    {
        final Destination behaviour = destinations.get(destination);
        if (nowNs - startNs >= behaviour.darkAfterNs())
        {
            increment(DARK_DROPPED);
            return;
        }
        if (behaviour.loss() > 0 && random.nextDouble() < behaviour.loss())
        {
            increment(ACKS_LOST);
            return;
        }
        final long meanNs = behaviour.meanLatencyNs();
        long delayNs = meanNs / 2 + (long)(meanNs * random.nextDouble());
        if (random.nextInt(100) == 0)
        {
            delayNs *= 10;
        }
        acks.add(nowNs + delayNs, messageId, destination);
    }

    private int publishAcks(final long nowNs)
    {
        int work = 0;
        while (work < ACK_BURST && acks.isDue(nowNs))
        {
            if (publishers[acks.peekDestination()].tryAck(acks.peekMessageId()) < 0)
            {
                increment(ACK_BACK_PRESSURE);
                break;
            }
            acks.remove();
            work++;
        }
        if (work > 0)
        {
            stats.lazySet(ACKS_SENT, stats.get(ACKS_SENT) + work);
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
        final long intendedNs = intendedSendNs.remove(messageId);
        if (Long.MIN_VALUE == intendedNs)
        {
            increment(UNKNOWN_OUTCOMES);
            return;
        }
        final long observedNs = Math.min(HIGHEST_LATENCY_NS, Math.max(0, System.nanoTime() - intendedNs));
        allLatency.recordValue(observedNs);
        reasons[outcome.ordinal()][reason.ordinal()]++;
        switch (outcome)
        {
            case COMPLETED:
                completedLatency.recordValue(observedNs);
                (attempts > 1 ? retriedLatency : firstAttemptLatency).recordValue(observedNs);
                increment(COMPLETED);
                break;
            case FAILED:
                increment(FAILED);
                break;
            default:
                increment(EXPIRED);
                break;
        }
    }

    public void onRedeliver(final long messageId, final int destinationId, final int attempt)
    {
        increment(REDELIVERS_RECEIVED);
        if (destinationId < publishers.length && intendedSendNs.containsKey(messageId))
        {
            increment(REDELIVERED);
            deliver(messageId, destinationId, System.nanoTime());
        }
    }

    public void onRefused(final int refusedTemplateId, final long correlationId, final RefusalCode code,
        final int destinationId)
    {
        increment(REFUSED);
        if (TrackEncoder.TEMPLATE_ID == refusedTemplateId)
        {
            intendedSendNs.remove(correlationId);
        }
    }

    private void increment(final int stat)
    {
        stats.lazySet(stat, stats.get(stat) + 1);
    }

    /**
     * One of the running totals. Any thread.
     *
     * @param stat index, e.g. {@link #COMPLETED}.
     * @return its value.
     */
    long stat(final int stat)
    {
        return stats.get(stat);
    }

    /**
     * Messages sent that have no outcome yet. Any thread.
     *
     * @return the count.
     */
    /**
     * The sender's session, for the summary: Tracks confirmed applied, resent, outcomes from the outbox. After the
     * agent stopped.
     *
     * @return the session.
     */
    ClientSession session()
    {
        return client.session();
    }

    long outstanding()
    {
        return stats.get(OUTSTANDING);
    }

    boolean isSendingDone()
    {
        return sendingDone;
    }

    /**
     * Track-to-outcome latency of completed messages as the sender saw it; read after the agent stopped.
     *
     * @return the histogram.
     */
    Histogram completedLatency()
    {
        return completedLatency;
    }

    /**
     * Track-to-outcome latency of messages completed on their first delivery attempt (no redelivery); read after
     * the agent stopped.
     *
     * @return the histogram.
     */
    Histogram firstAttemptLatency()
    {
        return firstAttemptLatency;
    }

    /**
     * Track-to-outcome latency of messages completed after at least one redelivery; read after the agent stopped.
     *
     * @return the histogram.
     */
    Histogram retriedLatency()
    {
        return retriedLatency;
    }

    /**
     * Track-to-outcome latency of every outcome; read after the agent stopped.
     *
     * @return the histogram.
     */
    Histogram allLatency()
    {
        return allLatency;
    }

    /**
     * Outcomes by reason; read after the agent stopped.
     *
     * @param outcome which outcome.
     * @return counts indexed by {@link FailureReason#ordinal()}.
     */
    long[] reasons(final Outcome outcome)
    {
        return reasons[outcome.ordinal()];
    }

    List<Destination> destinations()
    {
        return destinations;
    }
}

package io.acktracker.bench.compare.peer;

import io.acktracker.bench.compare.OutcomeSink;
import io.acktracker.bench.compare.Peer;
import io.acktracker.bench.compare.PeerSpec;
import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.CommandType;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.OutcomeListener;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * acktracker's engine in-process on its own agent thread ({@code AckTracker.launch}, the default backoff idle
 * strategy): the driver offers tracks and acks through the many-to-one command ring buffer, spinning while it is
 * back pressured; the agent applies them and tells the sink on its thread. In memory.
 * <p>
 * {@link #track} and {@link #ack}: driver thread only.
 */
public final class AckTrackerQueuedPeer implements Peer, OutcomeListener
{
    private final TrackRequest request = new TrackRequest();
    private final int[] destinationIds = new int[64];
    private final AtomicLong refusedTracks = new AtomicLong();
    private AckTracker tracker;
    private OutcomeSink sink;
    private long mask;
    private int requiredAcks;

    public String name()
    {
        return "acktracker-queued";
    }

    public String threading()
    {
        return "own agent thread (AgentRunner, backoff idle); the driver offers commands through the ring buffer; " +
            "outcomes on the agent thread";
    }

    public void open(final PeerSpec spec, final OutcomeSink sink)
    {
        this.sink = sink;
        tracker = AckTracker.launch(AckTrackerPeer.config(spec)
            .outcomeListener(this)
            .refusalListener((command, id, result) ->
            {
                if (CommandType.TRACK == command)
                {
                    refusedTracks.incrementAndGet();
                }
            }));
        mask = 0;
        for (int i = 0; i < spec.destinations(); i++)
        {
            destinationIds[i] = tracker.destination("d" + i);
            mask |= 1L << destinationIds[i];
        }
        requiredAcks = spec.requiredAcks();
    }

    public void track(final long messageId, final long timeoutNs)
    {
        request.reset()
            .messageId(messageId)
            .destinations(mask)
            .requiredAcks(requiredAcks)
            .ackTimeoutNs(TrackRequest.NO_TIMEOUT)
            .ttlNs(timeoutNs);
        Result result;
        while (Result.BACK_PRESSURED == (result = tracker.offerTrack(request)))
        {
            Thread.onSpinWait();
        }
        if (Result.QUEUED != result || refusedTracks.get() > 0)
        {
            throw new IllegalStateException("track " + messageId + " refused: " + result + ", refused so far " +
                refusedTracks.get());
        }
    }

    public void ack(final long messageId, final int destination)
    {
        final int id = destinationIds[destination];
        while (Result.BACK_PRESSURED == tracker.offerAck(messageId, id))
        {
            Thread.onSpinWait();
        }
    }

    public long offHeapBytes()
    {
        return tracker.agent().records().offHeapBytes();
    }

    public void onOutcome(
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts,
        final boolean replay)
    {
        if (Outcome.COMPLETED == outcome)
        {
            sink.onCompleted(messageId);
        }
        else
        {
            sink.onTimedOut(messageId);
        }
    }

    public void close()
    {
        if (null != tracker)
        {
            tracker.close();
            tracker = null;
        }
    }
}

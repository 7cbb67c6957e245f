package io.acktracker.bench.compare.peer;

import io.acktracker.bench.compare.OutcomeSink;
import io.acktracker.bench.compare.Peer;
import io.acktracker.bench.compare.PeerSpec;
import io.acktracker.bench.support.TempDirs;
import io.acktracker.engine.AckTracker;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.CommandType;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.OutcomeListener;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * acktracker's engine in-process, driven by the host: the driver thread is the agent thread. It tracks and acks
 * through the agent's synchronous API, runs {@code doWork()} between commands, and outcomes reach the sink inline.
 * No helper thread.
 * <p>
 * Configuration: the engine's defaults (service-time recording on) except no tombstones ({@code tombstoneWindowNs(0)},
 * finished messages are forgotten at once, as the other peers do), and one timeout that fires once, as the other
 * peers' timers do: the workload's timeout is the message's TTL, the ack timeout is off, so a never-acked message
 * ends EXPIRED at its deadline with no retry and no dead letter ({@code deadLetterExpired(false)}). The engine's
 * retry path (ack timeout, backoff, redelivery, dead-lettering) is measured on its own in the JMH
 * {@code RetryBenchmark}, not here: no peer has one. {@code persisted} puts the pending table in a Chronicle Map file in a scratch directory (records written
 * in place); {@code journal} keeps the tables in memory and appends every command to the command journal in a
 * scratch directory ({@code -Dacktracker.bench.dir} chooses the filesystem: ext4, tmpfs); {@code memory} is
 * off-heap memory and nothing else.
 * <p>
 * Driver thread only.
 */
public final class AckTrackerPeer implements Peer, OutcomeListener
{
    /** Where the peer keeps its state. */
    public enum Store
    {
        /** Off-heap memory only. */
        MEMORY,
        /** Records written in place in Chronicle Map files. */
        PERSISTED,
        /** Tables in memory, every command appended to the command journal. */
        JOURNAL
    }

    private final Store store;
    private final boolean batched;
    private long refusedTracks;
    private final TrackRequest request = new TrackRequest();
    private final int[] destinationIds = new int[64];
    private AckTracker tracker;
    private TrackerAgent agent;
    private OutcomeSink sink;
    private Path dataDir;
    private long mask;
    private int requiredAcks;

    /**
     * A peer in memory or persisted.
     *
     * @param store where it keeps its state.
     */
    public AckTrackerPeer(final Store store)
    {
        this(store, false);
    }

    /**
     * A peer in memory, persisted or journaled, applying each command at once or in batches.
     *
     * @param store   where it keeps its state.
     * @param batched true to offer commands to the tracker's command queue and have {@code doWork()} apply them in
     *                batches (with the first pass over each batch), as an application does that hands the tracker
     *                what one poll of its network brought; false to apply each command in its call.
     */
    public AckTrackerPeer(final Store store, final boolean batched)
    {
        this.store = store;
        this.batched = batched;
    }

    public String name()
    {
        return "acktracker-" + store.name().toLowerCase(java.util.Locale.ROOT) + (batched ? "-batched" : "");
    }

    public String threading()
    {
        return batched ?
            "host-driven: the driver thread offers tracks and acks to the command queue and is the agent (doWork() " +
            "applies them in batches between commands); no helper thread" :
            "host-driven: the driver thread is the agent (synchronous track/ack, doWork() between commands); " +
            "no helper thread";
    }

    public void open(final PeerSpec spec, final OutcomeSink sink)
    {
        this.sink = sink;
        dataDir = Store.MEMORY != store ? TempDirs.create("acktracker-compare-") : null;
        tracker = AckTracker.open(config(spec).dataDir(dataDir).journal(Store.JOURNAL == store)
            .outcomeListener(this)
            .refusalListener((command, id, result) ->
            {
                if (CommandType.TRACK == command)
                {
                    refusedTracks++;
                }
            }));
        agent = tracker.agent();
        mask = 0;
        for (int i = 0; i < spec.destinations(); i++)
        {
            destinationIds[i] = tracker.destination("d" + i);
            mask |= 1L << destinationIds[i];
        }
        requiredAcks = spec.requiredAcks();
    }

    static TrackerConfig config(final PeerSpec spec)
    {
        final TrackerConfig config = new TrackerConfig()
            .name("compare")
            .capacity(spec.capacity())
            .tombstoneCapacity(0)
            .tombstoneWindowNs(0)
            .deadLetterExpired(false)
            .randomSeed(42)
            // for side-by-side runs of the queued peer with and without the first pass over each batch
            .prefetchCommands(!Boolean.getBoolean("acktracker.bench.noPrefetch"))
            // group commit of the journal store (or msync of the tables): what its cost is, side by side
            .syncIntervalNs(TimeUnit.MILLISECONDS.toNanos(Long.getLong("acktracker.bench.syncIntervalMs", 0)));
        final Long checkpointMiB = Long.getLong("acktracker.bench.checkpointMiB");
        if (null != checkpointMiB)
        {
            // how often the journal store checkpoints (MiB of journal, 0 for none): what checkpoints cost
            config.checkpointIntervalBytes(checkpointMiB << 20);
        }
        for (int i = 0; i < spec.destinations(); i++)
        {
            config.destinations("d" + i);
        }
        return config;
    }

    public void track(final long messageId, final long timeoutNs)
    {
        request.reset()
            .messageId(messageId)
            .destinations(mask)
            .requiredAcks(requiredAcks)
            .ackTimeoutNs(TrackRequest.NO_TIMEOUT)
            .ttlNs(timeoutNs);
        if (batched)
        {
            Result result;
            while (Result.BACK_PRESSURED == (result = tracker.offerTrack(request)))
            {
                agent.doWork();
            }
            if (Result.QUEUED != result || refusedTracks > 0)
            {
                throw new IllegalStateException("track " + messageId + " refused: " + result + ", refused so far " +
                    refusedTracks);
            }
            return;
        }
        final Result result = agent.track(request);
        if (Result.OK != result)
        {
            throw new IllegalStateException("track " + messageId + " refused: " + result);
        }
    }

    public void ack(final long messageId, final int destination)
    {
        if (batched)
        {
            while (Result.BACK_PRESSURED == tracker.offerAck(messageId, destinationIds[destination]))
            {
                agent.doWork();
            }
            return;
        }
        agent.recordAck(messageId, destinationIds[destination]);
    }

    public int doWork()
    {
        return agent.doWork();
    }

    public long offHeapBytes()
    {
        return agent.records().offHeapBytes();
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
        TempDirs.delete(dataDir);
    }
}

package io.acktracker.bench.compare.peer;

import io.acktracker.bench.compare.OutcomeSink;
import io.acktracker.bench.compare.Peer;
import io.acktracker.bench.compare.PeerSpec;
import io.acktracker.bench.compare.RunResult;
import io.acktracker.bench.support.TempDirs;
import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.metrics.MetricsSnapshot;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.AeronTransport;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.RefusalCode;
import io.aeron.Aeron;
import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * acktracker over Aeron IPC, the whole stack on one host: an embedded media driver (SHARED threading, a unique
 * directory under {@code /dev/shm} deleted on close, 64 KiB IPC terms), the tracker on its own agent thread with the
 * {@link AeronTransport} extension in its duty cycle (yielding idle strategy, in-memory table), and on the driver
 * thread a sender's {@link TrackerClient} (Track out, Outcome in) and one destination's {@link AckPublisher} per
 * destination. An outcome reaches the sink when the driver thread reads the Outcome frame from {@link #doWork()}, so
 * a latency is ack offered on IPC -> agent reads it -> Outcome published -> Outcome read by the sender.
 * <p>
 * The tracker's configuration is {@link AckTrackerPeer}'s (one deadline per message, the TTL, no retry, no dead
 * letter, no tombstones) plus an early-ack window: tracks and acks travel on different publications, and an ack for
 * a just-tracked message may overtake its Track (see {@link #EARLY_ACK_WINDOW_NS}). How many acks took that path is
 * in the results ({@code earlyAcksHeld}, {@code earlyAcksApplied}, {@code orphanAcks}).
 * <p>
 * Three variants, to see what each layer costs: {@code acktracker-aeron-ipc} (tables in memory, the plain v2 path:
 * Tracks unnumbered, outcomes told to every subscriber), {@code acktracker-aeron-ipc-journal} (the same path, the
 * journal store in a scratch directory, {@code -Dacktracker.bench.dir} chooses where) and
 * {@code acktracker-aeron-ipc-sessions} (the journal store, and the sender's Tracks through a client session:
 * numbered, kept until the tracker confirms them, outcomes from the sender's outbox, confirmed back). Sessions are
 * measured against the journal variant: the same store both ways, since a session's promise rests on the journal.
 * With a session each pending message holds an outbox entry, so the outbox is sized to the tracker's capacity, in
 * every variant (an outbox is allocated only when a session opens): the tracker's settings are the same on and off.
 * <p>
 * {@link #track}, {@link #ack}, {@link #doWork()}: driver thread only; the tracker runs on its own thread.
 */
public final class AeronIpcPeer implements Peer, TrackerClientHandler
{
    private static final int FRAGMENT_LIMIT = 256;
    /**
     * The smallest IPC term: its 32 KiB publication window bounds how far the driver's Track publication and its
     * Ack publications can drift apart while the tracker is saturated (a few hundred frames, well inside the
     * early-ack window). With 8 MiB terms a saturating driver ran seconds ahead on the ack sessions and most acks
     * overtook their Tracks.
     */
    private static final int IPC_TERM_LENGTH = 64 * 1024;
    /**
     * Tracks and acks travel on different publications, which the tracker's subscription polls fairly, not in the
     * order the driver offered them: while the harness saturates the tracker, the Track publication (one frame per
     * message, against 0.7 to 1 ack per message on each destination's publication) drains last, and an ack can
     * arrive up to a publication window (a few hundred frames, tens of milliseconds when saturated on this machine)
     * before its Track. The window holds those acks until their Track comes; one second leaves a wide margin.
     */
    private static final long EARLY_ACK_WINDOW_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /**
     * The transport's first pass over each poll ({@code TransportConfig.inboundPrefetch}): its default unless
     * {@code -Dacktracker.bench.inboundPrefetch=true|false} says otherwise (to measure it on and off, same jar).
     */
    private static final boolean INBOUND_PREFETCH = Boolean.parseBoolean(System.getProperty(
        "acktracker.bench.inboundPrefetch", String.valueOf(new TransportConfig().inboundPrefetch())));

    private static final String SENDER = "compare-sender";

    private final TrackRequest request = new TrackRequest();
    private final boolean journal;
    private final boolean sessions;
    private Path dataDir;
    private EmbeddedDriver driver;
    private Aeron aeron;
    private AeronTransport transport;
    private AckTracker tracker;
    private TrackerClient client;
    private AckPublisher[] publishers;
    private OutcomeSink sink;
    private long mask;
    private int requiredAcks;
    private long refused;
    private RefusalCode lastRefusal;

    /** Tables in memory, the plain path. */
    public AeronIpcPeer()
    {
        this(false, false);
    }

    /**
     * A variant.
     *
     * @param journal  the journal store instead of tables in memory.
     * @param sessions the sender's Tracks through a client session (needs the journal store).
     */
    public AeronIpcPeer(final boolean journal, final boolean sessions)
    {
        if (sessions && !journal)
        {
            throw new IllegalArgumentException("sessions are measured with the journal store");
        }
        this.journal = journal;
        this.sessions = sessions;
    }

    public String name()
    {
        return sessions ? "acktracker-aeron-ipc-sessions" : journal ? "acktracker-aeron-ipc-journal" :
            "acktracker-aeron-ipc";
    }

    public String threading()
    {
        return "tracker agent thread (AgentRunner, yielding idle) with the Aeron transport in its duty cycle; " +
            "embedded media driver thread (SHARED); the driver thread offers Track/Ack frames over IPC and polls " +
            "Outcome frames";
    }

    public void open(final PeerSpec spec, final OutcomeSink sink)
    {
        this.sink = sink;
        try
        {
            driver = EmbeddedDriver.launch(EmbeddedDriver.context("bench").ipcTermBufferLength(IPC_TERM_LENGTH));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            transport = new AeronTransport(new TransportConfig().aeron(aeron).closeDrainTimeoutNs(0)
                .inboundPrefetch(INBOUND_PREFETCH));
            dataDir = journal ? TempDirs.create("acktracker-compare-") : null;
            tracker = AckTracker.launch(AckTrackerPeer.config(spec)
                .earlyAckWindowNs(EARLY_ACK_WINDOW_NS)
                .dataDir(dataDir)
                .journal(journal)
                .outboxCapacity(outboxCapacity(spec))
                .idleStrategy(new YieldingIdleStrategy())
                .extension(transport));
            mask = 0;
            publishers = new AckPublisher[spec.destinations()];
            for (int i = 0; i < spec.destinations(); i++)
            {
                mask |= 1L << tracker.destination("d" + i);
                publishers[i] = new AckPublisher(aeron, "d" + i);
            }
            requiredAcks = spec.requiredAcks();
            client = new TrackerClient(aeron, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_INBOUND_STREAM_ID,
                Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_OUTBOUND_STREAM_ID, this,
                sessions ? new ClientSession.Settings(ClientSession.Settings.idOf(SENDER), SENDER) : null);
            awaitConnected();
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /** Every pending message of the sender holds an entry until its outcome is confirmed: room for all, and more. */
    private static int outboxCapacity(final PeerSpec spec)
    {
        return Math.min(1 << 24, BitUtil.findNextPositivePowerOfTwo(spec.capacity() + 64 * 1024));
    }

    private void awaitConnected()
    {
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!connected())
        {
            client.poll(FRAGMENT_LIMIT);
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("tracker not reachable over IPC within 10 s");
            }
            Thread.yield();
        }
    }

    private boolean connected()
    {
        if (!client.isConnected() || null != client.session() && !client.session().isBound())
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

    public void track(final long messageId, final long timeoutNs)
    {
        if (refused > 0)
        {
            throw new IllegalStateException("tracker refused " + refused + " commands, last " + lastRefusal);
        }
        request.reset()
            .messageId(messageId)
            .destinations(mask)
            .requiredAcks(requiredAcks)
            .ackTimeoutNs(TrackRequest.NO_TIMEOUT)
            .ttlNs(timeoutNs);
        while (client.tryTrack(request) < 0)
        {
            pollOrSpin();
        }
    }

    public void ack(final long messageId, final int destination)
    {
        final AckPublisher publisher = publishers[destination];
        while (publisher.tryAck(messageId) < 0)
        {
            pollOrSpin();
        }
    }

    private void pollOrSpin()
    {
        if (0 == client.poll(FRAGMENT_LIMIT))
        {
            Thread.onSpinWait();
        }
    }

    public int doWork()
    {
        return client.poll(FRAGMENT_LIMIT);
    }

    public long offHeapBytes()
    {
        return tracker.agent().records().offHeapBytes();
    }

    public void report(final RunResult result)
    {
        final MetricsSnapshot metrics = tracker.metrics();
        result.put("earlyAcksHeld", metrics.get(TrackerCounter.EARLY_ACKS_HELD))
            .put("earlyAcksApplied", metrics.get(TrackerCounter.EARLY_ACKS_APPLIED))
            .put("orphanAcks", metrics.get(TrackerCounter.ORPHAN_ACKS))
            .put("inboundPauses", transport.counters().value(TransportCounter.INBOUND_PAUSES))
            .put("trackerCommands", metrics.get(TrackerCounter.COMMANDS))
            .put("dutyCycles", metrics.get(TrackerCounter.DUTY_CYCLES))
            .put("duplicateCommands", metrics.get(TrackerCounter.DUPLICATE_COMMANDS))
            .put("sessionConfirmsSent", transport.counters().value(TransportCounter.SESSION_CONFIRMS_SENT))
            .put("outboxEntriesSent", transport.counters().value(TransportCounter.OUTBOX_ENTRIES_SENT))
            .put("outboxSendsDeferred", transport.counters().value(TransportCounter.OUTBOX_SEND_DEFERRED))
            .put("inboundPrefetch", INBOUND_PREFETCH);
        final ClientSession session = client.session();
        if (null != session)
        {
            result.put("sessionAppliedThrough", session.appliedThrough())
                .put("sessionOutboxReceived", session.outboxReceived())
                .put("sessionResends", session.resends())
                .put("sessionDeferredSends", session.deferredSends())
                .put("sessionOpens", session.opens())
                .put("sessionEntriesSkipped", session.entriesSkipped());
        }
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

    public void onRefused(
        final int refusedTemplateId, final long correlationId, final RefusalCode code, final int destinationId)
    {
        refused++;
        lastRefusal = code;
    }

    public void close()
    {
        if (null != publishers)
        {
            CloseHelper.quietCloseAll(publishers);
            publishers = null;
        }
        CloseHelper.quietCloseAll(client, tracker, transport, aeron, driver);
        TempDirs.delete(dataDir);
        dataDir = null;
        client = null;
        tracker = null;
        transport = null;
        aeron = null;
        driver = null;
    }
}

package io.acktracker.transport;

import io.acktracker.engine.api.ClientOutboxes;
import io.acktracker.engine.api.ConfirmationListener;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.OutcomeListener;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.api.TrackerCommands;
import io.acktracker.engine.api.TrackerExtension;
import io.acktracker.transport.auth.NonceSource;
import io.acktracker.transport.inbound.CommandAdapter;
import io.acktracker.transport.inbound.EngineCommands;
import io.acktracker.transport.inbound.InboundPrefetch;
import io.acktracker.transport.outbound.OutboundProxy;
import io.acktracker.transport.outbound.OutboxSender;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import org.agrona.CloseHelper;

import java.security.SecureRandom;

/**
 * The tracker's Aeron transport, run inside the tracker agent's own duty cycle (no hand-off thread): each
 * {@link #doWork(long)} first publishes what the outbound backlog holds, then polls the inbound subscription with a
 * fragment limit, decoding each frame with SBE flyweights and applying it through the agent's synchronous API
 * (with {@code inboundPrefetch}, after a first pass that touches the records the poll's frames name:
 * {@link InboundPrefetch}).
 * Outcomes (this is an {@link OutcomeListener}), redeliveries (a {@link RedeliveryListener}: the engine tells it of
 * every retry after an ack timeout or a nack, and of every leased message available again), refusals and lease
 * grants go out on one exclusive publication (only the agent thread publishes); when the backlog behind it reaches
 * its cap, inbound polling stops until it drains, so back pressure reaches senders and destinations and nothing is
 * dropped. A publication that makes no progress for longer than {@code outboundStallTimeoutNs} (a subscriber that
 * does not read: Aeron's IPC flow control follows the slowest one) is reported once per episode
 * ({@link OutboundStallWatch}).
 * <pre>{@code
 * AeronTransport transport = new AeronTransport(new TransportConfig().aeron(aeron));
 * AckTracker tracker = AckTracker.launch(new TrackerConfig().extension(transport));
 * ...
 * tracker.close();      // stops the agent: the transport publishes what it can and releases its streams
 * transport.close();    // then counters, error log and an owned Aeron client
 * }</pre>
 * Threading: {@code onStart}, {@code doWork}, {@code onOutcome}, {@code onRedeliver} and {@code onClose} on the
 * agent thread; counters, stats and {@link #close()} from any thread.
 */
public final class AeronTransport
    implements TrackerExtension, OutcomeListener, RedeliveryListener, ConfirmationListener, AutoCloseable
{
    private final TransportConfig config;
    private final boolean ownsAeron;
    private final Aeron aeron;
    private final TransportCounters counters;
    private final TransportErrors errors;
    private final DestinationStats stats = new DestinationStats();
    private final Subscription subscription;
    private final ExclusivePublication publication;
    private final OutboundProxy outbound;
    private final OutboxSender outboxSender;
    private final long incarnation;
    private final int fragmentLimit;
    private final int backlogDrainLimit;
    private final OutboundStallWatch stallWatch;

    private CommandAdapter adapter;
    private InboundPrefetch prefetch;
    private ClientOutboxes outboxes;
    private boolean paused;
    private boolean streamsClosed;
    private volatile boolean closed;

    /**
     * Connect the transport's streams; the tracker is given it with {@code TrackerConfig.extension(...)}.
     *
     * @param config transport configuration.
     */
    public AeronTransport(final TransportConfig config)
    {
        this.config = config.conclude();
        this.ownsAeron = null == config.aeron();
        TransportCounters counters = null;
        TransportErrors errors = null;
        Aeron aeron = null;
        try
        {
            counters = new TransportCounters(config.countersFile(), config.name());
            errors = new TransportErrors(counters, config.errorLogFile(), config.errorLogLength());
            aeron = ownsAeron ? connect(config, errors) : config.aeron();
            final TransportCounters imageCounters = counters;
            subscription = aeron.addSubscription(
                config.inboundChannel(),
                config.inboundStreamId(),
                (image) -> imageCounters.incrementShared(TransportCounter.IMAGES_AVAILABLE),
                (image) -> imageCounters.incrementShared(TransportCounter.IMAGES_UNAVAILABLE));
            publication = aeron.addExclusivePublication(config.outboundChannel(), config.outboundStreamId());
        }
        catch (final RuntimeException ex)
        {
            if (ownsAeron)
            {
                CloseHelper.quietClose(aeron);
            }
            CloseHelper.quietCloseAll(errors, counters);
            throw ex;
        }
        this.aeron = aeron;
        this.counters = counters;
        this.errors = errors;
        this.outbound = new OutboundProxy(publication::offer, counters, config.backlogCapacity(),
            config.outboundRetries(), config.backlogWhenNotConnected());
        this.outboxSender = new OutboxSender(outbound);
        this.incarnation = newIncarnation();
        this.fragmentLimit = config.fragmentLimit();
        this.backlogDrainLimit = config.backlogDrainLimit();
        this.stallWatch = new OutboundStallWatch(publication, aeron.countersReader(), counters, config.warnings(),
            config.outboundStallTimeoutNs());
    }

    /** A random id of this start, never 0, so clients tell a restarted tracker from the one they knew. */
    private static long newIncarnation()
    {
        final SecureRandom random = new SecureRandom();
        long incarnation = 0;
        while (0 == incarnation)
        {
            incarnation = random.nextLong();
        }
        return incarnation;
    }

    private static Aeron connect(final TransportConfig config, final TransportErrors errors)
    {
        final Aeron.Context context = new Aeron.Context().errorHandler(errors::onError);
        if (null != config.aeronDirectoryName())
        {
            context.aeronDirectoryName(config.aeronDirectoryName());
        }
        return Aeron.connect(context);
    }

    public void onStart(final TrackerCommands tracker)
    {
        final EngineCommands commands = new EngineCommands(tracker, outbound, counters, stats, config.maxSessions(),
            config.leaseTimeoutNs(), (sessionId) -> null != subscription.imageBySessionId(sessionId),
            config.destinationKeys(), config.clientKeys(), outboxSender, NonceSource.random());
        outboxes = tracker.clientOutboxes();
        adapter = new CommandAdapter(commands, counters, errors);
        prefetch = config.inboundPrefetch() ? new InboundPrefetch(subscription, tracker, fragmentLimit) : null;
    }

    public int doWork(final long nowNs)
    {
        int workCount = outbound.drainBacklog(backlogDrainLimit);
        workCount += stallWatch.onDutyCycle(nowNs, workCount, outbound.backlogFrames());
        if (outbound.isBacklogFull())
        {
            if (!paused)
            {
                paused = true;
                counters.increment(TransportCounter.INBOUND_PAUSES);
            }
            return workCount;
        }
        paused = false;
        // what clients are owed goes first: a restarted tracker resends every unconfirmed entry from here
        workCount += outboxSender.doWork(outboxes, backlogDrainLimit);
        if (null != prefetch)
        {
            prefetch.run();
        }
        final int fragments = subscription.poll(adapter, fragmentLimit);
        if (fragments > 0)
        {
            // the entries these commands wrote, in this cycle as a plain outcome is told inline (their journal frames
            // are committed: a command is journaled before anything is told of it), not a duty cycle later
            workCount += outboxSender.doWork(outboxes, backlogDrainLimit);
        }
        return workCount + fragments;
    }

    /**
     * The cycle's confirmation of a client's numbered commands: a SessionConfirm frame with this start's
     * incarnation. Agent thread.
     */
    public void onConfirmed(final long clientId, final long appliedThrough, final long outboxWritten)
    {
        final int index = outboxes.indexOf(clientId);
        outbound.sessionConfirm(clientId, incarnation, appliedThrough, outboxWritten,
            index < 0 ? 0 : outboxes.outboxConfirmed(index));
    }

    /**
     * Outcomes kept in a client's outbox go out from there ({@link OutboxSender}), with their entry numbers, not as
     * outcomes told to everyone.
     *
     * @return false.
     */
    public boolean hearsOutboxOutcomes()
    {
        return false;
    }

    /**
     * This start's incarnation id, which clients see in every SessionConfirm. Any thread.
     *
     * @return the id, never 0.
     */
    public long incarnation()
    {
        return incarnation;
    }

    public void onOutcome(
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts,
        final boolean replay)
    {
        outbound.outcome(messageId, outcome, reason, latencyNs, attempts, replay);
    }

    /**
     * The engine asks for a message to be delivered again: publishes a Redeliver frame (with the same no-loss
     * handling as outcomes). {@link RedeliveryListener#CONSUMER} goes out as
     * {@link Protocol#CONSUMER_DESTINATION}: a leased message is available to lease again. Agent thread.
     *
     * @param messageId     message.
     * @param destinationId destination to deliver to again, or {@link RedeliveryListener#CONSUMER}.
     * @param attempt       the attempt this is, or the next delivery number for consumers.
     */
    public void onRedeliver(final long messageId, final int destinationId, final int attempt)
    {
        outbound.redeliver(messageId, destinationId, attempt);
    }

    /**
     * Publish what the backlog holds for up to the configured drain timeout, count what is left, and release the
     * streams. Called by the tracker when it closes.
     */
    public void onClose()
    {
        if (streamsClosed)
        {
            return;
        }
        streamsClosed = true;
        final long deadlineNs = System.nanoTime() + config.closeDrainTimeoutNs();
        while (outbound.backlogFrames() > 0 && System.nanoTime() - deadlineNs < 0)
        {
            if (0 == outbound.drainBacklog(backlogDrainLimit))
            {
                Thread.onSpinWait();
                Thread.yield();
            }
        }
        final int left = outbound.backlogFrames();
        if (left > 0)
        {
            counters.get(TransportCounter.OUTBOUND_LOST_AT_CLOSE).getAndAddRelease(left);
        }
        CloseHelper.quietCloseAll(subscription, publication);
    }

    /**
     * Release counters, the error log and an owned Aeron client. Call after the tracker has closed (or when it
     * never started); idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietCloseAll(subscription, publication);
        if (ownsAeron)
        {
            CloseHelper.quietClose(aeron);
        }
        CloseHelper.quietCloseAll(errors, counters);
    }

    /**
     * The transport counters. Any thread.
     *
     * @return the counters.
     */
    public TransportCounters counters()
    {
        return counters;
    }

    /**
     * Malformed frames and errors, for reports. Any thread.
     *
     * @return the error log.
     */
    public TransportErrors errors()
    {
        return errors;
    }

    /**
     * Per-destination health. Any thread.
     *
     * @return the stats.
     */
    public DestinationStats destinationStats()
    {
        return stats;
    }

    /**
     * Whether a publisher session currently has an image on the inbound subscription. Any thread.
     *
     * @param sessionId session.
     * @return true when connected.
     */
    public boolean isSessionConnected(final int sessionId)
    {
        final Image image = subscription.imageBySessionId(sessionId);
        return null != image && !image.isClosed();
    }

    /**
     * The inbound subscription, for diagnostics.
     *
     * @return the subscription.
     */
    public Subscription subscription()
    {
        return subscription;
    }

    /**
     * The outbound publication, for diagnostics.
     *
     * @return the publication.
     */
    public ExclusivePublication publication()
    {
        return publication;
    }

    /**
     * The transport's configuration.
     *
     * @return the configuration.
     */
    public TransportConfig config()
    {
        return config;
    }
}

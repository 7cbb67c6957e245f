package io.acktracker.bench.compare.peer;

import io.acktracker.bench.compare.OutcomeSink;
import io.acktracker.bench.compare.Peer;
import io.acktracker.bench.compare.PeerSpec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.BiConsumer;

/**
 * The plain-Java baseline: a {@link ConcurrentHashMap} of pending messages, a {@link CompletableFuture} per message
 * as its outcome, and a {@link ScheduledThreadPoolExecutor} (one thread, remove-on-cancel) for timeouts. The
 * pending entry is its own timeout task and its own completion callback (no extra objects beyond what the JDK API
 * needs).
 * <p>
 * {@link #track} and {@link #ack}: driver thread, completions inline on it. Timeouts run on the executor's thread.
 */
public final class JdkBaselinePeer implements Peer
{
    private static final TimeoutException TIMEOUT = new TimeoutException("ack timeout");

    private ScheduledThreadPoolExecutor scheduler;
    private ConcurrentHashMap<Long, Pending> pending;
    private OutcomeSink sink;
    private int requiredAcks;

    public String name()
    {
        return "jdk-baseline";
    }

    public String threading()
    {
        return "driver thread updates the map, completes futures (callbacks inline) and cancels; one " +
            "ScheduledThreadPoolExecutor thread runs timeouts";
    }

    public void open(final PeerSpec spec, final OutcomeSink sink)
    {
        this.sink = sink;
        this.requiredAcks = spec.requiredAcks();
        pending = new ConcurrentHashMap<>(spec.capacity());
        scheduler = new ScheduledThreadPoolExecutor(1, (runnable) ->
        {
            final Thread thread = new Thread(runnable, "jdk-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
    }

    public void track(final long messageId, final long timeoutNs)
    {
        final Pending entry = new Pending(this, messageId, requiredAcks);
        entry.future.whenComplete(entry);
        pending.put(messageId, entry);
        entry.timeoutTask = scheduler.schedule(entry, timeoutNs, TimeUnit.NANOSECONDS);
    }

    public void ack(final long messageId, final int destination)
    {
        final Pending entry = pending.get(messageId);
        if (null != entry && entry.ack(destination) && entry.future.complete(null))
        {
            pending.remove(messageId, entry);
            entry.timeoutTask.cancel(false);
        }
    }

    public void close()
    {
        if (null != scheduler)
        {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    /** One message: its outcome future, its timeout task and its completion callback. */
    static final class Pending implements Runnable, BiConsumer<Void, Throwable>
    {
        private static final AtomicLongFieldUpdater<Pending> ACKED =
            AtomicLongFieldUpdater.newUpdater(Pending.class, "acked");

        private final JdkBaselinePeer peer;
        private final long messageId;
        private final int requiredAcks;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        private volatile long acked;
        ScheduledFuture<?> timeoutTask;

        Pending(final JdkBaselinePeer peer, final long messageId, final int requiredAcks)
        {
            this.peer = peer;
            this.messageId = messageId;
            this.requiredAcks = requiredAcks;
        }

        /**
         * Record an ack; true when it brought the message to its quorum.
         */
        boolean ack(final int destination)
        {
            final long bit = 1L << destination;
            long current;
            do
            {
                current = acked;
                if ((current & bit) != 0)
                {
                    return false;
                }
            }
            while (!ACKED.compareAndSet(this, current, current | bit));
            return Long.bitCount(current | bit) >= requiredAcks;
        }

        public void run()
        {
            if (future.completeExceptionally(TIMEOUT))
            {
                peer.pending.remove(messageId, this);
            }
        }

        public void accept(final Void ignored, final Throwable failure)
        {
            if (null == failure)
            {
                peer.sink.onCompleted(messageId);
            }
            else
            {
                peer.sink.onTimedOut(messageId);
            }
        }
    }
}

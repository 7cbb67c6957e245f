package io.acktracker.bench.compare.peer;

import io.acktracker.bench.compare.OutcomeSink;
import io.acktracker.bench.compare.Peer;
import io.acktracker.bench.compare.PeerSpec;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * Netty's {@link HashedWheelTimer} (1 ms tick, 1024 buckets) for timeouts and a {@link ConcurrentHashMap} from id to
 * pending state. The pending state is its own {@link TimerTask} (no extra task object); an ack sets its bit and the
 * ack that reaches the quorum wins a state CAS, removes the entry and cancels the timeout; an expiry wins the same
 * CAS the other way.
 * <p>
 * {@link #track} and {@link #ack}: driver thread, completions inline on it. The wheel's worker thread moves new
 * timeouts into buckets each tick and runs expirations.
 */
public final class NettyWheelPeer implements Peer
{
    private HashedWheelTimer timer;
    private ConcurrentHashMap<Long, Pending> pending;
    private OutcomeSink sink;
    private int requiredAcks;

    public String name()
    {
        return "netty-wheel";
    }

    public String threading()
    {
        return "driver thread updates the map and cancels (completions inline); HashedWheelTimer worker thread " +
            "(1 ms tick) buckets new timeouts and runs expirations";
    }

    public void open(final PeerSpec spec, final OutcomeSink sink)
    {
        this.sink = sink;
        this.requiredAcks = spec.requiredAcks();
        pending = new ConcurrentHashMap<>(spec.capacity());
        final ThreadFactory threads = (runnable) ->
        {
            final Thread thread = new Thread(runnable, "netty-wheel");
            thread.setDaemon(true);
            return thread;
        };
        timer = new HashedWheelTimer(threads, 1, TimeUnit.MILLISECONDS, 1024, false, -1);
        timer.start();
    }

    public void track(final long messageId, final long timeoutNs)
    {
        final Pending entry = new Pending(this, messageId, requiredAcks);
        pending.put(messageId, entry);
        entry.timeout = timer.newTimeout(entry, timeoutNs, TimeUnit.NANOSECONDS);
    }

    public void ack(final long messageId, final int destination)
    {
        final Pending entry = pending.get(messageId);
        if (null != entry && entry.ack(destination) && entry.finish(Pending.COMPLETED))
        {
            pending.remove(messageId, entry);
            entry.timeout.cancel();
            sink.onCompleted(messageId);
        }
    }

    public void close()
    {
        if (null != timer)
        {
            timer.stop();
            timer = null;
        }
    }

    /** State of one message; the timer task that expires it. */
    static final class Pending implements TimerTask
    {
        static final int PENDING = 0;
        static final int COMPLETED = 1;
        static final int TIMED_OUT = 2;

        private static final AtomicLongFieldUpdater<Pending> ACKED =
            AtomicLongFieldUpdater.newUpdater(Pending.class, "acked");
        private static final AtomicIntegerFieldUpdater<Pending> STATE =
            AtomicIntegerFieldUpdater.newUpdater(Pending.class, "state");

        private final NettyWheelPeer peer;
        private final long messageId;
        private final int requiredAcks;
        private volatile long acked;
        private volatile int state;
        Timeout timeout;

        Pending(final NettyWheelPeer peer, final long messageId, final int requiredAcks)
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

        boolean finish(final int outcome)
        {
            return STATE.compareAndSet(this, PENDING, outcome);
        }

        public void run(final Timeout timeout)
        {
            if (finish(TIMED_OUT))
            {
                peer.pending.remove(messageId, this);
                peer.sink.onTimedOut(messageId);
            }
        }
    }
}

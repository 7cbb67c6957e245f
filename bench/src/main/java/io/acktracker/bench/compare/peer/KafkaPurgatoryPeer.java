package io.acktracker.bench.compare.peer;

import io.acktracker.bench.compare.OutcomeSink;
import io.acktracker.bench.compare.Peer;
import io.acktracker.bench.compare.PeerSpec;
import org.apache.kafka.server.purgatory.DelayedOperation;
import org.apache.kafka.server.purgatory.DelayedOperationKey;
import org.apache.kafka.server.purgatory.DelayedOperationPurgatory;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * Kafka's {@link DelayedOperationPurgatory}, the code behind {@code acks=all}, with its hierarchical timing wheel
 * ({@code SystemTimer}, 1 ms tick, 20 buckets per level: Kafka's defaults): one delayed operation per message,
 * watched on its own key, completing when its quorum of acks is in or expiring at its timeout.
 * <p>
 * As in Kafka, the ack state lives outside the purgatory (Kafka keeps replica offsets in the partition; here a
 * {@link ConcurrentHashMap} from id to operation): an ack sets its bit, then {@code checkAndComplete(key)} runs
 * {@code tryComplete()} under the operation's lock. The operation is its own watch key (saves a key object per
 * message). The purge interval is set to the pending count instead of Kafka's 1000: with one key per message a purge
 * walks every key, and at 1000 the reaper would walk a million keys every thousand completions.
 * <p>
 * {@link #track} and {@link #ack}: driver thread; completions run inline on it. Expirations run on the
 * SystemTimer's executor thread; the ExpirationReaper thread advances the wheel and purges.
 */
public final class KafkaPurgatoryPeer implements Peer
{
    private DelayedOperationPurgatory<AckOperation> purgatory;
    private ConcurrentHashMap<Long, AckOperation> operations;
    private OutcomeSink sink;
    private int requiredAcks;

    public String name()
    {
        return "kafka-purgatory";
    }

    public String threading()
    {
        return "driver thread watches/completes (inline); ExpirationReaper thread advances the SystemTimer (1 ms " +
            "tick) and purges; SystemTimer executor thread runs expirations";
    }

    public void open(final PeerSpec spec, final OutcomeSink sink)
    {
        this.sink = sink;
        this.requiredAcks = spec.requiredAcks();
        operations = new ConcurrentHashMap<>(spec.capacity());
        purgatory = new DelayedOperationPurgatory<>("acktracker-bench", 0, Math.max(1000, spec.pending()));
    }

    public void track(final long messageId, final long timeoutNs)
    {
        final AckOperation operation = new AckOperation(
            this, messageId, Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNs)), requiredAcks);
        operations.put(messageId, operation);
        purgatory.tryCompleteElseWatch(operation, List.of(operation));
    }

    public void ack(final long messageId, final int destination)
    {
        final AckOperation operation = operations.get(messageId);
        if (null != operation && operation.ack(destination))
        {
            purgatory.checkAndComplete(operation);
        }
    }

    public void close()
    {
        if (null != purgatory)
        {
            try
            {
                purgatory.shutdown();
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
            purgatory = null;
        }
    }

    void onOperationComplete(final AckOperation operation, final boolean quorumReached)
    {
        operations.remove(operation.messageId, operation);
        if (quorumReached)
        {
            sink.onCompleted(operation.messageId);
        }
        else
        {
            sink.onTimedOut(operation.messageId);
        }
    }

    /** One message waiting for its acks; also its own watch key (equal by message id). */
    static final class AckOperation extends DelayedOperation implements DelayedOperationKey
    {
        private static final AtomicLongFieldUpdater<AckOperation> ACKED =
            AtomicLongFieldUpdater.newUpdater(AckOperation.class, "acked");

        private final KafkaPurgatoryPeer peer;
        final long messageId;
        private final int requiredAcks;
        private volatile long acked;

        AckOperation(final KafkaPurgatoryPeer peer, final long messageId, final long delayMs, final int requiredAcks)
        {
            super(delayMs);
            this.peer = peer;
            this.messageId = messageId;
            this.requiredAcks = requiredAcks;
        }

        /**
         * Record an ack; false when this destination had already acked.
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
            return true;
        }

        public boolean tryComplete()
        {
            return Long.bitCount(acked) >= requiredAcks && forceComplete();
        }

        public void onComplete()
        {
            peer.onOperationComplete(this, Long.bitCount(acked) >= requiredAcks);
        }

        public void onExpiration()
        {
        }

        public String keyLabel()
        {
            return Long.toString(messageId);
        }

        public boolean equals(final Object other)
        {
            return other instanceof AckOperation && ((AckOperation)other).messageId == messageId;
        }

        public int hashCode()
        {
            return Long.hashCode(messageId);
        }
    }
}

package io.acktracker.transport;

import io.acktracker.engine.DestinationRegistry;
import io.acktracker.engine.FailureReason;
import io.acktracker.engine.Outcome;
import io.acktracker.engine.lease.ReceiptHandle;
import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The steady-state paths allocate nothing: a destination's ack encoded and offered, read by the tracker's duty
 * cycle, decoded, applied, the outcome encoded and published, then read and decoded by the sender's client; and a
 * consumer's lease, the LeaseGranted with its receipt handle, and the settle by handle.
 * <p>
 * Measured in rounds: a round may see a one-off allocation that is not per message (seen under load, rarely),
 * so the check is that a whole round allocates nothing and the total stays under a byte per message.
 * <p>
 * The tracker runs on Agrona's {@link OffsetEpochNanoClock}: the engine's default {@code SystemEpochNanoClock}
 * reads {@code Instant.now()}, one 24-byte allocation per clock read unless escape analysis removes it.
 */
@Timeout(60)
class AllocationTest
{
    private static final int WARM_UP = 6_000;
    private static final int ROUNDS = 5;
    private static final int PER_ROUND = 2_000;

    @Test
    void shouldNotAllocateFromAckToOutcomeInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final MutableLong outcomes = new MutableLong();
        final TrackerClientHandler handler = (id, outcome, reason, latencyNs, attempts, replay) -> outcomes.increment();
        try (TrackerRig rig = new TrackerRig((driver) -> {}, (transport) -> {},
            (tracker) -> tracker.outcomeListener((id, outcome, reason, latencyNs, attempts, replay) -> {})
                .epochClock(new OffsetEpochNanoClock())
                .recordServiceTime(false));
            TrackerClient client = new TrackerClient(rig.aeron, handler);
            AckPublisher destination = new AckPublisher(rig.aeron, "a"))
        {
            for (long id = 1; id <= WARM_UP + ROUNDS * PER_ROUND; id++)
            {
                rig.tracker.agent().track(id, DestinationRegistry.mask(0));
            }
            rig.awaitUntil("connected", client::isConnected, () -> client.poll(10));

            ackRange(rig, client, destination, outcomes, 1, WARM_UP);
            final long[] allocated = new long[ROUNDS];
            for (int round = 0; round < ROUNDS; round++)
            {
                final long from = WARM_UP + (long)round * PER_ROUND + 1;
                final long before = threads.getCurrentThreadAllocatedBytes();
                ackRange(rig, client, destination, outcomes, from, from + PER_ROUND - 1);
                allocated[round] = threads.getCurrentThreadAllocatedBytes() - before;
            }

            assertThat(outcomes.get()).isEqualTo(WARM_UP + ROUNDS * PER_ROUND);
            assertThat(allocated).as("bytes allocated per round of %d acks and outcomes", PER_ROUND).contains(0L);
            assertThat(java.util.Arrays.stream(allocated).sum()).as("less than a byte per message over all rounds")
                .isLessThan((long)ROUNDS * PER_ROUND);
        }
    }

    @Test
    void shouldNotAllocateFromLeaseToSettleInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final LeaseLoop loop = new LeaseLoop();
        try (TrackerRig rig = new TrackerRig((driver) -> {}, (transport) -> {},
            (tracker) -> tracker.outcomeListener((id, outcome, reason, latencyNs, attempts, replay) -> {})
                .epochClock(new OffsetEpochNanoClock())
                .recordServiceTime(false));
            DestinationClient consumer = new DestinationClient(rig.aeron, "a", loop))
        {
            for (long id = 1; id <= WARM_UP + ROUNDS * PER_ROUND; id++)
            {
                rig.tracker.agent().track(id, DestinationRegistry.mask(0));
            }
            rig.awaitUntil("connected", consumer::isConnected, () -> consumer.poll(10));

            leaseRange(rig, consumer, loop, 1, WARM_UP);
            final long[] allocated = new long[ROUNDS];
            for (int round = 0; round < ROUNDS; round++)
            {
                final long from = WARM_UP + (long)round * PER_ROUND + 1;
                final long before = threads.getCurrentThreadAllocatedBytes();
                leaseRange(rig, consumer, loop, from, from + PER_ROUND - 1);
                allocated[round] = threads.getCurrentThreadAllocatedBytes() - before;
            }

            assertThat(loop.completed).isEqualTo(WARM_UP + ROUNDS * PER_ROUND);
            assertThat(rig.tracker.agent().pendingCount()).isZero();
            assertThat(allocated).as("bytes allocated per round of %d leases and settles", PER_ROUND).contains(0L);
            assertThat(java.util.Arrays.stream(allocated).sum()).as("less than a byte per lease over all rounds")
                .isLessThan((long)ROUNDS * PER_ROUND);
        }
    }

    /**
     * Leases one message at a time: lease, wait for the grant, settle it by ack, wait for the outcome.
     */
    private static final class LeaseLoop implements TrackerClientHandler
    {
        final ReceiptHandle handle = new ReceiptHandle();
        long granted;
        long completed;

        public void onOutcome(final long messageId, final Outcome outcome, final FailureReason reason,
            final long latencyNs, final int attempts, final boolean replay)
        {
            completed++;
        }

        public void onLeaseGranted(final long correlationId, final long messageId, final ReceiptHandle handle,
            final long leaseDeadlineNs, final int delivery, final int destinationId)
        {
            this.handle.copyFrom(handle);
            granted = messageId;
        }
    }

    private static void leaseRange(
        final TrackerRig rig, final DestinationClient consumer, final LeaseLoop loop, final long from, final long to)
    {
        final long deadlineNs = System.nanoTime() + TrackerRig.DEADLINE_NS;
        for (long id = from; id <= to; id++)
        {
            while (consumer.publisher().tryLease(id, id, 0) < 0)
            {
                spin(rig, consumer, deadlineNs);
            }
            while (loop.granted != id)
            {
                spin(rig, consumer, deadlineNs);
            }
            while (consumer.publisher().tryAck(loop.handle) < 0)
            {
                spin(rig, consumer, deadlineNs);
            }
            while (loop.completed < id)
            {
                spin(rig, consumer, deadlineNs);
            }
        }
    }

    private static void spin(final TrackerRig rig, final DestinationClient consumer, final long deadlineNs)
    {
        rig.doWork();
        consumer.poll(16);
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new AssertionError("timed out");
        }
    }

    private static void ackRange(
        final TrackerRig rig,
        final TrackerClient client,
        final AckPublisher destination,
        final MutableLong outcomes,
        final long from,
        final long to)
    {
        final long deadlineNs = System.nanoTime() + TrackerRig.DEADLINE_NS;
        long next = from;
        while (outcomes.get() < to)
        {
            if (next <= to && destination.tryAck(next) > 0)
            {
                next++;
            }
            rig.doWork();
            client.poll(64);
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out at " + next + " with " + outcomes.get() + " outcomes");
            }
        }
    }
}

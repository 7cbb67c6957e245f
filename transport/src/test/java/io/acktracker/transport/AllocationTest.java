package io.acktracker.transport;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.ReceiptHandle;
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
 * Measured in rounds. Escape analysis is a C2 feature, so until the path is compiled by C2 the interpreter and C1
 * allocate what C2 would not; on a loaded machine that can take many thousands of messages. The warm-up therefore
 * runs rounds until one allocates nothing (or gives up after {@link #MAX_WARM_UP_ROUNDS}), then the measured rounds
 * must stay under a byte per message in total: a path allocating one 16-byte object per message would be 16 times
 * over, one every tenth message still above. What the bound lets through are one-offs that a loaded machine moves
 * into the measured rounds (profiled with JFR at load 5 on 2 cores: class loading when a path first runs late, and
 * the interpreter running a method the JIT had just deoptimized). Tombstones expire after 1 ms here, so their
 * expiry is part of the steady state measured, as it is in a long-running tracker. The allocation
 * per operation proper is measured by JMH with {@code -prof gc} (see BENCHMARKS.md).
 * <p>
 * The tracker runs on Agrona's {@link OffsetEpochNanoClock}: the engine's default {@code SystemEpochNanoClock}
 * reads {@code Instant.now()}, one 24-byte allocation per clock read unless escape analysis removes it.
 */
@Timeout(60)
class AllocationTest
{
    private static final int PER_ROUND = 4_000;
    private static final int MAX_WARM_UP_ROUNDS = 40;
    private static final int ROUNDS = 10;

    @Test
    void shouldNotAllocateFromAckToOutcomeInSteadyState()
    {
        ackToOutcome(false);
    }

    /**
     * The same with the first pass over each poll ({@code inboundPrefetch}): the peek, its handler and the touches
     * allocate nothing either.
     */
    @Test
    void shouldNotAllocateFromAckToOutcomeWithTheInboundFirstPass()
    {
        ackToOutcome(true);
    }

    private static void ackToOutcome(final boolean inboundPrefetch)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final MutableLong outcomes = new MutableLong();
        final TrackerClientHandler handler = (id, outcome, reason, latencyNs, attempts, replay) -> outcomes.increment();
        try (TrackerRig rig = new TrackerRig((driver) -> {}, (transport) -> transport.inboundPrefetch(inboundPrefetch),
            (tracker) -> tracker.outcomeListener((id, outcome, reason, latencyNs, attempts, replay) -> {})
                .epochClock(new OffsetEpochNanoClock())
                .recordServiceTime(false)
                .tombstoneWindowNs(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1)));
            TrackerClient client = new TrackerClient(rig.aeron, handler);
            AckPublisher destination = new AckPublisher(rig.aeron, "a"))
        {
            rig.awaitUntil("connected", client::isConnected, () -> client.poll(10));

            final long[] nextId = {1};
            final RoundRunner round = () ->
            {
                final long from = trackRound(rig, nextId);
                final long before = threads.getCurrentThreadAllocatedBytes();
                ackRange(rig, client, destination, outcomes, from, from + PER_ROUND - 1);
                return threads.getCurrentThreadAllocatedBytes() - before;
            };
            final long[] allocated = measure(round);

            assertThat(outcomes.get()).isEqualTo(nextId[0] - 1);
            assertThat(java.util.Arrays.stream(allocated).sum())
                .as("less than a byte per message over all rounds %s", java.util.Arrays.toString(allocated))
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
                .recordServiceTime(false)
                .tombstoneWindowNs(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1)));
            DestinationClient consumer = new DestinationClient(rig.aeron, "a", loop))
        {
            rig.awaitUntil("connected", consumer::isConnected, () -> consumer.poll(10));

            final long[] nextId = {1};
            final RoundRunner round = () ->
            {
                final long from = trackRound(rig, nextId);
                final long before = threads.getCurrentThreadAllocatedBytes();
                leaseRange(rig, consumer, loop, from, from + PER_ROUND - 1);
                return threads.getCurrentThreadAllocatedBytes() - before;
            };
            final long[] allocated = measure(round);

            assertThat(loop.completed).isEqualTo(nextId[0] - 1);
            assertThat(rig.tracker.agent().pendingCount()).isZero();
            assertThat(java.util.Arrays.stream(allocated).sum())
                .as("less than a byte per lease over all rounds %s", java.util.Arrays.toString(allocated))
                .isLessThan((long)ROUNDS * PER_ROUND);
        }
    }

    /**
     * One round of {@link #PER_ROUND} messages, returning the bytes the test thread allocated during it.
     */
    @FunctionalInterface
    private interface RoundRunner
    {
        long run();
    }

    /**
     * Warm up until a round allocates nothing (bounded), then measure {@link #ROUNDS} rounds.
     */
    private static long[] measure(final RoundRunner round)
    {
        int warmUpRounds = 0;
        long lastWarmUp;
        do
        {
            lastWarmUp = round.run();
            warmUpRounds++;
        }
        while (0 != lastWarmUp && warmUpRounds < MAX_WARM_UP_ROUNDS);

        final long[] allocated = new long[ROUNDS];
        for (int i = 0; i < ROUNDS; i++)
        {
            allocated[i] = round.run();
        }
        System.out.printf("warm-up rounds %d (last %d bytes), measured rounds %s bytes%n", warmUpRounds, lastWarmUp,
            java.util.Arrays.toString(allocated));
        return allocated;
    }

    /**
     * Track the next round's messages directly on the agent (not measured).
     */
    private static long trackRound(final TrackerRig rig, final long[] nextId)
    {
        final long from = nextId[0];
        for (long id = from; id < from + PER_ROUND; id++)
        {
            rig.tracker.agent().track(id, DestinationRegistry.mask(0));
        }
        nextId[0] = from + PER_ROUND;
        return from;
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

package io.acktracker.transport;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The steady-state paths allocate nothing: a destination's ack encoded and offered, read by the tracker's duty
 * cycle, decoded, applied, the outcome encoded and published, then read and decoded by the sender's client; and a
 * consumer's lease, the LeaseGranted with its receipt handle, and the settle by handle; and with a client session
 * over the journal store, the whole of a message's life on the sender's and the agent's side: the Track numbered,
 * kept and offered by the session, journaled and applied with its outbox entry reserved, the SessionConfirm, the ack,
 * the outcome written to the outbox and sent as an entry, taken by the session and confirmed back (OutboxConfirm).
 * The tracker is driven by the test thread, so one thread's count covers the client and the agent (the journal's
 * segment helper is a thread of its own).
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
    void shouldNotAllocateFromTrackToConfirmedOutcomeWithASessionInSteadyState(@TempDir final Path dataDir)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final MutableLong outcomes = new MutableLong();
        final TrackerClientHandler handler = (id, outcome, reason, latencyNs, attempts, replay) -> outcomes.increment();
        try (TrackerRig rig = new TrackerRig((driver) -> {}, (transport) -> {},
            (tracker) -> tracker.outcomeListener((id, outcome, reason, latencyNs, attempts, replay) -> {})
                .epochClock(new OffsetEpochNanoClock())
                .recordServiceTime(false)
                .dataDir(dataDir)
                .journal(true)
                .journalSegmentLength(64 * 1024 * 1024)
                .tombstoneWindowNs(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1)));
            TrackerClient client = new TrackerClient(rig.aeron, Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_OUTBOUND_STREAM_ID,
                handler, new ClientSession.Settings(ClientSession.Settings.idOf("sender"), "sender"));
            AckPublisher destination = new AckPublisher(rig.aeron, "a"))
        {
            final ClientSession session = client.session();
            rig.awaitUntil("bound", () -> client.isConnected() && destination.isConnected() && session.isBound(),
                () -> client.poll(10));

            final TrackRequest request = new TrackRequest();
            final long[] nextId = {1};
            // made once: a lambda capturing the test's locals is an allocation of the test's own in every round
            final Runnable poll = () -> client.poll(64);
            final java.util.function.BooleanSupplier tracksConfirmed = () -> 0 == session.unconfirmed();
            final java.util.function.BooleanSupplier outboxConfirmed =
                () -> session.outboxReceived() == rig.tracker.agent().sessions().outboxConfirmed(0);
            final RoundRunner round = () ->
            {
                final long from = nextId[0];
                final long to = from + PER_ROUND - 1;
                nextId[0] = to + 1;
                final long before = threads.getCurrentThreadAllocatedBytes();
                trackRangeInSession(rig, client, request, from, to);
                // an ack travels on another publication and may overtake its Track: ack once every Track is applied
                rig.awaitUntil("tracks confirmed", tracksConfirmed, poll);
                ackRange(rig, client, destination, outcomes, from, to);
                rig.awaitUntil("outbox confirmed", outboxConfirmed, poll);
                return threads.getCurrentThreadAllocatedBytes() - before;
            };
            final long[] allocated = measure(round);

            assertThat(outcomes.get()).isEqualTo(nextId[0] - 1);
            assertThat(session.outboxReceived()).as("every outcome came from the outbox").isEqualTo(nextId[0] - 1);
            assertThat(session.appliedThrough()).as("every Track numbered and confirmed").isEqualTo(nextId[0] - 1);
            assertThat(rig.tracker.counters().value(TrackerCounter.TRACKED)).as("each Track applied once")
                .isEqualTo(nextId[0] - 1);
            // 4,000 Tracks a round into a 32 KiB publication window: most wait for the tracker, and a first offer
            // that went later is no resend
            assertThat(session.deferredSends()).as("Tracks offered later, in order").isPositive();
            assertThat(session.resends()).as("nothing offered twice").isZero();
            assertThat(java.util.Arrays.stream(allocated).sum())
                .as("less than a byte per message over all rounds %s", java.util.Arrays.toString(allocated))
                .isLessThan((long)ROUNDS * PER_ROUND);
        }
    }

    private static void trackRangeInSession(
        final TrackerRig rig, final TrackerClient client, final TrackRequest request, final long from, final long to)
    {
        final long deadlineNs = System.nanoTime() + TrackerRig.DEADLINE_NS;
        final long destinations = 1L;
        for (long id = from; id <= to; id++)
        {
            request.reset().messageId(id).destinations(destinations);
            while (client.tryTrack(request) < 0)
            {
                rig.doWork();
                client.poll(64);
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new AssertionError("timed out tracking " + id);
                }
            }
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

package io.acktracker.transport.loss;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.CircuitBreakerConfig;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.transport.AeronTransport;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.RefusalCode;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ReceiveChannelEndpointSupplier;
import io.aeron.driver.status.SystemCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.collections.LongArrayQueue;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loss on the wire: a sender tracks messages to three destinations over UDP loopback, the destinations ack them, and
 * the media driver's debug receive endpoint ({@link WireLoss}) drops a set fraction of what arrives. Two drivers, as
 * two hosts would have: the tracker's, and the one the sender and destinations share.
 * <ul>
 *     <li><b>acks lost for good</b>: the tracker subscribes to its inbound stream with {@code reliable=false} and its
 *     driver drops a fraction of the datagrams that carry only Ack frames, so those acks never arrive (Aeron fills
 *     the gap instead of asking again). Only the tracker brings the messages home: the ack timeout fires, the engine
 *     retries with backoff and the transport publishes Redeliver frames, and the destinations answer every
 *     redelivery with an ack (which may be lost again).</li>
 *     <li><b>acks recovered by NAK</b>: a reliable inbound stream with a fraction of every data datagram dropped
 *     (acks, tracks and hellos alike, Aeron's {@code RandomLossGenerator}); Aeron's NAKs and retransmits recover all
 *     of it and every ack arrives.</li>
 * </ul>
 * In both, the clients' driver drops a fraction of the tracker's outbound data (Outcome and Redeliver frames), which
 * Aeron recovers by NAK. The test proves the loss happened (the generators' drop counts and the drivers' NAK,
 * retransmit and gap-fill counters read from their CnC files), then that nothing was lost: every tracked message has
 * exactly one outcome at the sender, the tracker's counters reconcile (tracked = completed + failed + expired +
 * pending 0; acks received = applied + duplicate + late + orphan), every ack sent either arrived or was dropped by
 * the generator, and every redelivery reached its destination and was answered.
 * <p>
 * The sender's destinations receive a message (and ack it) once the tracker has tracked it, as if the sender sent it
 * after its Track was applied; a Track is never dropped in the first case (its datagrams carry no acks), and the
 * kernel must drop nothing on that {@code reliable=false} socket either (see {@link #LOSSY_INBOUND}): a run where it
 * does stops within a second and says so, rather than waiting out its deadline.
 * <p>
 * The outcome is the same on every run: the generators are seeded and every assertion is a count that must
 * reconcile, never a time. How the counts split (how many acks share a datagram, how many redeliveries go out
 * before a slow ack lands) depends on scheduling; the deadlines are only a safety net.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class LossOnTheWireTest
{
    private static final int IN_STREAM = Protocol.DEFAULT_INBOUND_STREAM_ID;
    private static final int OUT_STREAM = Protocol.DEFAULT_OUTBOUND_STREAM_ID;
    private static final String[] DESTINATIONS = {"a", "b", "c"};
    private static final long ACK_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int MAX_ATTEMPTS = 15;
    /**
     * The sender keeps at most this many messages without an outcome, as a real one would bound its window. Without
     * a bound, 200,000 messages tracked at once put the acks seconds behind the 200 ms ack timeout: timeouts,
     * redeliveries and their answers fed each other until messages ran out of attempts (a retry storm the test
     * configuration caused, not the loss).
     */
    private static final int MAX_IN_FLIGHT = 4_096;
    /**
     * The lossy inbound subscription: no NAKs, and a receive window small enough that the kernel's socket buffer can
     * hold every session's window even in the smallest datagrams (a 64-byte datagram costs the buffer about 1 KB).
     * With Aeron's default 128 KB window per session and a 2-core machine busy with other work, the driver's
     * receiver thread fell behind, the kernel dropped datagrams, and on {@code reliable=false} those are lost for
     * good: Tracks among them, so the run stalled. A reliable stream recovers such drops by NAK.
     */
    private static final String LOSSY_INBOUND = "|reliable=false|rcv-wnd=16k|so-rcvbuf=2m";
    /**
     * The default breaker with a short cooldown. One lost datagram carries a burst of acks (tens of them), so one
     * destination sees that many ack timeouts in a row and the default breaker (5 consecutive failures) opens: its
     * redeliveries are parked until the cooldown ends. That path stays in the test; the default 5 s cooldown would
     * only make it slow.
     */
    private static final CircuitBreakerConfig BREAKER = new CircuitBreakerConfig(5, 0.5, 100, 20,
        TimeUnit.MILLISECONDS.toNanos(250), 1, 1, 0.2);

    enum Inbound
    {
        ACKS_LOST_FOR_GOOD,
        RECOVERED_BY_NAK
    }

    record Scenario(String name, Inbound inbound, int messages, double inboundLoss, double outboundLoss, long seed,
        long deadlineSeconds)
    {
        public String toString()
        {
            return String.format("%s: %,d messages x %d destinations, %.0f%% inbound, %.0f%% outbound loss", name,
                messages, DESTINATIONS.length, inboundLoss * 100, outboundLoss * 100);
        }
    }

    static Stream<Scenario> quick()
    {
        return Stream.of(
            new Scenario("acks lost for good", Inbound.ACKS_LOST_FOR_GOOD, 1_500, 0.2, 0.2, 42, 60),
            new Scenario("acks recovered by NAK", Inbound.RECOVERED_BY_NAK, 1_000, 0.2, 0.2, 43, 60));
    }

    static Stream<Scenario> soak()
    {
        if (null != System.getProperty("acktracker.loss.messages"))
        {
            return Stream.of(new Scenario("acks lost for good", Inbound.ACKS_LOST_FOR_GOOD,
                Integer.getInteger("acktracker.loss.messages"), 0.3, 0.2, 44, 900));
        }
        return Stream.of(
            new Scenario("acks lost for good", Inbound.ACKS_LOST_FOR_GOOD, 20_000, 0.3, 0.2, 44, 900),
            new Scenario("acks recovered by NAK", Inbound.RECOVERED_BY_NAK, 20_000, 0.3, 0.2, 45, 900));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quick")
    void everyTrackedMessageReachesExactlyOneOutcomeDespiteLoss(final Scenario scenario)
    {
        run(scenario);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("soak")
    @Tag("long")
    void everyTrackedMessageReachesExactlyOneOutcomeDespiteHeavierLossAtScale(final Scenario scenario)
    {
        run(scenario);
    }

    private static void run(final Scenario scenario)
    {
        final int n = scenario.messages();
        final int inboundPort = freePort();
        final String inboundChannel = "aeron:udp?endpoint=127.0.0.1:" + inboundPort;
        final String outboundChannel = "aeron:udp?endpoint=127.0.0.1:" + freePort();
        final boolean lostForGood = Inbound.ACKS_LOST_FOR_GOOD == scenario.inbound();

        final WireLoss.AckOnly ackLoss = new WireLoss.AckOnly(scenario.inboundLoss(), scenario.seed(), IN_STREAM);
        final WireLoss.RandomData dataLoss = new WireLoss.RandomData(scenario.inboundLoss(), scenario.seed(),
            IN_STREAM);
        final WireLoss.RandomData outboundLoss = new WireLoss.RandomData(scenario.outboundLoss(),
            scenario.seed() + 1, OUT_STREAM);

        final List<AutoCloseable> closeables = new ArrayList<>();
        final List<Throwable> trackerErrors = new ArrayList<>();
        final Sender sender = new Sender(n);
        final Destination[] destinations = new Destination[DESTINATIONS.length];
        final long startNs = System.nanoTime();
        try
        {
            final EmbeddedDriver trackerDriver = launch("loss-tracker",
                WireLoss.dropping(lostForGood ? ackLoss : dataLoss), closeables);
            final EmbeddedDriver clientDriver = launch("loss-clients", WireLoss.dropping(outboundLoss), closeables);
            final Aeron trackerAeron = connect(trackerDriver, closeables);
            final Aeron clientAeron = connect(clientDriver, closeables);

            final AeronTransport transport = new AeronTransport(new TransportConfig().aeron(trackerAeron)
                .inboundChannel(inboundChannel + (lostForGood ? LOSSY_INBOUND : ""))
                .outboundChannel(outboundChannel)
                .closeDrainTimeoutNs(0));
            closeables.add(transport);
            final AckTracker tracker = AckTracker.open(new TrackerConfig()
                .name("loss")
                .capacity(Math.max(16 * 1024, 2 * n))
                .tombstoneCapacity(Math.max(16 * 1024, 2 * n))
                .destinations(DESTINATIONS)
                .defaultAckTimeoutNs(ACK_TIMEOUT_NS)
                .defaultBackoff(Backoff.exponential(TimeUnit.MILLISECONDS.toNanos(20), 2,
                    TimeUnit.MILLISECONDS.toNanos(200)))
                .defaultMaxAttempts(MAX_ATTEMPTS)
                .circuitBreaker(BREAKER)
                .randomSeed(scenario.seed())
                .extension(transport)
                .errorHandler(trackerErrors::add));
            closeables.add(tracker);

            final TrackerClient client = new TrackerClient(clientAeron, inboundChannel, IN_STREAM, outboundChannel,
                OUT_STREAM, sender);
            closeables.add(client);
            for (int i = 0; i < destinations.length; i++)
            {
                destinations[i] = new Destination(i);
                destinations[i].client = new DestinationClient(clientAeron, inboundChannel, IN_STREAM,
                    outboundChannel, OUT_STREAM, DESTINATIONS[i], Protocol.BOUND_DESTINATION, destinations[i]);
                closeables.add(destinations[i].client);
            }

            final Loop loop = new Loop(tracker, client, destinations, scenario.deadlineSeconds());
            loop.progress = () -> String.format("told %,d refused %,d tracked %,d pending %,d acks sent %,d " +
                "received %,d dropped %,d timeouts %,d redeliveries %,d parked %,d resumed %,d circuit changes %,d",
                sender.told, sender.refused, tracker.counters().value(TrackerCounter.TRACKED),
                tracker.agent().pendingCount(), sent(destinations),
                transport.counters().value(TransportCounter.ACKS_RECEIVED), ackLoss.droppedAcks(),
                tracker.counters().value(TrackerCounter.TIMEOUTS),
                tracker.counters().value(TrackerCounter.REDELIVERIES), tracker.counters().value(TrackerCounter.PARKED),
                tracker.counters().value(TrackerCounter.RESUMED),
                tracker.counters().value(TrackerCounter.CIRCUIT_TRANSITIONS));
            loop.stall = () -> stall(tracker, transport, sender, destinations);
            if (lostForGood)
            {
                loop.abort = () -> WireLoss.kernelDrops(inboundPort) > 0 ? "the kernel dropped " +
                    WireLoss.kernelDrops(inboundPort) + " datagrams on the reliable=false socket (receive buffer " +
                    "full: the driver's receiver thread fell behind); they are lost for good and the counts cannot " +
                    "reconcile" : null;
            }
            loop.until("connected", () -> client.isConnected() && allConnected(destinations));

            final TrackRequest request = new TrackRequest();
            final long[] nextTrack = {1};
            loop.until("every message tracked, acked and told", () ->
            {
                for (int i = 0; i < 64 && nextTrack[0] <= n && nextTrack[0] - 1 - sender.told < MAX_IN_FLIGHT; i++)
                {
                    request.reset().messageId(nextTrack[0]).destinations(DestinationRegistry.mask(0, 1, 2));
                    if (client.tryTrack(request) < 0)
                    {
                        break;
                    }
                    nextTrack[0]++;
                }
                final long tracked = tracker.counters().value(TrackerCounter.TRACKED);
                for (final Destination destination : destinations)
                {
                    destination.deliverUpTo(tracked);
                }
                return sender.told == n && 0 == tracker.agent().pendingCount() && allAnswered(destinations);
            });

            // an answer to a redelivery that was not needed after all may still be on its way (and may be dropped)
            loop.until("every ack sent either received or dropped", () ->
                sent(destinations) == transport.counters().value(TransportCounter.ACKS_RECEIVED) +
                (lostForGood ? ackLoss.droppedAcks() : 0) &&
                transport.counters().value(TransportCounter.REDELIVERS_SENT) == redelivered(destinations));
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            final long droppedAcks = lostForGood ? ackLoss.droppedAcks() : 0;

            final Map<SystemCounterDescriptor, Long> trackerCnc = systemCounters(trackerAeron);
            final Map<SystemCounterDescriptor, Long> clientCnc = systemCounters(clientAeron);
            final Map<TrackerCounter, Long> engine = tracker.counters().values();
            final Map<TransportCounter, Long> wire = transport.counters().values();
            final long kernelDrops = WireLoss.kernelDrops(inboundPort);
            System.out.println(figures(scenario, seconds, sender, destinations, engine, wire, trackerCnc, clientCnc,
                ackLoss, dataLoss, outboundLoss, lostForGood, kernelDrops));

            // the loss really happened, and was recovered by what the scenario says
            assertThat(outboundLoss.dropped()).as("outbound datagrams dropped").isPositive();
            assertThat(clientCnc.get(SystemCounterDescriptor.NAK_MESSAGES_SENT)).as("clients' NAKs").isPositive();
            assertThat(trackerCnc.get(SystemCounterDescriptor.RETRANSMITS_SENT)).as("tracker's retransmits")
                .isPositive();
            assertThat(clientCnc.get(SystemCounterDescriptor.LOSS_GAP_FILLS)).as("outbound: nothing given up on")
                .isZero();
            if (lostForGood)
            {
                assertThat(kernelDrops).as("datagrams the kernel dropped on the reliable=false socket").isLessThan(1);
                assertThat(ackLoss.droppedAcks()).as("acks dropped").isPositive();
                assertThat(trackerCnc.get(SystemCounterDescriptor.LOSS_GAP_FILLS)).as("gaps filled, not NAKed")
                    .isPositive();
                assertThat(trackerCnc.get(SystemCounterDescriptor.NAK_MESSAGES_SENT)).as("no NAK on reliable=false")
                    .isZero();
                assertThat(engine.get(TrackerCounter.TIMEOUTS)).as("ack timeouts").isPositive();
                assertThat(engine.get(TrackerCounter.REDELIVERIES)).as("redeliveries").isPositive();
            }
            else
            {
                assertThat(dataLoss.dropped()).as("inbound datagrams dropped").isPositive();
                assertThat(trackerCnc.get(SystemCounterDescriptor.NAK_MESSAGES_SENT)).as("tracker's NAKs")
                    .isPositive();
                assertThat(clientCnc.get(SystemCounterDescriptor.RETRANSMITS_SENT)).as("clients' retransmits")
                    .isPositive();
                assertThat(trackerCnc.get(SystemCounterDescriptor.LOSS_GAP_FILLS)).as("inbound: nothing given up on")
                    .isZero();
            }

            // nothing was lost: one outcome per message, told once
            assertThat(sender.duplicates).as("outcomes told twice").isZero();
            assertThat(sender.strangers).as("outcomes of messages never tracked").isZero();
            assertThat(sender.refused).as("tracks refused").isZero();
            assertThat(sender.told).isEqualTo(n);
            assertThat(sender.byOutcome.get(Outcome.COMPLETED)).as("completed, with %d attempts at most",
                MAX_ATTEMPTS).isEqualTo(n);

            // the tracker's counters reconcile
            assertThat(engine.get(TrackerCounter.TRACKED)).isEqualTo(n);
            assertThat(engine.get(TrackerCounter.COMPLETED) + engine.get(TrackerCounter.FAILED) +
                engine.get(TrackerCounter.EXPIRED) + tracker.agent().pendingCount()).isEqualTo(n);
            assertThat(engine.get(TrackerCounter.COMPLETED)).isEqualTo(sender.byOutcome.get(Outcome.COMPLETED));
            assertThat(engine.get(TrackerCounter.PENDING)).isZero();
            assertThat(engine.get(TrackerCounter.ACKS)).as("one applied ack per message and destination")
                .isEqualTo((long)n * DESTINATIONS.length);
            assertThat(wire.get(TransportCounter.ACKS_RECEIVED)).as("acks received reconcile").isEqualTo(
                engine.get(TrackerCounter.ACKS) + engine.get(TrackerCounter.DUPLICATE_ACKS) +
                engine.get(TrackerCounter.LATE_ACKS) + engine.get(TrackerCounter.ORPHAN_ACKS) +
                engine.get(TrackerCounter.SPOOFED_ACKS));
            assertThat(wire.get(TransportCounter.OUTCOMES_SENT)).isEqualTo(n);
            assertThat(wire.get(TransportCounter.REDELIVERS_SENT)).isEqualTo(engine.get(TrackerCounter.REDELIVERIES));

            // every ack sent arrived or was dropped by the generator; every redelivery arrived and was answered
            assertThat(sent(destinations)).isEqualTo(wire.get(TransportCounter.ACKS_RECEIVED) + droppedAcks);
            assertThat(redelivered(destinations)).isEqualTo(wire.get(TransportCounter.REDELIVERS_SENT));
            assertThat(sent(destinations)).isEqualTo((long)n * DESTINATIONS.length + redelivered(destinations));

            assertThat(wire.get(TransportCounter.MALFORMED_FRAMES)).isZero();
            assertThat(wire.get(TransportCounter.ERRORS)).isZero();
            assertThat(wire.get(TransportCounter.UNBOUND_REFUSED)).isZero();
            assertThat(trackerErrors).isEmpty();
        }
        catch (final Throwable ex)
        {
            for (int i = closeables.size() - 1; i >= 0; i--)
            {
                CloseHelper.quietClose(closeables.get(i));
            }
            throw ex;
        }
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.close(closeables.get(i));
        }
    }

    /**
     * The test thread drives the tracker (host-driven agent), the sender and the destinations.
     */
    private static final class Loop
    {
        private final AckTracker tracker;
        private final TrackerClient client;
        private final Destination[] destinations;
        private final long deadlineNs;
        private final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
        private final long startNs = System.nanoTime();
        private long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(10);
        Supplier<String> progress = () -> "";
        Supplier<String> stall = () -> "";
        Supplier<String> abort = () -> null;
        private long nextCheckNs = startNs;

        Loop(final AckTracker tracker, final TrackerClient client, final Destination[] destinations,
            final long deadlineSeconds)
        {
            this.tracker = tracker;
            this.client = client;
            this.destinations = destinations;
            this.deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(deadlineSeconds);
        }

        void until(final String what, final BooleanSupplier condition)
        {
            while (!condition.getAsBoolean())
            {
                final long checkNs = System.nanoTime();
                if (checkNs - deadlineNs > 0)
                {
                    throw new AssertionError("timed out waiting for: " + what + "\n  " + progress.get() + "\n" +
                        stall.get());
                }
                if (checkNs - nextCheckNs > 0)
                {
                    nextCheckNs = checkNs + TimeUnit.SECONDS.toNanos(1);
                    final String reason = abort.get();
                    if (null != reason)
                    {
                        throw new AssertionError(reason + ", while waiting for: " + what + "\n  " + progress.get() +
                            "\n" + stall.get());
                    }
                }
                int work = tracker.invoker().invoke();
                work += client.poll(64);
                for (final Destination destination : destinations)
                {
                    work += destination.client.poll(64);
                    work += destination.sendAcks();
                }
                idle.idle(work);
                final long nowNs = System.nanoTime();
                if (nowNs - nextReportNs > 0)
                {
                    nextReportNs = nowNs + TimeUnit.SECONDS.toNanos(10);
                    System.out.printf("  %3d s %s: %s%n", TimeUnit.NANOSECONDS.toSeconds(nowNs - startNs), what,
                        progress.get());
                }
            }
        }
    }

    /**
     * A sender's view: each outcome once, for a message it tracked.
     */
    private static final class Sender implements TrackerClientHandler
    {
        final byte[] outcomes;
        final EnumMap<Outcome, Long> byOutcome = new EnumMap<>(Outcome.class);
        long told;
        long duplicates;
        long strangers;
        long refused;
        final EnumMap<RefusalCode, Long> refusals = new EnumMap<>(RefusalCode.class);
        int maxAttempts;

        Sender(final int messages)
        {
            outcomes = new byte[messages + 1];
            for (final Outcome outcome : Outcome.values())
            {
                byOutcome.put(outcome, 0L);
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
            if (messageId < 1 || messageId >= outcomes.length)
            {
                strangers++;
                return;
            }
            if (0 != outcomes[(int)messageId])
            {
                duplicates++;
                return;
            }
            outcomes[(int)messageId] = (byte)(1 + outcome.ordinal());
            byOutcome.merge(outcome, 1L, Long::sum);
            maxAttempts = Math.max(maxAttempts, attempts);
            told++;
        }

        public void onRefused(
            final int refusedTemplateId, final long correlationId, final RefusalCode code, final int destinationId)
        {
            refused++;
            refusals.merge(code, 1L, Long::sum);
        }
    }

    /**
     * A destination: acks every message it is delivered, once when the sender delivers it and again for every
     * Redeliver addressed to it.
     */
    private static final class Destination implements TrackerClientHandler
    {
        final int id;
        final LongArrayQueue toAck = new LongArrayQueue(1024, Long.MIN_VALUE);
        DestinationClient client;
        long delivered;
        long acksSent;
        long redeliveries;

        Destination(final int id)
        {
            this.id = id;
        }

        void deliverUpTo(final long tracked)
        {
            while (delivered < tracked)
            {
                toAck.offerLong(++delivered);
            }
        }

        int sendAcks()
        {
            int sent = 0;
            while (!toAck.isEmpty() && sent < 64)
            {
                if (client.publisher().tryAck(toAck.peekLong()) < 0)
                {
                    break;
                }
                toAck.pollLong();
                acksSent++;
                sent++;
            }
            return sent;
        }

        public void onOutcome(
            final long messageId,
            final Outcome outcome,
            final FailureReason reason,
            final long latencyNs,
            final int attempts,
            final boolean replay)
        {
        }

        public void onRedeliver(final long messageId, final int destinationId, final int attempt)
        {
            if (destinationId == id)
            {
                redeliveries++;
                toAck.offerLong(messageId);
            }
        }
    }

    private static boolean allConnected(final Destination[] destinations)
    {
        for (final Destination destination : destinations)
        {
            if (!destination.client.isConnected())
            {
                return false;
            }
        }
        return true;
    }

    private static boolean allAnswered(final Destination[] destinations)
    {
        for (final Destination destination : destinations)
        {
            if (!destination.toAck.isEmpty())
            {
                return false;
            }
        }
        return true;
    }

    private static long sent(final Destination[] destinations)
    {
        long sent = 0;
        for (final Destination destination : destinations)
        {
            sent += destination.acksSent;
        }
        return sent;
    }

    private static long redelivered(final Destination[] destinations)
    {
        long redelivered = 0;
        for (final Destination destination : destinations)
        {
            redelivered += destination.redeliveries;
        }
        return redelivered;
    }

    /**
     * What a stalled run is waiting on: messages not yet told, each destination's queue and circuit, and the first
     * pending records.
     */
    private static String stall(
        final AckTracker tracker,
        final AeronTransport transport,
        final Sender sender,
        final Destination[] destinations)
    {
        final StringBuilder sb = new StringBuilder("  no outcome at the sender yet:");
        for (int id = 1, shown = 0; id < sender.outcomes.length && shown < 10; id++)
        {
            if (0 == sender.outcomes[id])
            {
                sb.append(' ').append(id);
                shown++;
            }
        }
        sb.append(String.format("%n  tracks refused %,d %s%n  tracker: %s%n  transport: %s%n", sender.refused,
            sender.refusals, nonZero(tracker.counters().values()), nonZero(transport.counters().values())));
        for (final Destination destination : destinations)
        {
            sb.append(String.format("  destination %s: delivered %,d, acks queued %,d, redeliveries %,d, %s%n",
                DESTINATIONS[destination.id], destination.delivered, destination.toAck.size(),
                destination.redeliveries, tracker.agent().destinationHealth(destination.id)));
        }
        final PendingRecord record = new PendingRecord();
        final int[] shown = {0};
        tracker.agent().records().forEachRecord((messageId, address) ->
        {
            record.wrap(address);
            if (RecordStatus.PENDING == record.status() && shown[0]++ < 10)
            {
                sb.append("  ").append(record).append('\n');
            }
        });
        return sb.toString();
    }

    private static <K> Map<K, Long> nonZero(final Map<K, Long> values)
    {
        values.values().removeIf((value) -> 0 == value);
        return values;
    }

    /**
     * The driver's system counters as any tool reads them: from the counters in its CnC file.
     */
    static Map<SystemCounterDescriptor, Long> systemCounters(final Aeron aeron)
    {
        final Map<SystemCounterDescriptor, Long> values = new EnumMap<>(SystemCounterDescriptor.class);
        final CountersReader reader = aeron.countersReader();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (SystemCounterDescriptor.SYSTEM_COUNTER_TYPE_ID == typeId)
            {
                final SystemCounterDescriptor descriptor = SystemCounterDescriptor.get(keyBuffer.getInt(0));
                if (null != descriptor)
                {
                    values.put(descriptor, reader.getCounterValue(counterId));
                }
            }
        });
        return values;
    }

    private static String figures(
        final Scenario scenario,
        final double seconds,
        final Sender sender,
        final Destination[] destinations,
        final Map<TrackerCounter, Long> engine,
        final Map<TransportCounter, Long> wire,
        final Map<SystemCounterDescriptor, Long> trackerCnc,
        final Map<SystemCounterDescriptor, Long> clientCnc,
        final WireLoss.AckOnly ackLoss,
        final WireLoss.RandomData dataLoss,
        final WireLoss.RandomData outboundLoss,
        final boolean lostForGood,
        final long kernelDrops)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format("%n=== loss on the wire: %s, seed %d: %.1f s ===%n", scenario, scenario.seed(),
            seconds));
        if (lostForGood)
        {
            sb.append(String.format("inbound:  %,d of %,d ack-only datagrams dropped (%.1f%%), %,d acks in them%n",
                ackLoss.droppedDatagrams(), ackLoss.ackDatagrams(),
                100.0 * ackLoss.droppedDatagrams() / Math.max(1, ackLoss.ackDatagrams()), ackLoss.droppedAcks()));
        }
        else
        {
            sb.append(String.format("inbound:  %,d of %,d data datagrams dropped (%.1f%%)%n", dataLoss.dropped(),
                dataLoss.seen(), 100.0 * dataLoss.dropped() / Math.max(1, dataLoss.seen())));
        }
        sb.append(String.format("outbound: %,d of %,d data datagrams dropped (%.1f%%)%n", outboundLoss.dropped(),
            outboundLoss.seen(), 100.0 * outboundLoss.dropped() / Math.max(1, outboundLoss.seen())));
        sb.append(String.format("kernel:   %s datagrams dropped on the tracker's inbound socket (buffer full)%n",
            kernelDrops < 0 ? "unknown" : String.format("%,d", kernelDrops)));
        sb.append(String.format("tracker driver CnC: NAKs sent %,d, NAKs received %,d, retransmits sent %,d, " +
            "loss gap fills %,d%n", trackerCnc.get(SystemCounterDescriptor.NAK_MESSAGES_SENT),
            trackerCnc.get(SystemCounterDescriptor.NAK_MESSAGES_RECEIVED),
            trackerCnc.get(SystemCounterDescriptor.RETRANSMITS_SENT),
            trackerCnc.get(SystemCounterDescriptor.LOSS_GAP_FILLS)));
        sb.append(String.format("clients driver CnC: NAKs sent %,d, NAKs received %,d, retransmits sent %,d, " +
            "loss gap fills %,d%n", clientCnc.get(SystemCounterDescriptor.NAK_MESSAGES_SENT),
            clientCnc.get(SystemCounterDescriptor.NAK_MESSAGES_RECEIVED),
            clientCnc.get(SystemCounterDescriptor.RETRANSMITS_SENT),
            clientCnc.get(SystemCounterDescriptor.LOSS_GAP_FILLS)));
        sb.append(String.format("acks:     sent %,d = received %,d + dropped %,d; received = applied %,d + " +
            "duplicate %,d + late %,d + orphan %,d%n", sent(destinations), wire.get(TransportCounter.ACKS_RECEIVED),
            lostForGood ? ackLoss.droppedAcks() : 0, engine.get(TrackerCounter.ACKS),
            engine.get(TrackerCounter.DUPLICATE_ACKS), engine.get(TrackerCounter.LATE_ACKS),
            engine.get(TrackerCounter.ORPHAN_ACKS)));
        sb.append(String.format("retries:  ack timeouts %,d, redeliveries %,d (Redeliver frames %,d, answered %,d), " +
            "parked behind an open circuit %,d (resumed %,d), circuit state changes %,d, highest attempt %d%n",
            engine.get(TrackerCounter.TIMEOUTS), engine.get(TrackerCounter.REDELIVERIES),
            wire.get(TransportCounter.REDELIVERS_SENT), redelivered(destinations),
            engine.get(TrackerCounter.PARKED), engine.get(TrackerCounter.RESUMED),
            engine.get(TrackerCounter.CIRCUIT_TRANSITIONS), sender.maxAttempts));
        sb.append(String.format("outcomes: tracked %,d -> told %,d %s; tracker completed %,d failed %,d expired %,d " +
            "pending %d%n", engine.get(TrackerCounter.TRACKED), sender.told, sender.byOutcome,
            engine.get(TrackerCounter.COMPLETED), engine.get(TrackerCounter.FAILED),
            engine.get(TrackerCounter.EXPIRED), engine.get(TrackerCounter.PENDING)));
        return sb.toString();
    }

    private static EmbeddedDriver launch(
        final String name,
        final ReceiveChannelEndpointSupplier supplier,
        final List<AutoCloseable> closeables)
    {
        final MediaDriver.Context context = EmbeddedDriver.context(name)
            .publicationTermBufferLength(1024 * 1024)
            .ipcTermBufferLength(64 * 1024)
            .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100))
            .receiveChannelEndpointSupplier(supplier);
        final EmbeddedDriver driver = EmbeddedDriver.launch(context);
        closeables.add(() ->
        {
            driver.close();
            assertThat(new File(driver.aeronDirectoryName())).doesNotExist();
        });
        return driver;
    }

    private static Aeron connect(final EmbeddedDriver driver, final List<AutoCloseable> closeables)
    {
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        closeables.add(aeron);
        return aeron;
    }

    private static int freePort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}

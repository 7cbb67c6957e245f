package io.acktracker.engine.machine;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.CircuitBreakerConfig;
import io.acktracker.engine.api.CircuitListener;
import io.acktracker.engine.api.CircuitState;
import io.acktracker.engine.api.CommandType;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.MessageClass;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.OutcomeListener;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.api.RefusalListener;
import io.acktracker.engine.api.ReplayMode;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.command.CommandEncoder;
import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.testing.Gen;
import io.acktracker.engine.testing.Property;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine is a deterministic function of (state, command, timestamp): random sequences of every kind of command
 * (tracks with quorums, streams, metadata, priorities and classes; acks, nacks with jittered backoff, rejects,
 * cumulative acks; leases and their settlements with current, stale and forged handles; dead-letter replays and
 * deletes; the passage of time through retries, circuit breakers, expiry, tombstones and held dead letters) are
 * applied to fresh engines:
 * <ul>
 *     <li>two engines fed through the synchronous API tell the same effects, byte for byte, and reach the same state
 *     image after every step;</li>
 *     <li>a third fed the same commands through the any-thread command queue reaches the same state, tells the same
 *     outcomes and redeliveries, and refuses exactly the commands the first refused, with the same result (one
 *     validation path).</li>
 * </ul>
 */
class DeterminismTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final byte[] LEASE_SECRET = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    sealed interface Op permits Track, Ack, Nack, Reject, Cumulative, Lease, Settle, Replay, Delete, Advance,
        Open, Numbered, ConfirmOutbox
    {
    }

    record Track(long id, long destinations, int required, int stream, int priority, int maxAttempts,
        int metadataLength, int messageClass) implements Op
    {
    }

    record Ack(long id, int destination) implements Op
    {
    }

    record Nack(long id, int destination, long delayMs) implements Op
    {
    }

    record Reject(long id, int destination) implements Op
    {
    }

    record Cumulative(int stream, int destination, long offset) implements Op
    {
    }

    record Lease(long id, long visibilityMs) implements Op
    {
    }

    /** kind 0 ack, 1 nack, 2 extend, 3 reject; pick chooses a kept handle; forged alters its MAC. */
    record Settle(int kind, int pick, boolean forged, long argumentMs) implements Op
    {
    }

    record Replay(long id, boolean now, boolean unackedOnly) implements Op
    {
    }

    record Delete(long id) implements Op
    {
    }

    record Advance(long ms) implements Op
    {
    }

    /** A client (1..3; the engines take 2) opens its session, claiming what an earlier tracker confirmed. */
    record Open(long client, long appliedThrough, long outboxConfirmed) implements Op
    {
    }

    /**
     * A command numbered by a client: {@code skip} 0 is the client's next sequence, below 0 a resend that many
     * back, above 0 a gap of that many.
     */
    record Numbered(long client, int skip, Op command) implements Op
    {
    }

    record ConfirmOutbox(long client, long through) implements Op
    {
    }

    static Gen<List<Op>> ops()
    {
        final Gen<Long> id = Gen.longs(1, 24);
        final Gen<Integer> destination = Gen.ints(-1, 5);
        final Gen<Op> track = (random) -> new Track(
            id.next(random),
            random.nextInt(10) == 0 ? 0 : random.nextLong(1, 32),
            random.nextInt(0, 4),
            random.nextInt(3) == 0 ? random.nextInt(1, 3) : 0,
            random.nextInt(8) == 0 ? random.nextInt(-130, 130) : random.nextInt(-2, 3),
            random.nextInt(6) == 0 ? random.nextInt(0, 17) : 0,
            random.nextInt(5) == 0 ? random.nextInt(0, 24) : 0,
            random.nextInt(5) == 0 ? random.nextInt(0, 3) : 0);
        final Gen<Op> ack = (random) -> new Ack(id.next(random), destination.next(random));
        final Gen<Op> nack = (random) -> new Nack(id.next(random), destination.next(random),
            random.nextInt(4) == 0 ? random.nextLong(-1, 30) : 0);
        final Gen<Op> reject = (random) -> new Reject(id.next(random), destination.next(random));
        final Gen<Op> cumulative = (random) -> new Cumulative(random.nextInt(1, 3), destination.next(random),
            random.nextLong(0, 26));
        final Gen<Op> lease = (random) -> new Lease(id.next(random),
            random.nextInt(10) == 0 ? random.nextLong(-1, 2) : random.nextLong(5, 80));
        final Gen<Op> settle = (random) -> new Settle(random.nextInt(4), random.nextInt(4), random.nextInt(10) == 0,
            random.nextInt(5) == 0 ? random.nextLong(-1, 2000) : random.nextLong(1, 40));
        final Gen<Op> replay = (random) -> new Replay(id.next(random), random.nextBoolean(), random.nextBoolean());
        final Gen<Op> delete = (random) -> new Delete(id.next(random));
        final Gen<Op> advance = Gen.longs(1, 120).map(Advance::new);
        final Gen<Op> open = (random) -> new Open(random.nextLong(1, 4),
            random.nextInt(6) == 0 ? random.nextLong(0, 6) : 0, random.nextInt(3) == 0 ? random.nextLong(0, 12) : 0);
        final Gen<Op> numbered = (random) ->
        {
            final int kind = random.nextInt(10);
            final Op command = kind < 5 ? track.next(random) : kind < 8 ? ack.next(random) :
                kind < 9 ? nack.next(random) : random.nextBoolean() ? reject.next(random) : cumulative.next(random);
            final int skip = random.nextInt(8) == 0 ? -random.nextInt(1, 4) : random.nextInt(12) == 0 ? 1 : 0;
            return new Numbered(random.nextInt(12) == 0 ? 3 : random.nextLong(1, 3), skip, command);
        };
        final Gen<Op> confirmOutbox = (random) -> new ConfirmOutbox(random.nextLong(1, 4), random.nextLong(0, 40));
        return Gen.list(Gen.frequency(
            Gen.weighted(2, open),
            Gen.weighted(8, numbered),
            Gen.weighted(1, confirmOutbox),
            Gen.weighted(8, track),
            Gen.weighted(8, ack),
            Gen.weighted(3, nack),
            Gen.weighted(1, reject),
            Gen.weighted(2, cumulative),
            Gen.weighted(3, lease),
            Gen.weighted(4, settle),
            Gen.weighted(1, replay),
            Gen.weighted(1, delete),
            Gen.weighted(6, advance)), 30, 150, 1);
    }

    /** What the sequences exercised, summed over a property's tries: proof the comparison was not vacuous. */
    private static final EnumMap<TrackerCounter, Long> EXERCISED = new EnumMap<>(TrackerCounter.class);

    @Test
    void shouldReachTheSameStateAndEffectsOnEveryRunAndEveryPath()
    {
        EXERCISED.clear();
        Property.forAll(ops()).tries(1000).check(DeterminismTest::run);
        assertExercisedEverything();
    }

    @Test
    @Tag("long")
    void shouldReachTheSameStateAndEffectsOnEveryRunAndEveryPathLong()
    {
        EXERCISED.clear();
        Property.forAll(ops()).tries(10_000).check(DeterminismTest::run);
        assertExercisedEverything();
    }

    private static void assertExercisedEverything()
    {
        for (final TrackerCounter counter : List.of(TrackerCounter.COMPLETED, TrackerCounter.FAILED,
            TrackerCounter.EXPIRED, TrackerCounter.REDELIVERIES, TrackerCounter.PARKED, TrackerCounter.LEASES_GRANTED,
            TrackerCounter.LEASE_EXTENSIONS, TrackerCounter.LEASE_EXPIRIES, TrackerCounter.LEASE_REFUSED_INVALID,
            TrackerCounter.DLQ_MOVED, TrackerCounter.DLQ_FULL, TrackerCounter.DLQ_EVICTED, TrackerCounter.DLQ_REPLAYED,
            TrackerCounter.CIRCUIT_TRANSITIONS, TrackerCounter.EARLY_ACKS_APPLIED,
            TrackerCounter.CUMULATIVE_MESSAGES_ACKED, TrackerCounter.TOMBSTONES_EVICTED_EARLY,
            TrackerCounter.CAPACITY_EXCEEDED, TrackerCounter.INVALID_REQUESTS, TrackerCounter.SESSIONS_OPENED,
            TrackerCounter.SESSIONS_REFUSED, TrackerCounter.SESSIONS_ADOPTED, TrackerCounter.DUPLICATE_COMMANDS,
            TrackerCounter.SEQUENCE_GAPS, TrackerCounter.UNKNOWN_CLIENT_COMMANDS, TrackerCounter.OUTBOX_ENTRIES,
            TrackerCounter.OUTBOX_FULL_REFUSALS))
        {
            assertThat(EXERCISED.getOrDefault(counter, 0L)).as("sequences that reached " + counter).isPositive();
        }
    }

    @Test
    void shouldTellTheSameEffectsForTheSameCommandsWithJitterAndLeases()
    {
        final List<Op> ops = new ArrayList<>();
        for (long id = 1; id <= 8; id++)
        {
            ops.add(new Track(id, 0b111, 2, 0, 0, 4, 0, 1));
        }
        ops.add(new Lease(3, 50));
        ops.add(new Nack(1, 0, 0));
        ops.add(new Nack(2, 1, 0));
        for (int i = 0; i < 12; i++)
        {
            ops.add(new Advance(17));
        }
        ops.add(new Settle(0, 0, false, 0));
        ops.add(new Advance(400));
        run(ops);
    }

    /**
     * What a full dead-letter queue does in the engines of the sequence running now: both policies are exercised,
     * by alternate sequences (the same for every engine of one sequence).
     */
    static boolean evictOldest = true;

    private static void run(final List<Op> ops)
    {
        evictOldest = (ops.size() & 1) == 0;
        try (Engine first = new Engine(false);
            Engine second = new Engine(false);
            Engine queued = new Engine(true))
        {
            int step = 0;
            for (final Op op : ops)
            {
                final String where = "step " + step++ + " " + op;
                final Result a = first.apply(op);
                final Result b = second.apply(op);
                final Result c = queued.apply(op);
                assertThat(b).as(where).isEqualTo(a);
                assertThat(c).as(where + " (queued)").isEqualTo(a);

                final StateImage imageA = first.image();
                assertThat(imageA.firstDifference(second.image())).as(where).isNull();
                assertThat(imageA.firstDifference(queued.image())).as(where + " (queued)").isNull();
                assertThat(second.effects()).as(where + " effects").isEqualTo(first.effects());
                assertThat(queued.effectsWithoutRefusals()).as(where + " effects (queued)")
                    .isEqualTo(first.effectsWithoutRefusals());

                // a tick that does no work changes nothing: what lets a journal leave idle ticks out
                first.assertIdleTickChangesNothing(where);
                second.assertIdleTickChangesNothing(where);
                queued.assertIdleTickChangesNothing(where);
            }
            first.tracker.counters().values().forEach((counter, value) -> EXERCISED.merge(counter, value, Long::sum));
        }
    }

    /**
     * One engine, host-driven, fed either through the synchronous API or through the command queue; every effect
     * recorded as bytes.
     */
    static final class Engine implements AutoCloseable, OutcomeListener, RedeliveryListener, RefusalListener,
        CircuitListener
    {
        private final boolean queued;
        private final boolean stepTime;
        private final TestClock clock;
        private final AckTracker tracker;
        private final TrackerAgent agent;
        private final ByteArrayOutputStream effects = new ByteArrayOutputStream();
        private final ByteArrayOutputStream effectsWithoutRefusals = new ByteArrayOutputStream();
        private final List<ReceiptHandle> handles = new ArrayList<>();
        private final TrackRequest request = new TrackRequest();
        private final UnsafeBuffer metadata = new UnsafeBuffer(new byte[64]);
        private final UnsafeBuffer encoded = new UnsafeBuffer(new byte[256]);
        private final long[] sent = new long[4];
        private Result lastRefusal;

        Engine(final boolean queued)
        {
            this(queued, null, new TestClock(Trackers.START_NS), false);
        }

        /**
         * @param queued     feed commands through the command queue where there is a queued way in.
         * @param journalDir a data directory to keep a journal in, or null for none.
         * @param clock      the engine's clock (a restarted engine goes on with the clock of the one before).
         * @param stepTime   let time pass one millisecond per duty cycle (most of them idle ticks at a moving
         *                   time) instead of in one jump.
         */
        Engine(final boolean queued, final Path journalDir, final TestClock clock, final boolean stepTime)
        {
            this(queued, journalDir, clock, stepTime, (config) -> { });
        }

        /**
         * @param tweak changes to the configuration (checkpoint settings, an error handler that collects): with a
         *              journal, checkpoints are only taken on request and at a close unless it says otherwise.
         */
        Engine(
            final boolean queued,
            final Path journalDir,
            final TestClock clock,
            final boolean stepTime,
            final java.util.function.Consumer<TrackerConfig> tweak)
        {
            this.queued = queued;
            this.clock = clock;
            this.stepTime = stepTime;
            final TrackerConfig config = new TrackerConfig()
                .epochClock(clock)
                .nanoClock(clock)
                .randomSeed(7)
                .leaseSecret(LEASE_SECRET)
                .capacity(10)
                .tombstoneCapacity(3)
                .tombstoneWindowNs(100 * MS)
                .defaultAckTimeoutNs(25 * MS)
                .defaultTtlNs(900 * MS)
                .defaultMaxAttempts(3)
                .defaultBackoff(Backoff.exponential(4 * MS, 2.0, 40 * MS).withJitter(Backoff.Jitter.DECORRELATED))
                .messageClass(new MessageClass(1, "jittery", 15 * MS, 5, 3, 500 * MS,
                    Backoff.linear(2 * MS, 3 * MS, 30 * MS).withJitter(Backoff.Jitter.FULL)))
                .messageClass(new MessageClass(2, "equal", 30 * MS, 2, -1, 300 * MS,
                    Backoff.fixed(10 * MS).withJitter(Backoff.Jitter.EQUAL)))
                .circuitBreaker(new CircuitBreakerConfig(3, 0.5, 10, 6, 80 * MS, 1, 1, 0.5))
                .dlqCapacity(3)
                .dlqEvictOldest(evictOldest)
                .dlqRetentionNs(700 * MS)
                .dlqReplayBudget(2)
                .maxMetadataLength(16)
                .earlyAckWindowNs(20 * MS)
                .earlyAckCapacity(4)
                .leaseMaxDeliveries(3)
                .leaseMaxExtensions(2)
                .leaseMaxExtensionNs(50 * MS)
                .leaseMaxVisibilityNs(100 * MS)
                .housekeepingBudget(3)
                .timerBudget(5)
                .retryBudget(2)
                .orphanCheckIntervalNs(250 * MS)
                .destinations("a", "b", "c", "d", "e")
                .maxClients(2)
                .outboxCapacity(16)
                .confirmationListener(this::onConfirmed)
                .outcomeListener(this)
                .redeliveryListener(this)
                .refusalListener(this)
                .circuitListener(this)
                .waiterExecutor(Runnable::run)
                .errorHandler((ex) -> { throw new AssertionError("unexpected error", ex); });
            if (null != journalDir)
            {
                config.dataDir(journalDir).journal(true).journalSegmentLength(64 * 1024)
                    .checkpointIntervalBytes(0).checkpointIntervalNs(0);
            }
            tweak.accept(config);
            tracker = AckTracker.open(config);
            agent = tracker.agent();
        }

        Result apply(final Op op)
        {
            lastRefusal = null;
            final Result result = queued ? applyQueued(op) : applySync(op);
            agent.doWork();
            if (queued && Result.QUEUED == result)
            {
                return null == lastRefusal ? Result.OK : lastRefusal;
            }
            return result.isRefusal() ? result : Result.OK;
        }

        private Result applySync(final Op op)
        {
            if (op instanceof Open || op instanceof Numbered || op instanceof ConfirmOutbox)
            {
                final int type = encode(op);
                return agent.apply(type, encoded, 0, encodedLength);
            }
            if (op instanceof Track track)
            {
                return agent.track(request(track));
            }
            if (op instanceof Ack ack)
            {
                return agent.recordAck(ack.id(), ack.destination());
            }
            if (op instanceof Nack nack)
            {
                return agent.recordNack(nack.id(), nack.destination(), nack.delayMs() * MS, 5);
            }
            if (op instanceof Reject reject)
            {
                return agent.recordReject(reject.id(), reject.destination(), 9);
            }
            if (op instanceof Cumulative cumulative)
            {
                return agent.recordCumulativeAck(cumulative.stream(), cumulative.destination(), cumulative.offset());
            }
            if (op instanceof Settle settle)
            {
                final ReceiptHandle handle = chosen(settle);
                if (null == handle)
                {
                    return Result.OK;
                }
                switch (settle.kind())
                {
                    case 0:
                        return agent.leaseAck(handle);
                    case 1:
                        return agent.leaseNack(handle, settle.argumentMs() * MS);
                    case 2:
                        return agent.leaseExtend(handle, settle.argumentMs() * MS);
                    default:
                        return agent.leaseReject(handle, 3);
                }
            }
            return applyEither(op);
        }

        private Result applyQueued(final Op op)
        {
            if (op instanceof Open || op instanceof Numbered || op instanceof ConfirmOutbox)
            {
                final int type = encode(op);
                return tracker.offerCommand(type, encoded, 0, encodedLength);
            }
            if (op instanceof Track track)
            {
                return tracker.offerTrack(request(track));
            }
            if (op instanceof Ack ack)
            {
                return tracker.offerAck(ack.id(), ack.destination());
            }
            if (op instanceof Nack nack)
            {
                return tracker.offerNack(nack.id(), nack.destination(), nack.delayMs() * MS, 5);
            }
            if (op instanceof Reject reject)
            {
                return tracker.offerReject(reject.id(), reject.destination(), 9);
            }
            if (op instanceof Cumulative cumulative)
            {
                return tracker.offerCumulativeAck(cumulative.stream(), cumulative.destination(), cumulative.offset());
            }
            if (op instanceof Settle settle)
            {
                final ReceiptHandle handle = chosen(settle);
                if (null == handle)
                {
                    return Result.OK;
                }
                switch (settle.kind())
                {
                    case 0:
                        return tracker.offerLeaseAck(handle);
                    case 1:
                        return tracker.offerLeaseNack(handle, settle.argumentMs() * MS);
                    case 2:
                        return tracker.offerLeaseExtend(handle, settle.argumentMs() * MS);
                    default:
                        return tracker.offerLeaseReject(handle, 3);
                }
            }
            return applyEither(op);
        }

        /** Commands with one way in: the synchronous API on the agent thread. */
        private Result applyEither(final Op op)
        {
            if (op instanceof Lease lease)
            {
                final ReceiptHandle handle = new ReceiptHandle();
                final Result result = agent.lease(lease.id(), 40 + lease.id(), lease.visibilityMs() * MS, handle);
                if (Result.OK == result)
                {
                    handles.add(handle);
                }
                return result;
            }
            if (op instanceof Replay replay)
            {
                final ReplayMode mode = replay.unackedOnly() ? ReplayMode.UNACKED_DESTINATIONS :
                    ReplayMode.ALL_DESTINATIONS;
                return replay.now() ? agent.replayDeadLetterNow(mode, replay.id()) :
                    agent.replayDeadLetters(mode, replay.id());
            }
            if (op instanceof Delete delete)
            {
                agent.deleteDeadLetters(delete.id());
                return Result.OK;
            }
            if (stepTime)
            {
                for (long ms = ((Advance)op).ms(); ms > 1; ms--)
                {
                    clock.advanceMs(1);
                    agent.doWork();
                }
                clock.advanceMs(1);
            }
            else
            {
                clock.advanceMs(((Advance)op).ms());
            }
            return Result.OK;
        }

        private int encodedLength;

        /**
         * Encode a session command into {@link #encoded}: the same bytes on every path.
         *
         * @return its type.
         */
        private int encode(final Op op)
        {
            if (op instanceof Open open)
            {
                encodedLength = CommandEncoder.sessionOpen(encoded, 0, open.client(), open.appliedThrough(),
                    open.outboxConfirmed());
                return CommandLayout.SESSION_OPEN;
            }
            if (op instanceof ConfirmOutbox confirm)
            {
                encodedLength = CommandEncoder.outboxConfirm(encoded, 0, confirm.client(), confirm.through());
                return CommandLayout.OUTBOX_CONFIRM;
            }
            final Numbered numbered = (Numbered)op;
            final int client = (int)numbered.client();
            final long sequence = 0 == numbered.skip() ? ++sent[client] :
                numbered.skip() < 0 ? Math.max(1, sent[client] + 1 + numbered.skip()) : sent[client] + 1 + numbered.skip();
            final int type;
            final int length;
            final Op command = numbered.command();
            if (command instanceof Track track)
            {
                length = CommandEncoder.track(encoded, 0, request(track), false);
                type = CommandLayout.TRACK;
            }
            else if (command instanceof Ack ack)
            {
                length = CommandEncoder.ack(encoded, 0, ack.id(), ack.destination());
                type = CommandLayout.ACK;
            }
            else if (command instanceof Nack nack)
            {
                length = CommandEncoder.nack(encoded, 0, nack.id(), nack.destination(), nack.delayMs() * MS, 5);
                type = CommandLayout.NACK;
            }
            else if (command instanceof Reject reject)
            {
                length = CommandEncoder.reject(encoded, 0, reject.id(), reject.destination(), 9);
                type = CommandLayout.REJECT;
            }
            else
            {
                final Cumulative cumulative = (Cumulative)command;
                length = CommandEncoder.cumulativeAck(encoded, 0, cumulative.stream(), cumulative.destination(),
                    cumulative.offset());
                type = CommandLayout.CUMULATIVE_ACK;
            }
            encodedLength = CommandEncoder.numbered(encoded, 0, length, numbered.client(), sequence);
            return type | CommandLayout.SEQUENCED;
        }

        private void onConfirmed(final long clientId, final long appliedThrough, final long outboxWritten)
        {
            record(true, 5, clientId, 0, 0, appliedThrough, (int)outboxWritten, 0);
        }

        private TrackRequest request(final Track track)
        {
            request.reset()
                .messageId(track.id())
                .destinations(track.destinations())
                .requiredAcks(track.required())
                .priority(track.priority())
                .maxAttempts(track.maxAttempts())
                .messageClass(track.messageClass());
            if (track.metadataLength() > 0)
            {
                Arrays.fill(metadata.byteArray(), (byte)track.id());
                request.metadata(metadata, 0, track.metadataLength());
            }
            if (track.stream() > 0)
            {
                request.stream(track.stream(), track.id());
            }
            return request;
        }

        private ReceiptHandle chosen(final Settle settle)
        {
            if (handles.isEmpty())
            {
                return null;
            }
            final ReceiptHandle handle = new ReceiptHandle().copyFrom(
                handles.get(handles.size() - 1 - settle.pick() % handles.size()));
            if (settle.forged())
            {
                handle.set(handle.messageId(), handle.delivery(), handle.nonce(), handle.mac() ^ 0x5A5A);
            }
            return handle;
        }

        /**
         * Run duty cycles at the same time until one does no work, then one more: it must leave the state image as
         * it was.
         */
        void assertIdleTickChangesNothing(final String where)
        {
            for (int i = 0; i < 100_000 && agent.doWork() > 0; i++)
            {
                Thread.onSpinWait();
            }
            final StateImage before = image();
            assertThat(agent.doWork()).as(where + ": still working").isZero();
            assertThat(before.firstDifference(image())).as(where + ": an idle tick changed the state").isNull();
        }

        /**
         * Take over what the clients of another engine hold (the one this engine restarted from): the receipt handles
         * they were given and the sequences they used; the clients did not restart.
         *
         * @param before the engine before the restart.
         */
        void keepHandles(final Engine before)
        {
            handles.addAll(before.handles);
            System.arraycopy(before.sent, 0, sent, 0, sent.length);
        }

        AckTracker tracker()
        {
            return tracker;
        }

        StateImage image()
        {
            final StateImage image = new StateImage();
            agent.appendState(image);
            return image;
        }

        byte[] effects()
        {
            return effects.toByteArray();
        }

        byte[] effectsWithoutRefusals()
        {
            return effectsWithoutRefusals.toByteArray();
        }

        public void onOutcome(
            final long messageId,
            final Outcome outcome,
            final FailureReason reason,
            final long latencyNs,
            final int attempts,
            final boolean replay)
        {
            record(true, 1, messageId, outcome.ordinal(), reason.ordinal(), latencyNs, attempts, replay ? 1 : 0);
        }

        public void onRedeliver(final long messageId, final int destination, final int attempt)
        {
            record(true, 2, messageId, destination, attempt, 0, 0, 0);
        }

        public void onRefused(final CommandType command, final long messageId, final Result result)
        {
            lastRefusal = result;
            record(false, 3, messageId, command.id(), result.ordinal(), 0, 0, 0);
        }

        public void onCircuitStateChange(
            final int destination, final CircuitState from, final CircuitState to, final long nowNs)
        {
            record(true, 4, destination, from.ordinal(), to.ordinal(), nowNs, 0, 0);
        }

        private void record(
            final boolean always, final int type, final long id, final int a, final int b, final long c, final int d,
            final int e)
        {
            final byte[] bytes = encode(type, id, a, b, c, d, e);
            effects.writeBytes(bytes);
            if (always)
            {
                effectsWithoutRefusals.writeBytes(bytes);
            }
        }

        private static byte[] encode(
            final int type, final long id, final int a, final int b, final long c, final int d, final int e)
        {
            try
            {
                final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                final DataOutputStream out = new DataOutputStream(bytes);
                out.writeInt(type);
                out.writeLong(id);
                out.writeInt(a);
                out.writeInt(b);
                out.writeLong(c);
                out.writeInt(d);
                out.writeInt(e);
                return bytes.toByteArray();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        public void close()
        {
            tracker.close();
        }
    }
}

package io.acktracker.engine.model;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.testing.Gen;
import io.acktracker.engine.testing.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.acktracker.engine.model.ReferenceModel.MS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random sequences of track, ack, nack, reject, cumulative ack, lease, lease ack/nack/extend (with current, stale
 * and forged handles), clock advances and restarts, run against the tracker and against {@link ReferenceModel}:
 * results, outcomes, statuses and counters must match after every step. Sequences come from seeded generators
 * ({@link Gen}); a failure prints the seed, the shrunk sequence and a command replaying it ({@link Property}).
 * Shrunk counterexamples become the regression tests at the bottom.
 */
class ModelBasedTest
{
    sealed interface Step permits Track, Ack, Nack, Reject, Cumulative, Lease, Settle, Advance, Restart
    {
    }

    record Track(int id, long destinations, int required, boolean stream) implements Step
    {
    }

    record Ack(int id, int destination) implements Step
    {
    }

    record Nack(int id, int destination) implements Step
    {
    }

    record Reject(int id, int destination) implements Step
    {
    }

    record Cumulative(int destination, long offset) implements Step
    {
    }

    record Lease(int id) implements Step
    {
    }

    /** kind 0 ack, 1 nack, 2 extend; pick chooses a kept handle, 0 the most recent lease; forged alters its MAC. */
    record Settle(int kind, int pick, boolean forged) implements Step
    {
    }

    record Advance(long ms) implements Step
    {
    }

    record Restart() implements Step
    {
    }

    private record Kept(long id, long incarnation, int delivery, ReceiptHandle handle)
    {
    }

    private final List<Path> dirs = new ArrayList<>();

    /** Each try cleans up after itself ({@link #run}); this catches a try that failed before its try block. */
    @AfterEach
    void cleanUp() throws IOException
    {
        for (final Path dir : dirs)
        {
            try (var files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
            }
        }
        dirs.clear();
    }

    static Gen<List<Step>> steps()
    {
        final Gen<Integer> id = Gen.ints(1, 6);
        final Gen<Integer> destination = Gen.ints(0, 4);
        final Gen<Long> destinations = Gen.longs(1, 7);
        final Gen<Integer> required = Gen.ints(0, 3);
        final Gen<Boolean> stream = Gen.of(true, false);
        final Gen<Step> track = (random) ->
        {
            final int i = id.next(random);
            final long d = destinations.next(random);
            final int r = required.next(random);
            return new Track(i, d, Math.min(r, Long.bitCount(d)), stream.next(random));
        };
        final Gen<Step> ack = (random) -> new Ack(id.next(random), destination.next(random));
        final Gen<Step> nack = (random) -> new Nack(id.next(random), destination.next(random));
        final Gen<Step> reject = (random) -> new Reject(id.next(random), destination.next(random));
        final Gen<Long> offset = Gen.longs(0, 13);
        final Gen<Step> cumulative = (random) -> new Cumulative(destination.next(random), offset.next(random));
        final Gen<Step> lease = id.map(Lease::new);
        final Gen<Integer> kind = Gen.ints(0, 2);
        final Gen<Integer> pick = Gen.ints(0, 3);
        final Gen<Boolean> forged = Gen.frequency(Gen.weighted(9, Gen.just(false)), Gen.weighted(1, Gen.just(true)));
        final Gen<Step> settle = (random) -> new Settle(kind.next(random), pick.next(random), forged.next(random));
        final Gen<Step> advance = Gen.longs(1, 60).map(Advance::new);
        final Gen<Step> restart = Gen.just(new Restart());
        // Any sequence is a valid test: 20 steps at least to reach deeper states, but a failure may shrink below.
        return Gen.list(Gen.frequency(
            Gen.weighted(6, track),
            Gen.weighted(7, ack),
            Gen.weighted(2, nack),
            Gen.weighted(1, reject),
            Gen.weighted(2, cumulative),
            Gen.weighted(4, lease),
            Gen.weighted(7, settle),
            Gen.weighted(4, advance),
            Gen.weighted(1, restart)), 20, 80, 1);
    }

    @Test
    void trackerShouldBehaveLikeTheModel()
    {
        Property.forAll(steps()).tries(150).check(this::run);
    }

    @Test
    @Tag("long")
    void trackerShouldBehaveLikeTheModelLong()
    {
        Property.forAll(steps()).tries(3000).check(this::run);
    }

    private void run(final List<Step> steps) throws IOException
    {
        final Path dir = Files.createTempDirectory("acktracker-model");
        dirs.add(dir);
        final TestClock clock = new TestClock(Trackers.START_NS);
        final ReferenceModel model = new ReferenceModel(clock.nanoTime());
        final Trackers.Outcomes outcomes = new Trackers.Outcomes();
        final TrackerConfig config = config(clock, outcomes, dir);
        final List<Kept> kept = new ArrayList<>();
        final TrackRequest request = new TrackRequest();
        AckTracker tracker = AckTracker.open(config);
        try
        {
            int index = 0;
            for (final Step step : steps)
            {
                final String where = "step " + index++ + " " + step + " of " + steps;
                final Result actual;
                final Result expected;
                if (step instanceof Track track)
                {
                    request.reset().messageId(track.id()).destinations(track.destinations())
                        .requiredAcks(track.required());
                    if (track.stream())
                    {
                        request.stream(5, track.id());
                    }
                    actual = tracker.agent().track(request);
                    expected = model.track(track.id(), track.destinations(), track.required(), track.stream());
                }
                else if (step instanceof Ack ack)
                {
                    actual = tracker.agent().recordAck(ack.id(), ack.destination());
                    expected = model.ack(ack.id(), ack.destination());
                }
                else if (step instanceof Nack nack)
                {
                    actual = tracker.agent().recordNack(nack.id(), nack.destination());
                    expected = model.nack(nack.id(), nack.destination());
                }
                else if (step instanceof Reject reject)
                {
                    actual = tracker.agent().recordReject(reject.id(), reject.destination(), 1);
                    expected = model.reject(reject.id(), reject.destination());
                }
                else if (step instanceof Cumulative cumulative)
                {
                    actual = tracker.agent().recordCumulativeAck(5, cumulative.destination(), cumulative.offset());
                    expected = model.cumulativeAck(cumulative.destination(), cumulative.offset());
                }
                else if (step instanceof Lease lease)
                {
                    final ReceiptHandle handle = new ReceiptHandle();
                    actual = tracker.agent().lease(lease.id(), 1, ReferenceModel.VISIBILITY, handle);
                    expected = model.lease(lease.id());
                    if (Result.OK == actual && Result.OK == expected)
                    {
                        final ReferenceModel.Message m = model.messages.get((long)lease.id());
                        kept.add(new Kept(lease.id(), m.incarnation, m.deliveries, handle));
                    }
                }
                else if (step instanceof Settle settle)
                {
                    if (kept.isEmpty())
                    {
                        continue;
                    }
                    final Kept chosen = kept.get(kept.size() - 1 - settle.pick() % kept.size());
                    final ReceiptHandle handle = new ReceiptHandle().copyFrom(chosen.handle());
                    if (settle.forged())
                    {
                        handle.set(handle.messageId(), handle.delivery(), handle.nonce(), handle.mac() ^ 0x5A5A);
                    }
                    switch (settle.kind())
                    {
                        case 0:
                            actual = tracker.agent().leaseAck(handle);
                            expected = model.leaseAck(chosen.id(), chosen.incarnation(), chosen.delivery(),
                                settle.forged());
                            break;
                        case 1:
                            actual = tracker.agent().leaseNack(handle, 0);
                            expected = model.leaseNack(chosen.id(), chosen.incarnation(), chosen.delivery(),
                                settle.forged());
                            break;
                        default:
                            actual = tracker.agent().leaseExtend(handle, ReferenceModel.EXTENSION);
                            expected = model.leaseExtend(chosen.id(), chosen.incarnation(), chosen.delivery(),
                                settle.forged());
                    }
                }
                else if (step instanceof Advance advance)
                {
                    clock.advanceNs(advance.ms() * MS);
                    Trackers.drain(tracker.agent());
                    model.advance(advance.ms() * MS);
                    actual = Result.OK;
                    expected = Result.OK;
                }
                else
                {
                    tracker.close();
                    model.advance(0);
                    tracker = AckTracker.open(config);
                    model.restarted();
                    actual = Result.OK;
                    expected = Result.OK;
                }

                assertThat(actual).as(where).isEqualTo(expected);
                compare(tracker, model, outcomes, where);
            }
        }
        finally
        {
            tracker.close();
            cleanUp();
        }
    }

    private static TrackerConfig config(final TestClock clock, final Trackers.Outcomes outcomes, final Path dir)
    {
        return Trackers.config(clock, outcomes)
            .dataDir(dir)
            .capacity(64)
            .defaultMaxAttempts(1)
            .defaultAckTimeoutNs(ReferenceModel.ACK_TIMEOUT)
            .defaultTtlNs(ReferenceModel.TTL)
            .tombstoneWindowNs(ReferenceModel.TOMBSTONE_WINDOW)
            .leaseMaxDeliveries(ReferenceModel.MAX_DELIVERIES)
            .leaseMaxExtensions(ReferenceModel.MAX_EXTENSIONS)
            .leaseMaxExtensionNs(ReferenceModel.EXTENSION)
            .defaultBackoff(Backoff.fixed(ReferenceModel.HOLD_BACK))
            .destinations("a", "b", "c", "d");
    }

    private static void compare(
        final AckTracker tracker, final ReferenceModel model, final Trackers.Outcomes outcomes, final String where)
    {
        assertThat(outcomes.seen.stream().map((o) -> o.messageId() + ":" + o.outcome() + ":" + o.reason())
            .collect(Collectors.toList()))
            .as(where + " outcomes")
            .containsExactlyInAnyOrderElementsOf(model.outcomes.stream()
                .map((o) -> o.messageId() + ":" + o.outcome() + ":" + o.reason()).collect(Collectors.toList()));
        assertThat(outcomes.seen).as(where).noneMatch(Trackers.Seen::replay);

        for (long id = 1; id <= 12; id++)
        {
            final MessageState expected = model.state(id);
            assertThat(tracker.status(id).state()).as(where + " state of " + id).isEqualTo(expected);
            final ReferenceModel.Message m = model.messages.get(id);
            if (null != m)
            {
                assertThat(tracker.status(id).acked()).as(where + " acked of " + id)
                    .isEqualTo(m.acked & m.destinations);
            }
        }

        assertThat(tracker.agent().pendingCount()).as(where + " pending").isEqualTo(model.pendingCount());
        final Map<String, Long> c = model.counters;
        assertThat(counter(tracker, TrackerCounter.TRACKED)).as(where + " tracked").isEqualTo(c.getOrDefault("tracked", 0L));
        assertThat(counter(tracker, TrackerCounter.COMPLETED)).as(where + " completed")
            .isEqualTo(c.getOrDefault("completed", 0L));
        assertThat(counter(tracker, TrackerCounter.FAILED)).as(where + " failed").isEqualTo(c.getOrDefault("failed", 0L));
        assertThat(counter(tracker, TrackerCounter.EXPIRED)).as(where + " expired")
            .isEqualTo(c.getOrDefault("expired", 0L));
        assertThat(counter(tracker, TrackerCounter.ACKS)).as(where + " acks").isEqualTo(c.getOrDefault("acks", 0L));
        assertThat(counter(tracker, TrackerCounter.DUPLICATE_ACKS)).as(where + " duplicate acks")
            .isEqualTo(c.getOrDefault("duplicateAcks", 0L));
        assertThat(counter(tracker, TrackerCounter.ORPHAN_ACKS)).as(where + " orphan acks")
            .isEqualTo(c.getOrDefault("orphanAcks", 0L));
        assertThat(counter(tracker, TrackerCounter.LATE_ACKS)).as(where + " late acks")
            .isEqualTo(c.getOrDefault("lateAcks", 0L));
        assertThat(counter(tracker, TrackerCounter.SPOOFED_ACKS)).as(where + " spoofed acks")
            .isEqualTo(c.getOrDefault("spoofedAcks", 0L));
        assertThat(counter(tracker, TrackerCounter.DUPLICATE_TRACKS)).as(where + " duplicate tracks")
            .isEqualTo(c.getOrDefault("duplicateTracks", 0L));
        assertThat(counter(tracker, TrackerCounter.LEASES_GRANTED)).as(where + " leases")
            .isEqualTo(c.getOrDefault("leases", 0L));
        assertThat(counter(tracker, TrackerCounter.LEASE_REFUSED_INVALID)).as(where + " invalid leases")
            .isEqualTo(c.getOrDefault("invalidLeases", 0L));
        assertThat(counter(tracker, TrackerCounter.LEASE_REFUSED_EXPIRED)).as(where + " expired leases")
            .isEqualTo(c.getOrDefault("expiredLeases", 0L));
        assertThat(counter(tracker, TrackerCounter.LEASE_REFUSED_ALREADY_LEASED)).as(where + " already leased")
            .isEqualTo(c.getOrDefault("alreadyLeased", 0L));
    }

    private static long counter(final AckTracker tracker, final TrackerCounter counter)
    {
        return tracker.counters().value(counter);
    }

    @Test
    void shouldRefuseASecondExtensionBeyondTheLimit() throws IOException
    {
        run(List.of(new Track(1, 1, 0, false), new Lease(1), new Settle(2, 0, false),
            new Settle(2, 0, false), new Settle(0, 0, false)));
    }

    @Test
    void shouldExpireAtTheEndOfTheTickAfterALeaseOutlivesTheAckTimeout() throws IOException
    {
        run(List.of(new Track(1, 3, 1, true), new Advance(45), new Lease(1), new Advance(20),
            new Settle(2, 0, false), new Advance(30), new Lease(1), new Settle(1, 0, false), new Advance(11),
            new Lease(1), new Advance(31), new Ack(1, 0)));
    }

    @Test
    void shouldKeepStateAcrossARestartInTheMiddleOfALease() throws IOException
    {
        run(List.of(new Track(2, 7, 2, true), new Cumulative(0, 5), new Lease(2), new Restart(),
            new Settle(2, 0, false), new Advance(40), new Settle(0, 0, false), new Lease(2), new Restart(),
            new Advance(60), new Lease(2), new Advance(5), new Track(2, 1, 0, false)));
    }

    /**
     * jqwik seed 4334946288408522485, and seed 658114694226134077 of the seeded generators: with a fixed random seed
     * the lease nonces started over at every open, so after a restart an id tracked again got a handle identical to
     * its previous incarnation's (fixed by mixing the data directory's incarnation into the seed).
     */
    @Test
    void shouldRefuseAHandleOfAPreviousIncarnationAfterARestart() throws IOException
    {
        run(List.of(new Track(1, 1, 0, false), new Lease(1), new Settle(0, 0, false), new Advance(100), new Restart(),
            new Track(1, 1, 0, false), new Lease(1), new Advance(30), new Settle(0, 1, false)));
    }

    @Test
    void shouldNotLetAHandleOfAPreviousIncarnationSettleTheCurrentLease() throws IOException
    {
        run(List.of(new Track(1, 1, 0, false), new Lease(1), new Settle(0, 0, false), new Advance(100), new Restart(),
            new Track(1, 1, 0, false), new Lease(1), new Settle(0, 1, false)));
    }
}

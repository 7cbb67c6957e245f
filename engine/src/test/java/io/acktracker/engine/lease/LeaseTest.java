package io.acktracker.engine.lease;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.AttemptEventType;
import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.DeadLetter;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.LeaseRefusedException;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.machine.Leases;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.store.StoreLayout;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

import static io.acktracker.engine.Trackers.START_NS;
import static io.acktracker.engine.Trackers.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LeaseTest
{
    private static final long MS = 1_000_000L;
    private static final long CONSUMER = 77;

    @TempDir
    Path temp;

    private final TestClock clock = new TestClock(START_NS);
    private final Trackers.Outcomes outcomes = new Trackers.Outcomes();
    private final List<long[]> redeliveries = new ArrayList<>();
    private AckTracker tracker;
    private TrackerAgent agent;
    private Leases leases;

    private TrackerConfig config()
    {
        return Trackers.config(clock, outcomes)
            .leaseMaxDeliveries(3)
            .leaseMaxExtensions(2)
            .leaseMaxExtensionNs(1_000 * MS)
            .defaultBackoff(Backoff.fixed(50 * MS))
            .redeliveryListener((id, destination, attempt) ->
                redeliveries.add(new long[]{ id, destination, attempt, clock.nanoTime() - START_NS }));
    }

    private void open(final TrackerConfig config)
    {
        tracker = AckTracker.open(config);
        agent = tracker.agent();
        leases = agent.leases();
    }

    @AfterEach
    void tearDown()
    {
        if (null != tracker)
        {
            tracker.close();
        }
    }

    private void trackQueued(final long id)
    {
        agent.track(new TrackRequest().reset().messageId(id).destinations(1)
            .ackTimeoutNs(TrackRequest.NO_TIMEOUT).ttlNs(TrackRequest.NO_TIMEOUT));
    }

    private void at(final long offsetMs)
    {
        clock.set(START_NS + offsetMs * MS);
        drain(agent);
    }

    private long counter(final TrackerCounter counter)
    {
        return tracker.counters().value(counter);
    }

    @Test
    void shouldMatchTheReferenceSipHashVector()
    {
        final SipHash sipHash = new SipHash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
        // vectors_sip64[24] of the SipHash reference: key 00..0f, message 00..17, tag 94 af 49 f6 c6 50 ad b8
        assertThat(sipHash.hash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L, 0x1716151413121110L))
            .isEqualTo(0xb8ad50c6f649af94L);
    }

    @Test
    void shouldLeaseToOneConsumerAndCompleteOnAck()
    {
        open(config());
        trackQueued(1);
        final ReceiptHandle handle = new ReceiptHandle();
        assertThat(agent.lease(1, CONSUMER, 100 * MS, handle)).isEqualTo(Result.OK);
        assertThat(handle.messageId()).isEqualTo(1);
        assertThat(handle.delivery()).isEqualTo(1);
        assertThat(agent.lease(1, 88, 100 * MS, new ReceiptHandle())).isEqualTo(Result.ALREADY_LEASED);
        assertThat(counter(TrackerCounter.ACTIVE_LEASES)).isEqualTo(1);

        clock.advanceMs(30);
        agent.doWork();
        assertThat(agent.leaseAck(handle)).isEqualTo(Result.OK);
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(counter(TrackerCounter.ACTIVE_LEASES)).isZero();
        assertThat(counter(TrackerCounter.LEASE_ACKS)).isEqualTo(1);
        assertThat(tracker.metrics().leaseHoldTime().max()).isBetween(29 * MS, 31 * MS);

        assertThat(agent.leaseAck(handle)).isEqualTo(Result.LATE_ACK);
    }

    @Test
    void shouldRefuseForgedAndAlteredHandlesAndChangeNothing()
    {
        open(config());
        trackQueued(1);
        trackQueued(2);
        final ReceiptHandle handle = new ReceiptHandle();
        agent.lease(1, CONSUMER, 100 * MS, handle);
        final ReceiptHandle other = new ReceiptHandle();
        agent.lease(2, CONSUMER, 100 * MS, other);

        final ReceiptHandle forged = new ReceiptHandle().set(1, 1, handle.nonce(), 0x1234);
        final ReceiptHandle otherMessage = new ReceiptHandle().set(2, 1, handle.nonce(), handle.mac());
        final ReceiptHandle laterDelivery = new ReceiptHandle().set(1, 2, handle.nonce(), handle.mac());
        final ReceiptHandle otherNonce = new ReceiptHandle().set(1, 1, handle.nonce() ^ 1, handle.mac());
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[ReceiptHandle.LENGTH]);
        handle.encode(bytes, 0);
        bytes.putByte(12, (byte)7);
        final ReceiptHandle otherVersion = new ReceiptHandle().decode(bytes, 0);

        for (final ReceiptHandle bad : List.of(forged, otherMessage, laterDelivery, otherNonce, otherVersion))
        {
            assertThat(agent.leaseAck(bad)).isEqualTo(Result.INVALID_LEASE);
            assertThat(agent.leaseExtend(bad, MS)).isEqualTo(Result.INVALID_LEASE);
            assertThat(agent.leaseNack(bad, 0)).isEqualTo(Result.INVALID_LEASE);
            assertThat(agent.leaseReject(bad, 1)).isEqualTo(Result.INVALID_LEASE);
        }
        assertThat(counter(TrackerCounter.LEASE_REFUSED_INVALID)).isEqualTo(20);
        assertThat(outcomes.seen).isEmpty();
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.PENDING);
        assertThat(agent.leaseAck(handle)).isEqualTo(Result.OK);
        assertThat(agent.leaseAck(other)).isEqualTo(Result.OK);
    }

    @Test
    void shouldExpireTheVisibilityTimeoutReleaseTheMessageAndRefuseTheOldHandle()
    {
        open(config());
        trackQueued(1);
        final ReceiptHandle first = new ReceiptHandle();
        agent.lease(1, CONSUMER, 100 * MS, first);

        clock.set(START_NS + 100 * MS);
        agent.doWork();
        assertThat(agent.leaseAck(first)).isEqualTo(Result.LEASE_EXPIRED);
        at(102);
        assertThat(redeliveries).hasSize(1);
        assertThat(redeliveries.get(0)).startsWith(1, RedeliveryListener.CONSUMER, 2);
        assertThat(counter(TrackerCounter.LEASE_EXPIRIES)).isEqualTo(1);
        assertThat(counter(TrackerCounter.ACTIVE_LEASES)).isZero();
        assertThat(agent.leaseAck(first)).isEqualTo(Result.LEASE_EXPIRED);

        final ReceiptHandle second = new ReceiptHandle();
        assertThat(agent.lease(1, 88, 100 * MS, second)).isEqualTo(Result.OK);
        assertThat(second.delivery()).isEqualTo(2);
        assertThat(agent.leaseAck(first)).isEqualTo(Result.INVALID_LEASE);
        assertThat(agent.leaseAck(second)).isEqualTo(Result.OK);
        assertThat(counter(TrackerCounter.LEASE_REFUSED_EXPIRED)).isEqualTo(2);
    }

    @Test
    void shouldDeadLetterPastTheMaximumDeliveries()
    {
        open(config());
        trackQueued(1);
        for (int delivery = 1; delivery <= 3; delivery++)
        {
            final ReceiptHandle handle = new ReceiptHandle();
            assertThat(agent.lease(1, CONSUMER, 10 * MS, handle)).isEqualTo(Result.OK);
            assertThat(handle.delivery()).isEqualTo(delivery);
            at(delivery * 20L);
        }
        assertThat(outcomes.last().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(outcomes.last().reason()).isEqualTo(FailureReason.MAX_DELIVERIES);
        assertThat(redeliveries).hasSize(2);
        final DeadLetter letter = agent.deadLetters().get(1);
        assertThat(letter.reason()).isEqualTo(FailureReason.MAX_DELIVERIES);
        assertThat(letter.history()).extracting((e) -> e.type())
            .containsExactly(AttemptEventType.LEASE_EXPIRED, AttemptEventType.LEASE_EXPIRED,
                AttemptEventType.LEASE_EXPIRED);
        assertThat(agent.lease(1, CONSUMER, 10 * MS, new ReceiptHandle())).isEqualTo(Result.LATE_ACK);
    }

    @Test
    void shouldHoldANackedMessageBackForTheDelayOrTheBackoff()
    {
        open(config());
        trackQueued(1);
        final ReceiptHandle handle = new ReceiptHandle();
        agent.lease(1, CONSUMER, 100 * MS, handle);
        assertThat(agent.leaseNack(handle, 0)).isEqualTo(Result.OK);
        assertThat(agent.leaseNack(handle, 0)).isEqualTo(Result.INVALID_LEASE);
        assertThat(agent.lease(1, CONSUMER, 100 * MS, new ReceiptHandle())).isEqualTo(Result.ALREADY_LEASED);
        at(40);
        assertThat(redeliveries).isEmpty();
        at(52);
        assertThat(redeliveries).hasSize(1);
        assertThat(redeliveries.get(0)).startsWith(1, RedeliveryListener.CONSUMER, 2);

        final ReceiptHandle again = new ReceiptHandle();
        assertThat(agent.lease(1, CONSUMER, 100 * MS, again)).isEqualTo(Result.OK);
        assertThat(agent.leaseNack(again, 5 * MS)).isEqualTo(Result.OK);
        at(56);
        assertThat(redeliveries).hasSize(1);
        at(59);
        assertThat(redeliveries).hasSize(2);
        assertThat(counter(TrackerCounter.LEASE_NACKS)).isEqualTo(2);
    }

    @Test
    void shouldExtendWithinTheLimits()
    {
        open(config());
        trackQueued(1);
        final ReceiptHandle handle = new ReceiptHandle();
        agent.lease(1, CONSUMER, 100 * MS, handle);
        assertThat(agent.leaseExtend(handle, 1_001 * MS)).isEqualTo(Result.INVALID_TIMEOUT);
        assertThat(agent.leaseExtend(handle, 0)).isEqualTo(Result.INVALID_TIMEOUT);
        assertThat(agent.leaseExtend(handle, 100 * MS)).isEqualTo(Result.OK);
        assertThat(agent.leaseExtend(handle, 100 * MS)).isEqualTo(Result.OK);
        assertThat(agent.leaseExtend(handle, 100 * MS)).isEqualTo(Result.MAX_EXTENSIONS);
        assertThat(counter(TrackerCounter.LEASE_EXTENSIONS)).isEqualTo(2);
        assertThat(counter(TrackerCounter.LEASE_REFUSED_MAX_EXTENSIONS)).isEqualTo(1);

        at(250);
        assertThat(redeliveries).isEmpty();
        assertThat(agent.leaseAck(handle)).isEqualTo(Result.OK);
    }

    @Test
    void shouldRejectAsPoisonToTheDeadLetterQueue()
    {
        open(config());
        trackQueued(1);
        final ReceiptHandle handle = new ReceiptHandle();
        agent.lease(1, CONSUMER, 100 * MS, handle);
        assertThat(agent.leaseReject(handle, 415)).isEqualTo(Result.OK);
        assertThat(outcomes.last().reason()).isEqualTo(FailureReason.REJECTED);
        final DeadLetter letter = agent.deadLetters().get(1);
        assertThat(letter.lastErrors().get(RedeliveryListener.CONSUMER).code()).isEqualTo(415);
        assertThat(counter(TrackerCounter.LEASE_REJECTS)).isEqualTo(1);
    }

    @Test
    void shouldRefuseLeasesOfUnknownFinishedOrBadArguments()
    {
        open(config());
        assertThat(agent.lease(5, CONSUMER, MS, new ReceiptHandle())).isEqualTo(Result.UNKNOWN_MESSAGE);
        trackQueued(5);
        assertThat(agent.lease(5, CONSUMER, 0, new ReceiptHandle())).isEqualTo(Result.INVALID_TIMEOUT);
        assertThat(agent.lease(5, CONSUMER, -1, new ReceiptHandle())).isEqualTo(Result.INVALID_TIMEOUT);
        agent.recordAck(5, 0);
        assertThat(agent.lease(5, CONSUMER, MS, new ReceiptHandle())).isEqualTo(Result.LATE_ACK);
        assertThat(counter(TrackerCounter.LEASES_GRANTED)).isZero();
    }

    @Test
    void shouldPrintAndParseHandles()
    {
        open(config());
        trackQueued(1);
        final ReceiptHandle handle = new ReceiptHandle();
        agent.lease(1, CONSUMER, 100 * MS, handle);
        final String printable = handle.toString();
        assertThat(printable).startsWith(ReceiptHandle.PREFIX).hasSize(ReceiptHandle.PREFIX.length() + 43);
        final ReceiptHandle parsed = ReceiptHandle.parse(printable);
        assertThat(leases.isAuthentic(parsed)).isTrue();
        assertThat(agent.leaseAck(parsed)).isEqualTo(Result.OK);

        assertThatThrownBy(() -> ReceiptHandle.parse("nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReceiptHandle.parse("ack1.!!!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReceiptHandle.parse("ack1.AAAA")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldKeepLeasesAndHandlesAcrossARestartAndExpireThoseThatLapsedWhileDown() throws Exception
    {
        final Path dir = temp.resolve("data");
        open(config().dataDir(dir));
        trackQueued(1);
        trackQueued(2);
        final ReceiptHandle kept = new ReceiptHandle();
        final ReceiptHandle lapsed = new ReceiptHandle();
        agent.lease(1, CONSUMER, 10_000 * MS, kept);
        agent.lease(2, CONSUMER, 50 * MS, lapsed);
        tracker.close();
        tracker = null;
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(StoreLayout.LEASE_SECRET_FILE))))
            .isEqualTo("rw-------");

        clock.advanceMs(100);
        open(config().dataDir(dir));
        assertThat(counter(TrackerCounter.ACTIVE_LEASES)).isEqualTo(2);
        agent.doWork();
        assertThat(redeliveries).extracting((r) -> r[0]).containsExactly(2L);
        assertThat(counter(TrackerCounter.ACTIVE_LEASES)).isEqualTo(1);
        assertThat(agent.leaseAck(lapsed)).isEqualTo(Result.LEASE_EXPIRED);
        assertThat(agent.leaseAck(kept)).isEqualTo(Result.OK);
        assertThat(Files.exists(dir.resolve(StoreLayout.PENDING_FILE))).isTrue();
    }

    @Test
    void shouldLeaseAndSettleFromOtherThreads() throws Exception
    {
        open(config());
        trackQueued(1);
        final var future = tracker.lease(1, CONSUMER, 100 * MS);
        final var refused = tracker.lease(2, CONSUMER, 100 * MS);
        agent.doWork();
        final ReceiptHandle handle = future.get();
        assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(LeaseRefusedException.class);
        assertThat(tracker.offerLeaseExtend(handle, 10 * MS)).isEqualTo(Result.QUEUED);
        assertThat(tracker.offerLeaseAck(handle)).isEqualTo(Result.QUEUED);
        drain(agent);
        assertThat(outcomes.last().messageId()).isEqualTo(1);
        assertThat(counter(TrackerCounter.LEASE_EXTENSIONS)).isEqualTo(1);
    }
}

package io.acktracker.transport;

import io.acktracker.engine.api.DeadLetter;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.codecs.ExtendDecoder;
import io.acktracker.transport.codecs.LeaseDecoder;
import io.acktracker.transport.codecs.SettleDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static io.acktracker.transport.RetryEndToEndTest.driven;
import static io.acktracker.transport.RetryEndToEndTest.engine;
import static io.acktracker.transport.RetryEndToEndTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consumer-style delivery over a real media driver (IPC): a consumer leases a message with a Lease frame, gets the
 * receipt handle in a LeaseGranted frame, extends and settles by handle; a forged handle is refused and changes
 * nothing; an expired or released lease is announced with a Redeliver to destination
 * {@link RedeliveryListener#CONSUMER}. The tracker runs on a {@link ManualClock}, so leases expire only when the
 * test advances time.
 */
@Timeout(60)
class LeaseEndToEndTest
{
    private static final long LEASE_TIMEOUT_MS = 1_000;

    private final ManualClock clock = new ManualClock();
    private final RecordingHandler sender = new RecordingHandler();
    private final RecordingHandler consumer = new RecordingHandler();
    private final RecordingHandler other = new RecordingHandler();

    @Test
    void shouldLeaseExtendAndSettleOverAeron()
    {
        try (TrackerRig rig = rig();
            TrackerClient client = new TrackerClient(rig.aeron, sender);
            DestinationClient a = new DestinationClient(rig.aeron, "a", consumer))
        {
            final Runnable poll = RetryEndToEndTest.connect(rig, client, a);
            rig.tracker.agent().track(10, DestinationRegistry.mask(0));

            send(rig, "lease", () -> a.publisher().tryLease(77, 10, 0));
            rig.awaitUntil("granted", () -> !consumer.grants.isEmpty(), poll);
            assertThat(consumer.grants).containsExactly("77 10 delivery 1 to 0");
            assertThat(consumer.lastDeadlineNs).as("the transport's default lease timeout")
                .isEqualTo(clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEASE_TIMEOUT_MS));
            assertThat(sender.grants).as("a grant goes to the session that asked").isEmpty();
            final ReceiptHandle handle = new ReceiptHandle().copyFrom(consumer.lastHandle);
            assertThat(handle.messageId()).isEqualTo(10);

            send(rig, "extend", () -> a.publisher().tryExtend(handle, TimeUnit.MILLISECONDS.toNanos(500)));
            rig.awaitUntil("extended", () -> engine(rig, TrackerCounter.LEASE_EXTENSIONS) == 1, poll);

            clock.advanceMs(LEASE_TIMEOUT_MS + 200);
            for (int i = 0; i < 20; i++)
            {
                rig.doWork();
                poll.run();
            }
            assertThat(engine(rig, TrackerCounter.LEASE_EXPIRIES)).as("extended past the first deadline").isZero();

            send(rig, "settle ack", () -> a.publisher().tryAck(handle));
            rig.awaitUntil("outcome", () -> !sender.outcomes.isEmpty(), poll);
            assertThat(sender.outcomes).containsExactly("10 COMPLETED NONE attempts=1");
            assertThat(consumer.refusals).isEmpty();
            assertThat(engine(rig, TrackerCounter.LEASE_ACKS)).isEqualTo(1);
            assertThat(rig.tracker.metrics().leaseHoldTime().count()).isEqualTo(1);
            assertThat(rig.counter(TransportCounter.LEASES_GRANTED_SENT)).isEqualTo(1);
            assertThat(rig.counter(TransportCounter.LEASE_COMMANDS_REFUSED)).isZero();
            assertThat(rig.transport.destinationStats().leaseCommands(0)).isEqualTo(3);
        }
    }

    @Test
    void shouldRefuseAForgedReceiptHandleOverTheWireAndChangeNothing()
    {
        try (TrackerRig rig = rig();
            TrackerClient client = new TrackerClient(rig.aeron, sender);
            DestinationClient a = new DestinationClient(rig.aeron, "a", consumer);
            DestinationClient b = new DestinationClient(rig.aeron, "b", other))
        {
            final Runnable pollAll = RetryEndToEndTest.connect(rig, client, a);
            final Runnable poll = () ->
            {
                pollAll.run();
                b.poll(16);
            };
            rig.awaitUntil("b connected", b::isConnected, poll);
            rig.tracker.agent().track(11, DestinationRegistry.mask(0));

            send(rig, "lease", () -> a.publisher().tryLease(1, 11, 0));
            rig.awaitUntil("granted", () -> !consumer.grants.isEmpty(), poll);
            final ReceiptHandle real = new ReceiptHandle().copyFrom(consumer.lastHandle);
            final ReceiptHandle forged = new ReceiptHandle().set(real.messageId(), real.delivery(), real.nonce(),
                real.mac() ^ 1);

            send(rig, "forged ack", () -> a.publisher().tryAck(forged));
            send(rig, "forged extend", () -> a.publisher().tryExtend(forged, TimeUnit.SECONDS.toNanos(1)));
            send(rig, "forged reject", () -> a.publisher().tryReject(forged, 3, "forged"));
            send(rig, "b's lease", () -> b.publisher().tryLease(2, 11, 0));
            rig.awaitUntil("refusals", () -> consumer.refusals.size() == 3 && other.refusals.size() == 1, poll);

            assertThat(consumer.refusals).containsExactly(
                SettleDecoder.TEMPLATE_ID + " 11 INVALID_LEASE",
                ExtendDecoder.TEMPLATE_ID + " 11 INVALID_LEASE",
                SettleDecoder.TEMPLATE_ID + " 11 INVALID_LEASE");
            assertThat(other.refusals).as("each session sees only its own answers")
                .containsExactly(LeaseDecoder.TEMPLATE_ID + " 2 ALREADY_LEASED");
            assertThat(other.grants).isEmpty();
            assertThat(rig.tracker.status(11).state()).isEqualTo(MessageState.PENDING);
            assertThat(rig.tracker.agent().leases().active()).isEqualTo(1);
            assertThat(engine(rig, TrackerCounter.LEASE_REFUSED_INVALID)).isEqualTo(3);
            assertThat(engine(rig, TrackerCounter.LEASE_EXTENSIONS)).isZero();
            assertThat(engine(rig, TrackerCounter.LEASE_REJECTS)).isZero();
            assertThat(rig.counter(TransportCounter.LEASE_COMMANDS_REFUSED)).isEqualTo(4);
            assertThat(sender.outcomes).isEmpty();

            send(rig, "real ack", () -> a.publisher().tryAck(real));
            rig.awaitUntil("outcome", () -> !sender.outcomes.isEmpty(), poll);
            assertThat(sender.outcomes).containsExactly("11 COMPLETED NONE attempts=1");
        }
    }

    @Test
    void shouldTellConsumersWhenALeaseExpiresOrIsReleasedThenDeadLetterOnReject()
    {
        try (TrackerRig rig = rig();
            TrackerClient client = new TrackerClient(rig.aeron, sender);
            DestinationClient a = new DestinationClient(rig.aeron, "a", consumer))
        {
            final Runnable poll = RetryEndToEndTest.connect(rig, client, a);
            rig.tracker.agent().track(12, DestinationRegistry.mask(0));

            send(rig, "lease", () -> a.publisher().tryLease(1, 12, TimeUnit.MILLISECONDS.toNanos(100)));
            rig.awaitUntil("granted", () -> consumer.grants.size() == 1, poll);
            final ReceiptHandle first = new ReceiptHandle().copyFrom(consumer.lastHandle);

            clock.advanceMs(98);
            for (int i = 0; i < 20; i++)
            {
                rig.doWork();
                poll.run();
            }
            assertThat(engine(rig, TrackerCounter.LEASE_EXPIRIES)).isZero();
            clock.advanceMs(4);
            rig.awaitUntil("consumers told", () -> !consumer.redeliveries.isEmpty() && !sender.redeliveries.isEmpty(),
                poll);
            assertThat(consumer.redeliveries).containsExactly("12 to " + RedeliveryListener.CONSUMER + " attempt 2");

            send(rig, "late ack", () -> a.publisher().tryAck(first));
            rig.awaitUntil("refused", () -> !consumer.refusals.isEmpty(), poll);
            assertThat(consumer.refusals).containsExactly(SettleDecoder.TEMPLATE_ID + " 12 LEASE_EXPIRED");

            send(rig, "lease again", () -> a.publisher().tryLease(2, 12, 0));
            rig.awaitUntil("granted again", () -> consumer.grants.size() == 2, poll);
            assertThat(consumer.grants.get(1)).isEqualTo("2 12 delivery 2 to 0");
            final ReceiptHandle second = new ReceiptHandle().copyFrom(consumer.lastHandle);
            send(rig, "settle nack", () -> a.publisher().tryNack(second, TimeUnit.MILLISECONDS.toNanos(50)));
            rig.awaitUntil("released", () -> engine(rig, TrackerCounter.LEASE_NACKS) == 1, poll);
            clock.advanceMs(52);
            rig.awaitUntil("available again", () -> consumer.redeliveries.size() == 2, poll);
            assertThat(consumer.redeliveries.get(1)).isEqualTo("12 to " + RedeliveryListener.CONSUMER + " attempt 3");

            send(rig, "third lease", () -> a.publisher().tryLease(3, 12, 0));
            rig.awaitUntil("granted a third time", () -> consumer.grants.size() == 3, poll);
            final ReceiptHandle third = new ReceiptHandle().copyFrom(consumer.lastHandle);
            send(rig, "settle reject", () -> a.publisher().tryReject(third, 13, "poison"));
            rig.awaitUntil("outcome", () -> !sender.outcomes.isEmpty(), poll);
            assertThat(sender.outcomes).containsExactly("12 FAILED REJECTED attempts=1");

            final DeadLetter deadLetter = driven(rig, rig.tracker.deadLetters().get(12));
            assertThat(deadLetter.reason()).isEqualTo(FailureReason.REJECTED);
            assertThat(consumer.refusals).hasSize(1);
        }
    }

    private TrackerRig rig()
    {
        return new TrackerRig((driver) -> {},
            (transport) -> transport.leaseTimeoutNs(TimeUnit.MILLISECONDS.toNanos(LEASE_TIMEOUT_MS)),
            (tracker) -> tracker.epochClock(clock));
    }
}

package io.acktracker.transport;

import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.DeadLetter;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.MessageClass;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.codecs.TrackEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retries and dead letters end to end over a real media driver (IPC): a sender tracks through {@link TrackerClient},
 * a destination answers through {@link DestinationClient}, and both read the tracker's Redeliver and Outcome frames.
 * The tracker runs on a {@link ManualClock}, so a backoff passes only when the test says so.
 */
@Timeout(60)
class RetryEndToEndTest
{
    private static final long BACKOFF_MS = 50;
    private static final int ORDERS_CLASS = 7;

    private final ManualClock clock = new ManualClock();
    private final RecordingHandler sender = new RecordingHandler();
    private final RecordingHandler destination = new RecordingHandler();
    private final TrackRequest request = new TrackRequest();

    @Test
    void shouldRedeliverAfterTheBackoffWhenADestinationNacksThenCompleteOnItsAck()
    {
        try (TrackerRig rig = rig();
            TrackerClient client = new TrackerClient(rig.aeron, sender);
            DestinationClient a = new DestinationClient(rig.aeron, "a", destination))
        {
            final Runnable poll = connect(rig, client, a);
            track(rig, client, request.reset().messageId(1).destinations(DestinationRegistry.mask(0)));

            send(rig, "nack", () -> a.publisher().tryNack(1, 0, 7, "busy"));
            rig.awaitUntil("nack applied", () -> engine(rig, TrackerCounter.NACKS) == 1, poll);

            clock.advanceMs(BACKOFF_MS - 2);
            for (int i = 0; i < 20; i++)
            {
                rig.doWork();
                poll.run();
            }
            assertThat(engine(rig, TrackerCounter.REDELIVERIES)).as("not before the backoff").isZero();
            assertThat(rig.counter(TransportCounter.REDELIVERS_SENT)).isZero();

            clock.advanceMs(4);
            rig.awaitUntil("redeliver seen by sender and destination",
                () -> !sender.redeliveries.isEmpty() && !destination.redeliveries.isEmpty(), poll);
            assertThat(sender.redeliveries).containsExactly("1 to 0 attempt 2");
            assertThat(destination.redeliveries).containsExactly("1 to 0 attempt 2");

            send(rig, "ack", () -> a.publisher().tryAck(1));
            rig.awaitUntil("outcome", () -> !sender.outcomes.isEmpty(), poll);
            assertThat(sender.outcomes).containsExactly("1 COMPLETED NONE attempts=2");
            assertThat(rig.transport.destinationStats().nacks(0)).isEqualTo(1);
            assertThat(destination.refusals).isEmpty();
        }
    }

    @Test
    void shouldFailARejectedMessageAndDeadLetterItWithTheMetadataSentOverTheWire()
    {
        try (TrackerRig rig = rig();
            TrackerClient client = new TrackerClient(rig.aeron, sender);
            DestinationClient a = new DestinationClient(rig.aeron, "a", destination))
        {
            final Runnable poll = connect(rig, client, a);
            final byte[] metadata = "order-2|venue-a|qty=100".getBytes(StandardCharsets.US_ASCII);
            track(rig, client, request.reset().messageId(2).destinations(DestinationRegistry.mask(0, 1))
                .maxAttempts(3).metadata(new UnsafeBuffer(metadata), 0, metadata.length));

            send(rig, "reject", () -> a.publisher().tryReject(2, 9, "poison"));
            rig.awaitUntil("outcome", () -> !sender.outcomes.isEmpty(), poll);
            assertThat(sender.outcomes).containsExactly("2 FAILED REJECTED attempts=1");

            final DeadLetter deadLetter = driven(rig, rig.tracker.deadLetters().get(2));
            assertThat(deadLetter).isNotNull();
            assertThat(deadLetter.reason()).isEqualTo(FailureReason.REJECTED);
            assertThat(deadLetter.metadata()).isEqualTo(metadata);
            assertThat(deadLetter.lastErrors().get(0).code()).isEqualTo(9);
            assertThat(deadLetter.status().destinations()).isEqualTo(DestinationRegistry.mask(0, 1));
            assertThat(engine(rig, TrackerCounter.DLQ_SIZE)).isEqualTo(1);
            assertThat(rig.transport.destinationStats().rejects(0)).isEqualTo(1);
        }
    }

    @Test
    void shouldApplyMaxAttemptsAndMessageClassFromTheWireAndAnswerWhatTheEngineRefuses()
    {
        try (TrackerRig rig = rig();
            TrackerClient client = new TrackerClient(rig.aeron, sender);
            DestinationClient a = new DestinationClient(rig.aeron, "a", destination))
        {
            final Runnable poll = connect(rig, client, a);
            track(rig, client, request.reset().messageId(3).destinations(DestinationRegistry.mask(0)).maxAttempts(1));
            track(rig, client, request.reset().messageId(4).destinations(DestinationRegistry.mask(0))
                .messageClass(ORDERS_CLASS));
            track(rig, client, request.reset().messageId(5).destinations(DestinationRegistry.mask(0))
                .messageClass(ORDERS_CLASS).maxAttempts(2));
            assertThat(rig.tracker.agent().pendingCount()).isEqualTo(3);

            send(rig, "nack 3", () -> a.publisher().tryNack(3, 0));
            send(rig, "nack 4", () -> a.publisher().tryNack(4, 0));
            send(rig, "nack 5", () -> a.publisher().tryNack(5, 0));
            rig.awaitUntil("no retry left for 3 and 4 (failed as TIMEOUT: a message without retries)", () -> sender.outcomes.size() == 2, poll);
            assertThat(sender.outcomes).containsExactly("3 FAILED TIMEOUT attempts=1",
                "4 FAILED TIMEOUT attempts=1");
            assertThat(rig.tracker.status(5).state()).as("the wire's max attempts beat the class's")
                .isEqualTo(MessageState.PENDING);

            final byte[] tooLong = new byte[65];
            request.reset().messageId(6).destinations(DestinationRegistry.mask(0)).messageClass(99);
            send(rig, "track 6", () -> client.tryTrack(request));
            request.reset().messageId(7).destinations(DestinationRegistry.mask(0))
                .metadata(new UnsafeBuffer(tooLong), 0, tooLong.length);
            send(rig, "track 7", () -> client.tryTrack(request));
            request.reset().messageId(8).destinations(DestinationRegistry.mask(0)).maxAttempts(16);
            send(rig, "track 8", () -> client.tryTrack(request));
            rig.awaitUntil("three refusals", () -> sender.refusals.size() == 3, poll);
            assertThat(sender.refusals).containsExactly(
                TrackEncoder.TEMPLATE_ID + " 6 UNKNOWN_MESSAGE_CLASS",
                TrackEncoder.TEMPLATE_ID + " 7 METADATA_TOO_LARGE",
                TrackEncoder.TEMPLATE_ID + " 8 INVALID_ARGUMENT");
            assertThat(rig.tracker.agent().pendingCount()).isEqualTo(1);
            assertThat(rig.counter(TransportCounter.TRACKS_REFUSED)).isEqualTo(3);
        }
    }

    private TrackerRig rig()
    {
        return new TrackerRig((driver) -> {}, (transport) -> {}, (tracker) -> tracker
            .epochClock(clock)
            .defaultBackoff(Backoff.fixed(TimeUnit.MILLISECONDS.toNanos(BACKOFF_MS)))
            .maxMetadataLength(64)
            .messageClass(new MessageClass(ORDERS_CLASS, "orders", TimeUnit.SECONDS.toNanos(5), 1, 0,
                TimeUnit.SECONDS.toNanos(60), Backoff.fixed(TimeUnit.MILLISECONDS.toNanos(BACKOFF_MS)))));
    }

    static Runnable connect(final TrackerRig rig, final TrackerClient client, final DestinationClient destination)
    {
        final Runnable poll = () ->
        {
            client.poll(16);
            destination.poll(16);
        };
        rig.awaitUntil("connected", () -> client.isConnected() && destination.isConnected(), poll);
        return poll;
    }

    static void track(final TrackerRig rig, final TrackerClient client, final TrackRequest request)
    {
        final int pending = rig.tracker.agent().pendingCount();
        send(rig, "track " + request.messageId(), () -> client.tryTrack(request));
        rig.awaitUntil("tracked " + request.messageId(), () -> rig.tracker.agent().pendingCount() == pending + 1);
    }

    static void send(final TrackerRig rig, final String what, final LongSupplier offer)
    {
        rig.awaitUntil(what + " sent", () -> offer.getAsLong() > 0);
    }

    static long engine(final TrackerRig rig, final TrackerCounter counter)
    {
        return rig.tracker.counters().value(counter);
    }

    static <T> T driven(final TrackerRig rig, final CompletableFuture<T> future)
    {
        rig.awaitUntil("the agent's answer", future::isDone);
        return future.join();
    }
}

package io.acktracker.transport;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.codecs.AckDecoder;
import io.acktracker.transport.codecs.MessageHeaderDecoder;
import io.acktracker.transport.codecs.NackDecoder;
import io.acktracker.transport.codecs.RefusedDecoder;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static io.acktracker.transport.TransportCounter.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the tracker does with frames it must not apply: malformed frames injected by a raw publication, commands
 * from sessions that did not say hello or that claim another destination, version 1's retired lease templates, and
 * refusals by the engine. None of them changes state, all are counted, and the tracker carries on.
 */
@Timeout(60)
class InboundGuardTest
{
    private final TestFrames frames = new TestFrames();

    @Test
    void shouldCountMalformedFramesFromARawPublicationAndChangeNothing()
    {
        try (TrackerRig rig = TrackerRig.ipc();
            ExclusivePublication raw = rig.aeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID))
        {
            rig.tracker.agent().track(1, DestinationRegistry.mask(0));
            rig.awaitUntil("connected", raw::isConnected);

            send(rig, raw, 3);
            int length = frames.ack(1, 0);
            frames.putShort(TestFrames.SCHEMA_ID_OFFSET, 4242);
            send(rig, raw, length);
            length = frames.ack(1, 0);
            frames.putShort(TestFrames.VERSION_OFFSET, 0);
            send(rig, raw, length);
            length = frames.ack(1, 0);
            frames.putShort(TestFrames.TEMPLATE_ID_OFFSET, 77);
            send(rig, raw, length);
            send(rig, raw, frames.track(2, new int[65], 0));
            send(rig, raw, frames.hello(255, "n".repeat(65)));
            send(rig, raw, frames.ack(1, 64));
            send(rig, raw, 3000);

            rig.awaitUntil("every frame read", () -> rig.counter(FRAMES_RECEIVED) >= 9);
            assertThat(rig.counter(MALFORMED_SHORT)).isEqualTo(1);
            assertThat(rig.counter(MALFORMED_SCHEMA)).isEqualTo(1);
            assertThat(rig.counter(MALFORMED_VERSION)).isEqualTo(1);
            assertThat(rig.counter(MALFORMED_TEMPLATE)).isEqualTo(1);
            assertThat(rig.counter(MALFORMED_GROUP)).isEqualTo(1);
            assertThat(rig.counter(MALFORMED_STRING)).isEqualTo(1);
            assertThat(rig.counter(MALFORMED_FIELD)).isEqualTo(1);
            assertThat(rig.counter(MALFORMED_FRAGMENTED)).as("a 3000-byte frame arrives as fragments")
                .isGreaterThanOrEqualTo(2);
            assertThat(rig.counter(MALFORMED_FRAMES)).isEqualTo(rig.counter(FRAMES_RECEIVED));
            assertThat(rig.errors).isEmpty();
            final List<String> logged = new ArrayList<>();
            rig.transport.errors().read((count, first, last, text) -> logged.add(text.lines().findFirst()
                .orElse("")));
            assertThat(logged).hasSize(8);

            assertThat(rig.tracker.agent().pendingCount()).isEqualTo(1);
            assertThat(rig.outcomes).isEmpty();

            try (AckPublisher a = new AckPublisher(rig.aeron, "a"))
            {
                rig.awaitUntil("ack sent", () -> a.tryAck(1) > 0);
                rig.awaitUntil("completed after the garbage", () -> rig.outcomes.size() == 1);
            }
        }
    }

    @Test
    void shouldRefuseAcksFromASessionWithoutHelloOrClaimingAnotherDestination()
    {
        try (TrackerRig rig = TrackerRig.ipc();
            Subscription refusals = rig.aeron.addSubscription(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_OUTBOUND_STREAM_ID);
            ExclusivePublication anonymous = rig.aeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID);
            ExclusivePublication a = rig.aeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID))
        {
            rig.tracker.agent().track(1, DestinationRegistry.mask(0, 1));
            rig.awaitUntil("connected", () -> anonymous.isConnected() && a.isConnected());

            send(rig, anonymous, frames.ack(1, 0));
            send(rig, a, frames.hello(0, "a"));
            send(rig, a, frames.ack(1, 1));
            rig.awaitUntil("refused", () -> rig.counter(SPOOFED_REFUSED) == 1 && rig.counter(UNBOUND_REFUSED) == 1);
            assertThat(rig.tracker.status(1).acked()).isZero();

            final List<String> seen = readRefusals(rig, refusals, 2);
            assertThat(seen).containsExactlyInAnyOrder(
                anonymous.sessionId() + " " + AckDecoder.TEMPLATE_ID + " 1 UNBOUND_SESSION",
                a.sessionId() + " " + AckDecoder.TEMPLATE_ID + " 1 SPOOFED_DESTINATION");

            send(rig, a, frames.ack(1, 0));
            rig.awaitUntil("a's own ack applied", () -> rig.tracker.status(1).hasAcked(0));
            send(rig, a, frames.hello(1, "a"));
            rig.awaitUntil("hello with the wrong id refused", () -> rig.counter(HELLOS_REFUSED) == 1);
            send(rig, a, frames.hello(255, "b"));
            rig.awaitUntil("switching destination on a live session refused", () -> rig.counter(HELLOS_REFUSED) == 2);
            assertThat(rig.counter(HELLOS)).isEqualTo(1);
            assertThat(rig.tracker.status(1).hasAcked(1)).isFalse();
        }
    }

    @Test
    void shouldAnswerRetiredTemplatesNotSupportedAndChangeNothing()
    {
        try (TrackerRig rig = TrackerRig.ipc();
            Subscription refusals = rig.aeron.addSubscription(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_OUTBOUND_STREAM_ID);
            ExclusivePublication a = rig.aeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID))
        {
            rig.tracker.agent().track(1, DestinationRegistry.mask(0));
            rig.awaitUntil("connected", a::isConnected);

            send(rig, a, frames.hello(255, "a"));
            send(rig, a, frames.retired(Protocol.RETIRED_EXTEND_TEMPLATE_ID, 1));
            send(rig, a, frames.retired(Protocol.RETIRED_SETTLE_TEMPLATE_ID, 1));
            rig.awaitUntil("both answered", () -> rig.counter(NOT_SUPPORTED) == 2);

            assertThat(readRefusals(rig, refusals, 2)).containsExactly(
                a.sessionId() + " " + Protocol.RETIRED_EXTEND_TEMPLATE_ID + " 1 NOT_SUPPORTED",
                a.sessionId() + " " + Protocol.RETIRED_SETTLE_TEMPLATE_ID + " 1 NOT_SUPPORTED");
            assertThat(rig.counter(MALFORMED_FRAMES)).isZero();
            assertThat(rig.tracker.agent().pendingCount()).isEqualTo(1);
            assertThat(rig.tracker.status(1).acked()).isZero();
            assertThat(rig.outcomes).isEmpty();
        }
    }

    @Test
    void shouldAnswerRefusalsOtherThanAtLeastOnceNoise()
    {
        try (TrackerRig rig = TrackerRig.ipc();
            Subscription refusals = rig.aeron.addSubscription(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_OUTBOUND_STREAM_ID);
            ExclusivePublication a = rig.aeron.addExclusivePublication(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_INBOUND_STREAM_ID))
        {
            rig.tracker.agent().track(1, DestinationRegistry.mask(0, 1));
            rig.awaitUntil("connected", a::isConnected);

            send(rig, a, frames.hello(255, "a"));
            send(rig, a, frames.ack(1, 255));
            send(rig, a, frames.ack(1, 255));
            send(rig, a, frames.ack(99, 255));
            send(rig, a, frames.nack(2, 255, "unknown id"));
            final int negativeDelay = frames.nack(1, 255, "negative delay");
            frames.buffer.putLong(TestFrames.HEADER + NackDecoder.redeliverDelayNsEncodingOffset(), -5,
                ByteOrder.LITTLE_ENDIAN);
            send(rig, a, negativeDelay);
            rig.awaitUntil("all applied", () -> rig.counter(NACKS_RECEIVED) == 2);

            assertThat(readRefusals(rig, refusals, 1)).containsExactly(
                a.sessionId() + " " + NackDecoder.TEMPLATE_ID + " 1 INVALID_TIMEOUT");
            assertThat(rig.counter(COMMANDS_REFUSED)).isEqualTo(1);
            assertThat(rig.transport.destinationStats().acks(0)).isEqualTo(1);
            assertThat(rig.transport.destinationStats().refused(0)).isEqualTo(4);
            assertThat(rig.tracker.status(1).hasAcked(0)).isTrue();
            assertThat(rig.tracker.counters().value(TrackerCounter.NACKS)).isZero();
        }
    }

    private List<String> readRefusals(final TrackerRig rig, final Subscription subscription, final int count)
    {
        final List<String> seen = new ArrayList<>();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final RefusedDecoder refused = new RefusedDecoder();
        rig.awaitUntil(count + " refusals", () -> seen.size() >= count, () -> subscription.poll(
            (buffer, offset, length, aeronHeader) ->
            {
                header.wrap(buffer, offset);
                if (RefusedDecoder.TEMPLATE_ID == header.templateId())
                {
                    refused.wrapAndApplyHeader(buffer, offset, header);
                    seen.add(refused.sessionId() + " " + refused.refusedTemplateId() + " " +
                        refused.correlationId() + " " + refused.code());
                }
            }, 10));
        return seen;
    }

    private void send(final TrackerRig rig, final ExclusivePublication publication, final int length)
    {
        rig.awaitUntil("offered", () -> publication.offer(frames.buffer, 0, length) > 0);
    }
}

package io.acktracker.transport;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.transport.client.AckPublisher;
import io.acktracker.transport.codecs.MessageHeaderDecoder;
import io.acktracker.transport.codecs.OutcomeDecoder;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.collections.MutableLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.BitSet;

import static io.acktracker.transport.TransportCounter.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subscriber that stops reading outcomes: the tracker backlogs them, stops reading acks at the backlog's cap so
 * the destination sees back pressure, and loses nothing once the subscriber reads again.
 */
@Timeout(60)
class BackPressureTest
{
    private static final int MESSAGES = 3000;

    @Test
    void shouldPropagateBackPressureToDestinationsAndLoseNoOutcome()
    {
        try (TrackerRig rig = new TrackerRig((driver) -> {},
            (transport) -> transport.backlogCapacity(4096).outboundRetries(1), (tracker) -> {});
            Subscription slow = rig.aeron.addSubscription(Protocol.DEFAULT_CHANNEL,
                Protocol.DEFAULT_OUTBOUND_STREAM_ID);
            AckPublisher destination = new AckPublisher(rig.aeron, "a"))
        {
            for (long id = 1; id <= MESSAGES; id++)
            {
                rig.tracker.agent().track(id, DestinationRegistry.mask(0));
            }
            rig.awaitUntil("outbound connected", () -> rig.transport.publication().isConnected());

            final MutableLong nextAck = new MutableLong(1);
            final MutableLong backPressured = new MutableLong();
            final Runnable ack = () ->
            {
                if (nextAck.get() <= MESSAGES)
                {
                    final long result = destination.tryAck(nextAck.get());
                    if (result > 0)
                    {
                        nextAck.increment();
                    }
                    else if (Publication.BACK_PRESSURED == result)
                    {
                        backPressured.increment();
                    }
                }
            };
            rig.awaitUntil("inbound paused and the destination back pressured",
                () -> rig.counter(INBOUND_PAUSES) > 0 && backPressured.get() > 0, ack);

            assertThat(rig.counter(OUTBOUND_BACKLOGGED)).isPositive();
            assertThat(rig.tracker.agent().pendingCount()).isPositive();
            assertThat(nextAck.get()).isLessThanOrEqualTo(MESSAGES);

            final BitSet seen = new BitSet();
            final MutableLong duplicates = new MutableLong();
            final MessageHeaderDecoder header = new MessageHeaderDecoder();
            final OutcomeDecoder outcome = new OutcomeDecoder();
            final FragmentHandler reader = (buffer, offset, length, aeronHeader) ->
            {
                outcome.wrapAndApplyHeader(buffer, offset, header);
                final int id = (int)outcome.messageId();
                if (seen.get(id))
                {
                    duplicates.increment();
                }
                seen.set(id);
            };
            rig.awaitUntil("every outcome read", () -> seen.cardinality() == MESSAGES, () ->
            {
                ack.run();
                slow.poll(reader, 100);
            });

            assertThat(duplicates.get()).isZero();
            assertThat(seen.nextClearBit(1)).isEqualTo(MESSAGES + 1);
            assertThat(rig.counter(OUTCOMES_SENT)).isEqualTo(MESSAGES);
            assertThat(rig.counter(OUTBOUND_NO_SUBSCRIBER)).isZero();
            assertThat(rig.counter(BACKLOG_FRAMES)).isZero();
            assertThat(rig.counter(ACKS_RECEIVED)).isEqualTo(MESSAGES);
        }
    }
}

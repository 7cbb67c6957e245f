package io.acktracker.transport.outbound;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.api.Result;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.client.OutboundAdapter;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.ExtendDecoder;
import io.acktracker.transport.codecs.LeaseGrantedDecoder;
import io.acktracker.transport.codecs.MessageHeaderDecoder;
import io.acktracker.transport.codecs.OutcomeDecoder;
import io.acktracker.transport.codecs.RedeliverDecoder;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.SettleDecoder;
import io.aeron.Publication;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.acktracker.transport.TransportCounter.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Publishing outbound frames through a scripted sink: retry, backlog in order, the cap, growth, no subscriber.
 */
class OutboundProxyTest
{
    private static final int CAP = 4096;

    private final TransportCounters counters = new TransportCounters(null, "test");
    private final ScriptedSink sink = new ScriptedSink();

    @AfterEach
    void close()
    {
        counters.close();
    }

    @Test
    void shouldPublishAtOnceWhenNotBackPressured()
    {
        final OutboundProxy proxy = new OutboundProxy(sink, counters, CAP, 3, false);
        proxy.outcome(1, Outcome.COMPLETED, FailureReason.NONE, 10, 1, false);
        proxy.outcome(2, Outcome.FAILED, FailureReason.TIMEOUT, 20, 3, true);

        assertThat(sink.published).containsExactly(
            "1 COMPLETED NONE 10 1 FALSE", "2 FAILED TIMEOUT 20 3 TRUE");
        assertThat(counters.value(OUTCOMES_SENT)).isEqualTo(2);
        assertThat(counters.value(OUTBOUND_BACKLOGGED)).isZero();
    }

    @Test
    void shouldRetryThenBacklogThenPublishInOrder()
    {
        final OutboundProxy proxy = new OutboundProxy(sink, counters, CAP, 3, false);
        sink.result = Publication.BACK_PRESSURED;
        proxy.outcome(1, Outcome.COMPLETED, FailureReason.NONE, 10, 1, false);
        assertThat(sink.offers).isEqualTo(4);
        assertThat(counters.value(OUTBOUND_RETRIES)).isEqualTo(3);

        sink.result = 1;
        proxy.outcome(2, Outcome.COMPLETED, FailureReason.NONE, 10, 1, false);
        assertThat(sink.published).as("kept behind the backlog, in order").isEmpty();
        assertThat(proxy.backlogFrames()).isEqualTo(2);
        assertThat(counters.value(BACKLOG_FRAMES)).isEqualTo(2);

        assertThat(proxy.drainBacklog(10)).isEqualTo(2);
        assertThat(sink.published).extracting((frame) -> frame.split(" ")[0]).containsExactly("1", "2");
        assertThat(counters.value(OUTCOMES_SENT)).isEqualTo(2);
        assertThat(counters.value(BACKLOG_BYTES)).isZero();
        assertThat(proxy.backlogFrames()).isZero();
    }

    @Test
    void shouldReportFullAtTheCapAndGrowRatherThanDrop()
    {
        final OutboundProxy proxy = new OutboundProxy(sink, counters, CAP, 0, false);
        sink.result = Publication.BACK_PRESSURED;
        int sent = 0;
        while (!proxy.isBacklogFull())
        {
            proxy.redeliver(++sent, 3, 2);
        }
        assertThat(counters.value(BACKLOG_GROWTHS)).isZero();

        for (int i = 0; i < 1000; i++)
        {
            proxy.redeliver(++sent, 3, 2);
        }
        assertThat(counters.value(BACKLOG_GROWTHS)).isPositive();
        assertThat(proxy.backlogFrames()).isEqualTo(sent);

        sink.result = 1;
        while (proxy.drainBacklog(100) > 0)
        {
            assertThat(sink.published).isNotEmpty();
        }
        assertThat(sink.published).hasSize(sent);
        assertThat(counters.value(REDELIVERS_SENT)).isEqualTo(sent);
        assertThat(proxy.isBacklogFull()).isFalse();
    }

    @Test
    void shouldPartlyDrainAndKeepTheRestWhenBackPressuredAgain()
    {
        final OutboundProxy proxy = new OutboundProxy(sink, counters, CAP, 0, false);
        sink.result = Publication.ADMIN_ACTION;
        for (int i = 1; i <= 5; i++)
        {
            proxy.outcome(i, Outcome.EXPIRED, FailureReason.EXPIRED, 1, 1, false);
        }
        sink.result = 1;
        sink.acceptOnly = 2;
        assertThat(proxy.drainBacklog(10)).isEqualTo(2);
        assertThat(proxy.backlogFrames()).isEqualTo(3);
        sink.acceptOnly = Integer.MAX_VALUE;
        assertThat(proxy.drainBacklog(10)).isEqualTo(3);
        assertThat(sink.published).extracting((frame) -> frame.split(" ")[0]).containsExactly("1", "2", "3", "4", "5");
    }

    @Test
    void shouldCountFramesWithNoSubscriberUnlessAskedToKeepThem()
    {
        sink.result = Publication.NOT_CONNECTED;
        final OutboundProxy dropping = new OutboundProxy(sink, counters, CAP, 3, false);
        dropping.outcome(1, Outcome.COMPLETED, FailureReason.NONE, 1, 1, false);
        assertThat(counters.value(OUTBOUND_NO_SUBSCRIBER)).isEqualTo(1);
        assertThat(dropping.backlogFrames()).isZero();

        final OutboundProxy keeping = new OutboundProxy(sink, counters, CAP, 3, true);
        keeping.outcome(1, Outcome.COMPLETED, FailureReason.NONE, 1, 1, false);
        assertThat(keeping.backlogFrames()).isEqualTo(1);
        sink.result = 1;
        keeping.drainBacklog(10);
        assertThat(sink.published).hasSize(1);
    }

    @Test
    void shouldEncodeLeaseGrantsConsumerRedeliveriesAndLeaseRefusalsAsClientsDecodeThem()
    {
        final OutboundProxy proxy = new OutboundProxy(sink, counters, CAP, 0, false);
        final ReceiptHandle handle = new ReceiptHandle().set(77, 3, 0x1234_5678_9ABCL, 0x0FED_CBA9L);
        proxy.leaseGranted(5, handle, 1_000_000_000L, 42, 2);
        proxy.leaseGranted(6, handle, 1_000_000_000L, 43, 2);
        proxy.redeliver(77, RedeliveryListener.CONSUMER, 4);
        proxy.redeliver(78, 3, 2);
        proxy.refused(77, 42, ExtendDecoder.TEMPLATE_ID, OutboundProxy.refusalCode(Result.INVALID_LEASE), 2);
        proxy.refused(77, 42, SettleDecoder.TEMPLATE_ID, OutboundProxy.refusalCode(Result.LEASE_EXPIRED), 2);
        proxy.outcome(77, Outcome.FAILED, FailureReason.MAX_DELIVERIES, 5, 5, false);

        assertThat(sink.published.get(0)).isEqualTo(LeaseGrantedDecoder.TEMPLATE_ID + " frame of " +
            (MessageHeaderDecoder.ENCODED_LENGTH + LeaseGrantedDecoder.BLOCK_LENGTH));
        assertThat(counters.value(LEASES_GRANTED_SENT)).isEqualTo(2);
        assertThat(counters.value(REDELIVERS_SENT)).isEqualTo(2);
        final UnsafeBuffer consumerRedeliver = new UnsafeBuffer(sink.frames.get(2));
        assertThat(consumerRedeliver.getByte(MessageHeaderDecoder.ENCODED_LENGTH +
            RedeliverDecoder.destinationIdEncodingOffset()) & 0xFF).isEqualTo(Protocol.CONSUMER_DESTINATION);

        final List<String> decoded = new ArrayList<>();
        final OutboundAdapter adapter = new OutboundAdapter(new TrackerClientHandler()
        {
            public void onOutcome(final long messageId, final Outcome outcome, final FailureReason reason,
                final long latencyNs, final int attempts, final boolean replay)
            {
                decoded.add("outcome " + messageId + " " + outcome + " " + reason);
            }

            public void onRedeliver(final long messageId, final int destinationId, final int attempt)
            {
                decoded.add("redeliver " + messageId + " " + destinationId + " " + attempt);
            }

            public void onRefused(final int templateId, final long correlationId, final RefusalCode code,
                final int destinationId)
            {
                decoded.add("refused " + templateId + " " + correlationId + " " + code + " " + destinationId);
            }

            public void onLeaseGranted(final long correlationId, final long messageId, final ReceiptHandle granted,
                final long leaseDeadlineNs, final int delivery, final int destinationId)
            {
                decoded.add("granted " + correlationId + " " + messageId + " " + granted + " " + leaseDeadlineNs +
                    " " + delivery + " " + destinationId);
            }
        }, 42);
        for (final byte[] frame : sink.frames)
        {
            adapter.onFragment(new UnsafeBuffer(frame), 0, frame.length, null);
        }

        assertThat(decoded).containsExactly(
            "granted 5 77 " + handle + " 1000000000 3 2",
            "redeliver 77 " + RedeliveryListener.CONSUMER + " 4",
            "redeliver 78 3 2",
            "refused " + ExtendDecoder.TEMPLATE_ID + " 77 INVALID_LEASE 2",
            "refused " + SettleDecoder.TEMPLATE_ID + " 77 LEASE_EXPIRED 2",
            "outcome 77 FAILED MAX_DELIVERIES");
        assertThat(adapter.unknownFrames()).isZero();
    }

    @Test
    void shouldHaveAWireCodeForEveryEngineRefusalAndReason()
    {
        for (final Result result : Result.values())
        {
            if (result.isRefusal())
            {
                assertThat(OutboundProxy.refusalCode(result)).as("wire code of %s", result)
                    .isNotEqualTo(RefusalCode.OTHER);
            }
        }
        assertThat(ExtendDecoder.receiptHandleLength()).isEqualTo(ReceiptHandle.LENGTH)
            .isEqualTo(Protocol.RECEIPT_HANDLE_LENGTH);
    }

    private static final class ScriptedSink implements FrameSink
    {
        final List<String> published = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final OutcomeDecoder outcome = new OutcomeDecoder();
        long result = 1;
        int acceptOnly = Integer.MAX_VALUE;
        int offers;

        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            offers++;
            if (result < 0 || published.size() >= acceptOnly)
            {
                return result < 0 ? result : Publication.BACK_PRESSURED;
            }
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            frames.add(copy);
            header.wrap(buffer, offset);
            if (OutcomeDecoder.TEMPLATE_ID == header.templateId())
            {
                outcome.wrapAndApplyHeader(buffer, offset, header);
                published.add(outcome.messageId() + " " + outcome.outcome() + " " + outcome.reason() + " " +
                    outcome.latencyNs() + " " + outcome.attempts() + " " + outcome.replay());
            }
            else
            {
                published.add(header.templateId() + " frame of " + length);
            }
            return published.size() * 64L;
        }
    }
}

package io.acktracker.transport;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.transport.client.AckPublisher;
import io.aeron.Aeron;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
import org.agrona.collections.MutableLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.acktracker.transport.TransportCounter.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Another Aeron client on the tracker's driver subscribes to the outbound stream and never polls: on IPC the
 * publication cannot pass it, so outcomes back up. The transport must report the stall once per episode (counter,
 * gauge, one warning naming the subscriber) when no frame has gone out for longer than its bound, and say when
 * publishing resumes. Real embedded driver; the tracker's clock is the test's, so the bound is crossed when the test
 * says, not when the machine gets round to it.
 */
@Timeout(60)
class OutboundStallTest
{
    private static final int MESSAGES = 3000;
    private static final long STALL_TIMEOUT_MS = 1000;

    private final ManualClock clock = new ManualClock();
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    @Test
    void shouldReportAStalledOutboundSubscriberOncePerEpisode()
    {
        try (TrackerRig rig = new TrackerRig((driver) -> {},
            (transport) -> transport.outboundRetries(0).backlogCapacity(1 << 20)
                .outboundStallTimeoutNs(TimeUnit.MILLISECONDS.toNanos(STALL_TIMEOUT_MS)).warnings(warnings::add),
            (tracker) -> tracker.epochClock(clock));
            AckPublisher destination = new AckPublisher(rig.aeron, "a"))
        {
            final Aeron other = Aeron.connect(new Aeron.Context().aeronDirectoryName(rig.driver.aeronDirectoryName()));
            Subscription neverPolled = null;
            try
            {
                neverPolled = other.addSubscription(Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_OUTBOUND_STREAM_ID);
                final Subscription stuck = neverPolled;
                for (long id = 1; id <= MESSAGES; id++)
                {
                    rig.tracker.agent().track(id, DestinationRegistry.mask(0));
                }
                rig.awaitUntil("outbound connected to the subscriber that never polls",
                    () -> stuck.isConnected() && rig.transport.publication().isConnected());

                final MutableLong nextAck = new MutableLong(1);
                final Runnable ack = () ->
                {
                    if (nextAck.get() <= MESSAGES && destination.tryAck(nextAck.get()) > 0)
                    {
                        nextAck.increment();
                    }
                };
                rig.awaitUntil("outcomes backed up behind the subscriber",
                    () -> rig.counter(BACKLOG_FRAMES) > 0 && nextAck.get() > MESSAGES, ack);
                rig.awaitUntil("inbound drained", () -> 0 == rig.doWork());
                final long backlogged = rig.counter(BACKLOG_FRAMES);

                clock.advanceMs(STALL_TIMEOUT_MS / 2);
                rig.doWork();
                assertThat(rig.counter(OUTBOUND_STALLS)).as("within the bound: no stall yet").isZero();
                assertThat(warnings).isEmpty();

                clock.advanceMs(STALL_TIMEOUT_MS);
                rig.doWork();
                assertThat(rig.counter(OUTBOUND_STALLS)).isEqualTo(1);
                assertThat(rig.counter(OUTBOUND_STALLED)).isEqualTo(1);
                assertThat(warnings).hasSize(1);
                assertThat(warnings.get(0))
                    .contains("has published nothing for 1500 ms with " + backlogged + " frames waiting")
                    .contains("subscription " + stuck.registrationId() + " of Aeron client " + other.clientId());

                for (int i = 0; i < 5; i++)
                {
                    clock.advanceMs(STALL_TIMEOUT_MS);
                    rig.doWork();
                }
                assertThat(rig.counter(OUTBOUND_STALLS)).as("one episode, counted once").isEqualTo(1);
                assertThat(warnings).hasSize(1);
                assertThat(rig.counter(OUTCOMES_SENT)).isLessThan(MESSAGES);

                final MutableLong read = new MutableLong();
                rig.awaitUntil("the subscriber reads again: every outcome goes out",
                    () -> rig.counter(OUTCOMES_SENT) == MESSAGES,
                    () -> read.addAndGet(stuck.poll((buffer, offset, length, header) -> { }, 256)));
                assertThat(rig.counter(OUTBOUND_STALLED)).isZero();
                assertThat(warnings).hasSize(2);
                assertThat(warnings.get(1)).contains("publishing again after 6500 ms stalled");
                assertThat(rig.counter(OUTBOUND_STALLS)).isEqualTo(1);
            }
            finally
            {
                CloseHelper.quietCloseAll(neverPolled, other);
            }
        }
    }
}

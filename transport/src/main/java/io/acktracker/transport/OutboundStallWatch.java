package io.acktracker.transport;

import io.aeron.AeronCounters;
import io.aeron.ExclusivePublication;
import io.aeron.driver.status.StreamCounter;
import org.agrona.concurrent.status.CountersReader;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Notices when the outbound publication stops moving because a subscriber stopped reading. On IPC, Aeron keeps a
 * publication within one term window of its slowest tethered subscriber, and the tether is the subscriber's choice
 * ({@code tether=false} on its channel), so any process that can map the driver and subscribes to the outbound
 * stream without polling holds back every outcome, redelivery and answer, and (once the backlog reaches its cap)
 * the tracker's reading of commands. The publisher cannot refuse such a subscriber; it can make the stall visible.
 * <p>
 * A stall: frames are waiting in the outbound backlog and none has been published for longer than the bound. The
 * episode is counted once ({@link TransportCounter#OUTBOUND_STALLS}), the gauge
 * {@link TransportCounter#OUTBOUND_STALLED} is 1 while it lasts, and one warning line names the slowest subscriber
 * (its registration id, the Aeron client that owns it, how far behind it is) from the driver's subscriber position
 * counters, so the operator can find the process. A second line says when publishing resumes.
 * <p>
 * Zero allocation unless a stall begins or ends (then one line is built). Threading: agent thread only.
 */
final class OutboundStallWatch
{
    private final ExclusivePublication publication;
    private final CountersReader driverCounters;
    private final TransportCounters counters;
    private final Consumer<String> warnings;
    private final long timeoutNs;
    private long progressNs;
    private long stalledSinceNs;
    private boolean stalled;
    private boolean started;

    OutboundStallWatch(
        final ExclusivePublication publication,
        final CountersReader driverCounters,
        final TransportCounters counters,
        final Consumer<String> warnings,
        final long timeoutNs)
    {
        this.publication = publication;
        this.driverCounters = driverCounters;
        this.counters = counters;
        this.warnings = warnings;
        this.timeoutNs = timeoutNs;
    }

    /**
     * Called once per duty cycle after the backlog was drained.
     *
     * @param nowNs         the cycle's time.
     * @param published     frames the drain published (or gave up for want of a subscriber).
     * @param backlogFrames frames still waiting.
     * @return 1 when a stall began or ended, else 0.
     */
    int onDutyCycle(final long nowNs, final int published, final int backlogFrames)
    {
        if (!started || published > 0 || 0 == backlogFrames)
        {
            started = true;
            progressNs = nowNs;
            if (stalled)
            {
                stalled = false;
                counters.set(TransportCounter.OUTBOUND_STALLED, 0);
                warnings.accept("outbound stream " + publication.streamId() + " publishing again after " +
                    TimeUnit.NANOSECONDS.toMillis(nowNs - stalledSinceNs) + " ms stalled");
                return 1;
            }
            return 0;
        }
        if (!stalled && nowNs - progressNs > timeoutNs)
        {
            stalled = true;
            stalledSinceNs = progressNs;
            counters.increment(TransportCounter.OUTBOUND_STALLS);
            counters.set(TransportCounter.OUTBOUND_STALLED, 1);
            warnings.accept("outbound stream " + publication.streamId() + " (" + publication.channel() +
                ") has published nothing for " + TimeUnit.NANOSECONDS.toMillis(nowNs - progressNs) + " ms with " +
                backlogFrames + " frames waiting: " + slowestSubscriber() + "; outcomes and answers wait for it " +
                "(see SECURITY.md: who can map the media driver)");
            return 1;
        }
        return 0;
    }

    /**
     * Whether a stall is in progress.
     *
     * @return true while stalled.
     */
    boolean isStalled()
    {
        return stalled;
    }

    /**
     * The slowest subscriber of this publication, from the driver's subscriber position counters (their key starts
     * with the subscription's registration id, then the session and stream ids).
     */
    private String slowestSubscriber()
    {
        final int sessionId = publication.sessionId();
        final int streamId = publication.streamId();
        int slowest = -1;
        long slowestPosition = Long.MAX_VALUE;
        int subscribers = 0;
        for (int id = 0, max = driverCounters.maxCounterId(); id < max; id++)
        {
            if (CountersReader.RECORD_ALLOCATED == driverCounters.getCounterState(id) &&
                AeronCounters.DRIVER_SUBSCRIBER_POSITION_TYPE_ID == driverCounters.getCounterTypeId(id))
            {
                final int keyOffset = CountersReader.metaDataOffset(id) + CountersReader.KEY_OFFSET;
                if (sessionId == driverCounters.metaDataBuffer().getInt(keyOffset + StreamCounter.SESSION_ID_OFFSET) &&
                    streamId == driverCounters.metaDataBuffer().getInt(keyOffset + StreamCounter.STREAM_ID_OFFSET))
                {
                    subscribers++;
                    final long position = driverCounters.getCounterValue(id);
                    if (position < slowestPosition)
                    {
                        slowestPosition = position;
                        slowest = id;
                    }
                }
            }
        }
        if (slowest < 0)
        {
            return "no subscriber position found in the driver's counters";
        }
        final long registrationId = driverCounters.metaDataBuffer().getLong(CountersReader.metaDataOffset(slowest) +
            CountersReader.KEY_OFFSET + StreamCounter.REGISTRATION_ID_OFFSET);
        return "slowest of " + subscribers + " subscribers is subscription " + registrationId + " of Aeron client " +
            driverCounters.getCounterOwnerId(slowest) + " at position " + slowestPosition + ", " +
            (publication.position() - slowestPosition) + " bytes behind the publication";
    }
}

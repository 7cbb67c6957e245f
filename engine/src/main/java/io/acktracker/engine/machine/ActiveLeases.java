package io.acktracker.engine.machine;

import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;

/**
 * The number of messages leased now, and the one way a record stops being leased (settled, expired, or finished
 * some other way while leased).
 * <p>
 * Agent thread only.
 */
final class ActiveLeases
{
    private final Counters counters;
    private long active;

    ActiveLeases(final Counters counters)
    {
        this.counters = counters;
    }

    void granted()
    {
        active++;
        counters.set(TrackerCounter.ACTIVE_LEASES, active);
    }

    /** A leased record found at recovery. */
    void recovered()
    {
        granted();
    }

    void dropped(final PendingRecord record)
    {
        record.beginWrite();
        record.clearFlag2(PendingRecord.FLAG2_LEASED);
        record.endWrite();
        active--;
        counters.set(TrackerCounter.ACTIVE_LEASES, active);
    }

    long active()
    {
        return active;
    }

    void dump(final ImageWriter out)
    {
        out.section(ImageSections.LEASES).putLong(active);
    }

    void restore(final ImageReader in)
    {
        in.section(ImageSections.LEASES, "leases");
        active = in.getLong();
        counters.set(TrackerCounter.ACTIVE_LEASES, active);
    }
}

package io.acktracker.engine.machine;

import io.acktracker.engine.api.AttemptEventType;
import io.acktracker.engine.api.RedeliveryListener;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.store.BlobBytes;
import io.acktracker.engine.store.BlobTable;
import io.acktracker.engine.store.Extras;

/**
 * A message's attempt history in the extras table: timeouts, nacks, rejects, redeliveries, parking and lease
 * events, the last {@link Extras#HISTORY_CAPACITY} of them and the last error of each destination, so a dead letter
 * shows why it died. A Chronicle write per event, on the retry path only (never on the ack path); off when the
 * configuration says so.
 * <p>
 * Agent thread only.
 */
final class AttemptHistory
{
    private final boolean enabled;
    private final BlobTable extras;
    private final CommandClock clock;
    private final BlobBytes blob = new BlobBytes(1024);

    AttemptHistory(final boolean enabled, final BlobTable extras, final CommandClock clock)
    {
        this.enabled = enabled;
        this.extras = extras;
        this.clock = clock;
    }

    /**
     * Add an event per destination in {@code mask}.
     */
    void record(final PendingRecord record, final long mask, final AttemptEventType type, final int code)
    {
        if (!enabled || 0 == mask)
        {
            return;
        }
        load(record);
        for (long bits = mask; bits != 0; bits &= bits - 1)
        {
            final int destination = Long.numberOfTrailingZeros(bits);
            Extras.addEvent(blob, 0, clock.nowNs(), destination, type, record.attempts(destination), code);
        }
        store(record);
    }

    /**
     * Add one event for one destination (or {@link RedeliveryListener#CONSUMER}).
     */
    void record(
        final PendingRecord record, final AttemptEventType type, final int destination, final int attempt, final int code)
    {
        if (!enabled)
        {
            return;
        }
        load(record);
        Extras.addEvent(blob, 0, clock.nowNs(), destination, type, attempt, code);
        store(record);
    }

    private void load(final PendingRecord record)
    {
        if (!record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS) || !extras.get(record.messageId(), blob))
        {
            Extras.init(blob, 0, null, 0, 0);
        }
    }

    private void store(final PendingRecord record)
    {
        if (extras.put(record.messageId(), blob))
        {
            record.setFlag2(PendingRecord.FLAG2_HAS_EXTRAS);
        }
    }
}

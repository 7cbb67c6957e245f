package io.acktracker.engine.agent;

import io.acktracker.engine.RedeliveryListener;
import io.acktracker.engine.dlq.AttemptEventType;
import io.acktracker.engine.dlq.Extras;
import io.acktracker.engine.pending.PendingRecord;

/**
 * A message's attempt history in the extras table: timeouts, nacks, rejects, redeliveries, parking and lease
 * events, the last {@link Extras#HISTORY_CAPACITY} of them and the last error of each destination, so a dead letter
 * shows why it died. A Chronicle write per event, on the retry path only (never on the ack path).
 * <p>
 * Agent thread only.
 */
final class AttemptHistory
{
    private final TrackerAgent agent;

    AttemptHistory(final TrackerAgent agent)
    {
        this.agent = agent;
    }

    /**
     * Add an event per destination in {@code mask} to the message's attempt history (extras table).
     */
    void record(final PendingRecord record, final long mask, final AttemptEventType type, final int code)
    {
        if (!agent.recordHistory || 0 == mask)
        {
            return;
        }
        loadExtras(record);
        for (long bits = mask; bits != 0; bits &= bits - 1)
        {
            final int destination = Long.numberOfTrailingZeros(bits);
            Extras.addEvent(agent.extrasBlob, 0, agent.nowNs, destination, type, record.attempts(destination), code);
        }
        storeExtras(record);
    }

    /**
     * Add one event for one destination (or {@link RedeliveryListener#CONSUMER}) to the attempt history.
     */
    void record(
        final PendingRecord record, final AttemptEventType type, final int destination, final int attempt, final int code)
    {
        if (!agent.recordHistory)
        {
            return;
        }
        loadExtras(record);
        Extras.addEvent(agent.extrasBlob, 0, agent.nowNs, destination, type, attempt, code);
        storeExtras(record);
    }

    private void loadExtras(final PendingRecord record)
    {
        if (!record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS) || !agent.extras.get(record.messageId(), agent.extrasBlob))
        {
            Extras.init(agent.extrasBlob, 0, null, 0, 0);
        }
    }

    private void storeExtras(final PendingRecord record)
    {
        if (agent.extras.put(record.messageId(), agent.extrasBlob))
        {
            record.setFlag2(PendingRecord.FLAG2_HAS_EXTRAS);
        }
    }
}

package io.acktracker.engine.machine;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.timer.DeadlineIndex;

/**
 * A record's earliest deadline passed: whichever of its deadlines are due fire, in a fixed order (TTL first, which
 * ends everything; then the lease or hold-back deadline; then the retry time; then the ack timeout), and the record
 * is put back on the deadline index for its next one.
 * <p>
 * Agent thread only.
 */
final class Timeouts implements DeadlineIndex.Handler
{
    private final Records records;
    private final DeadlineIndex deadlines;
    private final Finisher finisher;
    private final Leases leases;
    private final Retries retries;
    private final PendingRecord record = new PendingRecord();

    Timeouts(
        final Records records,
        final DeadlineIndex deadlines,
        final Finisher finisher,
        final Leases leases,
        final Retries retries)
    {
        this.records = records;
        this.deadlines = deadlines;
        this.finisher = finisher;
        this.leases = leases;
        this.retries = retries;
    }

    public void onDeadline(final int slot, final long deadlineNs, final long nowNs)
    {
        final PendingRecord record = this.record.wrap(records.address(slot));
        if (RecordStatus.PENDING != record.status())
        {
            return;
        }

        if (record.ttlDeadlineNs() - nowNs <= 0)
        {
            finisher.finish(slot, record, RecordStatus.EXPIRED,
                0 != record.parked() ? FailureReason.CIRCUIT_OPEN : FailureReason.EXPIRED);
            return;
        }

        if (record.leaseDeadlineNs() - nowNs <= 0)
        {
            leases.onLeaseDeadline(slot, record);
            if (RecordStatus.PENDING != record.status())
            {
                return;
            }
        }

        if (record.retryAtNs() - nowNs <= 0)
        {
            retries.onRetryDue(record);
        }

        if (record.deadlineNs() - nowNs <= 0)
        {
            retries.onAckTimeout(slot, record);
            if (RecordStatus.PENDING != record.status())
            {
                return;
            }
        }

        final long next = record.nextDeadlineNs();
        if (PendingRecord.NO_DEADLINE != next)
        {
            deadlines.schedule(slot, next, nowNs);
        }
    }
}

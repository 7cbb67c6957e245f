package io.acktracker.engine.api;

/**
 * Dead-letter queue statistics, for one queue or all of them.
 *
 * @param count               dead letters held.
 * @param totalMoved          dead letters ever added.
 * @param totalReplayed       replayed back into tracking.
 * @param totalDeleted        deleted by an operator.
 * @param refusedFull         dead letters refused because the queue was full (the message stayed FAILED).
 * @param evictedOldest       oldest dead letters removed from full queues to make room for newer ones.
 * @param heldForRoom         failed messages waiting for room in their queue now.
 * @param retentionRemoved    removed by retention.
 * @param retentionViolations held now although older than the retention (removal pending).
 * @param oldestDeadNs        when the oldest held dead letter died (epoch ns), 0 when empty.
 */
public record DlqStats(
    long count,
    long totalMoved,
    long totalReplayed,
    long totalDeleted,
    long refusedFull,
    long evictedOldest,
    long heldForRoom,
    long retentionRemoved,
    long retentionViolations,
    long oldestDeadNs)
{
}

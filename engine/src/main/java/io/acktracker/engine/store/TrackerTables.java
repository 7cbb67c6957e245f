package io.acktracker.engine.store;

import io.acktracker.engine.dlq.BlobTable;
import io.acktracker.engine.pending.PendingTable;
import io.acktracker.engine.persistence.LongLongTable;
import io.acktracker.engine.stream.StreamOffsetTable;

/**
 * The Chronicle Map tables a tracker keeps, opened together (persisted in a data directory or in memory).
 *
 * @param pending       pending records and tombstones.
 * @param streamOffsets cumulative offsets per stream and destination.
 * @param extras        metadata and attempt history of pending messages.
 * @param deadLetters   the dead-letter queues.
 * @param state         circuit states and dead-letter totals.
 */
public record TrackerTables(
    PendingTable pending,
    StreamOffsetTable streamOffsets,
    BlobTable extras,
    BlobTable deadLetters,
    LongLongTable state) implements AutoCloseable
{
    /** Close every table (quietly, each one even if another fails). */
    public void close()
    {
        org.agrona.CloseHelper.quietCloseAll(pending, streamOffsets, extras, deadLetters, state);
    }

    /** Flush every persisted table to disk (msync). Any thread. */
    public void sync()
    {
        pending.sync();
        streamOffsets.sync();
        extras.sync();
        deadLetters.sync();
        state.sync();
    }
}

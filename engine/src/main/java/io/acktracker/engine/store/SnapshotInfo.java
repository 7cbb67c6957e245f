package io.acktracker.engine.store;

import java.nio.file.Path;

/**
 * What a snapshot wrote.
 *
 * @param dir        snapshot directory.
 * @param entries    pending-table entries (pending and tombstones) in it.
 * @param bytes      total size of its files.
 * @param durationNs how long the agent was paused taking it.
 */
public record SnapshotInfo(Path dir, long entries, long bytes, long durationNs)
{
}

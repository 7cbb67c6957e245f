package io.acktracker.engine.agent;

import io.acktracker.engine.pending.SlotSource;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes one checkpoint's files ({@link io.acktracker.engine.checkpoint.CheckpointStore#write}) and keeps the two
 * newest. With group commit on (a sync interval above 0), the manifest, which is what makes a checkpoint exist, is
 * written only once the journal's helper has msynced the journal at or beyond the checkpoint's position P: after a
 * power loss a checkpoint never exists that the journal does not reach (the journal would go on from an earlier
 * position, and a later start would replay different commands on top of the checkpoint). The wait costs the helper
 * thread at most one sync interval (the files before the manifest usually take longer) and never the agent.
 * <p>
 * Threading: the checkpoint's helper thread, or the closing thread (while the journal's helper still runs).
 */
final class CheckpointWriter
{
    /** Two, so that a newest checkpoint found damaged at a start still has an older one and the journal from it. */
    static final int KEEP = 2;

    private static final long MIN_SYNC_WAIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final CommandJournal journal;
    private final long syncIntervalNs;
    private final long tableEntries;

    CheckpointWriter(final CommandJournal journal, final long syncIntervalNs, final long tableEntries)
    {
        this.journal = journal;
        this.syncIntervalNs = syncIntervalNs;
        this.tableEntries = tableEntries;
    }

    /**
     * Write the checkpoint at P, then keep the {@value #KEEP} newest.
     *
     * @param position    P, the journal position the state corresponds to.
     * @param image       the exact image.
     * @param imageLength its length.
     * @param slots       the records as they were at P.
     * @return the position of the oldest checkpoint kept.
     */
    long write(final long position, final DirectBuffer image, final int imageLength, final SlotSource slots)
    {
        journal.checkpoints().write(position, journal.seed(), journal.startNs(), journal.settings(), image,
            imageLength, slots, tableEntries, () -> awaitJournalSynced(position));
        return journal.checkpoints().retain(KEEP);
    }

    /**
     * With group commit on, wait (parking) until the journal is synced to a position; bounded by two sync intervals
     * or 30 s, whichever is longer, after which the checkpoint is refused (nothing is lost: the journal still holds
     * everything and the next interval tries again).
     *
     * @param position the position.
     * @throws IllegalStateException when the journal was not synced in time.
     */
    void awaitJournalSynced(final long position)
    {
        if (0 == syncIntervalNs)
        {
            return;
        }
        final long startNs = System.nanoTime();
        final long boundNs = Math.max(MIN_SYNC_WAIT_NS, 2 * syncIntervalNs);
        while (journal.status().syncedPosition() < position)
        {
            if (System.nanoTime() - startNs > boundNs)
            {
                throw new IllegalStateException("the journal was not synced to position " + position + " within " +
                    TimeUnit.NANOSECONDS.toMillis(boundNs) + " ms (synced to " + journal.status().syncedPosition() +
                    "), so no manifest was written: a checkpoint must never be ahead of the synced journal");
            }
            LockSupport.parkNanos(PARK_NS);
        }
    }
}

package io.acktracker.engine.agent;

import io.acktracker.engine.machine.TrackerStateMachine;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.store.BlobTable;
import io.acktracker.engine.store.BlobTableCopy;

import java.util.concurrent.Executor;

/**
 * A checkpoint's copy of the machine's message-keyed tables (extras, dead letters), copied on write key by key
 * ({@link BlobTableCopy}) instead of in the agent's pause. The image holds them between the machine's parts and its
 * last part (the small keyed tables and the end): the pause writes that last part aside ({@link #dumpTail}), and the
 * helper, once the parts before are complete, appends the copied tables and then the tail ({@link #write}), so the
 * image is byte for byte {@code TrackerStateMachine.dump} at the checkpoint.
 * <p>
 * Threading: {@link #dumpTail}, {@link #begin}, {@link #isComplete}, {@link #needsReserve} and {@link #end} on the
 * agent thread; the tasks {@link #submit} hands over, {@link #write} and {@link #reserve} on the checkpoint's helper
 * thread ({@link #reserve} only while no checkpoint is under way).
 */
final class KeyedTablesCopy
{
    /** Each table's segments are walked in this many tasks. */
    private static final int WALK_TASKS = 8;

    private final TrackerStateMachine machine;
    private final BlobTableCopy[] tables;
    private final ImageWriter tail = new ImageWriter(1 << 16);

    KeyedTablesCopy(final TrackerStateMachine machine)
    {
        this.machine = machine;
        final BlobTable[] copied = machine.copiedTables();
        this.tables = new BlobTableCopy[copied.length];
        for (int i = 0; i < copied.length; i++)
        {
            tables[i] = copied[i].copy();
        }
    }

    /**
     * In the pause, after the machine's parts: the image's last part, set aside.
     */
    void dumpTail()
    {
        tail.reset();
        machine.dumpLastTables(tail);
    }

    /**
     * In the pause, once nothing can fail any more: each table saves its keys' pre-images from now on.
     */
    void begin()
    {
        for (final BlobTableCopy table : tables)
        {
            table.begin();
        }
    }

    /**
     * Hand the helper each table's steps (its segments walked in parts), so a test's executor can run them between
     * commands.
     *
     * @param helper the checkpoint's helper.
     */
    void submit(final Executor helper)
    {
        for (final BlobTableCopy table : tables)
        {
            for (int part = 0; part < WALK_TASKS; part++)
            {
                final int walkPart = part;
                helper.execute(() -> table.collect(walkPart, WALK_TASKS));
            }
        }
    }

    /**
     * Append the tables as they were at the checkpoint, then the tail (helper, once the image's parts before them
     * are complete: the image may grow, and so move, from here on).
     *
     * @param image the checkpoint's image.
     */
    void write(final ImageWriter image)
    {
        for (final BlobTableCopy table : tables)
        {
            table.write(image);
        }
        image.append(tail);
    }

    /**
     * @return whether every table is in the image.
     */
    boolean isComplete()
    {
        for (final BlobTableCopy table : tables)
        {
            if (!table.isComplete())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return whether a table's last copy wants more room reserved before the next.
     */
    boolean needsReserve()
    {
        for (final BlobTableCopy table : tables)
        {
            if (table.needsReserve())
            {
                return true;
            }
        }
        return false;
    }

    /** Between checkpoints (helper): room for copies like the last ones. */
    void reserve()
    {
        for (final BlobTableCopy table : tables)
        {
            table.reserve();
        }
    }

    /** The copy is written or abandoned: the hooks go off (agent, once the helper no longer reads). */
    void end()
    {
        for (final BlobTableCopy table : tables)
        {
            table.end();
        }
    }
}

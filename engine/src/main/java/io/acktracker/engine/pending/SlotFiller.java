package io.acktracker.engine.pending;

import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.store.PendingTable;

/**
 * Creates a restored slot's table entry holding its record, for {@link Records#restore}: one Chronicle insert and a
 * copy per slot, or addresses in a table loaded in one block.
 * <p>
 * The thread restoring a fresh tracker.
 */
@FunctionalInterface
public interface SlotFiller
{
    /**
     * Create slot {@code slot}'s entry in the table (slots come lowest first) with its record, all
     * {@link PendingRecord#LENGTH} bytes.
     *
     * @param slot  the slot.
     * @param table the fresh table being restored.
     * @return the address of its record in the table, 0 or less when it could not be created.
     */
    long fill(int slot, PendingTable table);
}

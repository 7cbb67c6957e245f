package io.acktracker.engine.pending;

/**
 * Records by slot, to be copied out (into a checkpoint): the live {@link Records}, or a copy of their slots taken at
 * one moment.
 * <p>
 * Threading: that of the implementation.
 */
public interface SlotSource
{
    /**
     * @return slots created, 0 to this minus one.
     */
    int createdSlots();

    /**
     * The record to copy from: unlike {@link Records#address(int)}, which a writer calls, this never runs the
     * copy-on-write check, so a checkpoint's copy may read through it.
     *
     * @param slot a created slot.
     * @return the off-heap address of its {@code PendingRecord.LENGTH}-byte record.
     */
    long recordAddress(int slot);
}

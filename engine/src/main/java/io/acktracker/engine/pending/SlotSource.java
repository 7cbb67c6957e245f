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
     * @param slot a created slot.
     * @return the off-heap address of its {@code PendingRecord.LENGTH}-byte record.
     */
    long address(int slot);
}

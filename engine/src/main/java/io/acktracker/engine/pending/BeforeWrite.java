package io.acktracker.engine.pending;

/**
 * What {@link Records} calls before the agent may change a record while a checkpoint's copy of the records is under
 * way (copy-on-write): it returns once the record's bytes as they were at the checkpoint are in the copy.
 * <p>
 * Agent thread (the one that writes records).
 */
@FunctionalInterface
public interface BeforeWrite
{
    /**
     * The agent is about to point a flyweight at a slot's record, and may change it.
     *
     * @param slot a slot below the count the hook was installed with.
     */
    void beforeWrite(int slot);
}

package io.acktracker.engine.pending;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index entry carries the record's address beside the slot when it fits, and falls back to the slot's address
 * otherwise: either way an entry names the same slot and address as the slot-to-address array.
 */
class PendingIndexTest
{
    private static final long FIRST = 0x7f00_0000_0000L;

    @Test
    void shouldCarryTheAddressOfEveryCreatedSlotInItsEntry()
    {
        final PendingIndex index = new PendingIndex(8, 0);
        final long[] addresses = {
            FIRST,
            FIRST + 224,
            FIRST - 4096,                  // below the first: still above the base
            FIRST + (15L << 30),           // 15 GiB above the first: still fits
            FIRST - (9L << 30),            // more than 8 GiB below the first: below the base
            FIRST + (40L << 30),           // too far above
            FIRST + 229,                   // not 8-byte aligned
            0x10_0000L,                    // low memory
        };
        for (final long address : addresses)
        {
            index.created(address);
        }
        // slots are handed out from the top of the free stack: the last created first
        for (int i = addresses.length - 1; i >= 0; i--)
        {
            final long messageId = 1000 + i;
            final int slot = index.allocate(messageId);
            assertThat(slot).isEqualTo(i);
            final long entry = index.entryOf(messageId);
            assertThat(PendingIndex.slotOfEntry(entry)).isEqualTo(slot);
            assertThat(index.addressOfEntry(entry)).as("slot %d", slot).isEqualTo(addresses[slot]);
            assertThat(index.slotOf(messageId)).isEqualTo(slot);
            if (i > 0)
            {
                assertThat(index.allocate(messageId)).as("a held id").isEqualTo(PendingIndex.MISSING);
            }
        }
        assertThat(index.entryOf(999)).isEqualTo(PendingIndex.MISSING_ENTRY);
        assertThat(index.hasFreeSlot()).isFalse();
    }

    @Test
    void shouldRebuildEntriesAtRecovery()
    {
        final PendingIndex index = new PendingIndex(4, 0);
        index.recoverSlot(2, FIRST + 2 * 224);
        index.recoverSlot(0, FIRST);
        index.recoverSlot(1, FIRST + (20L << 30));
        assertThat(index.occupy(7, 2)).isTrue();
        assertThat(index.occupy(8, 1)).isTrue();
        assertThat(index.occupy(7, 0)).isFalse();

        assertThat(index.addressOfEntry(index.entryOf(7))).isEqualTo(FIRST + 2 * 224);
        assertThat(PendingIndex.slotOfEntry(index.entryOf(8))).isEqualTo(1);
        assertThat(index.addressOfEntry(index.entryOf(8))).isEqualTo(FIRST + (20L << 30));
        assertThat(index.endRecovery((slot) -> 0 != slot)).isZero();
    }
}

package io.acktracker.engine.checkpoint;

import io.acktracker.engine.pending.SlotSource;
import io.acktracker.engine.record.PendingRecord;
import org.agrona.UnsafeApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The copy-on-write copy of the records holds them exactly as they were at {@link RecordsCopy#begin}, whatever the
 * agent writes meanwhile: single-threaded steps (the agent copies a chunk before the helper, the helper skips it),
 * and the two threads racing for real (the agent writing random records while the helper copies), checked against a
 * plain copy taken at the start. No timing is asserted: only the bytes.
 */
class RecordsCopyTest
{
    private static final int SLOTS = 1000;
    private static final int RACED_SLOTS = 20_000;

    private final LiveRecords live = new LiveRecords(RACED_SLOTS + 100);

    @AfterEach
    void free()
    {
        live.close();
    }

    @Test
    void shouldHoldTheRecordsAtTheStartWhenTheAgentWritesBeforeAndAfterTheHelperCopies()
    {
        try (RecordsCopy copy = new RecordsCopy(3))
        {
            copy.grow(SLOTS);
            live.created = SLOTS;
            live.fill(new SplittableRandom(1));
            final byte[] atStart = live.bytes(SLOTS);
            copy.begin(live);
            assertThat(copy.chunks()).isEqualTo(125);

            copy.copyChunks(0, 10);
            writeAfterCheck(copy, 5);
            writeAfterCheck(copy, 500);
            writeAfterCheck(copy, 503);
            writeAfterCheck(copy, 999);
            assertThat(copy.copiedByAgent()).as("chunks 62 and 124; chunk 0 was the helper's").isEqualTo(2);
            assertThat(copy.copyChunks(0, copy.chunks())).isEqualTo(125 - 10 - 2);
            copy.awaitCopied();
            assertThat(copy.isComplete()).isTrue();
            assertThat(bytes(copy, SLOTS)).isEqualTo(atStart);
        }
    }

    @Test
    void shouldHoldTheRecordsAtTheStartWhenTheAgentWritesAChunkTheHelperIsCopying()
    {
        try (RecordsCopy copy = new RecordsCopy(3))
        {
            copy.grow(SLOTS);
            live.created = SLOTS;
            live.fill(new SplittableRandom(2));
            final byte[] atStart = live.bytes(SLOTS);
            copy.begin(live);
            // the agent's writes land between the helper's claim and its copy into the block
            copy.onHelperClaim((chunk) ->
            {
                writeAfterCheck(copy, (chunk << 3) + chunk % 8);
                writeAfterCheck(copy, (chunk << 3) + 7);
            });
            assertThat(copy.copyChunks(0, copy.chunks())).isEqualTo(125);
            copy.awaitCopied();
            assertThat(copy.copiedByAgent()).as("the agent claimed nothing: it found each chunk the helper's")
                .isZero();
            assertThat(bytes(copy, SLOTS)).isEqualTo(atStart);
        }
    }

    @Test
    void shouldHoldTheRecordsAtTheStartWhileTheAgentWritesAndTheHelperCopiesAtOnce() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (final int chunkShift : new int[]{ 0, 2, 6 })
        {
            try (RecordsCopy copy = new RecordsCopy(chunkShift))
            {
                copy.grow(RACED_SLOTS);
                for (int round = 0; round < 20; round++)
                {
                    live.created = RACED_SLOTS - random.nextInt(50);
                    live.fill(random);
                    final byte[] atStart = live.bytes(live.created);
                    copy.begin(live);
                    final Thread helper = new Thread(copy::awaitCopied, "test-helper");
                    helper.start();
                    // writes for as long as the helper copies (and a few thousand whatever the scheduling)
                    for (int i = 0; i < 3000 || helper.isAlive(); i++)
                    {
                        // new slots past the checkpoint's are written without a check, as Records does
                        final int slot = random.nextInt(live.created + 20);
                        if (slot < copy.createdSlots())
                        {
                            copy.beforeWrite(slot);
                        }
                        live.write(slot, random.nextLong());
                    }
                    helper.join();
                    assertThat(bytes(copy, copy.createdSlots())).as("shift %d round %d", chunkShift, round)
                        .isEqualTo(atStart);
                }
            }
        }
    }

    private void writeAfterCheck(final RecordsCopy copy, final int slot)
    {
        copy.beforeWrite(slot);
        live.write(slot, -slot);
    }

    private static byte[] bytes(final SlotSource source, final int slots)
    {
        final byte[] bytes = new byte[slots * PendingRecord.LENGTH];
        for (int slot = 0; slot < slots; slot++)
        {
            UnsafeApi.copyMemory(null, source.recordAddress(slot), bytes,
                UnsafeApi.arrayBaseOffset(byte[].class) + (long)slot * PendingRecord.LENGTH, PendingRecord.LENGTH);
        }
        return bytes;
    }

    /** Records in one off-heap block, slot after slot, in reverse order (as if scattered). */
    private static final class LiveRecords implements SlotSource, AutoCloseable
    {
        private final int capacity;
        private final long address;
        private int created;

        LiveRecords(final int capacity)
        {
            this.capacity = capacity;
            this.address = UnsafeApi.allocateMemory((long)capacity * PendingRecord.LENGTH);
        }

        public int createdSlots()
        {
            return created;
        }

        public long recordAddress(final int slot)
        {
            return address + (long)(capacity - 1 - slot) * PendingRecord.LENGTH;
        }

        void fill(final SplittableRandom random)
        {
            for (int slot = 0; slot < capacity; slot++)
            {
                write(slot, random.nextLong());
            }
        }

        void write(final int slot, final long value)
        {
            for (int offset = 0; offset < PendingRecord.LENGTH; offset += Long.BYTES)
            {
                UnsafeApi.putLong(recordAddress(slot) + offset, value + offset);
            }
        }

        byte[] bytes(final int slots)
        {
            return RecordsCopyTest.bytes(this, slots);
        }

        public void close()
        {
            UnsafeApi.freeMemory(address);
        }
    }
}

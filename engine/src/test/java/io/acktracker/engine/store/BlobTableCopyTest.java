package io.acktracker.engine.store;

import io.acktracker.engine.state.ImageWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A blob table copied key by key while it changes: whatever the agent puts and removes between the checkpoint and
 * the helper's last step, the image the copy writes is byte for byte the one {@link BlobTable#dump} gives at the
 * checkpoint.
 */
class BlobTableCopyTest
{
    private final BlobTable table = BlobTable.open("test", null, 20_000, 64, false);
    private final BlobBytes blob = new BlobBytes(64);

    @AfterEach
    void close()
    {
        table.close();
    }

    @Test
    void shouldWriteTheTableAtTheCheckpointWhateverChangesBetweenTheHelpersSteps()
    {
        for (long key = 0; key < 3000; key++)
        {
            put(key, 1, 8 + (int)(key % 40));
        }
        // the ends of the key space: the merge of live entries and pre-images must not take them for its sentinels
        put(Long.MAX_VALUE, 1, 4);
        put(Long.MIN_VALUE, 1, 4);
        put(-7, 1, 0);
        final byte[] atP = dump();
        final BlobTableCopy copy = table.copy();
        copy.begin();

        // before the keys are collected: a removed key, a replaced one, a new one, a new one removed again
        table.remove(10);
        put(11, 2, 30);
        put(100_000, 2, 5);
        put(100_001, 2, 5);
        table.remove(100_001);
        copy.collect(0, 3);
        // a third walked: replaced, removed, then put back with other bytes
        put(2900, 3, 12);
        table.remove(2901);
        put(2901, 3, 60);
        put(100_002, 3, 7);
        copy.collect(1, 3);
        // two thirds walked: changes to keys walked and not walked, twice each
        put(5, 4, 9);
        put(5, 5, 10);
        table.remove(6);
        put(2950, 4, 9);
        table.remove(2951);
        copy.collect(2, 3);
        // all walked, the log not yet: these keys' live values differ from P, their pre-images decide
        put(7, 6, 3);
        table.remove(8);
        put(100_003, 6, 3);
        table.remove(Long.MAX_VALUE);
        put(Long.MIN_VALUE, 6, 9);

        final ImageWriter image = new ImageWriter(1024);
        copy.write(image);
        assertThat(copy.isComplete()).isTrue();
        assertThat(bytes(image)).isEqualTo(atP);
        assertThat(copy.touched()).isEqualTo(16);
        copy.end();
    }

    @Test
    void shouldKeepEveryPreImageWhenTheAgentTouchesMoreKeysThanReserved()
    {
        for (long key = 0; key < 5000; key++)
        {
            put(key, 1, 200);
        }
        final byte[] atP = dump();
        final BlobTableCopy copy = table.copy();
        copy.begin();
        // 5,000 pre-images of 200 bytes: past the 64 KiB log and the 1,024-key set, both grow on the agent
        for (long key = 0; key < 5000; key++)
        {
            if (0 == key % 2)
            {
                table.remove(key);
            }
            else
            {
                put(key, 2, 100);
            }
        }
        final ImageWriter image = new ImageWriter(1024);
        copy.write(image);
        assertThat(bytes(image)).isEqualTo(atP);
        copy.end();

        // reserved on the helper for the next copy: that one saves as many without growing
        assertThat(copy.needsReserve()).isTrue();
        copy.reserve();
        assertThat(copy.needsReserve()).isFalse();
        final byte[] atSecondP = dump();
        copy.begin();
        for (long key = 0; key < 5000; key++)
        {
            put(key, 3, 150);
        }
        final ImageWriter second = new ImageWriter(1024);
        copy.write(second);
        assertThat(bytes(second)).isEqualTo(atSecondP);
        copy.end();
    }

    @Test
    void shouldWriteTheTableAtTheCheckpointWhileAnotherThreadChangesIt() throws Exception
    {
        for (long key = 0; key < 10_000; key++)
        {
            put(key, 1, 16 + (int)(key % 50));
        }
        for (int round = 0; round < 5; round++)
        {
            final byte[] atP = dump();
            final BlobTableCopy copy = table.copy();
            copy.begin();
            final ImageWriter image = new ImageWriter(1024);
            final AtomicBoolean done = new AtomicBoolean();
            final Thread helper = new Thread(() ->
            {
                copy.write(image);
                done.set(true);
            });
            helper.start();
            final SplittableRandom random = new SplittableRandom(round);
            // the agent: changes at random keys until the helper is done (and a few thousand after)
            int after = 0;
            while (after < 2000)
            {
                final long key = random.nextLong(12_000);
                if (random.nextInt(3) == 0)
                {
                    table.remove(key);
                }
                else
                {
                    put(key, 2 + round, 1 + random.nextInt(80));
                }
                after += done.get() ? 1 : 0;
            }
            helper.join();
            assertThat(bytes(image)).as("round %d", round).isEqualTo(atP);
            copy.end();
        }
    }

    /**
     * The agent's side once the helper reserved for a copy like the last one: each key's first change saves its
     * pre-image without allocating. Until C2 compiles the path the interpreter and C1 may allocate what escape analysis
     * later removes (Chronicle's query path): copies run until one allocates nothing (bounded), then one more must not.
     */
    @Test
    void shouldSavePreImagesWithoutAllocatingOnceReserved()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        for (long key = 0; key < 4000; key++)
        {
            put(key, 1, 100);
        }
        final BlobTableCopy copy = table.copy();
        final ImageWriter image = new ImageWriter(1 << 20);
        final int[] round = { 0 };
        final java.util.function.LongSupplier copyRound = () ->
        {
            copy.begin();
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (long key = 0; key < 4000; key++)
            {
                // every key's first change: half replaced, a quarter removed and put back, a quarter inserted
                if (key % 4 == 1)
                {
                    table.remove(key);
                    put(key, round[0], 100);
                }
                else
                {
                    put(key % 4 == 3 ? key + 1_000_000 * (round[0] + 1) : key, round[0], 100);
                }
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            image.reset();
            copy.write(image);
            copy.end();
            if (copy.needsReserve())
            {
                copy.reserve();
            }
            for (long key = 0; key < 4000; key++)
            {
                table.remove(key + 1_000_000 * (round[0] + 1));
            }
            round[0]++;
            return allocated;
        };
        for (int warmUp = 0; warmUp < 30 && copyRound.getAsLong() > 0; warmUp++)
        {
            assertThat(copy.touched()).isEqualTo(4000);
        }
        assertThat(copyRound.getAsLong()).as("bytes the agent allocated saving 4,000 pre-images").isZero();
    }

    private void put(final long key, final int fill, final int length)
    {
        blob.length(length);
        for (int i = 0; i < length; i++)
        {
            blob.buffer().putByte(i, (byte)(key * 31 + fill * 7 + i));
        }
        if (!table.put(key, blob))
        {
            // not an assertion that allocates on every call: the allocation test measures this path
            throw new AssertionError("no room for key " + key);
        }
    }

    private byte[] dump()
    {
        final ImageWriter image = new ImageWriter(1024);
        table.dump(image);
        return bytes(image);
    }

    private static byte[] bytes(final ImageWriter image)
    {
        final byte[] bytes = new byte[image.length()];
        image.buffer().getBytes(0, bytes);
        return bytes;
    }
}

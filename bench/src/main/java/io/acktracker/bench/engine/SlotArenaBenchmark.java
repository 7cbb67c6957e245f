package io.acktracker.bench.engine;

import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.store.PendingTable;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the slot arena's backing costs: the record writes an ack makes (read the acked set, set a bit, move the
 * deadline, under the record's sequence lock) at random slots of {@value #SLOTS} records, through addresses taken from
 * a slot-keyed Chronicle Map (in memory and persisted to a file) against the same writes into one block of plain
 * off-heap memory. The engine's hot path is the same code either way (a flyweight over {@code slotAddress[slot]});
 * only where the records lie differs: Chronicle spreads them over its segments, between its own entry headers.
 * <p>
 * Each invocation visits {@value #VISITS} slots in a random order drawn once per trial; JMH reports the time per
 * visit. The rule: the Chronicle arena is kept unless it costs more than 5% against plain memory.
 * <p>
 * Single thread: the JMH thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
public class SlotArenaBenchmark
{
    /** Records in the arena: the 1M-pending configuration with its tombstone room. */
    public static final int SLOTS = 1_200_000;
    /** Slots visited per invocation. */
    public static final int VISITS = 1 << 16;

    /** Where the records lie. */
    public enum Backing
    {
        /** A slot-keyed Chronicle Map in memory (a tracker without a data directory). */
        CHRONICLE_MEMORY,
        /** A slot-keyed Chronicle Map persisted to a file in the temp directory. */
        CHRONICLE_FILE,
        /** One block of plain off-heap memory, records back to back. */
        OFF_HEAP
    }

    /** The arena's backing. */
    @Param({ "CHRONICLE_MEMORY", "CHRONICLE_FILE", "OFF_HEAP" })
    public Backing backing;

    private final long[] slotAddress = new long[SLOTS];
    private final int[] visits = new int[VISITS * 16];
    private final PendingRecord record = new PendingRecord();
    private PendingTable table;
    private File file;
    private ByteBuffer block;
    private int cursor;
    private long now = 1;

    /**
     * Create every slot and take its address.
     *
     * @throws IOException when the temp file cannot be made.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        switch (backing)
        {
            case OFF_HEAP:
                block = BufferUtil.allocateDirectAligned(SLOTS * PendingRecord.LENGTH, 64);
                final long base = new UnsafeBuffer(block).addressOffset();
                for (int slot = 0; slot < SLOTS; slot++)
                {
                    slotAddress[slot] = base + (long)slot * PendingRecord.LENGTH;
                }
                break;
            case CHRONICLE_FILE:
                file = Files.createTempFile("slot-arena", ".cmap").toFile();
                Files.delete(file.toPath());
                table = PendingTable.persisted(file, SLOTS, false);
                createAll();
                break;
            default:
                table = PendingTable.inMemory(SLOTS);
                createAll();
        }
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < visits.length; i++)
        {
            visits[i] = random.nextInt(SLOTS);
        }
    }

    private void createAll()
    {
        for (int slot = 0; slot < SLOTS; slot++)
        {
            slotAddress[slot] = table.create(slot);
        }
    }

    /**
     * Close the table and delete its file.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (null != table)
        {
            table.close();
        }
        if (null != file && !file.delete())
        {
            file.deleteOnExit();
        }
        // the aligned block is a slice of a direct buffer (not freeable by hand): the fork's exit returns it
        block = null;
    }

    /**
     * The writes of one ack at each of {@value #VISITS} random slots.
     *
     * @return a value depending on every write, so none is dead code.
     */
    @Benchmark
    @OperationsPerInvocation(VISITS)
    public long ackWrites()
    {
        long sum = 0;
        int at = cursor;
        for (int i = 0; i < VISITS; i++)
        {
            final PendingRecord r = record.wrap(slotAddress[visits[at]]);
            at = (at + 1) & (visits.length - 1);
            r.beginWrite();
            r.acked(r.acked() | (now & 63) + 1);
            r.deadlineNs(now++);
            r.endWrite();
            sum += r.acked();
        }
        cursor = at;
        return sum;
    }
}

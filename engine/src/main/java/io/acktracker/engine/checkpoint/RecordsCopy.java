package io.acktracker.engine.checkpoint;

import io.acktracker.engine.pending.BeforeWrite;
import io.acktracker.engine.pending.SlotSource;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.util.ChunkedMemory;
import org.agrona.UnsafeApi;

import java.util.function.IntConsumer;

/**
 * The records of every slot created at a checkpoint, as they were at that moment, copied into one block of off-heap
 * memory slot after slot, by copy-on-write: what the checkpoint's helper thread writes the Chronicle Map file from
 * while the agent goes on changing the live records.
 * <p>
 * The idea: at the checkpoint the agent only notes how many slots exist ({@link #begin}); the helper then copies
 * them chunk by chunk of {@code 2^chunkShift} slots ({@link #copyChunks}); meanwhile the agent, before it may change
 * a record ({@link #beforeWrite}, called by {@code Records.address}), makes sure that record's chunk is in the copy,
 * copying it itself when the helper has not. Who copies each chunk, and why the copy is the records at the
 * checkpoint without the agent ever waiting, is {@link ChunkCopyClaims}'s protocol; this class only says how a chunk
 * of records is copied (one 224-byte copy per slot: Chronicle entries are not contiguous), through the helper's
 * scratch or straight into the block.
 * <p>
 * The block is sized and its pages touched by {@link #grow}, on the helper thread, between checkpoints, so neither
 * the agent's pause nor its copies pay for allocation or page faults. It is kept and grown, never shrunk.
 * <p>
 * Threading: {@link #begin} and {@link #beforeWrite} on the agent thread; {@link #grow}, {@link #copyChunks},
 * {@link #awaitCopied} and the reads ({@link #recordAddress}) on the one helper thread the agent hands the copy to,
 * {@link #grow} only while no checkpoint is under way.
 */
public final class RecordsCopy implements SlotSource, BeforeWrite, AutoCloseable
{
    /** Slots per chunk, log2, by default: 64 slots, 14 KiB. */
    public static final int DEFAULT_CHUNK_SHIFT = 6;

    private final int chunkShift;
    private final ChunkCopyClaims claims = new ChunkCopyClaims(new Copier(), 0);
    private SlotSource live;
    private long address;
    private int capacitySlots;
    private long scratch;
    private int created;

    /** A copy with 64-slot chunks. */
    public RecordsCopy()
    {
        this(DEFAULT_CHUNK_SHIFT);
    }

    /**
     * A copy with chunks of {@code 2^chunkShift} slots.
     *
     * @param chunkShift log2 of the slots per chunk, 0 to 16.
     */
    public RecordsCopy(final int chunkShift)
    {
        if (chunkShift < 0 || chunkShift > 16)
        {
            throw new IllegalArgumentException("chunk shift must be 0 to 16: " + chunkShift);
        }
        this.chunkShift = chunkShift;
    }

    /**
     * @return slots the block has room for.
     */
    public int capacitySlots()
    {
        return capacitySlots;
    }

    /**
     * Replace the block with one for at least {@code slots} slots, every page touched (helper thread, no checkpoint
     * under way).
     *
     * @param slots slots to hold.
     */
    public void grow(final int slots)
    {
        if (slots <= capacitySlots)
        {
            return;
        }
        final long bytes = (long)slots * PendingRecord.LENGTH;
        final long grown = UnsafeApi.allocateMemory(bytes);
        // written, not just reserved: the pages are faulted in here, not in the agent's copies; in steps, so the
        // agent never waits at a safepoint behind one long call
        ChunkedMemory.zero(grown, bytes);
        claims.capacity(chunksFor(slots));
        freeBlock();
        scratch = UnsafeApi.allocateMemory((long)PendingRecord.LENGTH << chunkShift);
        address = grown;
        capacitySlots = slots;
    }

    /**
     * The checkpoint: from now on the copy stands for the live records as they are (agent thread). The caller
     * installs this as the records' copy-on-write hook for {@link #createdSlots()} slots and hands the copy to the
     * helper, which publishes the states set here.
     *
     * @param records the live records.
     * @throws IllegalStateException when the block is too small ({@link #grow} first).
     */
    public void begin(final SlotSource records)
    {
        final int count = records.createdSlots();
        if (count > capacitySlots)
        {
            throw new IllegalStateException("the copy holds " + capacitySlots + " slots, " + count + " exist");
        }
        live = records;
        created = count;
        claims.begin(chunksFor(count));
    }

    /**
     * Copy-on-write (agent thread): return once the slot's chunk is in the copy, never waiting for the helper.
     *
     * @param slot a slot below {@link #createdSlots()}.
     */
    public void beforeWrite(final int slot)
    {
        claims.beforeWrite(slot >>> chunkShift);
    }

    /**
     * Copy the chunks of a range that nobody copied yet (helper thread).
     *
     * @param fromChunk first chunk.
     * @param toChunk   one past the last (clamped to {@link #chunks()}).
     * @return chunks this call copied.
     */
    public int copyChunks(final int fromChunk, final int toChunk)
    {
        return claims.copyChunks(fromChunk, toChunk);
    }

    /**
     * Copy what is left and wait until every chunk is copied (helper thread; it waits only for a chunk the agent is
     * copying): then the copy is the records at the checkpoint, and {@link #isComplete()} tells the agent it may
     * drop the hook.
     */
    public void awaitCopied()
    {
        claims.awaitCopied();
    }

    /**
     * Tests: called on the helper's thread each time it has claimed a chunk, before it puts the chunk into the
     * block, so a test can play the agent's write at exactly that moment.
     *
     * @param hook given the chunk, or null for none.
     */
    void onHelperClaim(final IntConsumer hook)
    {
        claims.onHelperClaim(hook);
    }

    /**
     * @return whether every chunk is in the copy (any thread).
     */
    public boolean isComplete()
    {
        return claims.isComplete();
    }

    /**
     * @return chunks of the checkpoint under way.
     */
    public int chunks()
    {
        return claims.chunks();
    }

    /**
     * @return chunks the agent copied itself for the checkpoint under way (agent thread; a figure for tests and
     * benchmarks).
     */
    public int copiedByAgent()
    {
        return claims.copiedByAgent();
    }

    public int createdSlots()
    {
        return created;
    }

    public long recordAddress(final int slot)
    {
        return address + (long)slot * PendingRecord.LENGTH;
    }

    /**
     * @return bytes of off-heap memory held.
     */
    public long capacity()
    {
        return (long)capacitySlots * PendingRecord.LENGTH;
    }

    /** Free the memory (no checkpoint under way). */
    public void close()
    {
        freeBlock();
        capacitySlots = 0;
        created = 0;
        claims.begin(0);
    }

    /** How a chunk of records is copied, for {@link ChunkCopyClaims}. */
    private final class Copier implements ChunkCopyClaims.Copier
    {
        public void liveToTarget(final int chunk)
        {
            copyChunk(chunk, address);
        }

        public void liveToScratch(final int chunk)
        {
            copyChunk(chunk, scratch - ((long)chunk << chunkShift) * PendingRecord.LENGTH);
        }

        public void scratchToTarget(final int chunk)
        {
            final long offset = ((long)chunk << chunkShift) * PendingRecord.LENGTH;
            UnsafeApi.copyMemory(scratch, address + offset,
                (long)Math.min(1 << chunkShift, created - (chunk << chunkShift)) * PendingRecord.LENGTH);
        }
    }

    /** Copy a chunk's live records to {@code to + slot * LENGTH} for each of its slots. */
    private void copyChunk(final int chunk, final long to)
    {
        // records are not contiguous (Chronicle entries, one per slot): one copy each
        final int from = chunk << chunkShift;
        for (int slot = from, end = Math.min(created, from + (1 << chunkShift)); slot < end; slot++)
        {
            UnsafeApi.copyMemory(live.recordAddress(slot), to + (long)slot * PendingRecord.LENGTH,
                PendingRecord.LENGTH);
        }
    }

    private int chunksFor(final int slots)
    {
        return (int)(((long)slots + (1 << chunkShift) - 1) >>> chunkShift);
    }

    private void freeBlock()
    {
        if (0 != address)
        {
            UnsafeApi.freeMemory(address);
            UnsafeApi.freeMemory(scratch);
            address = 0;
            scratch = 0;
        }
    }
}

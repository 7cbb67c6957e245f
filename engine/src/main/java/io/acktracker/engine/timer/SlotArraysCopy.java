package io.acktracker.engine.timer;

import io.acktracker.engine.checkpoint.ChunkCopyClaims;
import io.acktracker.engine.pending.BeforeWrite;
import io.acktracker.engine.state.ImageWriter;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.ByteBuffer;

/**
 * Copy-on-write of the deadline index's four slot arrays (next, previous, bucket, deadline: 20 bytes per slot, 24 MB
 * at 1.2M slots) into the checkpoint's image, so the agent's pause does not copy them: at the checkpoint the image
 * only reserves their place ({@link #reserve}); the helper copies them chunk by chunk of 1,024 slots into that
 * place, and the agent, before the index changes a slot's entries ({@link #beforeWrite}, called by
 * {@link DeadlineIndex}), copies that slot's chunk first when the helper has not.
 * <p>
 * Who copies each chunk, and why the image then holds the arrays at the checkpoint without the agent ever waiting,
 * is {@link ChunkCopyClaims}'s protocol, shared with the records' copy; this class only says how a chunk of the four
 * arrays is copied, into the image or through the helper's scratch. The helper reads the image only after every
 * chunk is copied ({@link #awaitCopied}).
 * <p>
 * Threading: {@link #reserve}, {@link #begin} and {@link #beforeWrite} on the agent thread; {@link #copyChunks} and
 * {@link #awaitCopied} on the one helper thread the checkpoint is handed to.
 */
public final class SlotArraysCopy implements BeforeWrite
{
    private static final int CHUNK_SHIFT = 10;
    private static final int CHUNK_SLOTS = 1 << CHUNK_SHIFT;
    private static final long INTS = UnsafeApi.arrayBaseOffset(int[].class);
    private static final long LONGS = UnsafeApi.arrayBaseOffset(long[].class);
    /** Bytes per slot across the four arrays. */
    private static final int SLOT_BYTES = 3 * Integer.BYTES + Long.BYTES;

    private final int[] next;
    private final int[] prev;
    private final int[] bucket;
    private final long[] deadline;
    private final int slots;
    private final int chunks;
    private final ChunkCopyClaims claims;
    private final ByteBuffer scratchBuffer;
    private final long scratch;
    private final int[] offsets = new int[4];
    private final long[] targets = new long[4];

    SlotArraysCopy(final int[] next, final int[] prev, final int[] bucket, final long[] deadline)
    {
        this.next = next;
        this.prev = prev;
        this.bucket = bucket;
        this.deadline = deadline;
        this.slots = next.length;
        this.chunks = (slots + CHUNK_SLOTS - 1) >>> CHUNK_SHIFT;
        this.claims = new ChunkCopyClaims(new Copier(), chunks);
        // a direct buffer the GC frees with this copy (the index keeps it for its life)
        this.scratchBuffer = ByteBuffer.allocateDirect(CHUNK_SLOTS * SLOT_BYTES);
        this.scratch = BufferUtil.address(scratchBuffer);
    }

    /**
     * While the image is written (agent): each array's count, then room for its elements, where
     * {@code DeadlineIndex.dump} would have put them; the offsets are kept for {@link #begin}.
     *
     * @param out the image.
     */
    void reserve(final ImageWriter out)
    {
        offsets[0] = out.putInt(slots).skip(slots, Integer.BYTES);
        offsets[1] = out.putInt(slots).skip(slots, Integer.BYTES);
        offsets[2] = out.putInt(slots).skip(slots, Integer.BYTES);
        offsets[3] = out.putInt(slots).skip(slots, Long.BYTES);
    }

    /**
     * The checkpoint (agent), once the image is complete (its memory no longer moves): every chunk not copied.
     *
     * @param out the image, passed to {@link #reserve}.
     */
    public void begin(final ImageWriter out)
    {
        final long base = out.buffer().addressOffset();
        for (int i = 0; i < 4; i++)
        {
            targets[i] = base + offsets[i];
        }
        claims.begin(chunks);
    }

    /**
     * Copy-on-write (agent): return once the slot's chunk is in the image, never waiting for the helper.
     *
     * @param slot a slot whose entries are about to change.
     */
    public void beforeWrite(final int slot)
    {
        claims.beforeWrite(slot >>> CHUNK_SHIFT);
    }

    /**
     * Copy the chunks of a range nobody copied yet (helper).
     *
     * @param fromChunk first chunk.
     * @param toChunk   one past the last (clamped).
     */
    public void copyChunks(final int fromChunk, final int toChunk)
    {
        claims.copyChunks(fromChunk, toChunk);
    }

    /**
     * Copy what is left and wait until every chunk is in the image (helper).
     */
    public void awaitCopied()
    {
        claims.awaitCopied();
    }

    /**
     * @return whether every chunk is in the image (any thread).
     */
    public boolean isComplete()
    {
        return claims.isComplete();
    }

    /**
     * @return chunks of 1,024 slots in all.
     */
    public int chunks()
    {
        return chunks;
    }

    /**
     * @return chunks the agent copied itself for the checkpoint under way (agent thread).
     */
    public int copiedByAgent()
    {
        return claims.copiedByAgent();
    }

    /** How a chunk of the arrays is copied, for {@link ChunkCopyClaims}. */
    private final class Copier implements ChunkCopyClaims.Copier
    {
        public void liveToTarget(final int chunk)
        {
            copyLive(chunk, false);
        }

        public void liveToScratch(final int chunk)
        {
            copyLive(chunk, true);
        }

        public void scratchToTarget(final int chunk)
        {
            copyScratch(chunk);
        }
    }

    /** The chunk's live values, into the image or into the scratch (laid out as in the image, per array). */
    private void copyLive(final int chunk, final boolean toScratch)
    {
        final int from = chunk << CHUNK_SHIFT;
        final int count = Math.min(CHUNK_SLOTS, slots - from);
        copyArray(next, INTS, Integer.BYTES, from, count, toScratch ? scratch : targets[0] + (long)from * 4);
        copyArray(prev, INTS, Integer.BYTES, from, count,
            toScratch ? scratch + CHUNK_SLOTS * 4L : targets[1] + (long)from * 4);
        copyArray(bucket, INTS, Integer.BYTES, from, count,
            toScratch ? scratch + CHUNK_SLOTS * 8L : targets[2] + (long)from * 4);
        copyArray(deadline, LONGS, Long.BYTES, from, count,
            toScratch ? scratch + CHUNK_SLOTS * 12L : targets[3] + (long)from * 8);
    }

    private void copyScratch(final int chunk)
    {
        final int from = chunk << CHUNK_SHIFT;
        final int count = Math.min(CHUNK_SLOTS, slots - from);
        UnsafeApi.copyMemory(scratch, targets[0] + (long)from * 4, count * 4L);
        UnsafeApi.copyMemory(scratch + CHUNK_SLOTS * 4L, targets[1] + (long)from * 4, count * 4L);
        UnsafeApi.copyMemory(scratch + CHUNK_SLOTS * 8L, targets[2] + (long)from * 4, count * 4L);
        UnsafeApi.copyMemory(scratch + CHUNK_SLOTS * 12L, targets[3] + (long)from * 8, count * 8L);
    }

    private static void copyArray(
        final Object array, final long base, final int elementBytes, final int from, final int count, final long to)
    {
        UnsafeApi.copyMemory(array, base + (long)from * elementBytes, null, to, (long)count * elementBytes);
    }
}

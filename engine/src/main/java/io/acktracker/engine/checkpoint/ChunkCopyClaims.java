package io.acktracker.engine.checkpoint;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.IntConsumer;

/**
 * Who copies each chunk of a copy-on-write checkpoint, the agent or the helper, so that every chunk is copied exactly
 * as it was at the checkpoint and the agent never waits: the protocol the records' copy ({@link RecordsCopy}) and
 * the deadline index's slot arrays' copy ({@code timer.SlotArraysCopy}) share; they only say how a chunk is copied
 * ({@link Copier}).
 * <p>
 * Each chunk has one state, moved by compare and set:
 * <pre>
 *   agent:  NOT_COPIED --CAS--&gt; AGENT --copy live to target, release--&gt; COPIED
 *   helper: copy live to scratch, then NOT_COPIED --CAS--&gt; HELPER --scratch to target, release--&gt; COPIED
 * </pre>
 * Why it is sound: the agent claims a chunk ({@link #beforeWrite}) before it changes anything in it, and the helper
 * reads the live chunk into its own scratch before it claims it, so a helper's claim that succeeds proves the
 * scratch holds the chunk as it was at the checkpoint. An agent that finds a chunk HELPER does not wait for the
 * helper (which the OS may have descheduled mid-copy): it copies the live chunk to the target itself (it has not
 * changed it since the checkpoint, so these are the very bytes the helper is putting there: the two copies race but
 * only ever write identical bytes) and marks it COPIED, so a later change to the chunk is not copied again. The
 * release store of COPIED and the acquire load that sees it order the target's bytes before the helper reads them;
 * the helper waits for every chunk to be COPIED ({@link #awaitCopied}) before it reads the target, which it only
 * ever does for a chunk the agent is copying at that moment.
 * <p>
 * Threading: {@link #begin}, {@link #beforeWrite} and {@link #copiedByAgent} on the agent thread;
 * {@link #capacity(int)}, {@link #copyChunks} and {@link #awaitCopied} on the one helper thread the copy is handed
 * to ({@link #capacity(int)} only while no checkpoint is under way); {@link #isComplete} from any thread.
 */
public final class ChunkCopyClaims
{
    /**
     * How one chunk is copied: to the copy's target (by the agent, or by the helper from its scratch), or to the
     * helper's scratch.
     */
    public interface Copier
    {
        /**
         * Copy the chunk's live data to where the copy keeps it.
         *
         * @param chunk the chunk.
         */
        void liveToTarget(int chunk);

        /**
         * Copy the chunk's live data to the helper's scratch (helper thread).
         *
         * @param chunk the chunk.
         */
        void liveToScratch(int chunk);

        /**
         * Copy the helper's scratch, holding the chunk, to where the copy keeps it (helper thread).
         *
         * @param chunk the chunk.
         */
        void scratchToTarget(int chunk);
    }

    private static final int NOT_COPIED = 0;
    private static final int AGENT = 1;
    private static final int HELPER = 2;
    private static final int COPIED = 3;
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(int[].class);

    private final Copier copier;
    private int[] states;
    private int chunks;
    private int copiedByAgent;
    private volatile boolean complete;
    private IntConsumer onHelperClaim;

    /**
     * Claims for up to {@code capacity} chunks.
     *
     * @param copier   how a chunk is copied.
     * @param capacity chunks.
     */
    public ChunkCopyClaims(final Copier copier, final int capacity)
    {
        this.copier = copier;
        this.states = new int[capacity];
    }

    /**
     * Room for up to {@code capacity} chunks (helper thread, no checkpoint under way; allocates).
     *
     * @param capacity chunks.
     */
    public void capacity(final int capacity)
    {
        if (capacity > states.length)
        {
            states = new int[capacity];
        }
    }

    /**
     * @return the most chunks a checkpoint may have.
     */
    public int capacity()
    {
        return states.length;
    }

    /**
     * The checkpoint (agent): every one of {@code chunks} chunks not copied; the caller then hands the copy to the
     * helper, which publishes these states.
     *
     * @param chunks chunks of this checkpoint, at most {@link #capacity()}.
     */
    public void begin(final int chunks)
    {
        if (chunks > states.length)
        {
            throw new IllegalStateException(chunks + " chunks, room for " + states.length);
        }
        this.chunks = chunks;
        copiedByAgent = 0;
        complete = false;
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            states[chunk] = NOT_COPIED;
        }
    }

    /**
     * Copy-on-write (agent): return once the chunk is in the copy, never waiting for the helper.
     *
     * @param chunk a chunk below {@link #chunks()} about to change.
     */
    public void beforeWrite(final int chunk)
    {
        final int state = (int)STATE.getAcquire(states, chunk);
        if (COPIED == state)
        {
            return;
        }
        if (NOT_COPIED == state && STATE.compareAndSet(states, chunk, NOT_COPIED, AGENT))
        {
            copier.liveToTarget(chunk);
            STATE.setRelease(states, chunk, COPIED);
            copiedByAgent++;
            return;
        }
        if (COPIED != (int)STATE.getAcquire(states, chunk))
        {
            // HELPER: it is putting these very bytes into the target; put them there too rather than wait for it
            copier.liveToTarget(chunk);
            STATE.setRelease(states, chunk, COPIED);
        }
    }

    /**
     * Copy the chunks of a range that nobody copied yet (helper).
     *
     * @param fromChunk first chunk.
     * @param toChunk   one past the last (clamped to {@link #chunks()}).
     * @return chunks this call copied.
     */
    public int copyChunks(final int fromChunk, final int toChunk)
    {
        int copied = 0;
        for (int chunk = fromChunk, end = Math.min(toChunk, chunks); chunk < end; chunk++)
        {
            if (NOT_COPIED != (int)STATE.getAcquire(states, chunk))
            {
                continue;
            }
            // into the scratch first: only a claim that succeeds after the reads proves the agent changed none
            copier.liveToScratch(chunk);
            if (STATE.compareAndSet(states, chunk, NOT_COPIED, HELPER))
            {
                if (null != onHelperClaim)
                {
                    onHelperClaim.accept(chunk);
                }
                copier.scratchToTarget(chunk);
                STATE.setRelease(states, chunk, COPIED);
                copied++;
            }
        }
        return copied;
    }

    /**
     * Copy what is left and wait until every chunk is copied (helper; it waits only for a chunk the agent is
     * copying): then the target is the data at the checkpoint and {@link #isComplete()} is true.
     */
    public void awaitCopied()
    {
        copyChunks(0, chunks);
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            while (COPIED != (int)STATE.getAcquire(states, chunk))
            {
                Thread.onSpinWait();
            }
        }
        complete = true;
    }

    /**
     * Tests: called on the helper's thread each time it has claimed a chunk, before it copies its scratch to the
     * target, so a test can play the agent's write at exactly that moment.
     *
     * @param hook given the chunk, or null for none.
     */
    public void onHelperClaim(final IntConsumer hook)
    {
        onHelperClaim = hook;
    }

    /**
     * @return whether every chunk is in the copy (any thread).
     */
    public boolean isComplete()
    {
        return complete;
    }

    /**
     * @return chunks of the checkpoint under way.
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
        return copiedByAgent;
    }
}

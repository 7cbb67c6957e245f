package io.acktracker.engine.checkpoint;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The claim protocol alone, over chunks of one long each: each chunk's target ends up holding its value at the
 * checkpoint, is claimed exactly once (by the agent or by the helper; the agent's extra copy of a chunk it found the
 * helper's writes the same value), and the agent never waits for the helper (a helper stopped right after its claim
 * does not hold the agent up).
 */
class ChunkCopyClaimsTest
{
    private static final int CHUNKS = 4096;

    /** Live values, the target, the helper's scratch; counts of each kind of copy per chunk. */
    private static final class Longs implements ChunkCopyClaims.Copier
    {
        final long[] live = new long[CHUNKS];
        final long[] target = new long[CHUNKS];
        final long[] scratch = new long[CHUNKS];
        final AtomicIntegerArray agentCopies = new AtomicIntegerArray(CHUNKS);
        final AtomicIntegerArray helperCopies = new AtomicIntegerArray(CHUNKS);

        public void liveToTarget(final int chunk)
        {
            target[chunk] = live[chunk];
            agentCopies.incrementAndGet(chunk);
        }

        public void liveToScratch(final int chunk)
        {
            scratch[chunk] = live[chunk];
        }

        public void scratchToTarget(final int chunk)
        {
            target[chunk] = scratch[chunk];
            helperCopies.incrementAndGet(chunk);
        }
    }

    @Test
    void shouldLetTheAgentCopyAChunkFirstAndTheHelperSkipIt()
    {
        final Longs longs = new Longs();
        final ChunkCopyClaims claims = new ChunkCopyClaims(longs, CHUNKS);
        fill(longs, 1);
        claims.begin(100);
        assertThat(claims.copyChunks(0, 10)).isEqualTo(10);
        write(claims, longs, 5);
        write(claims, longs, 50);
        write(claims, longs, 50);
        assertThat(claims.copiedByAgent()).as("chunk 50 once; chunk 5 was the helper's").isEqualTo(1);
        assertThat(claims.copyChunks(0, 100)).isEqualTo(89);
        claims.awaitCopied();
        assertThat(claims.isComplete()).isTrue();
        for (int chunk = 0; chunk < 100; chunk++)
        {
            assertThat(longs.target[chunk]).isEqualTo(1000L + chunk);
            assertThat(longs.agentCopies.get(chunk) + longs.helperCopies.get(chunk)).isEqualTo(1);
        }
    }

    @Test
    void shouldNotWaitForAHelperStoppedBetweenItsClaimAndItsCopy()
    {
        final Longs longs = new Longs();
        final ChunkCopyClaims claims = new ChunkCopyClaims(longs, CHUNKS);
        fill(longs, 2);
        claims.begin(8);
        // the agent's writes land while the helper holds each chunk's claim: it copies the chunk itself, at once
        claims.onHelperClaim((chunk) -> write(claims, longs, chunk));
        assertThat(claims.copyChunks(0, 8)).isEqualTo(8);
        claims.awaitCopied();
        assertThat(claims.copiedByAgent()).as("the agent claimed nothing: each chunk was the helper's").isZero();
        for (int chunk = 0; chunk < 8; chunk++)
        {
            assertThat(longs.target[chunk]).as("the value at the checkpoint, from both copies")
                .isEqualTo(2000L + chunk);
            assertThat(longs.agentCopies.get(chunk)).isEqualTo(1);
            assertThat(longs.helperCopies.get(chunk)).isEqualTo(1);
        }
    }

    @Test
    void shouldCopyEachChunkOnceAtItsCheckpointValueWhileTheAgentAndTheHelperRace() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(7);
        final Longs longs = new Longs();
        final ChunkCopyClaims claims = new ChunkCopyClaims(longs, CHUNKS);
        for (int round = 0; round < 50; round++)
        {
            fill(longs, round);
            for (int chunk = 0; chunk < CHUNKS; chunk++)
            {
                longs.agentCopies.set(chunk, 0);
                longs.helperCopies.set(chunk, 0);
            }
            claims.begin(CHUNKS);
            final Thread helper = new Thread(claims::awaitCopied, "test-helper");
            helper.start();
            for (int i = 0; i < 2000 || helper.isAlive(); i++)
            {
                write(claims, longs, random.nextInt(CHUNKS));
            }
            helper.join();
            int claimedByAgent = 0;
            for (int chunk = 0; chunk < CHUNKS; chunk++)
            {
                assertThat(longs.target[chunk]).as("round %d chunk %d", round, chunk)
                    .isEqualTo(round * 1000L + chunk);
                // the helper copies once; the agent once when it claimed, once more when it found the helper's
                assertThat(longs.helperCopies.get(chunk)).isLessThanOrEqualTo(1);
                assertThat(longs.agentCopies.get(chunk)).isLessThanOrEqualTo(1);
                assertThat(longs.helperCopies.get(chunk) + longs.agentCopies.get(chunk)).isPositive();
                claimedByAgent += 0 == longs.helperCopies.get(chunk) ? 1 : 0;
            }
            assertThat(claims.copiedByAgent()).isEqualTo(claimedByAgent);
        }
    }

    private static void fill(final Longs longs, final int round)
    {
        for (int chunk = 0; chunk < CHUNKS; chunk++)
        {
            longs.live[chunk] = round * 1000L + chunk;
        }
    }

    private static void write(final ChunkCopyClaims claims, final Longs longs, final int chunk)
    {
        claims.beforeWrite(chunk);
        longs.live[chunk] = -1 - chunk;
    }
}

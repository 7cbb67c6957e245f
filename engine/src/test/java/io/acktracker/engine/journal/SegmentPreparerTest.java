package io.acktracker.engine.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A segment's space is reserved with {@code fallocate} in one step where the filesystem has it (ext4 and tmpfs,
 * where tests run), not by writing zeros over the whole length a chunk at a time: the zeros doubled the journal's
 * disk writes and cost the helper's CPU on every byte. The segment still reads as zeros and is complete under its
 * final name. (A full disk is {@code JournalOutOfSpaceTest}.)
 */
class SegmentPreparerTest
{
    private static final int SEGMENT_LENGTH = 1 << 20;
    private static final int CHUNK_LENGTH = 64 << 10;

    @TempDir
    Path directory;

    @Test
    void shouldReserveTheSegmentInOneStepAndHandItOverAllZeros() throws Exception
    {
        final SegmentPreparer preparer = new SegmentPreparer(directory, SEGMENT_LENGTH, CHUNK_LENGTH);
        preparer.begin(SEGMENT_LENGTH);
        final Path tmp = preparer.currentPath();

        assertThat(preparer.doStep()).isEqualTo(1);
        assertThat(Files.exists(tmp)).as("renamed after one step: reserved without writing the zeros").isFalse();
        final Path segmentFile = directory.resolve(SegmentFiles.fileName(SEGMENT_LENGTH));
        assertThat(preparer.currentPath()).isEqualTo(segmentFile);
        assertThat(Files.size(segmentFile)).isEqualTo(SEGMENT_LENGTH);

        int steps = 0;
        while (!preparer.isReady())
        {
            preparer.doStep();
            assertThat(++steps).as("pre-touch a chunk per step").isLessThanOrEqualTo(SEGMENT_LENGTH / CHUNK_LENGTH);
        }
        final Segment segment = preparer.take();
        try
        {
            assertThat(segment.basePosition()).isEqualTo(SEGMENT_LENGTH);
        }
        finally
        {
            segment.unmap();
        }
        final byte[] bytes = Files.readAllBytes(segmentFile);
        assertThat(bytes).hasSize(SEGMENT_LENGTH);
        assertThat(bytes).containsOnly((byte)0);
    }
}

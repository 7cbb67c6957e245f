package io.acktracker.engine.journal;

import io.acktracker.engine.TestClock;
import io.acktracker.engine.testing.Gen;
import io.acktracker.engine.testing.Property;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.acktracker.engine.journal.JournalFrameDescriptor.HEADER_LENGTH;
import static io.acktracker.engine.journal.JournalFrameDescriptor.PADDING_TYPE;
import static io.acktracker.engine.journal.JournalTestSupport.FRAMES;
import static io.acktracker.engine.journal.JournalTestSupport.Frame;
import static io.acktracker.engine.journal.JournalTestSupport.Replayed;
import static io.acktracker.engine.journal.JournalTestSupport.SEGMENT_LENGTH;
import static io.acktracker.engine.journal.JournalTestSupport.append;
import static io.acktracker.engine.journal.JournalTestSupport.config;
import static io.acktracker.engine.journal.JournalTestSupport.openAfterReplay;
import static io.acktracker.engine.journal.JournalTestSupport.prepareNext;
import static io.acktracker.engine.journal.JournalTestSupport.replayAll;
import static io.acktracker.engine.journal.JournalTestSupport.segmentFile;
import static org.assertj.core.api.Assertions.assertThat;

class JournalRoundTripTest
{
    @TempDir
    Path temp;

    @Test
    void shouldReplayEveryFrameAppendedAcrossSegmentRollovers() throws Exception
    {
        Property.forAll(Gen.list(FRAMES, 300, 3_000)).tries(15).check((frames) ->
        {
            final Path directory = Files.createTempDirectory(temp, "try");
            try
            {
                final JournalConfig config = config(directory, new TestClock(0));
                final List<Long> appendedPositions = new ArrayList<>();
                try (Journal journal = openAfterReplay(config, new ArrayList<>()))
                {
                    for (final Frame frame : frames)
                    {
                        appendedPositions.add(append(journal, frame));
                    }
                    assertThat(journal.counters().get(JournalCounter.SEGMENT_ROLLS))
                        .isEqualTo((appendedPositions.get(appendedPositions.size() - 1) - 1) / SEGMENT_LENGTH);
                }

                final Replayed replayed = replayAll(config);
                assertThat(replayed.frames()).containsExactlyElementsOf(frames);
                assertThat(replayed.positions()).containsExactlyElementsOf(appendedPositions);
                assertThat(replayed.end().endPosition()).isEqualTo(appendedPositions.get(frames.size() - 1));
                assertThat(replayed.end().tornBytes()).isZero();
            }
            finally
            {
                JournalTestSupport.deleteRecursively(directory);
            }
        });
    }

    @Test
    void shouldPadTheEndOfASegmentWhenTheNextFrameDoesNotFit()
    {
        final JournalConfig config = config(temp, new TestClock(0));
        final byte[] bigBody = new byte[SEGMENT_LENGTH / 2];
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            // Two bodies of half a segment cannot share one: the first leaves SEGMENT_LENGTH/2 - 40 bytes.
            assertThat(append(journal, new Frame(1, 1, 0, 0, bigBody))).isEqualTo(HEADER_LENGTH + SEGMENT_LENGTH / 2);
            final long second = append(journal, new Frame(2, 2, 0, 0, bigBody));
            assertThat(second).isEqualTo(SEGMENT_LENGTH + HEADER_LENGTH + SEGMENT_LENGTH / 2);
        }
        final UnsafeBuffer first = new UnsafeBuffer(readFile(segmentFile(temp, 0)));
        final int paddingOffset = HEADER_LENGTH + SEGMENT_LENGTH / 2;
        assertThat(first.getInt(paddingOffset)).isEqualTo(SEGMENT_LENGTH - paddingOffset);
        assertThat(first.getInt(paddingOffset + JournalFrameDescriptor.TYPE_OFFSET)).isEqualTo(PADDING_TYPE);
        assertThat(replayAll(config).frames()).extracting(Frame::type).containsExactly(1, 2);
    }

    @Test
    void shouldPadARemainderShorterThanAHeader()
    {
        final JournalConfig config = config(temp, new TestClock(0));
        // Leave exactly 8 bytes: one frame of SEGMENT_LENGTH - 8 (header included).
        final byte[] body = new byte[SEGMENT_LENGTH - 8 - HEADER_LENGTH];
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            assertThat(append(journal, new Frame(3, 1, 0, 0, body))).isEqualTo(SEGMENT_LENGTH - 8);
            assertThat(append(journal, new Frame(4, 2, 0, 0, new byte[0]))).isEqualTo(SEGMENT_LENGTH + HEADER_LENGTH);
        }
        final UnsafeBuffer first = new UnsafeBuffer(readFile(segmentFile(temp, 0)));
        assertThat(first.getInt(SEGMENT_LENGTH - 8)).as("padded by its length alone").isEqualTo(8);
        assertThat(first.getInt(SEGMENT_LENGTH - 4)).isZero();
        assertThat(replayAll(config).frames()).extracting(Frame::type).containsExactly(3, 4);
    }

    @Test
    void shouldContinueAppendingAfterReopen()
    {
        final JournalConfig config = config(temp, new TestClock(0));
        final List<Frame> expected = new ArrayList<>();
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int run = 0; run < 3; run++)
        {
            final List<Frame> replayed = new ArrayList<>();
            try (Journal journal = openAfterReplay(config, replayed))
            {
                assertThat(replayed).containsExactlyElementsOf(expected);
                for (int i = 0; i < 700; i++)
                {
                    final Frame frame = FRAMES.next(random);
                    append(journal, frame);
                    expected.add(frame);
                }
            }
        }
        assertThat(replayAll(config).frames()).containsExactlyElementsOf(expected);
    }

    @Test
    void shouldEncodeStraightIntoTheJournalThroughAClaimAndSkipAnAbortedOne()
    {
        final JournalConfig config = config(temp, new TestClock(0));
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            final JournalAppender appender = journal.appender();
            final long committed = appender.claim(5, 50, 7, 8, 16);
            appender.claimBuffer().putLong(appender.claimBodyOffset(), 1234);
            appender.claimBuffer().putLong(appender.claimBodyOffset() + 8, 5678);
            assertThat(appender.commit()).isEqualTo(committed);

            assertThat(appender.claim(6, 60, 0, 0, 100)).isPositive();
            appender.claimBuffer().putLong(appender.claimBodyOffset(), -1);
            final long aborted = appender.abort();

            final long last = append(journal, new Frame(7, 70, 0, 0, new byte[] { 1, 2, 3 }));
            assertThat(last).isEqualTo(aborted + HEADER_LENGTH + 8);
        }
        final Replayed replayed = replayAll(config);
        assertThat(replayed.frames()).extracting(Frame::type).containsExactly(5, 7);
        assertThat(new UnsafeBuffer(replayed.frames().get(0).body()).getLong(8)).isEqualTo(5678);
        assertThat(replayed.frames().get(0).clientId()).isEqualTo(7);
    }

    @Test
    void shouldRefuseAFrameLongerThanTheMaximumAndTheReservedType()
    {
        final JournalConfig config = config(temp, new TestClock(0)).maxFrameLength(1024);
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            final UnsafeBuffer body = new UnsafeBuffer(new byte[2048]);
            assertThat(journal.appender().append(1, 0, 0, 0, body, 0, 1024 - HEADER_LENGTH + 1))
                .isEqualTo(JournalAppender.FRAME_TOO_LONG);
            assertThat(journal.appender().append(PADDING_TYPE, 0, 0, 0, body, 0, 8))
                .isEqualTo(JournalAppender.INVALID_TYPE);
            assertThat(journal.appender().append(1, 0, 0, 0, body, 0, 1024 - HEADER_LENGTH)).isEqualTo(1024);
            assertThat(journal.counters().get(JournalCounter.REFUSED_FRAME_TOO_LONG)).isEqualTo(1);
            assertThat(journal.counters().get(JournalCounter.REFUSED_INVALID_TYPE)).isEqualTo(1);
        }
    }

    @Test
    void shouldAppendWithoutAllocating()
    {
        final JournalConfig config = config(temp, new TestClock(0)).segmentLength(16 * 1024 * 1024);
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            prepareNext(journal);
            final JournalAppender appender = journal.appender();
            final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            // Warm up (and let the JIT compile the path) within the first segment, then measure in the same segment;
            // the measurement is repeated because the first rounds can catch the JIT's own transitions.
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 5 && allocated != 0; round++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 40_000; i++)
                {
                    assertPositive(appender.append(1 + (i & 7), i, 0, 0, body, 0, (i & 1) == 0 ? 16 : 64));
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertThat(allocated).as("bytes allocated by 40,000 appends").isZero();
        }
    }

    private static void assertPositive(final long position)
    {
        if (position <= 0)
        {
            throw new AssertionError("append refused: " + position);
        }
    }

    private static byte[] readFile(final Path path)
    {
        try
        {
            return Files.readAllBytes(path);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}

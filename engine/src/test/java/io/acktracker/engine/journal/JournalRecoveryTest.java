package io.acktracker.engine.journal;

import io.acktracker.engine.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.acktracker.engine.journal.JournalFrameDescriptor.HEADER_LENGTH;
import static io.acktracker.engine.journal.JournalFrameDescriptor.alignedLength;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JournalRecoveryTest
{
    @TempDir
    Path temp;

    private JournalConfig config;
    private final List<Frame> frames = new ArrayList<>();
    private final List<Long> positions = new ArrayList<>();

    /** Append seeded random frames until the journal reaches a position, then close it. */
    private void writeJournalUpTo(final long minimumPosition)
    {
        config = config(temp, new TestClock(0));
        final SplittableRandom random = new SplittableRandom(42);
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            while (positions.isEmpty() || positions.get(positions.size() - 1) < minimumPosition)
            {
                final Frame frame = FRAMES.next(random);
                frames.add(frame);
                positions.add(append(journal, frame));
            }
        }
    }

    private long lastPosition()
    {
        return positions.get(positions.size() - 1);
    }

    @Test
    void shouldDropATornTailOfGarbageReportItsBytesAndResumeThere() throws IOException
    {
        writeJournalUpTo(SEGMENT_LENGTH + 1_000);
        final long end = lastPosition();
        final byte[] garbage = new byte[100];
        new SplittableRandom(3).nextBytes(garbage);
        garbage[99] = 1;
        write(segmentFile(temp, SEGMENT_LENGTH), end - SEGMENT_LENGTH, garbage);

        final Replayed torn = replayAll(config);
        assertThat(torn.frames()).containsExactlyElementsOf(frames);
        assertThat(torn.end().endPosition()).isEqualTo(end);
        assertThat(torn.end().tornBytes()).isEqualTo(104);

        final Frame after = new Frame(9, 99, 0, 0, new byte[] { 1 });
        try (Journal journal = Journal.open(config, torn.end()))
        {
            assertThat(append(journal, after)).isEqualTo(end + alignedLength(HEADER_LENGTH + 1));
        }
        final Replayed resumed = replayAll(config);
        frames.add(after);
        assertThat(resumed.frames()).containsExactlyElementsOf(frames);
        assertThat(resumed.end().tornBytes()).isZero();
    }

    @Test
    void shouldDropAFrameWhoseLengthReachedTheDiskButNotAllItsBody() throws IOException
    {
        config = config(temp, new TestClock(0));
        final byte[] body = new byte[300];
        java.util.Arrays.fill(body, (byte)7);
        final long before;
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            before = append(journal, new Frame(1, 1, 0, 0, new byte[16]));
            append(journal, new Frame(2, 2, 0, 0, body));
        }
        // A power loss wrote back the page with the header but not the one with the body's end.
        write(segmentFile(temp, 0), before + HEADER_LENGTH + 200, new byte[100]);

        final Replayed replayed = replayAll(config);
        assertThat(replayed.frames()).extracting(Frame::type).containsExactly(1);
        assertThat(replayed.end().endPosition()).isEqualTo(before);
        assertThat(replayed.end().tornBytes()).isEqualTo(HEADER_LENGTH + 200);
    }

    @Test
    void shouldRefuseACorruptFrameFollowedByValidFrames() throws IOException
    {
        writeJournalUpTo(SEGMENT_LENGTH / 2);
        final long corrupt = positions.get(10);
        write(segmentFile(temp, 0), corrupt + HEADER_LENGTH - 1, new byte[] { (byte)0x5A });

        final JournalCorruptException ex = catchThrowableOfType(JournalCorruptException.class, () -> replayAll(config));
        assertThat(ex.position()).isEqualTo(corrupt);
        assertThat(ex.file()).isEqualTo(segmentFile(temp, 0));
        assertThat(ex).hasMessageContaining(SegmentFiles.fileName(0)).hasMessageContaining("checksum")
            .hasMessageContaining("followed by a valid frame at position " + positions.get(11));
    }

    @Test
    void shouldRefuseABadLastFrameOfASegmentThatIsNotTheLast() throws IOException
    {
        writeJournalUpTo(SEGMENT_LENGTH + 1_000);
        int lastInFirst = 0;
        while (positions.get(lastInFirst + 1) <= SEGMENT_LENGTH)
        {
            lastInFirst++;
        }
        final long corrupt = positions.get(lastInFirst - 1);
        write(segmentFile(temp, 0), corrupt + JournalFrameDescriptor.TIMESTAMP_OFFSET, new byte[] { 1, 2, 3 });

        assertThatThrownBy(() -> replayAll(config)).isInstanceOf(JournalCorruptException.class)
            .hasMessageContaining("position " + corrupt);
    }

    @Test
    void shouldRefuseDataInALaterSegmentAfterTheEnd() throws IOException
    {
        config = config(temp, new TestClock(0));
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            append(journal, new Frame(1, 1, 0, 0, new byte[8]));
            prepareNext(journal); // a complete, zeroed segment after the end: valid while it stays zero
        }
        assertThat(replayAll(config).end().endPosition()).isEqualTo(HEADER_LENGTH + 8);

        write(segmentFile(temp, SEGMENT_LENGTH), 4096, new byte[] { 9 });
        final JournalCorruptException ex = catchThrowableOfType(JournalCorruptException.class, () -> replayAll(config));
        assertThat(ex.file()).isEqualTo(segmentFile(temp, SEGMENT_LENGTH));
        assertThat(ex).hasMessageContaining("data after the end of the journal at position " + (HEADER_LENGTH + 8));
    }

    @Test
    void shouldResumeBeforeAPreparedUnusedSegmentAndRollOntoItLater()
    {
        config = config(temp, new TestClock(0));
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            append(journal, new Frame(1, 1, 0, 0, new byte[8]));
            prepareNext(journal);
        }
        final byte[] big = new byte[SEGMENT_LENGTH / 2];
        try (Journal journal = openAfterReplay(config, new ArrayList<>()))
        {
            append(journal, new Frame(2, 2, 0, 0, big));
            append(journal, new Frame(3, 3, 0, 0, big));
        }
        assertThat(replayAll(config).frames()).extracting(Frame::type).containsExactly(1, 2, 3);
    }

    @Test
    void shouldRefuseAZeroLengthSegment() throws IOException
    {
        writeJournalUpTo(3L * SEGMENT_LENGTH + 100);
        Files.write(segmentFile(temp, SEGMENT_LENGTH), new byte[0]);

        assertThatThrownBy(() -> JournalReader.open(config)).isInstanceOf(JournalCorruptException.class)
            .hasMessageContaining(SegmentFiles.fileName(SEGMENT_LENGTH))
            .hasMessageContaining("zero-length segment: 0 bytes, expected " + SEGMENT_LENGTH);
    }

    @Test
    void shouldRefuseATruncatedLastSegment() throws IOException
    {
        writeJournalUpTo(2L * SEGMENT_LENGTH + 100);
        try (RandomAccessFile file = new RandomAccessFile(segmentFile(temp, 2L * SEGMENT_LENGTH).toFile(), "rw"))
        {
            file.setLength(SEGMENT_LENGTH / 2);
        }
        assertThatThrownBy(() -> JournalReader.open(config)).isInstanceOf(JournalCorruptException.class)
            .hasMessageContaining(SegmentFiles.fileName(2L * SEGMENT_LENGTH))
            .hasMessageContaining("truncated segment");
    }

    @Test
    void shouldRefuseAMissingMiddleSegment() throws IOException
    {
        writeJournalUpTo(3L * SEGMENT_LENGTH + 100);
        Files.delete(segmentFile(temp, SEGMENT_LENGTH));

        final JournalCorruptException ex = catchThrowableOfType(JournalCorruptException.class,
            () -> JournalReader.open(config));
        assertThat(ex.position()).isEqualTo(SEGMENT_LENGTH);
        assertThat(ex).hasMessageContaining("gap: missing segment " + SegmentFiles.fileName(SEGMENT_LENGTH));
    }

    @Test
    void shouldTreatAnEmptyOrMissingDirectoryAsAnEmptyJournal()
    {
        config = config(temp.resolve("not-yet"), new TestClock(0));
        final Replayed replayed = replayAll(config);
        assertThat(replayed.frames()).isEmpty();
        assertThat(replayed.end().endPosition()).isZero();
        assertThat(Files.isDirectory(temp.resolve("not-yet"))).isTrue();
        assertThatThrownBy(() -> JournalReader.open(config).replay(64, (t, ts, c, s, b, o, l, p) -> { }))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from position 64");
    }

    @Test
    void shouldDeleteLeftoverTemporaryFilesAtOpen() throws IOException
    {
        writeJournalUpTo(100);
        final Path leftover = temp.resolve(SegmentFiles.tmpFileName(SEGMENT_LENGTH));
        Files.write(leftover, new byte[1234]);

        assertThat(replayAll(config).frames()).containsExactlyElementsOf(frames);
        assertThat(leftover).doesNotExist();
    }

    @Test
    void shouldReplayFromACheckpointPositionAndKeepPositionsAfterDeletion()
    {
        writeJournalUpTo(3L * SEGMENT_LENGTH + 100);
        final int from = frames.size() / 2;
        final List<Frame> tail = new ArrayList<>();
        final JournalEnd end = JournalReader.open(config)
            .replay(positions.get(from - 1), JournalTestSupport.collector(tail, new ArrayList<>()));
        assertThat(tail).containsExactlyElementsOf(frames.subList(from, frames.size()));
        assertThat(end.endPosition()).isEqualTo(lastPosition());
    }

    private static void write(final Path file, final long offset, final byte[] bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer, offset + buffer.position());
            }
        }
    }
}

package io.acktracker.engine.journal;

import io.acktracker.engine.TestClock;
import io.acktracker.engine.testing.Gen;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Shared pieces of the journal tests: small segments, a settable clock, frames as values, and the append loop that
 * drives the helper by hand when the appender is back-pressured.
 */
final class JournalTestSupport
{
    static final int SEGMENT_LENGTH = 64 * 1024;
    static final int CHUNK_LENGTH = 16 * 1024;

    /** A frame as a value, for comparing what went in with what comes out. */
    record Frame(int type, long timestampNs, long clientId, long clientSequence, byte[] body)
    {
        public boolean equals(final Object other)
        {
            return other instanceof Frame frame && type == frame.type && timestampNs == frame.timestampNs &&
                clientId == frame.clientId && clientSequence == frame.clientSequence &&
                Arrays.equals(body, frame.body);
        }

        public int hashCode()
        {
            return Long.hashCode(timestampNs) * 31 + Arrays.hashCode(body);
        }

        public String toString()
        {
            return "Frame{type=" + type + ", ts=" + timestampNs + ", client=" + clientId + "/" + clientSequence +
                ", body=" + body.length + " bytes}";
        }
    }

    /** What a replay found. */
    record Replayed(List<Frame> frames, List<Long> positions, JournalEnd end)
    {
    }

    /** Bodies mostly command-sized, now and then large enough to force padding at a segment's end. */
    static final Gen<Frame> FRAMES = (random) ->
    {
        final int bodyLength = random.nextInt(10) == 0 ? random.nextInt(8_000) : random.nextInt(100);
        final byte[] body = new byte[bodyLength];
        random.nextBytes(body);
        final boolean numbered = random.nextBoolean();
        return new Frame(1 + random.nextInt(14), random.nextLong(), numbered ? 1 + random.nextInt(1000) : 0,
            numbered ? random.nextLong(1, Long.MAX_VALUE) : 0, body);
    };

    private JournalTestSupport()
    {
    }

    static JournalConfig config(final Path directory, final TestClock clock)
    {
        return new JournalConfig()
            .directory(directory)
            .segmentLength(SEGMENT_LENGTH)
            .prepareChunkLength(CHUNK_LENGTH)
            .clock(clock);
    }

    /** Open after replaying everything (the recovery sequence). */
    static Journal openAfterReplay(final JournalConfig config, final List<Frame> sink)
    {
        final JournalReader reader = JournalReader.open(config);
        final JournalEnd end = reader.replay(reader.startPosition(), collector(sink, new ArrayList<>()));
        return Journal.open(config, end);
    }

    static JournalFrameHandler collector(final List<Frame> frames, final List<Long> positions)
    {
        return (type, timestampNs, clientId, clientSequence, buffer, offset, length, position) ->
        {
            final byte[] body = new byte[length];
            buffer.getBytes(offset, body);
            frames.add(new Frame(type, timestampNs, clientId, clientSequence, body));
            positions.add(position);
        };
    }

    static Replayed replayAll(final JournalConfig config)
    {
        final List<Frame> frames = new ArrayList<>();
        final List<Long> positions = new ArrayList<>();
        final JournalReader reader = JournalReader.open(config);
        final JournalEnd end = reader.replay(reader.startPosition(), collector(frames, positions));
        return new Replayed(frames, positions, end);
    }

    /**
     * Append, driving the helper by hand while the appender is back-pressured (as the agent would retry).
     *
     * @return the position after the frame.
     */
    static long append(final Journal journal, final Frame frame)
    {
        final UnsafeBuffer body = new UnsafeBuffer(frame.body());
        for (int attempt = 0; attempt < 10_000; attempt++)
        {
            final long position = journal.appender().append(frame.type(), frame.timestampNs(), frame.clientId(),
                frame.clientSequence(), body, 0, frame.body().length);
            if (JournalAppender.NEXT_SEGMENT_NOT_READY != position)
            {
                return position;
            }
            journal.helperAgent().doWork();
        }
        throw new AssertionError("journal never became ready: " + journal.status());
    }

    /** Drive the helper until the next segment is prepared and offered. */
    static void prepareNext(final Journal journal)
    {
        final long prepared = journal.counters().get(JournalCounter.SEGMENTS_PREPARED);
        for (int cycle = 0; cycle < 10_000; cycle++)
        {
            journal.helperAgent().doWork();
            if (journal.counters().get(JournalCounter.SEGMENTS_PREPARED) > prepared)
            {
                return;
            }
        }
        throw new AssertionError("next segment never prepared: " + journal.status());
    }

    static Path segmentFile(final Path directory, final long basePosition)
    {
        return directory.resolve(SegmentFiles.fileName(basePosition));
    }

    static List<Path> segmentFiles(final Path directory)
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter((path) -> path.getFileName().toString().endsWith(SegmentFiles.SUFFIX))
                .sorted(Comparator.naturalOrder()).toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void deleteRecursively(final Path directory)
    {
        try (Stream<Path> files = Files.walk(directory))
        {
            for (final Path path : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}

package io.acktracker.engine.journal;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link JournalKillTest}: appends frames whose content follows from their index, as fast as it can,
 * and prints {@code appended <count> <position>} after every 1,000 (flushed), until it is killed or reaches its bounds
 * (a frame count and a time limit, so a lost parent cannot leave it running).
 * <p>
 * Arguments: journal directory, segment length, most frames, most seconds.
 */
public final class JournalKillWorkload
{
    static final int REPORT_EVERY = 1_000;

    private JournalKillWorkload()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final JournalConfig config = new JournalConfig().directory(Path.of(args[0]))
            .segmentLength(Integer.parseInt(args[1]));
        final long maxFrames = Long.parseLong(args[2]);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));

        final JournalReader reader = JournalReader.open(config);
        final JournalEnd end = reader.replay(reader.startPosition(), (t, ts, c, s, b, o, l, p) -> { });
        try (Journal journal = Journal.open(config, end);
            AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null,
                journal.helperAgent()))
        {
            AgentRunner.startOnThread(runner);
            final UnsafeBuffer body = new UnsafeBuffer(new byte[128]);
            System.out.println("ready " + end.frameCount());
            System.out.flush();
            for (long index = end.frameCount(); index < maxFrames && System.nanoTime() - deadlineNs < 0; index++)
            {
                final int length = fill(body, index);
                long position;
                while ((position = journal.appender().append(
                    type(index), index, index, index, body, 0, length)) == JournalAppender.NEXT_SEGMENT_NOT_READY)
                {
                    Thread.onSpinWait();
                }
                if (position < 0)
                {
                    throw new IllegalStateException("append refused: " + position);
                }
                if ((index + 1) % REPORT_EVERY == 0)
                {
                    System.out.println("appended " + (index + 1) + " " + position);
                    System.out.flush();
                }
            }
        }
        System.out.println("done");
    }

    static int type(final long index)
    {
        return 1 + (int)(index % 14);
    }

    /** Write frame {@code index}'s body and return its length. */
    static int fill(final UnsafeBuffer body, final long index)
    {
        final int length = (int)(index % 97);
        for (int i = 0; i < length; i++)
        {
            body.putByte(i, (byte)(index + i));
        }
        return length;
    }
}

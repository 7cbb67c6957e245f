package io.acktracker.engine.agent;

import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.journal.JournalFrameDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.acktracker.engine.agent.ReplayPrefetch.FRAMES_AHEAD;
import static io.acktracker.engine.journal.JournalFrameDescriptor.BODY_OFFSET;
import static io.acktracker.engine.journal.JournalFrameDescriptor.HEADER_LENGTH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay's lookahead looks up the message of each command {@link ReplayPrefetch#FRAMES_AHEAD} frames ahead of the
 * one being replayed, once each, skipping padding and commands without a message, and stops, without reading past
 * its segment, where the written part ends or a length is damaged.
 */
class ReplayPrefetchTest
{
    private static final int SEGMENT_LENGTH = 1 << 16;
    private static final int ACK_BODY = 32;

    private final List<Long> looked = new ArrayList<>();
    private final ReplayPrefetch prefetch = new ReplayPrefetch(messageId ->
    {
        looked.add(messageId);
        return messageId;
    });

    @Test
    void shouldLookEachMessageUpOnceAheadOfTheReplay()
    {
        final UnsafeBuffer segment = segment();
        final List<Integer> bodies = new ArrayList<>();
        int offset = 0;
        for (long id = 1; id <= 40; id++)
        {
            if (10 == id)
            {
                offset = padding(segment, offset); // an aborted claim: never handed to the replay
            }
            if (20 == id)
            {
                bodies.add(offset + BODY_OFFSET);
                offset = frame(segment, offset, CommandLayout.CUMULATIVE_ACK, 999); // no message id
            }
            bodies.add(offset + BODY_OFFSET);
            offset = frame(segment, offset, CommandLayout.ACK, id);
        }

        prefetch.beforeReplaying(segment, bodies.get(0));
        assertThat(looked).as("the first call looks the next frames up").hasSize(FRAMES_AHEAD)
            .startsWith(1L, 2L, 3L).endsWith((long)FRAMES_AHEAD);

        for (int i = 1; i < bodies.size(); i++)
        {
            prefetch.beforeReplaying(segment, bodies.get(i));
            final long replaying = i < 20 ? i + 1 : i; // the frame list holds the cumulative ack at index 19
            assertThat(looked.get(looked.size() - 1)).as("frame %d", i)
                .isGreaterThanOrEqualTo(Math.min(40, replaying + FRAMES_AHEAD - 2));
        }
        final List<Long> expected = new ArrayList<>();
        for (long id = 1; id <= 40; id++)
        {
            expected.add(id);
        }
        assertThat(looked).as("each once, in order, nothing past the end").isEqualTo(expected);
    }

    @Test
    void shouldStopAtADamagedLengthAndStartAgainInTheNextSegment()
    {
        final UnsafeBuffer first = segment();
        int offset = frame(first, 0, CommandLayout.ACK, 1);
        offset = frame(first, offset, CommandLayout.ACK, 2);
        first.putInt(offset, Integer.MAX_VALUE); // torn: a length running past the segment
        first.putInt(offset + JournalFrameDescriptor.TYPE_OFFSET, CommandLayout.ACK);

        prefetch.beforeReplaying(first, BODY_OFFSET);
        assertThat(looked).containsExactly(1L, 2L);

        final UnsafeBuffer second = segment();
        frame(second, frame(second, 0, CommandLayout.ACK, 3), CommandLayout.ACK, 4);
        prefetch.beforeReplaying(second, BODY_OFFSET);
        assertThat(looked).containsExactly(1L, 2L, 3L, 4L);

        // the last frames of a segment: the cursor stays inside it
        final UnsafeBuffer full = segment();
        int at = 0;
        long id = 100;
        while (at + ((HEADER_LENGTH + ACK_BODY + 7) & ~7) <= SEGMENT_LENGTH)
        {
            at = frame(full, at, CommandLayout.ACK, id++);
        }
        looked.clear();
        prefetch.beforeReplaying(full, at - ((HEADER_LENGTH + ACK_BODY + 7) & ~7) + BODY_OFFSET);
        assertThat(looked).containsExactly(id - 1);
    }

    private static UnsafeBuffer segment()
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(SEGMENT_LENGTH));
    }

    private static int frame(final UnsafeBuffer segment, final int offset, final int type, final long messageId)
    {
        final int length = HEADER_LENGTH + ACK_BODY;
        segment.putInt(offset + JournalFrameDescriptor.TYPE_OFFSET, type);
        segment.putLong(offset + BODY_OFFSET, messageId);
        segment.putInt(offset + JournalFrameDescriptor.LENGTH_OFFSET, length);
        return offset + JournalFrameDescriptor.alignedLength(length);
    }

    private static int padding(final UnsafeBuffer segment, final int offset)
    {
        segment.putInt(offset + JournalFrameDescriptor.TYPE_OFFSET, JournalFrameDescriptor.PADDING_TYPE);
        segment.putInt(offset + JournalFrameDescriptor.LENGTH_OFFSET, HEADER_LENGTH + 16);
        return offset + HEADER_LENGTH + 16;
    }
}

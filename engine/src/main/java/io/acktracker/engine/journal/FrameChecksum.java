package io.acktracker.engine.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import static io.acktracker.engine.journal.JournalFrameDescriptor.HEADER_LENGTH;
import static io.acktracker.engine.journal.JournalFrameDescriptor.PADDING_TYPE;
import static io.acktracker.engine.journal.JournalFrameDescriptor.TYPE_OFFSET;

/**
 * CRC32C of a frame in place, without allocating: the JDK's {@link CRC32C} over a direct {@link ByteBuffer} view of
 * the segment (the intrinsic reads the memory by address), moving only the view's position and limit.
 * <p>
 * Why not Agrona's {@code org.agrona.checksum.Crc32c} (it is in 2.4.1): it reaches the same private JDK method by
 * reflection and needs {@code --add-opens java.base/java.util.zip=ALL-UNNAMED}, a flag none of our launchers pass;
 * without it its class fails to initialise. Over one range the JDK path costs the same as Agrona's
 * ({@code FrameChecksumBenchmark}) and allocates nothing ({@code JournalRoundTripTest} counts the appender's bytes).
 * <p>
 * Threading: one instance per thread; the view is the caller's and must not be shared across threads either.
 */
final class FrameChecksum
{
    private final CRC32C crc = new CRC32C();

    /**
     * @param segmentView   a direct view of the whole segment; its position and limit are changed.
     * @param frameOffset   where the frame starts in the segment.
     * @param coveredLength bytes of the frame covered (its frame length; {@link JournalFrameDescriptor#HEADER_LENGTH}
     *                      for padding).
     * @return the checksum.
     */
    int compute(final ByteBuffer segmentView, final int frameOffset, final int coveredLength)
    {
        crc.reset();
        segmentView.limit(frameOffset + coveredLength).position(frameOffset + TYPE_OFFSET);
        crc.update(segmentView);
        return (int)crc.getValue();
    }

    static int paddingHeaderChecksum()
    {
        final ByteBuffer header = ByteBuffer.allocateDirect(HEADER_LENGTH).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        header.putInt(TYPE_OFFSET, PADDING_TYPE);
        return new FrameChecksum().compute(header, 0, HEADER_LENGTH);
    }
}

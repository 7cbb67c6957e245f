package io.acktracker.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A snapshot's bytes through Aeron Cluster's snapshot publication and back: a first message with a marker and the
 * total length, then the bytes in messages of at most the publication's payload, offered again while back pressured
 * (the cluster waits for the service's snapshot; nothing may be skipped). Reading polls the snapshot image until the
 * total has arrived, and refuses a stream that ends early or does not start with the marker.
 * <p>
 * Service thread only.
 */
final class SnapshotStream
{
    /** "ATSN" then a format version: a snapshot from another layout is refused, never misread. */
    static final int MARKER = 0x4154_534E;
    static final int VERSION = 2;
    /** The first format with the outstanding challenges and the keys check (1 is still read). */
    static final int CHALLENGES_VERSION = 2;
    private static final int OLDEST_VERSION = 1;
    private static final int PREAMBLE = 3 * Integer.BYTES;

    private SnapshotStream()
    {
    }

    /**
     * Offer a snapshot's bytes.
     *
     * @param publication the snapshot publication.
     * @param bytes       the snapshot.
     * @param length      its length.
     * @param idle        waits between refused offers.
     */
    static void write(
        final ExclusivePublication publication, final DirectBuffer bytes, final int length, final IdleStrategy idle)
    {
        final UnsafeBuffer preamble = new UnsafeBuffer(new byte[PREAMBLE]);
        preamble.putInt(0, MARKER);
        preamble.putInt(Integer.BYTES, VERSION);
        preamble.putInt(2 * Integer.BYTES, length);
        offer(publication, preamble, 0, PREAMBLE, idle);
        final int chunk = publication.maxPayloadLength();
        for (int offset = 0; offset < length; offset += chunk)
        {
            offer(publication, bytes, offset, Math.min(chunk, length - offset), idle);
        }
    }

    private static void offer(
        final ExclusivePublication publication,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final IdleStrategy idle)
    {
        idle.reset();
        long result;
        while ((result = publication.offer(buffer, offset, length)) < 0)
        {
            if (Publication.CLOSED == result || Publication.NOT_CONNECTED == result ||
                Publication.MAX_POSITION_EXCEEDED == result)
            {
                throw new IllegalStateException("the snapshot publication refused a message: " +
                    Publication.errorString(result));
            }
            idle.idle();
        }
    }

    /**
     * Read a snapshot's bytes.
     *
     * @param image the snapshot image.
     * @param idle  waits between empty polls.
     * @return the bytes (capacity may exceed the length: see the result's {@code length()}).
     * @throws IllegalStateException when the stream is not a snapshot of this format or ends early.
     */
    static Bytes read(final Image image, final IdleStrategy idle)
    {
        final Bytes bytes = new Bytes();
        idle.reset();
        while (!bytes.complete())
        {
            // controlled: the container's end marker follows our bytes on the same image, and is not ours to take
            final int fragments = image.controlledPoll(bytes::onFragment, 64);
            if (0 == fragments)
            {
                if (image.isEndOfStream() || image.isClosed())
                {
                    throw new IllegalStateException("the snapshot ended after " + bytes.length + " of " +
                        bytes.expected + " bytes");
                }
                idle.idle();
            }
        }
        return bytes;
    }

    /** A snapshot's bytes as they arrive. */
    static final class Bytes
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1 << 16);
        int length;
        int expected = -1;
        int version;

        private ControlledFragmentHandler.Action onFragment(
            final DirectBuffer fragment, final int offset, final int fragmentLength, final Header header)
        {
            if (complete())
            {
                return ControlledFragmentHandler.Action.ABORT;
            }
            if (expected < 0)
            {
                final int format = PREAMBLE == fragmentLength ? fragment.getInt(offset + Integer.BYTES) : 0;
                if (fragmentLength != PREAMBLE || fragment.getInt(offset) != MARKER ||
                    format < OLDEST_VERSION || format > VERSION)
                {
                    throw new IllegalStateException("not an acktracker snapshot of format " + OLDEST_VERSION +
                        ".." + VERSION);
                }
                version = format;
                expected = fragment.getInt(offset + 2 * Integer.BYTES);
                return complete() ? ControlledFragmentHandler.Action.BREAK : ControlledFragmentHandler.Action.CONTINUE;
            }
            if (length + fragmentLength > expected)
            {
                throw new IllegalStateException("the snapshot holds more than the " + expected + " bytes it announced");
            }
            buffer.putBytes(length, fragment, offset, fragmentLength);
            length += fragmentLength;
            return complete() ? ControlledFragmentHandler.Action.BREAK : ControlledFragmentHandler.Action.CONTINUE;
        }

        boolean complete()
        {
            return expected >= 0 && length == expected;
        }
    }
}

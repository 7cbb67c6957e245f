package io.acktracker.transport.inbound;

import io.acktracker.engine.api.TrackerCommands;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.codecs.AckDecoder;
import io.acktracker.transport.codecs.MessageHeaderDecoder;
import io.acktracker.transport.codecs.NackDecoder;
import io.acktracker.transport.codecs.RejectDecoder;
import io.acktracker.transport.codecs.TrackDecoder;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * The first pass over what the next inbound poll will apply ({@code TransportConfig.inboundPrefetch}): before the
 * transport polls its subscription, this walks the fragments waiting in each image without consuming them
 * ({@link Image#controlledPeek}) and, for every unfragmented frame of acktracker's schema that names a message
 * (Track, Ack, Nack, Reject), asks the tracker to read the message's index entry and record
 * ({@link TrackerCommands#touch}). The poll that follows then finds them in cache: the misses of the batch are taken
 * together, not one per frame inside the engine. The queued path's counterpart is the engine's {@code BatchPrefetch}.
 * <p>
 * What it walks is what {@link Subscription#poll} will take: the same images in the same order (the subscription
 * starts each poll at the next image round robin; this keeps its own index the same way, so with a steady set of
 * images both start at the same one), at most the poll's fragment limit in all, and within an image no further than
 * the end of its current term, where a poll stops too. When images come or go between the pass and the poll the two
 * may start at different images for a while: the pass then touches some frames the poll leaves for the next cycle,
 * which costs a little and changes nothing.
 * <p>
 * It changes nothing: a peek moves no position, and a touch only reads. A frame is only looked at, never checked: a
 * malformed frame that happens to carry an id in the right place is touched like a good one, and the adapter refuses
 * it as before. Reads stay inside the fragment (its length is checked before the id is read). Allocation-free: the
 * image visitors are method references made once, the handler is this object.
 * <p>
 * Measured at 1M pending over IPC (BENCHMARKS.md, "The first pass over an Aeron poll"): slower with it than without
 * in six interleaved pairs on a loaded 2-core machine, so it is off by default.
 * <p>
 * Threading: agent thread only (the transport's duty cycle).
 */
public final class InboundPrefetch implements ControlledFragmentHandler
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int SCHEMA_ID_OFFSET = MessageHeaderDecoder.schemaIdEncodingOffset();
    private static final int TEMPLATE_ID_OFFSET = MessageHeaderDecoder.templateIdEncodingOffset();
    private static final int VERSION_OFFSET = MessageHeaderDecoder.versionEncodingOffset();

    private final Subscription subscription;
    private final TrackerCommands tracker;
    private final int fragmentLimit;
    private final Consumer<Image> fromStart = this::peekFromStart;
    private final Consumer<Image> beforeStart = this::peekBeforeStart;
    private int roundRobinIndex;
    private int startIndex;
    private int imageIndex;
    private int remaining;
    /** Where the pass leaves what it read, so the JIT cannot drop the reads. */
    private long touched;

    /**
     * A first pass over one subscription.
     *
     * @param subscription  the subscription the transport polls.
     * @param tracker       whose index and records are touched.
     * @param fragmentLimit the poll's fragment limit: the most fragments walked per pass.
     */
    public InboundPrefetch(final Subscription subscription, final TrackerCommands tracker, final int fragmentLimit)
    {
        this.subscription = subscription;
        this.tracker = tracker;
        this.fragmentLimit = fragmentLimit;
    }

    /**
     * Walk what the next {@code subscription.poll(handler, fragmentLimit)} will read. Call once before each poll,
     * and only then, so its round-robin index keeps step with the subscription's.
     *
     * @return fragments walked.
     */
    public int run()
    {
        // the subscription's own rule: start one image further each poll, back to the first past the last
        final int imageCount = subscription.imageCount();
        int start = roundRobinIndex++;
        if (start >= imageCount)
        {
            start = 0;
            roundRobinIndex = 0;
        }
        startIndex = start;
        remaining = fragmentLimit;
        imageIndex = 0;
        subscription.forEachImage(fromStart);
        imageIndex = 0;
        subscription.forEachImage(beforeStart);
        return fragmentLimit - remaining;
    }

    /**
     * What the pass read, summed: for tests, and so the reads are kept.
     *
     * @return the sum of the touches.
     */
    public long touched()
    {
        return touched;
    }

    private void peekFromStart(final Image image)
    {
        if (imageIndex++ >= startIndex)
        {
            peek(image);
        }
    }

    private void peekBeforeStart(final Image image)
    {
        if (imageIndex++ < startIndex)
        {
            peek(image);
        }
    }

    private void peek(final Image image)
    {
        if (remaining > 0)
        {
            // the peek itself stops at the end of the current term, as a poll does
            final long position = image.position();
            image.controlledPeek(position, this, position + image.termBufferLength());
        }
    }

    /**
     * One fragment of the pass: touch the message it names, if any.
     *
     * @return CONTINUE while the fragment limit allows, then BREAK.
     */
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if ((header.flags() & FrameDescriptor.UNFRAGMENTED) == FrameDescriptor.UNFRAGMENTED &&
            length >= HEADER_LENGTH &&
            (buffer.getShort(offset + SCHEMA_ID_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF) == Protocol.SCHEMA_ID &&
            (buffer.getShort(offset + VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF) >=
                Protocol.MIN_SCHEMA_VERSION)
        {
            final int idOffset = messageIdOffset(buffer.getShort(offset + TEMPLATE_ID_OFFSET, ByteOrder.LITTLE_ENDIAN)
                & 0xFFFF);
            if (idOffset >= 0 && HEADER_LENGTH + idOffset + Long.BYTES <= length)
            {
                touched += tracker.touch(buffer.getLong(offset + HEADER_LENGTH + idOffset, ByteOrder.LITTLE_ENDIAN));
            }
        }
        return --remaining > 0 ? Action.CONTINUE : Action.BREAK;
    }

    /**
     * Where a template's message id is in its root block, or -1 for the others: those that name no message, and the
     * lease commands, which are not the throughput path this pass is for.
     */
    private static int messageIdOffset(final int templateId)
    {
        switch (templateId)
        {
            case TrackDecoder.TEMPLATE_ID:
                return TrackDecoder.messageIdEncodingOffset();
            case AckDecoder.TEMPLATE_ID:
                return AckDecoder.messageIdEncodingOffset();
            case NackDecoder.TEMPLATE_ID:
                return NackDecoder.messageIdEncodingOffset();
            case RejectDecoder.TEMPLATE_ID:
                return RejectDecoder.messageIdEncodingOffset();
            default:
                return -1;
        }
    }
}

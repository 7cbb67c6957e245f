package io.acktracker.engine.stream;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * Every stream's {@link StreamIndex}, by stream id and in creation order (for round-robin housekeeping). A stream
 * is created the first time a message or a cumulative ack names it (allocates once per stream).
 * <p>
 * Agent thread only.
 */
public final class Streams
{
    private final Int2ObjectHashMap<StreamIndex> byId = new Int2ObjectHashMap<>();
    private final ArrayList<StreamIndex> inOrder = new ArrayList<>();

    /**
     * A stream's index, or null when the stream was never named.
     *
     * @param streamId stream.
     * @return its index or null.
     */
    public StreamIndex get(final int streamId)
    {
        return byId.get(streamId);
    }

    /**
     * A stream's index, created when new.
     *
     * @param streamId stream.
     * @return its index.
     */
    public StreamIndex getOrCreate(final int streamId)
    {
        StreamIndex stream = byId.get(streamId);
        if (null == stream)
        {
            stream = new StreamIndex(streamId);
            byId.put(streamId, stream);
            inOrder.add(stream);
        }
        return stream;
    }

    /**
     * A message of a stream finished (its entry stays until compaction).
     *
     * @param streamId stream.
     */
    public void onFinished(final int streamId)
    {
        final StreamIndex stream = byId.get(streamId);
        if (null != stream)
        {
            stream.onFinished();
        }
    }

    /**
     * Number of streams.
     *
     * @return the count.
     */
    public int count()
    {
        return inOrder.size();
    }

    /**
     * The stream created {@code i}-th.
     *
     * @param i position in creation order.
     * @return its index.
     */
    public StreamIndex at(final int i)
    {
        return inOrder.get(i);
    }

    /** Sort every stream's entries by sequence, after recovery added them in table order. */
    public void sortAll()
    {
        inOrder.forEach(StreamIndex::sortBySequence);
    }

    /**
     * Append every stream, in ascending stream id order, to a state image.
     *
     * @param image the image.
     */
    public void appendState(final StateImage image)
    {
        final int[] ids = new int[inOrder.size()];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = inOrder.get(i).streamId();
        }
        Arrays.sort(ids);
        image.section("streams").putInt(ids.length);
        for (final int id : ids)
        {
            byId.get(id).appendState(image);
        }
    }

    /**
     * Append every stream, exactly and in creation order (housekeeping's round-robin order), to an image.
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        out.section(ImageSections.STREAMS).putInt(inOrder.size());
        for (final StreamIndex stream : inOrder)
        {
            stream.dump(out);
        }
    }

    /**
     * Restore every stream from {@link #dump}, in the same creation order, into an empty part.
     *
     * @param in the image, at what {@link #dump} wrote.
     */
    public void restore(final ImageReader in)
    {
        in.section(ImageSections.STREAMS, "streams");
        byId.clear();
        inOrder.clear();
        final int count = in.getInt();
        for (int i = 0; i < count; i++)
        {
            final StreamIndex stream = StreamIndex.restore(in);
            byId.put(stream.streamId(), stream);
            inOrder.add(stream);
        }
    }
}

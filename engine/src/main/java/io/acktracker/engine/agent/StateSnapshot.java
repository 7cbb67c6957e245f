package io.acktracker.engine.agent;

import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The whole state of a host-driven, in-memory tracker as one image, for a replica's snapshot (Aeron Cluster): the
 * machine's image ({@link TrackerAgent#dumpState}), then the count of created slots and every created slot's
 * 224-byte record, back to back. {@link #load} gives a fresh tracker of the same settings that state, so the same
 * commands that follow give the same effects on every replica.
 * <p>
 * Unlike a checkpoint this is taken in one pause on the host's thread: a cluster takes snapshots at a log position
 * it chooses, between commands, on every member at once. Allocates (the writer grows): not for the hot path.
 * Host (agent) thread only.
 */
public final class StateSnapshot
{
    private StateSnapshot()
    {
    }

    /**
     * Write a tracker's state, between duty cycles.
     *
     * @param agent the host-driven tracker's agent.
     * @param out   the image, appended to.
     */
    public static void write(final TrackerAgent agent, final ImageWriter out)
    {
        final int imageStart = out.length();
        out.putInt(0);
        agent.dumpState(out);
        out.buffer().putInt(imageStart, out.length() - imageStart - Integer.BYTES);

        final Records records = agent.records();
        final int created = records.createdSlots();
        out.putInt(created);
        final int offset = out.skip(created, PendingRecord.LENGTH);
        final UnsafeBuffer record = new UnsafeBuffer(0, 0);
        for (int slot = 0; slot < created; slot++)
        {
            final long address = records.recordAddress(slot);
            final int at = offset + slot * PendingRecord.LENGTH;
            if (address > 0)
            {
                record.wrap(address, PendingRecord.LENGTH);
                out.buffer().putBytes(at, record, 0, PendingRecord.LENGTH);
            }
            else
            {
                out.buffer().setMemory(at, PendingRecord.LENGTH, (byte)0);
            }
        }
    }

    /**
     * Give a fresh host-driven tracker (in-memory store, same settings, no command applied yet) the state of an
     * image {@link #write} wrote.
     *
     * @param agent  the fresh tracker's agent.
     * @param buffer holding the image.
     * @param offset where it starts.
     * @param length its length.
     * @throws TrackerException when the image is damaged or does not fit the tracker.
     */
    public static void load(final TrackerAgent agent, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 2 * Integer.BYTES)
        {
            throw new TrackerException("the snapshot is damaged: " + length + " bytes");
        }
        final int imageLength = buffer.getInt(offset);
        final int recordsAt = offset + Integer.BYTES + imageLength;
        if (imageLength < 0 || (long)imageLength + 2 * Integer.BYTES > length)
        {
            throw new TrackerException("the snapshot is damaged: an image of " + imageLength + " bytes in " + length);
        }
        final int created = buffer.getInt(recordsAt);
        final int recordBytesAt = recordsAt + Integer.BYTES;
        if (created < 0 || (long)created * PendingRecord.LENGTH != offset + length - recordBytesAt)
        {
            throw new TrackerException("the snapshot is damaged: " + created + " records do not fill its " +
                (offset + length - recordBytesAt) + " remaining bytes");
        }
        final UnsafeBuffer image = new UnsafeBuffer(buffer, offset + Integer.BYTES, imageLength);
        final UnsafeBuffer record = new UnsafeBuffer(0, 0);
        agent.restoreState(new ImageReader(image, imageLength), created, (slot, table) ->
        {
            final long address = table.create(slot);
            if (address > 0)
            {
                record.wrap(address, PendingRecord.LENGTH);
                record.putBytes(0, buffer, recordBytesAt + slot * PendingRecord.LENGTH, PendingRecord.LENGTH);
            }
            return address;
        });
    }
}

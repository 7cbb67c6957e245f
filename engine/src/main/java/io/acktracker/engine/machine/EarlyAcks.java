package io.acktracker.engine.machine;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import org.agrona.collections.Long2LongHashMap;

/**
 * Acks that arrived before their message was tracked, held for a short window. Over Aeron a destination's ack and
 * the sender's Track travel on different sessions, so the ack can overtake the Track; without this window it would
 * be counted as an orphan and the message would time out and be redelivered for nothing. A held ack is applied when
 * the Track arrives within the window, and counted as an orphan when the window ends first.
 * <p>
 * Bounded: at most {@code capacity} ids are held; beyond that an early ack is an orphan at once. Held acks are not
 * persisted: after a crash the message times out and is redelivered, and the destination acks again.
 * <p>
 * Agent thread only.
 */
final class EarlyAcks
{
    private final Long2LongHashMap held;
    private final long[] ids;
    private final long[] times;
    private final long windowNs;
    private int head;
    private int count;

    EarlyAcks(final int capacity, final long windowNs)
    {
        this.windowNs = windowNs;
        final int size = Math.max(1, capacity);
        held = new Long2LongHashMap(Math.max(16, size * 2), 0.65f, 0);
        ids = new long[size];
        times = new long[size];
    }

    boolean isEnabled()
    {
        return windowNs > 0;
    }

    /**
     * Hold an ack for an id not tracked yet.
     *
     * @return false when full (the caller counts an orphan).
     */
    boolean hold(final long messageId, final int destination, final long nowNs)
    {
        final long mask = held.get(messageId);
        if (0 == mask)
        {
            if (count == ids.length)
            {
                return false;
            }
            final int tail = (head + count) % ids.length;
            ids[tail] = messageId;
            times[tail] = nowNs;
            count++;
        }
        held.put(messageId, mask | (1L << destination));
        return true;
    }

    /**
     * The held acks of a message, left held.
     *
     * @return bitset of destinations that acked early, 0 when none.
     */
    long peek(final long messageId)
    {
        return 0 == held.size() ? 0 : held.get(messageId);
    }

    /**
     * Take the held acks of a message being tracked.
     *
     * @return bitset of destinations that acked early, 0 when none.
     */
    long take(final long messageId)
    {
        return 0 == held.size() ? 0 : held.remove(messageId);
    }

    /**
     * Drop held acks whose window ended, at most {@code budget}.
     *
     * @param expired receives the number of destinations of each dropped id (orphans).
     * @return entries looked at.
     */
    int expire(final long nowNs, final int budget, final java.util.function.IntConsumer expired)
    {
        int work = 0;
        while (count > 0 && work < budget && nowNs - times[head] >= windowNs)
        {
            final long mask = held.remove(ids[head]);
            if (0 != mask)
            {
                expired.accept(Long.bitCount(mask));
            }
            head = (head + 1) % ids.length;
            count--;
            work++;
        }
        return work;
    }

    int size()
    {
        return held.size();
    }

    void appendState(final StateImage image)
    {
        image.section("early acks").putInt(count);
        for (int i = 0; i < count; i++)
        {
            final int index = (head + i) % ids.length;
            image.putLong(ids[index]).putLong(times[index]).putLong(held.get(ids[index]));
        }
    }

    void dump(final ImageWriter out)
    {
        out.section(ImageSections.EARLY_ACKS).putInt(count);
        for (int i = 0; i < count; i++)
        {
            final int index = (head + i) % ids.length;
            out.putLong(ids[index]).putLong(times[index]);
        }
        // by ascending id: the map's iteration order depends on its insertion history, the image must not
        final long[] heldIds = new long[held.size()];
        final Long2LongHashMap.KeyIterator keys = held.keySet().iterator();
        for (int i = 0; i < heldIds.length; i++)
        {
            heldIds[i] = keys.nextValue();
        }
        java.util.Arrays.sort(heldIds);
        out.putInt(heldIds.length);
        for (final long messageId : heldIds)
        {
            out.putLong(messageId).putLong(held.get(messageId));
        }
    }

    void restore(final ImageReader in)
    {
        in.section(ImageSections.EARLY_ACKS, "early acks");
        final int restored = in.getInt();
        if (restored < 0 || restored > ids.length)
        {
            throw new IllegalStateException("the image holds " + restored + " early acks, capacity " + ids.length);
        }
        head = 0;
        count = restored;
        for (int i = 0; i < restored; i++)
        {
            ids[i] = in.getLong();
            times[i] = in.getLong();
        }
        held.clear();
        for (int i = 0, size = in.getInt(); i < size; i++)
        {
            held.put(in.getLong(), in.getLong());
        }
    }
}

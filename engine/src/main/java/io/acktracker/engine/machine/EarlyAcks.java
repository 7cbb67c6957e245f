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
 * the Track arrives within the window, and dropped as an orphan when the window ends first.
 * <p>
 * A numbered ack (a client session's) was confirmed to its client as applied when it was held, so its client would
 * never send it again: when its window ends first, the {@link Listener} is told, and the client learns from its
 * outbox that the ack was refused (an entry reserved when it was held). A second ack of a held message from the same
 * destination is held with the first and shares its fate.
 * <p>
 * Each held ack is an entry of a ring in arrival order, which the window expires from its head; the destinations
 * still held per message are a bit set, and each holding of a message has a serial, so an entry whose message was
 * tracked in the meantime (its bit taken) or held again later is told apart from one still held.
 * <p>
 * Bounded: at most {@code capacity} acks are held (bits set, counted exactly); beyond that an early ack is an orphan
 * at once. An applied ack's entry stays in the ring until the window passes it, so under a steady stream of early
 * acks most entries are dead: the ring has room for twice the capacity, and when it fills it is compacted (the live
 * entries kept in order, each dead numbered one releasing its reservation then). At least half the ring is dead
 * when that happens, so the compaction costs O(1) per hold, amortized. Held acks are in
 * the journal store's checkpoints and follow from its replay; with the tables store they are not persisted: after a
 * crash the message times out and is redelivered, and the destination acks again.
 * <p>
 * Agent thread only.
 */
final class EarlyAcks
{
    /** {@link #hold}: no room, the ack is an orphan. */
    static final int NOT_HELD = 0;
    /** {@link #hold}: held in an entry of its own. */
    static final int HELD = 1;
    /** {@link #hold}: the message was already held for that destination; this ack shares that entry's fate. */
    static final int HELD_WITH_FIRST = 2;

    /** Told what becomes of held acks as their window ends (agent thread, during {@link #expire}). */
    interface Listener
    {
        /**
         * A held ack's window ended before its message was tracked: an orphan.
         *
         * @param messageId the message.
         * @param owner     the client index of a numbered ack, -1 for an unnumbered one.
         * @param sequence  the numbered ack's sequence.
         */
        void dropped(long messageId, int owner, long sequence);

        /**
         * A numbered ack held earlier was applied with its message: its outbox reservation is free again.
         *
         * @param owner the client index.
         */
        void released(int owner);
    }

    private final Listener listener;
    private final Long2LongHashMap held;
    private final Long2LongHashMap serialOf;
    private final long[] ids;
    private final long[] times;
    private final long[] serials;
    private final long[] sequences;
    private final int[] destinations;
    private final int[] owners;
    private final long windowNs;
    private final int capacity;
    private long lastSerial;
    private int head;
    private int count;
    private int live;

    /**
     * @param capacity most acks held at once.
     * @param windowNs how long an ack is held; 0 disables holding.
     * @param listener told what becomes of held acks.
     */
    EarlyAcks(final int capacity, final long windowNs, final Listener listener)
    {
        this.windowNs = windowNs;
        this.listener = listener;
        this.capacity = Math.max(1, capacity);
        final int size = 2 * this.capacity;
        held = new Long2LongHashMap(Math.max(16, this.capacity * 2), 0.65f, 0);
        serialOf = new Long2LongHashMap(Math.max(16, this.capacity * 2), 0.65f, 0);
        ids = new long[size];
        times = new long[size];
        serials = new long[size];
        sequences = new long[size];
        destinations = new int[size];
        owners = new int[size];
    }

    boolean isEnabled()
    {
        return windowNs > 0;
    }

    /**
     * Hold an ack for an id not tracked yet.
     *
     * @param messageId   the message.
     * @param destination the acking destination.
     * @param nowNs       the command's time.
     * @param owner       the client index of a numbered ack, -1 for an unnumbered one.
     * @param sequence    the numbered ack's sequence.
     * @return {@link #HELD}, {@link #HELD_WITH_FIRST}, or {@link #NOT_HELD} when full (the caller counts an orphan).
     */
    int hold(final long messageId, final int destination, final long nowNs, final int owner, final long sequence)
    {
        final long bit = 1L << destination;
        final long mask = held.get(messageId);
        if (0 != (mask & bit))
        {
            return HELD_WITH_FIRST;
        }
        if (live == capacity)
        {
            return NOT_HELD;
        }
        if (count == ids.length)
        {
            compact();
        }
        long serial = serialOf.get(messageId);
        if (0 == mask)
        {
            serial = ++lastSerial;
            serialOf.put(messageId, serial);
        }
        final int tail = (head + count) % ids.length;
        ids[tail] = messageId;
        times[tail] = nowNs;
        serials[tail] = serial;
        destinations[tail] = destination;
        owners[tail] = owner + 1;
        sequences[tail] = sequence;
        count++;
        live++;
        held.put(messageId, mask | bit);
        return HELD;
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
     * Take held acks of a message being tracked: the destinations it awaits; any others stay held until their window
     * ends.
     *
     * @param messageId the message.
     * @param taken     the destinations whose acks it applies.
     */
    void take(final long messageId, final long taken)
    {
        final long mask = held.get(messageId);
        final long left = mask & ~taken;
        live -= Long.bitCount(mask & taken);
        if (0 == left)
        {
            held.remove(messageId);
            serialOf.remove(messageId);
        }
        else
        {
            held.put(messageId, left);
        }
    }

    /**
     * End the window of held acks whose time is up, at most {@code budget}: each one still held is dropped, each
     * numbered one applied meanwhile releases its reservation.
     *
     * @param nowNs  the time.
     * @param budget most entries.
     * @return entries looked at.
     */
    int expire(final long nowNs, final int budget)
    {
        int work = 0;
        while (count > 0 && work < budget && nowNs - times[head] >= windowNs)
        {
            final long messageId = ids[head];
            final long bit = 1L << destinations[head];
            final int owner = owners[head] - 1;
            if (isLive(head))
            {
                take(messageId, bit);
                listener.dropped(messageId, owner, sequences[head]);
            }
            else if (owner >= 0)
            {
                listener.released(owner);
            }
            head = (head + 1) % ids.length;
            count--;
            work++;
        }
        return work;
    }

    /**
     * Whether a ring entry is still held: its message's bit is set and the holding is the same one.
     */
    private boolean isLive(final int index)
    {
        final long messageId = ids[index];
        return 0 != (held.get(messageId) & (1L << destinations[index])) &&
            serialOf.get(messageId) == serials[index];
    }

    /**
     * Drop the dead entries of a full ring, keeping the live ones in arrival order from the head: a stable
     * partition, in place. Each dead numbered entry releases its reservation now instead of when its window ends.
     */
    private void compact()
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            final int from = (head + i) % ids.length;
            if (isLive(from))
            {
                // kept <= i, and every slot below kept was read before: moving down never overwrites an unread entry
                final int to = (head + kept) % ids.length;
                ids[to] = ids[from];
                times[to] = times[from];
                serials[to] = serials[from];
                sequences[to] = sequences[from];
                destinations[to] = destinations[from];
                owners[to] = owners[from];
                kept++;
            }
            else if (owners[from] > 0)
            {
                listener.released(owners[from] - 1);
            }
        }
        count = kept;
    }

    /**
     * Messages with an ack held.
     *
     * @return the count.
     */
    int size()
    {
        return held.size();
    }

    /**
     * Acks held: destinations over all messages.
     *
     * @return the count, at most the capacity.
     */
    int heldAcks()
    {
        return live;
    }

    void appendState(final StateImage image)
    {
        image.section("early acks").putInt(count);
        for (int i = 0; i < count; i++)
        {
            final int index = (head + i) % ids.length;
            image.putLong(ids[index]).putLong(times[index]).putInt(destinations[index]).putInt(owners[index])
                .putLong(sequences[index]).putLong(held.get(ids[index]))
                .putInt(serialOf.get(ids[index]) == serials[index] ? 1 : 0);
        }
    }

    void dump(final ImageWriter out)
    {
        out.section(ImageSections.EARLY_ACKS).putInt(count);
        for (int i = 0; i < count; i++)
        {
            final int index = (head + i) % ids.length;
            out.putLong(ids[index]).putLong(times[index]).putLong(serials[index]).putLong(sequences[index])
                .putInt(destinations[index]).putInt(owners[index]);
        }
        out.putLong(lastSerial);
        dumpSorted(out, held);
        dumpSorted(out, serialOf);
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
            serials[i] = in.getLong();
            sequences[i] = in.getLong();
            destinations[i] = in.getInt();
            owners[i] = in.getInt();
        }
        lastSerial = in.getLong();
        restoreMap(in, held);
        restoreMap(in, serialOf);
        live = 0;
        final Long2LongHashMap.ValueIterator masks = held.values().iterator();
        while (masks.hasNext())
        {
            live += Long.bitCount(masks.nextValue());
        }
        if (live > capacity)
        {
            throw new IllegalStateException("the image holds " + live + " early acks, capacity " + capacity);
        }
    }

    private static void dumpSorted(final ImageWriter out, final Long2LongHashMap map)
    {
        // by ascending id: the map's iteration order depends on its insertion history, the image must not
        final long[] keys = new long[map.size()];
        final Long2LongHashMap.KeyIterator iterator = map.keySet().iterator();
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = iterator.nextValue();
        }
        java.util.Arrays.sort(keys);
        out.putInt(keys.length);
        for (final long key : keys)
        {
            out.putLong(key).putLong(map.get(key));
        }
    }

    private static void restoreMap(final ImageReader in, final Long2LongHashMap map)
    {
        map.clear();
        for (int i = 0, size = in.getInt(); i < size; i++)
        {
            map.put(in.getLong(), in.getLong());
        }
    }
}

package io.acktracker.tools;

import java.util.Arrays;

/**
 * Acks waiting for their time: a binary min-heap of (due time, message id, destination) in three parallel primitive
 * arrays, so a simulated destination holds thousands of acks in flight without an object per ack. Grows by doubling
 * (rarely, and only while a run ramps up).
 * <p>
 * Threading: one thread.
 */
final class AckSchedule
{
    private long[] dueNs;
    private long[] messageIds;
    private int[] destinations;
    private int size;

    AckSchedule(final int initialCapacity)
    {
        final int capacity = Math.max(16, initialCapacity);
        dueNs = new long[capacity];
        messageIds = new long[capacity];
        destinations = new int[capacity];
    }

    /**
     * Schedule one ack.
     *
     * @param atNs        when it is due (nano clock).
     * @param messageId   message.
     * @param destination destination id.
     */
    void add(final long atNs, final long messageId, final int destination)
    {
        if (size == dueNs.length)
        {
            dueNs = Arrays.copyOf(dueNs, size * 2);
            messageIds = Arrays.copyOf(messageIds, size * 2);
            destinations = Arrays.copyOf(destinations, size * 2);
        }
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (dueNs[parent] - atNs <= 0)
            {
                break;
            }
            move(parent, i);
            i = parent;
        }
        dueNs[i] = atNs;
        messageIds[i] = messageId;
        destinations[i] = destination;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    int size()
    {
        return size;
    }

    /**
     * Whether the earliest ack is due.
     *
     * @param nowNs the time.
     * @return true when one is due.
     */
    boolean isDue(final long nowNs)
    {
        return size > 0 && nowNs - dueNs[0] >= 0;
    }

    long peekMessageId()
    {
        return messageIds[0];
    }

    int peekDestination()
    {
        return destinations[0];
    }

    long peekDueNs()
    {
        return dueNs[0];
    }

    /**
     * Drop the earliest ack (after it was sent).
     */
    void remove()
    {
        final int last = --size;
        if (0 == last)
        {
            return;
        }
        final long atNs = dueNs[last];
        final long messageId = messageIds[last];
        final int destination = destinations[last];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= last)
            {
                break;
            }
            if (child + 1 < last && dueNs[child + 1] - dueNs[child] < 0)
            {
                child++;
            }
            if (atNs - dueNs[child] <= 0)
            {
                break;
            }
            move(child, i);
            i = child;
        }
        dueNs[i] = atNs;
        messageIds[i] = messageId;
        destinations[i] = destination;
    }

    void clear()
    {
        size = 0;
    }

    private void move(final int from, final int to)
    {
        dueNs[to] = dueNs[from];
        messageIds[to] = messageIds[from];
        destinations[to] = destinations[from];
    }
}

package io.acktracker.transport.http;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntConsumer;

/**
 * Requests answered by the HTTP edge, counted by status code (100 to 599), for
 * {@code acktracker_http_requests_total{code=...}}. One array of atomics indexed by the code: no map, no boxing.
 * <p>
 * Threading: any thread.
 */
final class HttpStatusCounts
{
    private static final int LOWEST = 100;
    private static final int HIGHEST = 599;

    private final AtomicLongArray counts = new AtomicLongArray(HIGHEST - LOWEST + 1);

    /**
     * Count one answer.
     *
     * @param status the status sent; one out of range is counted as 500.
     */
    void count(final int status)
    {
        counts.incrementAndGet((status < LOWEST || status > HIGHEST ? 500 : status) - LOWEST);
    }

    /**
     * How many answers had this status.
     *
     * @param status the code.
     * @return the count.
     */
    long get(final int status)
    {
        return status < LOWEST || status > HIGHEST ? 0 : counts.get(status - LOWEST);
    }

    /**
     * Visit each status answered at least once, lowest first.
     *
     * @param visitor receives the code.
     */
    void forEachSeen(final IntConsumer visitor)
    {
        for (int i = 0; i < counts.length(); i++)
        {
            if (counts.get(i) > 0)
            {
                visitor.accept(i + LOWEST);
            }
        }
    }
}

package io.acktracker.engine.dlq;

import io.acktracker.engine.api.DeadLetter;
import io.acktracker.engine.api.DlqStats;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.store.BlobBytes;
import io.acktracker.engine.store.BlobTable;
import io.acktracker.engine.store.Extras;
import io.acktracker.engine.store.LongLongTable;
import io.acktracker.engine.util.ParallelSort;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Dead-letter queues: one per stream (messages tracked on a stream) plus a default one, in one persisted Chronicle
 * Map keyed by message id. A dead letter is the message's final record followed by its extras (attempt history,
 * last error per destination, user metadata).
 * <p>
 * Each queue has a capacity. A full queue makes room by removing its oldest dead letter (counted, the default: a
 * full queue can never hold failed messages in the pending table until the table is full), or, when configured to
 * hold, refuses the new one (the caller keeps the message FAILED in the pending table and offers it again when room
 * appears). Entries past the retention are removed in bounded slices.
 * Lifetime totals persist in the tracker's state table.
 * <p>
 * Agent thread only.
 * <p>
 * Why this file is long: one structure (queues over the dead-letter table) with its queries for operators (peek,
 * list, stats) and its state image.
 */
public final class DeadLetterQueue implements AutoCloseable
{
    /** Queue of messages tracked without a stream. */
    public static final int DEFAULT_QUEUE = Integer.MIN_VALUE;

    private static final long TOTAL_MOVED_KEY = 2_000;
    private static final long TOTAL_REPLAYED_KEY = 2_001;
    private static final long TOTAL_DELETED_KEY = 2_002;
    private static final long REFUSED_FULL_KEY = 2_003;
    private static final long RETENTION_REMOVED_KEY = 2_004;
    private static final long EVICTED_OLDEST_KEY = 2_005;

    private final BlobTable table;
    private final LongLongTable state;
    private final int capacity;
    private final long retentionNs;
    private final boolean evictOldestWhenFull;
    private final Int2ObjectHashMap<QueueIndex> queues = new Int2ObjectHashMap<>();
    private final ArrayList<QueueIndex> queueList = new ArrayList<>();
    private final BlobBytes blob = new BlobBytes(1024);
    private final PendingRecord view = new PendingRecord();
    private int retentionCursor;
    private long totalMoved;
    private long totalReplayed;
    private long totalDeleted;
    private long refusedFull;
    private long retentionRemoved;
    private long evictedOldest;
    private long size;
    private long departures;

    private static final class QueueIndex
    {
        final int queue;
        final LongArrayQueue ids = new LongArrayQueue(64, Long.MIN_VALUE);
        long count;

        QueueIndex(final int queue)
        {
            this.queue = queue;
        }
    }

    /**
     * Open the dead-letter queues and rebuild their index from the table.
     *
     * @param table       persisted dead letters.
     * @param state       persisted lifetime totals.
     * @param capacity    most dead letters per queue.
     * @param retentionNs how long a dead letter is kept.
     * @param evictOldestWhenFull make room in a full queue by removing its oldest dead letter (counted), rather
     *                            than refusing the new one (the caller then holds the message in the pending table).
     */
    public DeadLetterQueue(
        final BlobTable table,
        final LongLongTable state,
        final int capacity,
        final long retentionNs,
        final boolean evictOldestWhenFull)
    {
        this.table = table;
        this.state = state;
        this.capacity = capacity;
        this.retentionNs = retentionNs;
        this.evictOldestWhenFull = evictOldestWhenFull;
        state.forEach((key, value) ->
        {
            if (TOTAL_MOVED_KEY == key)
            {
                totalMoved = value;
            }
            else if (TOTAL_REPLAYED_KEY == key)
            {
                totalReplayed = value;
            }
            else if (TOTAL_DELETED_KEY == key)
            {
                totalDeleted = value;
            }
            else if (REFUSED_FULL_KEY == key)
            {
                refusedFull = value;
            }
            else if (RETENTION_REMOVED_KEY == key)
            {
                retentionRemoved = value;
            }
            else if (EVICTED_OLDEST_KEY == key)
            {
                evictedOldest = value;
            }
        });
        rebuildIndex();
    }

    private void rebuildIndex()
    {
        final Int2ObjectHashMap<long[][]> byQueue = new Int2ObjectHashMap<>();
        final Int2ObjectHashMap<int[]> counts = new Int2ObjectHashMap<>();
        table.forEach((messageId, value) ->
        {
            final PendingRecord record = view.wrap(value.buffer(), 0);
            final int queue = queueOf(record);
            long[][] arrays = byQueue.get(queue);
            int[] count = counts.get(queue);
            if (null == arrays)
            {
                arrays = new long[][]{ new long[64], new long[64] };
                count = new int[1];
                byQueue.put(queue, arrays);
                counts.put(queue, count);
            }
            if (count[0] == arrays[0].length)
            {
                arrays[0] = Arrays.copyOf(arrays[0], count[0] * 2);
                arrays[1] = Arrays.copyOf(arrays[1], count[0] * 2);
            }
            arrays[0][count[0]] = record.finishedNs();
            arrays[1][count[0]++] = messageId;
        });
        byQueue.forEach((queue, arrays) ->
        {
            final int count = counts.get(queue)[0];
            ParallelSort.sort(arrays[0], arrays[1], count);
            final QueueIndex index = index(queue);
            for (int i = 0; i < count; i++)
            {
                index.ids.offerLong(arrays[1][i]);
            }
            index.count = count;
            size += count;
        });
    }

    /**
     * The queue a record's dead letter belongs to.
     *
     * @param record the message's record.
     * @return its stream id, or {@link #DEFAULT_QUEUE}.
     */
    public static int queueOf(final PendingRecord record)
    {
        return record.hasFlag(PendingRecord.FLAG_HAS_STREAM) ? record.streamId() : DEFAULT_QUEUE;
    }

    /**
     * Whether a queue has room for one more.
     *
     * @param queue queue id.
     * @return true when not full.
     */
    public boolean hasRoom(final int queue)
    {
        final QueueIndex index = queues.get(queue);
        return null == index || index.count < capacity;
    }

    /**
     * Add a dead letter: the final record and, when present, its extras.
     *
     * @param record final record (status, reason, finished time set).
     * @param extras the message's extras, or null.
     * @return true when added, false when its queue is full (counted).
     */
    public boolean add(final PendingRecord record, final BlobBytes extras)
    {
        final int queue = queueOf(record);
        if (!hasRoom(queue) && !(evictOldestWhenFull && evictOldest(queue)))
        {
            refusedFull++;
            state.put(REFUSED_FULL_KEY, refusedFull);
            return false;
        }

        final int extrasLength = null == extras ? Extras.EMPTY_LENGTH : extras.length();
        blob.length(PendingRecord.LENGTH + extrasLength);
        final UnsafeBuffer buffer = blob.buffer();
        buffer.putBytes(0, record.buffer(), 0, PendingRecord.LENGTH);
        if (null == extras)
        {
            Extras.init(blob, PendingRecord.LENGTH, null, 0, 0);
        }
        else
        {
            buffer.putBytes(PendingRecord.LENGTH, extras.buffer(), 0, extrasLength);
        }
        view.wrap(buffer, 0).clearFlag2(PendingRecord.FLAG2_DLQ_PENDING);
        if (!table.put(record.messageId(), blob))
        {
            refusedFull++;
            state.put(REFUSED_FULL_KEY, refusedFull);
            return false;
        }

        final QueueIndex index = index(queue);
        index.ids.offerLong(record.messageId());
        index.count++;
        size++;
        totalMoved++;
        state.put(TOTAL_MOVED_KEY, totalMoved);
        return true;
    }

    /**
     * Whether a dead letter is held.
     *
     * @param messageId message.
     * @return true when present.
     */
    public boolean contains(final long messageId)
    {
        return table.contains(messageId);
    }

    /**
     * Load a dead letter's bytes (record then extras) into a holder.
     *
     * @param messageId message.
     * @param into      holder.
     * @return true when present.
     */
    public boolean load(final long messageId, final BlobBytes into)
    {
        return table.get(messageId, into);
    }

    /**
     * Remove a dead letter after it was replayed.
     *
     * @param messageId message.
     * @param queue     its queue.
     */
    public void replayed(final long messageId, final int queue)
    {
        if (removeEntry(messageId, queue))
        {
            totalReplayed++;
            state.put(TOTAL_REPLAYED_KEY, totalReplayed);
        }
    }

    /**
     * Delete dead letters.
     *
     * @param messageIds to delete.
     * @return how many were present.
     */
    public int delete(final long[] messageIds)
    {
        int deleted = 0;
        for (final long messageId : messageIds)
        {
            if (delete(messageId))
            {
                deleted++;
            }
        }
        return deleted;
    }

    /**
     * Delete one dead letter.
     *
     * @param messageId to delete.
     * @return true when it was present.
     */
    public boolean delete(final long messageId)
    {
        if (table.get(messageId, blob) && removeEntry(messageId, queueOf(view.wrap(blob.buffer(), 0))))
        {
            totalDeleted++;
            state.put(TOTAL_DELETED_KEY, totalDeleted);
            return true;
        }
        return false;
    }

    /**
     * How many dead letters have left the queues (replayed, deleted, retired) since the start: when it has not moved,
     * a full queue is still full.
     *
     * @return the count.
     */
    public long departures()
    {
        return departures;
    }

    /**
     * Remove a full queue's oldest dead letter to make room for a new one. The queue's ids are in the order they
     * were added; ids already gone (replayed, deleted, retired) are skipped on the way.
     *
     * @return true when one was removed.
     */
    private boolean evictOldest(final int queue)
    {
        final QueueIndex index = queues.get(queue);
        while (null != index && !index.ids.isEmpty())
        {
            if (removeEntry(index.ids.pollLong(), queue))
            {
                evictedOldest++;
                state.put(EVICTED_OLDEST_KEY, evictedOldest);
                return true;
            }
        }
        return false;
    }

    /**
     * Dead letters removed from full queues to make room for newer ones, since the directory was created.
     *
     * @return the count.
     */
    public long evictedOldest()
    {
        return evictedOldest;
    }

    private boolean removeEntry(final long messageId, final int queue)
    {
        if (!table.remove(messageId))
        {
            return false;
        }
        final QueueIndex index = queues.get(queue);
        if (null != index)
        {
            index.count--;
        }
        size--;
        departures++;
        return true;
    }

    /**
     * Remove dead letters past the retention, at most {@code budget} index entries looked at.
     *
     * @param nowNs  current time.
     * @param budget most entries to examine.
     * @return entries examined.
     */
    public int compact(final long nowNs, final int budget)
    {
        final int queueCount = queueList.size();
        int work = 0;
        for (int q = 0; q < queueCount && work < budget; q++)
        {
            retentionCursor = retentionCursor + 1 >= queueCount ? 0 : retentionCursor + 1;
            final QueueIndex index = queueList.get(retentionCursor);
            while (!index.ids.isEmpty() && work < budget)
            {
                final long messageId = index.ids.peekLong();
                if (!table.get(messageId, blob))
                {
                    index.ids.pollLong();
                    work++;
                    continue;
                }
                final PendingRecord record = view.wrap(blob.buffer(), 0);
                if (queueOf(record) != index.queue)
                {
                    index.ids.pollLong();
                    work++;
                    continue;
                }
                if (nowNs - record.finishedNs() < retentionNs)
                {
                    break;
                }
                index.ids.pollLong();
                work++;
                if (removeEntry(messageId, index.queue))
                {
                    retentionRemoved++;
                    state.put(RETENTION_REMOVED_KEY, retentionRemoved);
                }
            }
        }
        return work;
    }

    /**
     * Oldest dead letters of a queue, oldest first.
     *
     * @param queue queue id.
     * @param limit most to return.
     * @return the dead letters.
     */
    public List<DeadLetter> peek(final int queue, final int limit)
    {
        final List<DeadLetter> result = new ArrayList<>();
        final QueueIndex index = queues.get(queue);
        if (null == index)
        {
            return result;
        }
        index.ids.forEach((messageId) ->
        {
            if (result.size() < limit && table.get(messageId, blob) && queueOf(view.wrap(blob.buffer(), 0)) == queue)
            {
                result.add(decode(messageId, blob));
            }
        });
        return result;
    }

    /**
     * Dead letters matching a filter, in no particular order.
     *
     * @param filter which to keep.
     * @param limit  most to return.
     * @return the dead letters.
     */
    public List<DeadLetter> list(final Predicate<DeadLetter> filter, final int limit)
    {
        final List<DeadLetter> result = new ArrayList<>();
        table.forEach((messageId, value) ->
        {
            if (result.size() < limit)
            {
                final DeadLetter letter = decode(messageId, value);
                if (filter.test(letter))
                {
                    result.add(letter);
                }
            }
        });
        return result;
    }

    /**
     * One dead letter.
     *
     * @param messageId message.
     * @return it, or null.
     */
    public DeadLetter get(final long messageId)
    {
        return table.get(messageId, blob) ? decode(messageId, blob) : null;
    }

    /**
     * Statistics of one queue, or of all with {@code null}.
     *
     * @param queue queue id or null.
     * @param nowNs current time (for retention violations).
     * @param held  failed messages waiting for room (counted by the caller).
     * @return the statistics.
     */
    public DlqStats stats(final Integer queue, final long nowNs, final long held)
    {
        final long[] oldest = { 0 };
        final long[] violations = { 0 };
        final long[] count = { 0 };
        table.forEach((messageId, value) ->
        {
            final PendingRecord record = view.wrap(value.buffer(), 0);
            if (null == queue || queueOf(record) == queue)
            {
                count[0]++;
                final long deadNs = record.finishedNs();
                if (0 == oldest[0] || deadNs < oldest[0])
                {
                    oldest[0] = deadNs;
                }
                if (nowNs - deadNs >= retentionNs)
                {
                    violations[0]++;
                }
            }
        });
        return new DlqStats(count[0], totalMoved, totalReplayed, totalDeleted, refusedFull, evictedOldest, held,
            retentionRemoved,
            violations[0], oldest[0]);
    }

    /**
     * Dead letters held in all queues.
     *
     * @return the count.
     */
    public long size()
    {
        return size;
    }

    /**
     * Ids of the queues that exist.
     *
     * @return a new array.
     */
    public int[] queueIds()
    {
        return queueList.stream().mapToInt((index) -> index.queue).toArray();
    }

    /**
     * Decode a dead letter's bytes for people.
     *
     * @param messageId id.
     * @param value     record followed by extras.
     * @return the dead letter.
     */
    public static DeadLetter decode(final long messageId, final BlobBytes value)
    {
        final UnsafeBuffer buffer = value.buffer();
        final PendingRecord record = new PendingRecord().wrap(buffer, 0);
        final int[] attempts = new int[64];
        for (int d = 0; d < 64; d++)
        {
            attempts[d] = record.attempts(d);
        }
        return new DeadLetter(
            messageId,
            queueOf(record),
            RecordStatus.toMessageStatus(record),
            attempts,
            Extras.history(buffer, PendingRecord.LENGTH),
            Extras.lastErrors(buffer, PendingRecord.LENGTH),
            Extras.metadata(buffer, PendingRecord.LENGTH),
            FailureReason.of(record.reason()),
            record.finishedNs(),
            record.hasFlag2(PendingRecord.FLAG2_REPLAYED));
    }

    private QueueIndex index(final int queue)
    {
        QueueIndex index = queues.get(queue);
        if (null == index)
        {
            index = new QueueIndex(queue);
            queues.put(queue, index);
            queueList.add(index);
        }
        return index;
    }

    /**
     * The table the dead letters are kept in.
     *
     * @return the table.
     */
    public BlobTable table()
    {
        return table;
    }

    public void close()
    {
        table.close();
    }

    /**
     * Append the queues to a state image: every dead letter by ascending id, each queue's order, the totals.
     *
     * @param image the image.
     */
    public void appendState(final StateImage image)
    {
        final LongArrayList ids = new LongArrayList();
        table.forEach((messageId, value) -> ids.addLong(messageId));
        final long[] sorted = ids.toLongArray();
        Arrays.sort(sorted);
        image.section("dead letters").putLong(size).putInt(sorted.length);
        for (final long messageId : sorted)
        {
            table.get(messageId, blob);
            image.putLong(messageId).putBytes(blob.buffer(), 0, blob.length());
        }
        final int[] queueIds = queueIds();
        Arrays.sort(queueIds);
        for (final int queue : queueIds)
        {
            final QueueIndex index = queues.get(queue);
            image.putInt(queue).putLong(index.count).putInt(index.ids.size());
            index.ids.forEachLong(image::putLong);
        }
        image.putLong(totalMoved).putLong(totalReplayed).putLong(totalDeleted).putLong(refusedFull)
            .putLong(retentionRemoved).putLong(evictedOldest);
    }

    /**
     * Append the queues exactly to an image: each queue in creation order (the retention pass's round-robin order)
     * with its ids in queue order, stale ones included, and its count; the retention cursor, the totals, the size
     * and the departures. The dead letters themselves are the dead-letter table's content, written with the other
     * keyed tables.
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        out.putInt(queueList.size());
        for (final QueueIndex index : queueList)
        {
            out.putInt(index.queue).putLong(index.count).putInt(index.ids.size());
            index.ids.forEachLong(out::putLong);
        }
        out.putInt(retentionCursor).putLong(totalMoved).putLong(totalReplayed).putLong(totalDeleted)
            .putLong(refusedFull).putLong(retentionRemoved).putLong(evictedOldest).putLong(size).putLong(departures);
    }

    /**
     * Restore the queues from {@link #dump}, replacing what the constructor rebuilt from the table.
     *
     * @param in the image, at what {@link #dump} wrote.
     */
    public void restore(final ImageReader in)
    {
        queues.clear();
        queueList.clear();
        final int count = in.getInt();
        for (int q = 0; q < count; q++)
        {
            final QueueIndex index = index(in.getInt());
            index.count = in.getLong();
            final int ids = in.getInt();
            for (int i = 0; i < ids; i++)
            {
                index.ids.offerLong(in.getLong());
            }
        }
        retentionCursor = in.getInt();
        totalMoved = in.getLong();
        totalReplayed = in.getLong();
        totalDeleted = in.getLong();
        refusedFull = in.getLong();
        retentionRemoved = in.getLong();
        evictedOldest = in.getLong();
        size = in.getLong();
        departures = in.getLong();
    }
}

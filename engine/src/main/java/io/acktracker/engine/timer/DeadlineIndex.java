package io.acktracker.engine.timer;

import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2LongHashMap;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines for up to a fixed number of slots (one slot per tracked record), on Agrona {@link DeadlineTimerWheel}s
 * where one wheel timer stands for a whole tick's bucket of slots.
 * <p>
 * Why buckets: a burst of tracks with the same timeout lands in one tick, and a plain wheel then scans its tick
 * linearly for a free entry and doubles the whole wheel on overflow. Here a tick's slots are chained in an
 * intrusive doubly linked list (slot-indexed arrays), so schedule and cancel are O(1) and allocation-free whatever
 * the shape of the deadlines; the wheel holds one timer per non-empty tick.
 * <p>
 * Two levels: deadlines within the fine wheel's span go to fine ticks (2^20 ns, about 1 ms, by default); later
 * ones go to coarse ticks (about 1 s) whose bucket fires at the start of its tick and cascades its slots into the
 * fine wheel. A slot never fires before its deadline: a fine bucket's timer is set to the last nanosecond of its
 * tick.
 * <p>
 * Agent thread only.
 * <p>
 * Why this file is long: one algorithm (bucketed two-level deadlines over Agrona wheels) and its bookkeeping arrays;
 * splitting it would spread one invariant over several files.
 */
public final class DeadlineIndex
{
    /** Receives a slot whose deadline passed. The slot is no longer scheduled when called; reschedule to keep it. */
    @FunctionalInterface
    public interface Handler
    {
        /**
         * A slot's deadline passed.
         *
         * @param slot       that is due.
         * @param deadlineNs it was scheduled for.
         * @param nowNs      current time.
         */
        void onDeadline(int slot, long deadlineNs, long nowNs);
    }

    /** Marks a slot or bucket link as absent. */
    public static final int NONE = -1;

    private static final long PENDING_TIMER = Long.MIN_VALUE;
    private static final byte FINE = 0;
    private static final byte COARSE = 1;
    private static final int FINE_ALLOCATION = 8;
    private static final int COARSE_ALLOCATION = 16;

    private final int fineShift;
    private final int coarseShift;
    private final int fineTicks;
    private DeadlineTimerWheel fineWheel;
    private DeadlineTimerWheel coarseWheel;
    // what an exact image needs of each wheel that Agrona does not expose, mirrored from its rules: the timers per
    // spoke it has room for (doubled when a spoke overflows) and where a poll that stopped early resumes
    private int fineAllocation = FINE_ALLOCATION;
    private int coarseAllocation = COARSE_ALLOCATION;
    private int finePollIndex;
    private int coarsePollIndex;
    private int abortedIndex;

    private final int[] slotNext;
    private final int[] slotPrev;
    private final int[] slotBucket;
    private final long[] slotDeadline;

    private long[] bucketTick;
    private long[] bucketTimerId;
    private int[] bucketHead;
    private int[] bucketTail;
    private int[] bucketSize;
    private byte[] bucketLevel;
    private int[] freeBuckets;
    private int freeBucketCount;
    private int bucketCapacity;

    private final Long2LongHashMap fineTickToBucket;
    private final Long2LongHashMap coarseTickToBucket;
    private final Long2LongHashMap fineTimerToBucket;
    private final Long2LongHashMap coarseTimerToBucket;

    private int[] deferredBuckets = new int[64];
    private int deferredCount;
    private boolean polling;
    private int expiringBucket = NONE;

    private Handler handler;
    private int budget;
    private long nowNs;
    private int scheduledCount;
    private long wheelPolls;

    // a checkpoint's copy-on-write of the slot arrays (SlotArraysCopy): 0 slots when none is under way
    private SlotArraysCopy arraysCopy;
    private int copyOnWriteSlots;
    private boolean deferArrays;

    private final DeadlineTimerWheel.TimerHandler fineExpiry = this::onFineExpiry;
    private final DeadlineTimerWheel.TimerHandler coarseExpiry = this::onCoarseExpiry;

    /**
     * Index with default tick sizes: fine 2^20 ns x 4096 ticks (4.3 s span), coarse 2^30 ns x 4096 ticks (73 min).
     *
     * @param slotCapacity number of slots.
     * @param startNs      current time.
     */
    public DeadlineIndex(final int slotCapacity, final long startNs)
    {
        this(slotCapacity, startNs, 20, 4096, 30, 4096);
    }

    /**
     * Index with explicit tick sizes.
     *
     * @param slotCapacity number of slots.
     * @param startNs      current time.
     * @param fineShift    log2 of the fine tick in ns.
     * @param fineTicks    fine ticks per wheel, a power of two.
     * @param coarseShift  log2 of the coarse tick in ns; a coarse tick must fit inside the fine span.
     * @param coarseTicks  coarse ticks per wheel, a power of two.
     */
    public DeadlineIndex(
        final int slotCapacity,
        final long startNs,
        final int fineShift,
        final int fineTicks,
        final int coarseShift,
        final int coarseTicks)
    {
        if (coarseShift <= fineShift || (1L << coarseShift) > ((long)(fineTicks - 2) << fineShift))
        {
            throw new IllegalArgumentException("a coarse tick must be longer than a fine tick and fit in the fine span");
        }

        this.fineShift = fineShift;
        this.coarseShift = coarseShift;
        this.fineTicks = fineTicks;
        fineWheel = new DeadlineTimerWheel(
            TimeUnit.NANOSECONDS, align(startNs, fineShift), 1L << fineShift, fineTicks, FINE_ALLOCATION);
        coarseWheel = new DeadlineTimerWheel(
            TimeUnit.NANOSECONDS, align(startNs, coarseShift), 1L << coarseShift, coarseTicks, COARSE_ALLOCATION);

        slotNext = new int[slotCapacity];
        slotPrev = new int[slotCapacity];
        slotBucket = new int[slotCapacity];
        slotDeadline = new long[slotCapacity];
        Arrays.fill(slotBucket, NONE);

        bucketCapacity = 0;
        growBuckets(4096);
        fineTickToBucket = new Long2LongHashMap(8192, 0.65f, NONE);
        coarseTickToBucket = new Long2LongHashMap(8192, 0.65f, NONE);
        fineTimerToBucket = new Long2LongHashMap(8192, 0.65f, NONE);
        coarseTimerToBucket = new Long2LongHashMap(8192, 0.65f, NONE);
        nowNs = startNs;
    }

    /**
     * Schedule a slot that is not scheduled, or move it if it is.
     *
     * @param slot       to schedule.
     * @param deadlineNs absolute time it becomes due.
     * @param nowNs      current time, which decides the wheel level.
     */
    public void schedule(final int slot, final long deadlineNs, final long nowNs)
    {
        if (NONE != slotBucket[slot])
        {
            unlink(slot);
        }

        // never into a tick that is firing now: a due slot lands in the next tick and fires on the next poll
        final long now = Math.max(nowNs, this.nowNs);
        final long effectiveNs = polling ? Math.max(deadlineNs, now + 1) : deadlineNs;
        final long fineTick = effectiveNs >> fineShift;
        final int bucket;
        if (fineTick - (now >> fineShift) < fineTicks - 2)
        {
            bucket = bucketFor(FINE, fineTick);
        }
        else
        {
            bucket = bucketFor(COARSE, effectiveNs >> coarseShift);
        }

        beforeWrite(slot);
        slotDeadline[slot] = deadlineNs;
        slotBucket[slot] = bucket;
        slotNext[slot] = NONE;
        final int tail = bucketTail[bucket];
        slotPrev[slot] = tail;
        if (NONE == tail)
        {
            bucketHead[bucket] = slot;
        }
        else
        {
            beforeWrite(tail);
            slotNext[tail] = slot;
        }
        bucketTail[bucket] = slot;
        bucketSize[bucket]++;
        scheduledCount++;
    }

    /**
     * Remove a slot's deadline.
     *
     * @param slot to cancel.
     * @return true when it was scheduled.
     */
    public boolean cancel(final int slot)
    {
        if (NONE == slotBucket[slot])
        {
            return false;
        }

        final int bucket = unlink(slot);
        if (0 == bucketSize[bucket] && bucket != expiringBucket && PENDING_TIMER != bucketTimerId[bucket])
        {
            final long timerId = bucketTimerId[bucket];
            if (FINE == bucketLevel[bucket])
            {
                fineWheel.cancelTimer(timerId);
                fineTimerToBucket.remove(timerId);
            }
            else
            {
                coarseWheel.cancelTimer(timerId);
                coarseTimerToBucket.remove(timerId);
            }
            freeBucket(bucket);
        }

        return true;
    }

    /**
     * Read a slot's own links, for the first pass over a batch (a completing ack cancels its deadline). Changes
     * nothing.
     *
     * @param slot a valid slot.
     * @return a value depending on what was read (the caller keeps it, so the reads are not optimised away).
     */
    public int touch(final int slot)
    {
        return slotBucket[slot] + slotPrev[slot] + slotNext[slot];
    }

    /**
     * Whether a slot has a deadline.
     *
     * @param slot to check.
     * @return true when scheduled.
     */
    public boolean isScheduled(final int slot)
    {
        return NONE != slotBucket[slot];
    }

    /**
     * Deadline of a scheduled slot.
     *
     * @param slot to read.
     * @return its deadline; meaningless when not scheduled.
     */
    public long deadline(final int slot)
    {
        return slotDeadline[slot];
    }

    /**
     * Fire due slots, at most {@code budget} of them (cascading far slots to the fine wheel counts too).
     *
     * @param nowNs   current time.
     * @param handler receives due slots.
     * @param budget  most slots to handle in this call.
     * @return the number of slots handled or cascaded.
     */
    public int poll(final long nowNs, final Handler handler, final int budget)
    {
        this.nowNs = nowNs;
        this.handler = handler;
        this.budget = budget;
        polling = true;
        try
        {
            pollWheel(coarseWheel, coarseExpiry, coarseShift, nowNs);
            pollWheel(fineWheel, fineExpiry, fineShift, nowNs);
        }
        finally
        {
            polling = false;
            this.handler = null;
            scheduleDeferred();
        }

        return budget - this.budget;
    }

    /**
     * Number of scheduled slots.
     *
     * @return the count.
     */
    public int scheduledCount()
    {
        return scheduledCount;
    }

    /**
     * Polls of the Agrona wheels so far, each scanning one tick: what a long gap in time costs (tests).
     *
     * @return the count.
     */
    long wheelPolls()
    {
        return wheelPolls;
    }

    /**
     * Number of non-empty buckets, each holding one wheel timer.
     *
     * @return the count.
     */
    public int bucketCount()
    {
        return bucketCapacity - freeBucketCount;
    }

    /**
     * Poll one wheel up to {@code now}. A wheel scans one tick per poll, so after a long gap (a paused process, a
     * start from an old checkpoint, a clock step) stepping through every tick up to now would cost a poll per tick:
     * a day is 80,000 coarse ticks. But each scan compares its spoke's timers with {@code now}, so one full turn of
     * the wheel from where it stands expires everything that is due; the steps after that turn could only pass
     * spokes with nothing due. So after a full turn the wheel is wound straight to now's tick: the same expiries in
     * the same order and the same wheel after it as stepping, so images and replays do not change.
     */
    private void pollWheel(
        final DeadlineTimerWheel wheel, final DeadlineTimerWheel.TimerHandler expiry, final int shift, final long now)
    {
        final long turnEndTickTime = wheel.currentTickTime() + ((long)wheel.ticksPerWheel() << shift);
        while (budget > 0)
        {
            if (0 == wheel.timerCount())
            {
                if (now >= wheel.currentTickTime())
                {
                    wheel.resetStartTime(align(now, shift));
                    pollIndex(wheel, 0);
                }
                return;
            }

            final long tickTime = wheel.currentTickTime();
            if (now >= tickTime && tickTime - turnEndTickTime >= 0)
            {
                // every spoke was scanned against now in this call: nothing else is due before now's tick
                wheel.currentTickTime(now);
                pollIndex(wheel, 0);
                continue;
            }
            abortedIndex = -1;
            wheelPolls++;
            wheel.poll(now, expiry, Integer.MAX_VALUE);
            if (tickTime != wheel.currentTickTime())
            {
                pollIndex(wheel, 0);
            }
            else
            {
                if (abortedIndex >= 0)
                {
                    // the wheel stopped at the timer whose bucket ran out of budget and resumes there next poll
                    pollIndex(wheel, abortedIndex);
                }
                return;
            }
        }
    }

    private boolean onFineExpiry(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final int bucket = (int)fineTimerToBucket.get(timerId);
        if (drain(bucket, now, true))
        {
            return retire(bucket, fineTimerToBucket, timerId);
        }
        abortedIndex = (int)timerId;
        return false;
    }

    private boolean onCoarseExpiry(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final int bucket = (int)coarseTimerToBucket.get(timerId);
        if (drain(bucket, now, false))
        {
            return retire(bucket, coarseTimerToBucket, timerId);
        }
        abortedIndex = (int)timerId;
        return false;
    }

    private boolean drain(final int bucket, final long now, final boolean fire)
    {
        expiringBucket = bucket;
        try
        {
            while (bucketSize[bucket] > 0)
            {
                if (budget <= 0)
                {
                    return false;
                }
                budget--;

                final int slot = bucketHead[bucket];
                final long deadline = slotDeadline[slot];
                unlink(slot);
                if (fire || deadline - now <= 0)
                {
                    handler.onDeadline(slot, deadline, now);
                }
                else
                {
                    schedule(slot, deadline, now);
                }
            }
            return true;
        }
        finally
        {
            expiringBucket = NONE;
        }
    }

    private boolean retire(final int bucket, final Long2LongHashMap timerToBucket, final long timerId)
    {
        timerToBucket.remove(timerId);
        freeBucket(bucket);
        return true;
    }

    private int unlink(final int slot)
    {
        final int bucket = slotBucket[slot];
        final int prev = slotPrev[slot];
        final int next = slotNext[slot];
        beforeWrite(slot);
        if (NONE == prev)
        {
            bucketHead[bucket] = next;
        }
        else
        {
            beforeWrite(prev);
            slotNext[prev] = next;
        }
        if (NONE == next)
        {
            bucketTail[bucket] = prev;
        }
        else
        {
            beforeWrite(next);
            slotPrev[next] = prev;
        }

        slotBucket[slot] = NONE;
        slotNext[slot] = NONE;
        slotPrev[slot] = NONE;
        bucketSize[bucket]--;
        scheduledCount--;
        return bucket;
    }

    private void beforeWrite(final int slot)
    {
        // 0 unless a checkpoint's copy is under way: one predictable branch on a plain field
        if (slot < copyOnWriteSlots)
        {
            arraysCopy.beforeWrite(slot);
        }
    }

    private int bucketFor(final byte level, final long tick)
    {
        final Long2LongHashMap tickToBucket = FINE == level ? fineTickToBucket : coarseTickToBucket;
        final long existing = tickToBucket.get(tick);
        if (NONE != existing)
        {
            return (int)existing;
        }

        if (0 == freeBucketCount)
        {
            growBuckets(bucketCapacity * 2);
        }
        final int bucket = freeBuckets[--freeBucketCount];
        bucketTick[bucket] = tick;
        bucketLevel[bucket] = level;
        bucketHead[bucket] = NONE;
        bucketTail[bucket] = NONE;
        bucketSize[bucket] = 0;
        tickToBucket.put(tick, bucket);

        if (polling)
        {
            bucketTimerId[bucket] = PENDING_TIMER;
            if (deferredCount == deferredBuckets.length)
            {
                deferredBuckets = Arrays.copyOf(deferredBuckets, deferredCount * 2);
            }
            deferredBuckets[deferredCount++] = bucket;
        }
        else
        {
            scheduleBucketTimer(bucket);
        }

        return bucket;
    }

    private void scheduleBucketTimer(final int bucket)
    {
        final long tick = bucketTick[bucket];
        if (FINE == bucketLevel[bucket])
        {
            final long timerId = fineWheel.scheduleTimer(timerDeadline(bucket));
            bucketTimerId[bucket] = timerId;
            fineTimerToBucket.put(timerId, bucket);
            if ((int)timerId >= fineAllocation)
            {
                // the spoke was full: Agrona doubled every spoke and put the timer first in the new half
                fineAllocation <<= 1;
            }
        }
        else
        {
            final long timerId = coarseWheel.scheduleTimer(timerDeadline(bucket));
            bucketTimerId[bucket] = timerId;
            coarseTimerToBucket.put(timerId, bucket);
            if ((int)timerId >= coarseAllocation)
            {
                coarseAllocation <<= 1;
            }
        }
    }

    private long timerDeadline(final int bucket)
    {
        final long tick = bucketTick[bucket];
        return FINE == bucketLevel[bucket] ? ((tick + 1) << fineShift) - 1 : tick << coarseShift;
    }

    private void pollIndex(final DeadlineTimerWheel wheel, final int index)
    {
        if (wheel == fineWheel)
        {
            finePollIndex = index;
        }
        else
        {
            coarsePollIndex = index;
        }
    }

    private void scheduleDeferred()
    {
        for (int i = 0; i < deferredCount; i++)
        {
            final int bucket = deferredBuckets[i];
            if (bucketSize[bucket] > 0 && PENDING_TIMER == bucketTimerId[bucket])
            {
                scheduleBucketTimer(bucket);
            }
            else if (0 == bucketSize[bucket])
            {
                freeBucket(bucket);
            }
        }
        deferredCount = 0;
    }

    private void freeBucket(final int bucket)
    {
        (FINE == bucketLevel[bucket] ? fineTickToBucket : coarseTickToBucket).remove(bucketTick[bucket]);
        bucketTimerId[bucket] = PENDING_TIMER;
        bucketSize[bucket] = 0;
        freeBuckets[freeBucketCount++] = bucket;
    }

    private void growBuckets(final int newCapacity)
    {
        final int oldCapacity = bucketCapacity;
        bucketTick = null == bucketTick ? new long[newCapacity] : Arrays.copyOf(bucketTick, newCapacity);
        bucketTimerId = null == bucketTimerId ? new long[newCapacity] : Arrays.copyOf(bucketTimerId, newCapacity);
        bucketHead = null == bucketHead ? new int[newCapacity] : Arrays.copyOf(bucketHead, newCapacity);
        bucketTail = null == bucketTail ? new int[newCapacity] : Arrays.copyOf(bucketTail, newCapacity);
        bucketSize = null == bucketSize ? new int[newCapacity] : Arrays.copyOf(bucketSize, newCapacity);
        bucketLevel = null == bucketLevel ? new byte[newCapacity] : Arrays.copyOf(bucketLevel, newCapacity);
        freeBuckets = null == freeBuckets ? new int[newCapacity] : Arrays.copyOf(freeBuckets, newCapacity);
        for (int i = newCapacity - 1; i >= oldCapacity; i--)
        {
            freeBuckets[freeBucketCount++] = i;
            bucketTimerId[i] = PENDING_TIMER;
        }
        bucketCapacity = newCapacity;
    }

    /**
     * Append the whole index, exactly, to an image: every slot's links and deadline, every bucket (tick, level,
     * timer id, slot order) and the free-bucket stack as they are, and each wheel's start time, current tick time,
     * spoke allocation, resume index and timer count. Only between polls (the agent's duty cycle start).
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        if (polling || 0 != deferredCount)
        {
            throw new IllegalStateException("a deadline index is dumped between polls only");
        }
        out.section(ImageSections.DEADLINES).putLong(nowNs).putInt(scheduledCount);
        if (deferArrays)
        {
            arraysCopy.reserve(out);
        }
        else
        {
            out.putInts(slotNext, slotNext.length).putInts(slotPrev, slotPrev.length)
                .putInts(slotBucket, slotBucket.length).putLongs(slotDeadline, slotDeadline.length);
        }
        out.putInt(bucketCapacity).putLongs(bucketTick, bucketCapacity).putLongs(bucketTimerId, bucketCapacity)
            .putInts(bucketHead, bucketCapacity).putInts(bucketTail, bucketCapacity)
            .putInts(bucketSize, bucketCapacity).putBytes(bucketLevel, bucketCapacity)
            .putInts(freeBuckets, freeBucketCount);
        dumpWheel(out, fineWheel, fineAllocation, finePollIndex);
        dumpWheel(out, coarseWheel, coarseAllocation, coarsePollIndex);
    }

    /**
     * A checkpoint's copy-on-write of the slot arrays ({@link SlotArraysCopy}): while deferred, {@link #dump} only
     * reserves their place in the image; while on, every change of a slot's entries copies its chunk first.
     *
     * @param defer whether {@link #dump} reserves instead of copying.
     * @param on    whether changes are copied first.
     * @return the copy, to begin and hand to the helper.
     */
    public SlotArraysCopy copyOnWrite(final boolean defer, final boolean on)
    {
        if (null == arraysCopy)
        {
            arraysCopy = new SlotArraysCopy(slotNext, slotPrev, slotBucket, slotDeadline);
        }
        deferArrays = defer;
        copyOnWriteSlots = on ? slotNext.length : 0;
        return arraysCopy;
    }

    /**
     * Restore the index from {@link #dump}: the arrays as they were, the tick and timer maps rebuilt from the
     * buckets, and each wheel rebuilt exactly (see {@link WheelRebuild#restore}). Into an index of the same slot capacity
     * and tick sizes, before any schedule.
     *
     * @param in the image, at what {@link #dump} wrote.
     * @throws IllegalStateException when the image does not fit this index or a wheel cannot be rebuilt exactly.
     */
    public void restore(final ImageReader in)
    {
        in.section(ImageSections.DEADLINES, "deadlines");
        nowNs = in.getLong();
        scheduledCount = in.getInt();
        readExactly(in.getInts(slotNext), in.lastCount(), slotNext.length);
        readExactly(in.getInts(slotPrev), in.lastCount(), slotPrev.length);
        readExactly(in.getInts(slotBucket), in.lastCount(), slotBucket.length);
        readExactly(in.getLongs(slotDeadline), in.lastCount(), slotDeadline.length);
        final int capacity = in.getInt();
        bucketTick = in.getLongs(new long[capacity]);
        readExactly(bucketTick, in.lastCount(), capacity);
        bucketTimerId = in.getLongs(new long[capacity]);
        bucketHead = in.getInts(new int[capacity]);
        bucketTail = in.getInts(new int[capacity]);
        bucketSize = in.getInts(new int[capacity]);
        bucketLevel = in.getBytes(new byte[capacity]);
        freeBuckets = in.getInts(new int[capacity]);
        freeBucketCount = in.lastCount();
        bucketCapacity = capacity;
        fineTickToBucket.clear();
        coarseTickToBucket.clear();
        fineTimerToBucket.clear();
        coarseTimerToBucket.clear();
        for (int bucket = 0; bucket < capacity; bucket++)
        {
            if (PENDING_TIMER != bucketTimerId[bucket])
            {
                (FINE == bucketLevel[bucket] ? fineTickToBucket : coarseTickToBucket).put(bucketTick[bucket], bucket);
                (FINE == bucketLevel[bucket] ? fineTimerToBucket : coarseTimerToBucket)
                    .put(bucketTimerId[bucket], bucket);
            }
        }
        final WheelRebuild rebuild = new WheelRebuild(this::timerDeadline);
        fineWheel = rebuild.restore(in, fineTimerToBucket, fineShift, fineWheel.ticksPerWheel());
        finePollIndex = rebuild.pollIndex();
        fineAllocation = rebuild.allocation();
        coarseWheel = rebuild.restore(in, coarseTimerToBucket, coarseShift, coarseWheel.ticksPerWheel());
        coarsePollIndex = rebuild.pollIndex();
        coarseAllocation = rebuild.allocation();
    }

    private static void dumpWheel(
        final ImageWriter out, final DeadlineTimerWheel wheel, final int allocation, final int pollIndex)
    {
        out.putLong(wheel.startTime()).putLong(wheel.currentTickTime()).putInt(allocation).putInt(pollIndex)
            .putLong(wheel.timerCount());
    }

    private static void readExactly(final Object array, final int count, final int length)
    {
        if (count != length)
        {
            throw new IllegalStateException("the image holds " + count + " deadline entries, this index " + length);
        }
    }

    private static long align(final long timeNs, final int shift)
    {
        return (timeNs >> shift) << shift;
    }
}

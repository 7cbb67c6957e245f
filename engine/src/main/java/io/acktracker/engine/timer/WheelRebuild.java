package io.acktracker.engine.timer;

import io.acktracker.engine.state.ImageReader;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;

/**
 * Rebuilds the {@link DeadlineIndex}'s Agrona wheels exactly from a checkpoint's image (out of the index, which is
 * long enough).
 * <p>
 * The thread restoring a fresh tracker.
 */
final class WheelRebuild
{
    private final IntToLongFunction timerDeadline;
    private int lastPollIndex;
    private int lastAllocation;

    /**
     * @param timerDeadline the deadline of a bucket's wheel timer.
     */
    WheelRebuild(final IntToLongFunction timerDeadline)
    {
        this.timerDeadline = timerDeadline;
    }

    /**
     * @return the resume index of the wheel last rebuilt.
     */
    int pollIndex()
    {
        return lastPollIndex;
    }

    /**
     * @return the per-spoke allocation of the wheel last rebuilt.
     */
    int allocation()
    {
        return lastAllocation;
    }

    /**
     * Rebuild an Agrona wheel (whose arrays cannot be read or set) into exactly the state of the one dumped, through
     * its public operations only:
     * <ol>
     *     <li>the same start time, tick size, spokes and per-spoke allocation; then {@code currentTickTime(t - tick)}
     *     winds its current tick to the original's, so every deadline maps to the same spoke;</li>
     *     <li>the resume index of a poll that stopped early: fillers take indices 0 to p of the current spoke, only
     *     the one at p due, and a poll whose handler refuses it leaves the wheel resuming at p; the fillers are
     *     cancelled;</li>
     *     <li>each live timer, spoke by spoke in index order, scheduled with its real deadline: a timer not yet due
     *     maps to its own spoke, and an overdue one can only be in the current spoke (the wheel leaves a spoke only
     *     once every due timer in it fired), where it maps again; fillers with the same deadline occupy the holes
     *     before it, so it takes its original index, and are cancelled afterwards.</li>
     * </ol>
     * Every timer id returned is checked against the original, so the wheel's array holds the same deadlines at the
     * same places, and its start time, current tick, resume index, allocation and timer count are the same: no
     * residual difference. A wheel that cannot be rebuilt so (another Agrona, a broken mirror) is refused.
     *
     * @param in            the image, at what {@code DeadlineIndex.dump} wrote of the wheel.
     * @param timerToBucket the wheel's timer ids to their buckets, rebuilt from the buckets.
     * @param shift         log2 of the wheel's tick in ns.
     * @param ticks         spokes.
     * @return the rebuilt wheel ({@link #pollIndex()} and {@link #allocation()} give its mirror fields).
     * @throws IllegalStateException when it cannot be rebuilt exactly.
     */
    DeadlineTimerWheel restore(
        final ImageReader in, final Long2LongHashMap timerToBucket, final int shift, final int ticks)
    {
        final long startTime = in.getLong();
        final long tickTime = in.getLong();
        final int allocation = in.getInt();
        final int pollIndex = in.getInt();
        final long timerCount = in.getLong();
        final long resolution = 1L << shift;
        final DeadlineTimerWheel wheel =
            new DeadlineTimerWheel(TimeUnit.NANOSECONDS, startTime, resolution, ticks, allocation);
        wheel.currentTickTime(tickTime - resolution);
        require(wheel.currentTickTime() == tickTime, "current tick time");

        final LongArrayList fillers = new LongArrayList();
        if (pollIndex > 0)
        {
            for (int i = 0; i <= pollIndex; i++)
            {
                final long id = wheel.scheduleTimer(i < pollIndex ? tickTime - 1 : tickTime - 2);
                require((int)id == i, "resume index filler");
                fillers.addLong(id);
            }
            wheel.poll(tickTime - 2, (unit, now, id) -> false, Integer.MAX_VALUE);
            cancelAll(wheel, fillers);
        }

        final long[] ids = new long[timerToBucket.size()];
        final Long2LongHashMap.KeyIterator keys = timerToBucket.keySet().iterator();
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = keys.nextValue();
        }
        Arrays.sort(ids);
        for (int i = 0; i < ids.length; )
        {
            final int spoke = (int)(ids[i] >> 32);
            int end = i;
            while (end < ids.length && (int)(ids[end] >> 32) == spoke)
            {
                end++;
            }
            final long spokeDeadline = timerDeadline.applyAsLong((int)timerToBucket.get(ids[end - 1]));
            int next = 0;
            for (int k = i; k < end; k++)
            {
                final int index = (int)ids[k];
                while (next < index)
                {
                    fillers.addLong(wheel.scheduleTimer(spokeDeadline));
                    next++;
                }
                final long id = wheel.scheduleTimer(timerDeadline.applyAsLong((int)timerToBucket.get(ids[k])));
                require(id == ids[k], "timer " + ids[k]);
                next++;
            }
            i = end;
        }
        cancelAll(wheel, fillers);
        require(wheel.timerCount() == timerCount, "timer count");
        lastPollIndex = pollIndex;
        lastAllocation = allocation;
        return wheel;
    }

    private static void cancelAll(final DeadlineTimerWheel wheel, final LongArrayList ids)
    {
        for (int i = 0; i < ids.size(); i++)
        {
            wheel.cancelTimer(ids.getLong(i));
        }
        ids.clear();
    }

    private static void require(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new IllegalStateException("the deadline wheel cannot be rebuilt exactly: " + what);
        }
    }

}

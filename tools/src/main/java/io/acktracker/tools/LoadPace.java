package io.acktracker.tools;

import java.util.concurrent.TimeUnit;

/**
 * Whether {@code load} keeps up with the rate asked for, measured rather than capped: one thread sends every Track
 * and every ack (and reads every outcome), so the highest rate it can drive depends on the machine, the channel and
 * the tracker's back pressure, not on a number fixed in the code. After the first second, a run that has tracked
 * less than half of what the schedule called for is refused, with what it did manage; a shortfall smaller than that
 * is a stall the latency figures show (they are timed from the schedule), not a rate out of reach.
 * <p>
 * Threading: any thread; stateless.
 */
final class LoadPace
{
    /** How long the load runs before its pace is judged. */
    static final long JUDGED_AFTER_NS = TimeUnit.SECONDS.toNanos(1);

    private LoadPace()
    {
    }

    /**
     * Judge the pace.
     *
     * @param rate          messages per second asked for.
     * @param elapsedNs     time since the load started.
     * @param tracked       messages tracked so far.
     * @param backPressured times a Track or an ack found Aeron back-pressured so far.
     * @param frames        frames sent per message (its Track and one ack per destination).
     * @return null when it keeps up, else one line saying why the rate is refused and what to ask for instead.
     */
    static String refusal(final int rate, final long elapsedNs, final long tracked, final long backPressured,
        final int frames)
    {
        final double seconds = elapsedNs / 1e9;
        final double due = rate * seconds;
        if (elapsedNs < JUDGED_AFTER_NS || tracked * 2 >= due)
        {
            return null;
        }
        final long achieved = (long)(tracked / seconds);
        return String.format("--rate %,d/s cannot be driven from here: in its first %.1f s the load's one sending " +
            "thread tracked %,d messages (~%,d/s, %d frames each: the Track and an ack per destination)%s; try " +
            "--rate %,d or less", rate, seconds, tracked, achieved, frames,
            0 == backPressured ? "" : String.format(" and found the tracker's stream back-pressured %,d times",
            backPressured), suggestion(achieved));
    }

    /**
     * A rate to suggest: four fifths of what was achieved, to two significant digits, at least 1.
     *
     * @param achieved messages per second achieved.
     * @return the suggestion.
     */
    static long suggestion(final long achieved)
    {
        final long target = achieved * 4 / 5;
        if (target < 100)
        {
            return Math.max(1, target);
        }
        long scale = 1;
        while (target / scale >= 100)
        {
            scale *= 10;
        }
        return target / scale * scale;
    }
}

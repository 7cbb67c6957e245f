package io.acktracker.tools;

import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The failover part of {@code demo --cluster}'s report: a line per leader kill (the member, when a new leader was
 * seen, when completions from it resumed), the spread of both over the run, and the elections nobody asked for.
 * <p>
 * Threading: the demo's thread.
 */
final class FailoverReport
{
    /** One leader kill and what followed it: {@code System.nanoTime()} values, 0 while not seen. */
    static final class Kill
    {
        int member;
        long atNs;
        long electedNs;
        int newLeader = -1;
        long resumedNs;
    }

    private FailoverReport()
    {
    }

    /**
     * Print the kills done and their spread.
     *
     * @param out            where the report goes.
     * @param done           the kills done, in order.
     * @param leadersElected leaders elected over the run, the first included.
     */
    static void print(final PrintWriter out, final List<Kill> done, final int leadersElected)
    {
        out.println();
        out.println("Failovers");
        for (int i = 0; i < done.size(); i++)
        {
            final Kill kill = done.get(i);
            out.printf("  kill %d: member %d; %s; %s%n", i + 1, kill.member, 0 == kill.electedNs ? "no new leader " +
                "seen" : "member " + kill.newLeader + " elected after " +
                String.format(Locale.ROOT, "%,d ms", TimeUnit.NANOSECONDS.toMillis(kill.electedNs - kill.atNs)),
                0 == kill.resumedNs ? "no completion after it" : "completions resumed after " +
                String.format(Locale.ROOT, "%,d ms", TimeUnit.NANOSECONDS.toMillis(kill.resumedNs - kill.atNs)));
        }
        if (!done.isEmpty())
        {
            out.printf("  new leader elected after: %s; completions resumed after: %s%n",
                spread(done, false), spread(done, true));
        }
        // the trade-off of a short leader timeout: elections when a member stalls longer than it
        final int unasked = Math.max(0, leadersElected - 1 - done.size());
        out.printf("  leaders elected: %d (the first, %d after kills, %d nobody asked for)%n",
            leadersElected, done.size(), unasked);
    }

    /** Median, 90th percentile and max of the kills' election or resumption times, and how many took over 1 s. */
    private static String spread(final List<Kill> done, final boolean resumed)
    {
        final Histogram millis = new Histogram(TimeUnit.HOURS.toMillis(1), 3);
        for (final Kill kill : done)
        {
            final long atNs = resumed ? kill.resumedNs : kill.electedNs;
            if (0 != atNs)
            {
                millis.recordValue(TimeUnit.NANOSECONDS.toMillis(atNs - kill.atNs));
            }
        }
        return 0 == millis.getTotalCount() ? "none seen" : String.format(Locale.ROOT,
            "median %,d ms, 90%% %,d ms, max %,d ms, %d of %d over 1 s", millis.getValueAtPercentile(50),
            millis.getValueAtPercentile(90), millis.getMaxValue(),
            millis.getCountBetweenValues(1_001, Math.max(1_001, millis.getMaxValue())), millis.getTotalCount());
    }

}

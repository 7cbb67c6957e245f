package io.acktracker.bench.compare;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The burst deadline case on a real clock: {@code count} messages are tracked as fast as the peer takes them, each
 * with the timeout that puts its deadline at the same instant D (so they all land in one timer tick), none is acked;
 * then the run waits for every timeout. Reports the time per track, and the time from D until the last timeout
 * reached the sink, per message (the expiry throughput), plus how late the first and the last one were.
 * <p>
 * One unmeasured round of the same size runs first in the same JVM, so the measured round sees compiled code.
 * Kafka takes timeouts in whole milliseconds, so its deadlines spread over up to 1 ms (one or two ticks).
 * Driver thread; host-driven peers run their duty cycle while waiting.
 */
final class BurstRun
{
    private BurstRun()
    {
    }

    static RunResult run(final Peer peer, final int count, final long leadNs, final RunResult result)
    {
        final JvmProbe probe = new JvmProbe();
        final BurstSink sink = new BurstSink();
        peer.open(new PeerSpec(1, 1, count, count), sink);
        try
        {
            final Round warmup = round(peer, sink, 1, count, leadNs, probe);
            final Round measured = round(peer, sink, 1 + count, count, leadNs, probe);
            result.put("burst", count)
                .put("leadMs", leadNs / 1e6)
                .put("warmupTrackNsPerMessage", warmup.trackNs / (double)count)
                .put("trackNsPerMessage", measured.trackNs / (double)count)
                .put("trackCpuNsPerMessage", measured.trackCpuNs / (double)count)
                .put("firstTimeoutLateMs", measured.firstLateNs / 1e6)
                .put("lastTimeoutLateMs", measured.lastLateNs / 1e6)
                .put("expiryNsPerMessage", measured.lastLateNs / (double)count)
                .put("expiryCpuNsPerMessage", measured.expiryCpuNs / (double)count)
                .put("timedOutObserved", measured.timedOut)
                .put("completedObserved", sink.completed.get())
                .put("gcCount", measured.gcCount)
                .put("gcPauseTotalMsDuringExpiry", measured.pauseTotalNs / 1e6)
                .put("gcPauseMaxMsDuringExpiry", measured.pauseMaxNs / 1e6);
            final String errors = null != measured.error ? measured.error :
                warmup.timedOut != count ? "warm-up round: " + warmup.error :
                0 != sink.completed.get() ? "completions in a burst of never-acked messages" : "none";
            result.put("errors", errors);
        }
        finally
        {
            peer.close();
        }
        return result;
    }

    private static Round round(
        final Peer peer, final BurstSink sink, final long firstId, final int count, final long leadNs,
        final JvmProbe probe)
    {
        final Round round = new Round();
        sink.arm(count);
        final long deadlineNs = System.nanoTime() + leadNs;
        final long gcBefore = JvmProbe.gcCount();
        final long cpuBefore = JvmProbe.processCpuNs();
        final long startNs = System.nanoTime();
        for (int i = 0; i < count; i++)
        {
            peer.track(firstId + i, Math.max(1, deadlineNs - System.nanoTime()));
            if ((i & 63) == 0)
            {
                peer.doWork();
            }
        }
        final long trackedNs = System.nanoTime();
        round.trackNs = trackedNs - startNs;
        round.trackCpuNs = JvmProbe.processCpuNs() - cpuBefore;
        if (trackedNs - deadlineNs > 0)
        {
            round.error = "tracking took longer than the lead time: deadlines were already passing";
        }

        while (System.nanoTime() - deadlineNs < 0)
        {
            peer.doWork();
        }
        probe.resetPauses();
        final long expiryCpuBefore = JvmProbe.processCpuNs();
        final long giveUpNs = deadlineNs + TimeUnit.SECONDS.toNanos(120);
        while (sink.timedOut.get() < count && System.nanoTime() - giveUpNs < 0)
        {
            if (0 == peer.doWork())
            {
                Thread.onSpinWait();
            }
        }
        round.expiryCpuNs = JvmProbe.processCpuNs() - expiryCpuBefore;
        final long[] pauses = probe.pauses();
        round.pauseTotalNs = pauses[1];
        round.pauseMaxNs = pauses[2];
        round.gcCount = JvmProbe.gcCount() - gcBefore;
        round.timedOut = sink.timedOut.get();
        round.firstLateNs = sink.firstNs - deadlineNs;
        round.lastLateNs = sink.lastNs - deadlineNs;
        if (round.timedOut != count && null == round.error)
        {
            round.error = "timed out " + round.timedOut + " of " + count;
        }
        return round;
    }

    private static final class Round
    {
        long trackNs;
        long trackCpuNs;
        long expiryCpuNs;
        long firstLateNs;
        long lastLateNs;
        long pauseTotalNs;
        long pauseMaxNs;
        long gcCount;
        long timedOut;
        String error;
    }

    /** Counts the timeouts of one round and notes when the first and the last arrived. Any thread. */
    private static final class BurstSink implements OutcomeSink
    {
        final AtomicLong timedOut = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        private volatile long target;
        volatile long firstNs;
        volatile long lastNs;

        void arm(final long target)
        {
            this.target = target;
            firstNs = 0;
            lastNs = 0;
            timedOut.set(0);
        }

        public void onCompleted(final long messageId)
        {
            completed.incrementAndGet();
        }

        public void onTimedOut(final long messageId)
        {
            final long count = timedOut.incrementAndGet();
            if (1 == count)
            {
                firstNs = System.nanoTime();
            }
            if (count == target)
            {
                lastNs = System.nanoTime();
            }
        }
    }
}

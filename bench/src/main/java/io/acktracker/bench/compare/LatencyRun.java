package io.acktracker.bench.compare;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Latency at a fixed ack rate: the driver sends acks on a fixed schedule (one every {@code 1e9 / rate} ns) and the
 * sink records, for every completion, the time from the scheduled send of its completing ack to the outcome being
 * observed. Timing from the schedule, not from the actual send, corrects for coordinated omission: when a peer
 * stalls the driver (a pause, a slow call), every ack that should have gone out meanwhile is charged the wait.
 * While ahead of schedule the driver spins, running the peer's duty cycle if it has one.
 * <p>
 * Writes the interval histograms of the measured window as {@code .hlog} (one per second) and the whole
 * distribution as {@code .hgrm} (microseconds). Driver thread, plus one thread that writes the interval log.
 */
final class LatencyRun
{
    /** Highest latency kept: one hour. */
    static final long HIGHEST_NS = TimeUnit.HOURS.toNanos(1);

    private LatencyRun()
    {
    }

    static RunResult run(
        final WorkloadSpec spec,
        final Peer peer,
        final double ratePerSecond,
        final long warmupNs,
        final long measureNs,
        final Path outDir,
        final String runId,
        final RunResult result)
    {
        final Recorder recorder = new Recorder(HIGHEST_NS, 3);
        final JvmProbe probe = new JvmProbe();
        final double intervalNs = 1e9 / ratePerSecond;
        final Path hlog = outDir.resolve(runId + ".hlog");
        final Path hgrm = outDir.resolve(runId + ".hgrm");

        try (SteadyState state = SteadyState.open(
            spec, peer, RunSink.latency(recorder), ThroughputRun.extraCapacity(spec), result, false))
        {
            paced(state, intervalNs, warmupNs, false);
            recorder.reset();

            final Histogram total = new Histogram(HIGHEST_NS, 3);
            probe.resetPauses();
            final long gcBefore = JvmProbe.gcCount();
            final long cpuBefore = JvmProbe.processCpuNs();
            final long acksBefore = state.stream.acks();
            final long startMs = System.currentTimeMillis();
            final long startNs = System.nanoTime();

            final IntervalLogger logger = new IntervalLogger(recorder, total, hlog, startMs, runId);
            logger.start();
            final long behindNs = paced(state, intervalNs, measureNs, true);
            final long elapsedNs = System.nanoTime() - startNs;
            final long cpuNs = JvmProbe.processCpuNs() - cpuBefore;
            final long acks = state.stream.acks() - acksBefore;
            state.drainCompletions(5_000_000_000L);
            logger.finish();

            writeHgrm(total, hgrm);
            final long[] pauses = probe.pauses();
            result.put("targetAcksPerSecond", ratePerSecond)
                .put("achievedAcksPerSecond", acks * 1e9 / elapsedNs)
                .put("behindScheduleMs", behindNs / 1e6)
                .put("saturated", behindNs > measureNs / 10)
                .put("measuredSeconds", elapsedNs / 1e9)
                .put("acks", acks)
                .put("latencyCount", total.getTotalCount())
                .put("p50Us", total.getValueAtPercentile(50) / 1e3)
                .put("p90Us", total.getValueAtPercentile(90) / 1e3)
                .put("p99Us", total.getValueAtPercentile(99) / 1e3)
                .put("p999Us", total.getValueAtPercentile(99.9) / 1e3)
                .put("p9999Us", total.getValueAtPercentile(99.99) / 1e3)
                .put("maxUs", total.getMaxValue() / 1e3)
                .put("cpuMsPerMillionAcks", cpuNs / 1e6 / (acks / 1e6))
                .put("cpuCoresBusy", (double)cpuNs / elapsedNs)
                .put("gcCount", JvmProbe.gcCount() - gcBefore)
                .put("gcPauses", pauses[0])
                .put("gcPauseTotalMs", pauses[1] / 1e6)
                .put("gcPauseMaxMs", pauses[2] / 1e6)
                .put("hlog", hlog.getFileName())
                .put("hgrm", hgrm.getFileName());
            state.check(result);
        }
        return result;
    }

    /**
     * Send acks on schedule for a while.
     *
     * @return how far behind schedule the last ack went out, in ns (0 when on time).
     */
    private static long paced(final SteadyState state, final double intervalNs, final long durationNs,
        final boolean stamp)
    {
        final Peer peer = state.peer;
        final AckStream stream = state.stream;
        final RunSink stamps = stamp ? state.sink : null;
        final long startNs = System.nanoTime();
        long behindNs = 0;
        for (long k = 0; ; k++)
        {
            final long offsetNs = (long)(k * intervalNs);
            if (offsetNs >= durationNs)
            {
                break;
            }
            final long intendedNs = startNs + offsetNs;
            long nowNs;
            while ((nowNs = System.nanoTime()) - intendedNs < 0)
            {
                if (0 == peer.doWork())
                {
                    Thread.onSpinWait();
                }
            }
            behindNs = nowNs - intendedNs;
            stream.step(stamps, intendedNs);
            if ((k & 63) == 63)
            {
                // behind schedule the wait above never runs: a host-driven peer still needs its duty cycle
                peer.doWork();
            }
        }
        return behindNs;
    }

    private static void writeHgrm(final Histogram histogram, final Path file)
    {
        try (PrintStream out = new PrintStream(file.toFile(), "UTF-8"))
        {
            histogram.outputPercentileDistribution(out, 5, 1000.0);
        }
        catch (final java.io.IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Writes one interval histogram per second to the {@code .hlog} and adds it to the total. */
    private static final class IntervalLogger extends Thread
    {
        private final Recorder recorder;
        private final Histogram total;
        private final PrintStream out;
        private final HistogramLogWriter writer;
        private volatile boolean running = true;
        private Histogram interval;

        IntervalLogger(final Recorder recorder, final Histogram total, final Path file, final long startMs,
            final String runId)
        {
            super("hlog-writer");
            setDaemon(true);
            this.recorder = recorder;
            this.total = total;
            try
            {
                this.out = new PrintStream(file.toFile(), "UTF-8");
            }
            catch (final FileNotFoundException | java.io.UnsupportedEncodingException ex)
            {
                throw new UncheckedIOException(new java.io.IOException(ex));
            }
            writer = new HistogramLogWriter(out);
            writer.outputComment("acktracker bench: " + runId + " (values in ns)");
            writer.outputLogFormatVersion();
            writer.outputStartTime(startMs);
            writer.setBaseTime(startMs);
            writer.outputLegend();
        }

        public void run()
        {
            while (running)
            {
                try
                {
                    Thread.sleep(1000);
                }
                catch (final InterruptedException ex)
                {
                    break;
                }
                flush();
            }
        }

        private synchronized void flush()
        {
            interval = recorder.getIntervalHistogram(interval);
            if (interval.getTotalCount() > 0)
            {
                writer.outputIntervalHistogram(interval);
                total.add(interval);
            }
        }

        void finish()
        {
            running = false;
            interrupt();
            try
            {
                join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            flush();
            out.close();
        }
    }
}

package io.acktracker.bench.compare;

/**
 * Most acks per second one driver thread gets through a peer in steady state, with the CPU time the whole process
 * spent per million acks (the driver, the peer's helper threads, GC and JIT), and the GC pauses in the measured
 * window. Warm-up first, then the measured window; completions are checked against the stream afterwards.
 * <p>
 * Driver thread only.
 */
final class ThroughputRun
{
    private static final int DUTY_CYCLE_EVERY = 64;

    private ThroughputRun()
    {
    }

    static RunResult run(
        final WorkloadSpec spec,
        final Peer peer,
        final long warmupNs,
        final long measureNs,
        final boolean memory,
        final RunResult result)
    {
        final JvmProbe probe = new JvmProbe();
        try (SteadyState state = SteadyState.open(
            spec, peer, RunSink.counting(), extraCapacity(spec), result, memory))
        {
            final AckStream stream = state.stream;
            runFor(stream, peer, warmupNs);

            probe.resetPauses();
            final long gcBefore = JvmProbe.gcCount();
            final long cpuBefore = JvmProbe.processCpuNs();
            final long driverCpuBefore = JvmProbe.threadCpuNs();
            final long acksBefore = stream.acks();
            final long completionsBefore = stream.completingAcks();
            final long timeoutsBefore = state.sink.timedOut();
            final long startNs = System.nanoTime();

            runFor(stream, peer, measureNs);

            final long elapsedNs = System.nanoTime() - startNs;
            final long driverCpuNs = JvmProbe.threadCpuNs() - driverCpuBefore;
            final long cpuNs = JvmProbe.processCpuNs() - cpuBefore;
            final long gcs = JvmProbe.gcCount() - gcBefore;
            final long[] pauses = probe.pauses();
            final long acks = stream.acks() - acksBefore;
            final double millions = acks / 1e6;

            state.drainCompletions(5_000_000_000L);
            result.put("measuredSeconds", elapsedNs / 1e9)
                .put("acks", acks)
                .put("acksPerSecond", acks * 1e9 / elapsedNs)
                .put("completionsPerSecond", (stream.completingAcks() - completionsBefore) * 1e9 / elapsedNs)
                .put("timeoutsPerSecond", (state.sink.timedOut() - timeoutsBefore) * 1e9 / elapsedNs)
                .put("cpuMsPerMillionAcks", cpuNs / 1e6 / millions)
                .put("driverCpuMsPerMillionAcks", driverCpuNs / 1e6 / millions)
                .put("otherThreadsCpuMsPerMillionAcks", (cpuNs - driverCpuNs) / 1e6 / millions)
                .put("cpuCoresBusy", (double)cpuNs / elapsedNs)
                .put("gcCount", gcs)
                .put("gcPauses", pauses[0])
                .put("gcPauseTotalMs", pauses[1] / 1e6)
                .put("gcPauseMaxMs", pauses[2] / 1e6);
            state.check(result);
        }
        return result;
    }

    static void runFor(final AckStream stream, final Peer peer, final long durationNs)
    {
        final long deadline = System.nanoTime() + durationNs;
        do
        {
            for (int i = 0; i < 1024; i++)
            {
                stream.step(null, 0);
                if (i % DUTY_CYCLE_EVERY == 0)
                {
                    peer.doWork();
                }
            }
        }
        while (System.nanoTime() - deadline < 0);
    }

    /**
     * Capacity for never-acked messages waiting for their timeout, at up to 2M acks/s.
     */
    static int extraCapacity(final WorkloadSpec spec)
    {
        final double neverAcked = spec.neverAckedPercent() / 100;
        final double perSecond = 2_000_000.0 / spec.requiredAcks() * neverAcked / (1 - neverAcked);
        return 1024 + (int)(perSecond * spec.neverAckedTimeoutMaxNs() / 1e9);
    }
}

package io.acktracker.bench.compare;

/**
 * Not a tracker: the harness's own floor. It keeps nothing and reports a completion the moment the stream says an
 * ack completes a message, on the driver thread. Its latency is what the pacing loop, the stream, the sink and the
 * machine (scheduler, other processes on the same cores) add by themselves; its throughput is the most acks per
 * second the driver can generate. No timeouts (never-acked messages simply never report).
 * <p>
 * Driver thread only.
 */
public final class HarnessFloorPeer implements Peer
{
    private OutcomeSink sink;

    public String name()
    {
        return "harness-floor";
    }

    public String threading()
    {
        return "driver thread only; tracks nothing (the harness's own cost and the machine's noise)";
    }

    public void open(final PeerSpec spec, final OutcomeSink sink)
    {
        this.sink = sink;
    }

    public void track(final long messageId, final long timeoutNs)
    {
    }

    public void ack(final long messageId, final int destination)
    {
    }

    public void onStreamCompleted(final long messageId)
    {
        sink.onCompleted(messageId);
    }

    public void close()
    {
    }
}

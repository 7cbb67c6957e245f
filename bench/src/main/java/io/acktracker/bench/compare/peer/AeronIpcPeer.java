package io.acktracker.bench.compare.peer;

import io.acktracker.bench.compare.OutcomeSink;
import io.acktracker.bench.compare.Peer;
import io.acktracker.bench.compare.PeerSpec;

/**
 * SLOT, NOT YET IMPLEMENTED: acktracker over Aeron IPC (engine + transport). It needs the {@code transport} module
 * (SBE codecs, the Aeron receiver feeding the agent, client-side publishers), which is being built on its own
 * branch and is not in this reactor yet. Until then this peer refuses to open, and the harness lists it as "not
 * run" rather than faking a figure.
 * <p>
 * Intended shape once transport lands: an embedded media driver (SHARED threading, unique dir under /dev/shm), the
 * tracker launched with the transport extension subscribed to an IPC stream, the driver thread publishing Track and
 * Ack frames through the transport's client proxy, and outcomes observed from the tracker's outcome stream (or
 * listener) to measure ack-issued to outcome-observed across the IPC hop.
 */
public final class AeronIpcPeer implements Peer
{
    /** Why the slot is empty, for the tables. */
    public static final String NOT_AVAILABLE = "not run: needs the transport module (not merged yet)";

    public String name()
    {
        return "acktracker-aeron-ipc";
    }

    public String threading()
    {
        return "embedded media driver + tracker agent + publishing driver thread (planned)";
    }

    public void open(final PeerSpec spec, final OutcomeSink sink)
    {
        throw new UnsupportedOperationException(NOT_AVAILABLE);
    }

    public void track(final long messageId, final long timeoutNs)
    {
        throw new UnsupportedOperationException(NOT_AVAILABLE);
    }

    public void ack(final long messageId, final int destination)
    {
        throw new UnsupportedOperationException(NOT_AVAILABLE);
    }

    public void close()
    {
    }
}

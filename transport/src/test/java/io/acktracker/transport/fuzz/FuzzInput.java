package io.acktracker.transport.fuzz;

/**
 * One input for the inbound path: a frame (valid, mutated or random), the Aeron flags it arrives with, and the
 * session that sent it.
 *
 * @param kind      generator or mutation that made it, for the figures.
 * @param bytes     frame bytes.
 * @param flags     Aeron frame flags.
 * @param sessionId Aeron session id.
 * @param source    the valid frame it was made from, or null.
 */
record FuzzInput(String kind, byte[] bytes, byte flags, int sessionId, WireFrame source)
{
    int length()
    {
        return bytes.length;
    }

    boolean isUnfragmented()
    {
        return (flags & Wire.UNFRAGMENTED) == Wire.UNFRAGMENTED;
    }

    /**
     * Feed it to a harness, counting its kind.
     *
     * @param harness the inbound path.
     * @return the malformed kind counted, or null when it was handled.
     */
    io.acktracker.transport.TransportCounter feedTo(final InboundHarness harness)
    {
        harness.stats.input(kind, source);
        return harness.feed(bytes, bytes.length, flags, sessionId);
    }

    public String toString()
    {
        return kind + " " + InboundHarness.describe(bytes, bytes.length, flags, sessionId) +
            (null == source ? "" : " from " + source);
    }
}

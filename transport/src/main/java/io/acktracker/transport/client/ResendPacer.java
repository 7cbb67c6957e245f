package io.acktracker.transport.client;

/**
 * How a {@link ClientSession} resends after the tracker said it has no room (OUTBOX_FULL, BACK_PRESSURED): not its
 * whole unconfirmed window at once (go-back-N), which multiplies the load exactly when the tracker is saturated and
 * is refused again frame by frame (the first for want of room, every later one as a gap behind it), but one probe:
 * <ul>
 *     <li>a refusal for want of room sets the window to one frame and the next resend after a delay: a tenth of the
 *     resend timeout, doubling while the probes are refused, at most half the resend timeout (so a probe, and its
 *     answer, come before the resend timeout would bind the session again);</li>
 *     <li>each confirmation that moves the applied sequence doubles the window (up to the retransmit buffer) and
 *     resets the delay: the frames waiting go again as fast as the tracker takes them, each about once;</li>
 *     <li>once every unconfirmed frame was sent within the window, sending is back to normal.</li>
 * </ul>
 * Refused frames use no sequence, so sending them again later loses and doubles nothing: this only decides when.
 * <p>
 * Threading: the session's (one thread).
 */
final class ResendPacer
{
    private final long initialDelayNs;
    private final long maxDelayNs;
    private final int maxWindow;
    private boolean probing;
    private int window;
    private long delayNs;
    private long probes;

    /**
     * A pacer for a session.
     *
     * @param resendTimeoutNs the session's resend timeout.
     * @param maxWindow       the most frames the window opens to (the retransmit buffer's capacity).
     */
    ResendPacer(final long resendTimeoutNs, final int maxWindow)
    {
        this.initialDelayNs = Math.max(1, resendTimeoutNs / 10);
        this.maxDelayNs = Math.max(initialDelayNs, resendTimeoutNs / 2);
        this.maxWindow = maxWindow;
        this.delayNs = initialDelayNs;
    }

    /**
     * The tracker had no room for a frame: probe with one, later.
     *
     * @param nowNs the session's clock.
     * @return the time before which nothing is resent.
     */
    long onNoRoom(final long nowNs)
    {
        if (probing)
        {
            delayNs = Math.min(maxDelayNs, delayNs * 2);
        }
        else
        {
            probing = true;
            delayNs = initialDelayNs;
        }
        window = 1;
        probes++;
        return nowNs + delayNs;
    }

    /** The tracker applied more of this client's commands: open the window. */
    void onProgress()
    {
        if (probing)
        {
            window = (int)Math.min(maxWindow, 2L * window);
            delayNs = initialDelayNs;
        }
    }

    /**
     * The highest sequence the resend loop may offer now.
     *
     * @param confirmedThrough the highest sequence the tracker confirmed.
     * @return the limit, {@link Long#MAX_VALUE} when not probing.
     */
    long limit(final long confirmedThrough)
    {
        return probing ? confirmedThrough + window : Long.MAX_VALUE;
    }

    /** Every unconfirmed frame was offered: sending is back to normal. */
    void onCaughtUp()
    {
        probing = false;
    }

    /**
     * Refusals for want of room that started or continued a probe.
     *
     * @return the count.
     */
    long probes()
    {
        return probes;
    }
}

package io.acktracker.engine.api;

/**
 * Hears, once per duty cycle, each client session that had a numbered command (or opened its session) in that
 * cycle: the client's commands are applied through a sequence. This is what a transport sends back so the client
 * can drop those commands from its retransmit buffer. Confirmations are cumulative: a lost one is made good by the
 * next, and a resend of an applied command is confirmed again.
 * <p>
 * Called on the agent thread, after the cycle's commands were applied (and journaled, with a journal); must not
 * block.
 */
@FunctionalInterface
public interface ConfirmationListener
{
    /**
     * A client's commands are applied through a sequence.
     *
     * @param clientId       the client.
     * @param appliedThrough the highest sequence applied.
     * @param outboxWritten  entries ever written to its outbox (the newest one's number).
     */
    void onConfirmed(long clientId, long appliedThrough, long outboxWritten);
}

package io.acktracker.engine.api;


/**
 * Work that runs inside the tracker's own duty cycle, on the agent thread: the Aeron transport polls its
 * subscriptions and drains its outbound backlog here, so acks read off the wire reach the agent's synchronous API
 * with no hand-off thread. An extension that also implements {@link OutcomeListener} is told of every outcome.
 * <p>
 * Threading: agent thread only.
 */
public interface TrackerExtension
{
    /**
     * The agent is built and recovered; called once before the first duty cycle.
     *
     * @param commands the tracker's synchronous commands.
     */
    void onStart(TrackerCommands commands);

    /**
     * One slice of work per duty cycle; must be bounded and must not block.
     *
     * @param nowNs the cycle's time (epoch ns).
     * @return work done, 0 when idle.
     */
    int doWork(long nowNs);

    /**
     * The tracker is closing; the agent no longer runs. Release resources.
     */
    void onClose();
}

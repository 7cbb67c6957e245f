package io.acktracker.transport.client;

import io.aeron.logbuffer.FragmentHandler;
import org.agrona.DirectBuffer;

/**
 * How a client reaches a tracker: the path its frames take to the tracker and the tracker's frames take back. The
 * client helpers ({@link ClientSession}, {@link TrackerClient}, {@link DestinationClient}, {@link AckPublisher}) speak
 * the same protocol over any link, so an application switches between a single tracker and a replicated one by
 * configuration ({@link TrackerLinks#open}), not by code:
 * <ul>
 *   <li>{@link AeronTrackerLink}: an exclusive publication to the tracker's inbound stream and a subscription to its
 *   outbound stream (plain Aeron).</li>
 *   <li>the cluster link of the {@code acktracker-cluster} module: Aeron Cluster's ingress and egress, following the
 *   leader and opening a new cluster session when the cluster closed the old one.</li>
 * </ul>
 * A link may change its path by itself (a new cluster leader, a new cluster session): {@link #epoch()} tells when, so
 * a session binds again and resends what the old path may have lost.
 * <p>
 * Allocation-free per frame offered and polled. Threading: one thread, the client's (links are not thread safe).
 */
public interface TrackerLink extends AutoCloseable
{
    /**
     * Offer one frame to the tracker, once.
     *
     * @param buffer holding the frame.
     * @param offset where it starts.
     * @param length its length.
     * @return above 0 when taken (a stream position); otherwise Aeron's {@code Publication.NOT_CONNECTED},
     * {@code BACK_PRESSURED}, {@code ADMIN_ACTION}, {@code CLOSED} or {@code MAX_POSITION_EXCEEDED}: nothing was
     * sent.
     */
    long offer(DirectBuffer buffer, int offset, int length);

    /**
     * Whether frames offered now can reach a tracker.
     *
     * @return true when connected towards the tracker.
     */
    boolean isConnected();

    /**
     * Whether the tracker's frames can reach this client now (a challenge's nonce, a confirmation).
     *
     * @return true when the way back is connected; false for a link that only sends.
     */
    boolean isReceiving();

    /**
     * The session id the tracker sees on this client's frames: what it names in the answers meant for this client
     * only (refusals, lease grants, challenges). It may change when {@link #epoch()} does.
     *
     * @return the session id.
     */
    int sessionId();

    /**
     * Changes whenever the link's path to the tracker changed by itself (a new cluster leader, a new cluster
     * session): frames offered before may not have arrived, and the tracker may see this client under a new session
     * id. Sessions bind again and destinations introduce themselves again when it changes.
     *
     * @return a number that only changes with the path.
     */
    long epoch();

    /**
     * Hand the tracker's frames to a handler, and do the link's own upkeep (following a leader, keep-alives,
     * connecting again); called from the client's duty cycle.
     *
     * @param handler       receives each frame.
     * @param fragmentLimit most frames to hand on (a link may read in fixed batches: see its own documentation).
     * @return work done (frames and upkeep), 0 when idle.
     */
    int poll(FragmentHandler handler, int fragmentLimit);

    /**
     * Close the link and what it opened (never the Aeron client it was given).
     */
    void close();
}

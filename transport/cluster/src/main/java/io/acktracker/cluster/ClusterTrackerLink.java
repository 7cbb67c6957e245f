package io.acktracker.cluster;

import io.acktracker.transport.client.TrackerLink;
import io.acktracker.transport.client.TrackerLinkSettings;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;

/**
 * A {@link TrackerLink} to a replicated tracker over Aeron Cluster's ingress and egress ({@link AeronCluster}): a frame
 * offered is a session message to the leader, and each egress session message is handed to the poll's handler as a
 * fragment. The tracker sees this client's frames under {@code (int) clusterSessionId}, as {@code ClusterEdge} names
 * them.
 * <p>
 * What it does about failures, from {@link #poll}:
 * <ul>
 *   <li><b>A new leader.</b> AeronCluster follows it when its NewLeaderEvent is polled from the egress (in 1.51 it
 *   opens the ingress publication to the new leader there, waiting for the media driver up to the message timeout:
 *   normally milliseconds). The cluster session is the same, but frames offered to the old leader may never have
 *   reached the log, so {@link #epoch()} changes: a {@code ClientSession} binds again and resends what is unconfirmed.
 *   A keep-alive goes to the new leader as soon as its ingress connects: AeronCluster closes itself when nothing is
 *   sent to a new leader within its message timeout.</li>
 *   <li><b>A closed session</b> ({@link AeronCluster#isClosed()}: the cluster timed the session out during a long
 *   election, or no new leader came within AeronCluster's new-leader timeout). The link connects again with
 *   {@link AeronCluster#asyncConnect}, one step per poll, never blocking the caller's duty cycle; a failed attempt
 *   (after the message timeout) is tried again {@link #RETRY_DELAY_NS} later. Meanwhile it is not connected; once
 *   connected, {@link #epoch()} changes and the session id is the new cluster session's, so a destination
 *   introduces itself again and the session binds again and resends.</li>
 *   <li><b>Silence.</b> A keep-alive after {@link TrackerLinkSettings#keepAliveIntervalNs()} without a frame sent,
 *   so an idle client's session is not closed by the cluster's session timeout.</li>
 * </ul>
 * Errors of AeronCluster while polling are counted and end the session (then connected again as above); they never
 * escape {@link #poll}.
 * <p>
 * Allocation-free per frame offered and polled; connecting again allocates. Threading: one thread, the client's.
 */
public final class ClusterTrackerLink implements TrackerLink, EgressListener
{
    /** Pause after a failed connect attempt before the next. */
    public static final long RETRY_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Aeron aeron;
    private final TrackerLinkSettings settings;
    private final NanoClock clock;
    private final ErrorHandler errorHandler = this::onError;
    private AeronCluster cluster;
    private AeronCluster.AsyncConnect connecting;
    private FragmentHandler handler;
    private int sessionId;
    private long epoch;
    private long retryAtNs;
    private long lastSentNs;
    private boolean sent;
    private boolean followingLeader;
    private long connects;
    private long connectFailures;
    private long newLeaders;
    private long sessionsLost;
    private long keepAlives;
    private long errors;
    private String lastError;

    /**
     * A link that starts connecting at once (one step per {@link #poll}).
     *
     * @param aeron    connected client; not closed by the link.
     * @param settings a {@link TrackerLinkSettings.Mode#CLUSTER} link's settings.
     * @throws IllegalArgumentException when the settings are not a cluster link's.
     */
    public ClusterTrackerLink(final Aeron aeron, final TrackerLinkSettings settings)
    {
        this(aeron, settings, SystemNanoClock.INSTANCE);
    }

    ClusterTrackerLink(final Aeron aeron, final TrackerLinkSettings settings, final NanoClock clock)
    {
        if (TrackerLinkSettings.Mode.CLUSTER != settings.mode())
        {
            throw new IllegalArgumentException("not a cluster link's settings: " + settings);
        }
        this.aeron = aeron;
        this.settings = settings;
        this.clock = clock;
        // the first attempt starts here, so a bad channel or endpoint is refused by the caller's open
        connecting = AeronCluster.asyncConnect(context());
    }

    private AeronCluster.Context context()
    {
        return new AeronCluster.Context()
            .aeron(aeron)
            .ownsAeronClient(false)
            .aeronDirectoryName(aeron.context().aeronDirectoryName())
            .ingressChannel(settings.ingressChannel())
            .ingressStreamId(settings.ingressStreamId())
            .ingressEndpoints(settings.ingressEndpoints())
            .egressChannel(settings.egressChannel())
            .egressStreamId(settings.egressStreamId())
            .messageTimeoutNs(settings.messageTimeoutNs())
            .errorHandler(errorHandler)
            .egressListener(this);
    }

    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == cluster || cluster.isClosed())
        {
            return Publication.NOT_CONNECTED;
        }
        final long result = cluster.offer(buffer, offset, length);
        if (result > 0)
        {
            sent = true;
        }
        return result;
    }

    public boolean isConnected()
    {
        return null != cluster && !cluster.isClosed() && cluster.ingressPublication().isConnected();
    }

    public boolean isReceiving()
    {
        return null != cluster && !cluster.isClosed() && cluster.egressSubscription().isConnected();
    }

    public int sessionId()
    {
        return sessionId;
    }

    public long epoch()
    {
        return epoch;
    }

    public int poll(final FragmentHandler handler, final int fragmentLimit)
    {
        final long nowNs = clock.nanoTime();
        if (null == cluster)
        {
            return connect(nowNs);
        }
        this.handler = handler;
        int work = 0;
        try
        {
            // AeronCluster reads at most 10 fragments per pollEgress (1.51): read batches up to the limit
            int polled = cluster.isClosed() ? 0 : 1;
            while (polled > 0 && work < fragmentLimit && !cluster.isClosed())
            {
                polled = cluster.pollEgress();
                work += polled;
            }
            if (!cluster.isClosed())
            {
                work += keepAlive(nowNs);
            }
        }
        catch (final RuntimeException ex)
        {
            onError(ex);
            CloseHelper.quietClose(cluster);
        }
        if (cluster.isClosed())
        {
            // the cluster closed the session (timed out, or no new leader in time): connect again
            sessionsLost++;
            cluster = null;
            retryAtNs = nowNs;
            work++;
        }
        return work;
    }

    private int keepAlive(final long nowNs)
    {
        if (sent)
        {
            sent = false;
            lastSentNs = nowNs;
            followingLeader = false;
        }
        if ((followingLeader || nowNs - lastSentNs >= settings.keepAliveIntervalNs()) &&
            cluster.ingressPublication().isConnected() && cluster.sendKeepAlive())
        {
            keepAlives++;
            lastSentNs = nowNs;
            followingLeader = false;
            return 1;
        }
        return 0;
    }

    private int connect(final long nowNs)
    {
        try
        {
            if (null == connecting)
            {
                if (nowNs - retryAtNs < 0)
                {
                    return 0;
                }
                connecting = AeronCluster.asyncConnect(context());
            }
            final int step = connecting.step();
            final AeronCluster connected = connecting.poll();
            if (null == connected)
            {
                return step == connecting.step() ? 0 : 1;
            }
            connecting = null;
            cluster = connected;
            sessionId = (int)connected.clusterSessionId();
            epoch++;
            connects++;
            lastSentNs = nowNs;
            sent = false;
            followingLeader = false;
            return 1;
        }
        catch (final RuntimeException ex)
        {
            // a timeout while the members elect, or a member refusing: try again a little later
            onError(ex);
            connectFailures++;
            CloseHelper.quietClose(connecting);
            connecting = null;
            retryAtNs = nowNs + RETRY_DELAY_NS;
            return 1;
        }
    }

    /**
     * AeronCluster's egress session message: handed to the poll's handler as a fragment.
     *
     * @param clusterSessionId this client's cluster session.
     * @param timestamp        the log's time of the message.
     * @param buffer           holding the frame.
     * @param offset           where it starts.
     * @param length           its length.
     * @param header           the egress fragment's header.
     */
    public void onMessage(
        final long clusterSessionId,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        handler.onFragment(buffer, offset, length, header);
    }

    /**
     * AeronCluster followed a new leader (its ingress publication now goes there): the path changed.
     *
     * @param clusterSessionId this client's cluster session.
     * @param leadershipTermId the new term.
     * @param leaderMemberId   the new leader.
     * @param ingressEndpoints the members' ingress endpoints.
     */
    public void onNewLeader(
        final long clusterSessionId,
        final long leadershipTermId,
        final int leaderMemberId,
        final String ingressEndpoints)
    {
        newLeaders++;
        epoch++;
        followingLeader = true;
    }

    private void onError(final Throwable error)
    {
        errors++;
        lastError = error.toString();
    }

    public void close()
    {
        CloseHelper.quietCloseAll(connecting, cluster);
        connecting = null;
        cluster = null;
    }

    /**
     * The AeronCluster client of the current session: tests close it to end the session as the cluster would.
     *
     * @return the client, or null while connecting.
     */
    AeronCluster aeronCluster()
    {
        return cluster;
    }

    /**
     * The member this link sends to, as the cluster last told it.
     *
     * @return the member id, or -1 while not connected.
     */
    public int leaderMemberId()
    {
        return null == cluster ? -1 : cluster.leaderMemberId();
    }

    /**
     * Cluster sessions opened (the first and every one after a session was lost).
     *
     * @return the count.
     */
    public long connects()
    {
        return connects;
    }

    /**
     * Connect attempts that failed (timed out while the members elected, or refused).
     *
     * @return the count.
     */
    public long connectFailures()
    {
        return connectFailures;
    }

    /**
     * New leaders followed within a session.
     *
     * @return the count.
     */
    public long newLeaders()
    {
        return newLeaders;
    }

    /**
     * Sessions the cluster closed (or that ended on an error), each then connected again.
     *
     * @return the count.
     */
    public long sessionsLost()
    {
        return sessionsLost;
    }

    /**
     * Keep-alives sent (silence, or a new leader to confirm).
     *
     * @return the count.
     */
    public long keepAlives()
    {
        return keepAlives;
    }

    /**
     * Errors seen: failed connect attempts and AeronCluster's errors while polling or closing.
     *
     * @return the count.
     */
    public long errors()
    {
        return errors;
    }

    /**
     * The last error seen, for a log line.
     *
     * @return its description, or null before any.
     */
    public String lastError()
    {
        return lastError;
    }

    /**
     * The link's settings and state, for logs.
     *
     * @return a description.
     */
    public String toString()
    {
        return "cluster link to " + settings.ingressEndpoints() + " (session " + sessionId + ", leader " +
            leaderMemberId() + ", connects " + connects + ", new leaders " + newLeaders + ", sessions lost " +
            sessionsLost + ", last error " + lastError + ")";
    }
}

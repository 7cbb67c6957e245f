package io.acktracker.transport.client;

import io.acktracker.transport.Protocol;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * How a client reaches its tracker, as configuration: {@link Mode#AERON} (a single tracker's inbound and outbound
 * streams) or {@link Mode#CLUSTER} (a replicated tracker's Aeron Cluster ingress and egress). {@link TrackerLinks#open}
 * opens the link these settings describe, so the same application code runs against either.
 * <p>
 * Read from a map ({@link #from(Map, String)}, e.g. a properties file) with these keys under a prefix:
 * <pre>
 * mode                        aeron (default) or cluster
 * tracker.channel             aeron: the tracker's inbound channel as seen from here (default aeron:ipc)
 * tracker.stream              aeron: its stream id (default 7001)
 * outbound.channel            aeron: the channel the tracker publishes on (default aeron:ipc)
 * outbound.stream             aeron: its stream id (default 7002)
 * cluster.ingress.endpoints   cluster: every member's ingress, id=host:port,... (required)
 * cluster.ingress.channel     cluster: the ingress channel (default aeron:udp)
 * cluster.ingress.stream      cluster: the ingress stream id (default 101, Aeron Cluster's)
 * cluster.egress.channel      cluster: where the members answer (default aeron:udp?endpoint=localhost:0)
 * cluster.egress.stream       cluster: the egress stream id (default 102, Aeron Cluster's)
 * cluster.message.timeout     cluster: how long one connect attempt may take (default 5s)
 * cluster.keepalive.interval  cluster: a keep-alive after this long without a frame sent (default 1s; the
 *                             cluster closes a session silent for its session timeout, 10 s by default)
 * </pre>
 * A key of the other mode, an unknown key under the prefix and a bad value are refused, naming the key.
 * <p>
 * Why this file is long: one place for every setting of both modes, each with its default, its Javadoc, its check
 * and its key in the map reader.
 * <p>
 * Threading: build on one thread; read from any once built.
 */
public final class TrackerLinkSettings
{
    /** Which kind of tracker the client reaches. */
    public enum Mode
    {
        /** A single tracker over plain Aeron publications and subscriptions. */
        AERON,
        /** A tracker replicated on Aeron Cluster, over its ingress and egress (module acktracker-cluster). */
        CLUSTER
    }

    /** Key: aeron or cluster. */
    public static final String MODE = "mode";
    /** Key: aeron mode, the tracker's inbound channel. */
    public static final String TRACKER_CHANNEL = "tracker.channel";
    /** Key: aeron mode, the tracker's inbound stream id. */
    public static final String TRACKER_STREAM = "tracker.stream";
    /** Key: aeron mode, the tracker's outbound channel. */
    public static final String OUTBOUND_CHANNEL = "outbound.channel";
    /** Key: aeron mode, the tracker's outbound stream id. */
    public static final String OUTBOUND_STREAM = "outbound.stream";
    /** Key: cluster mode, every member's ingress endpoint. */
    public static final String INGRESS_ENDPOINTS = "cluster.ingress.endpoints";
    /** Key: cluster mode, the ingress channel. */
    public static final String INGRESS_CHANNEL = "cluster.ingress.channel";
    /** Key: cluster mode, the ingress stream id. */
    public static final String INGRESS_STREAM = "cluster.ingress.stream";
    /** Key: cluster mode, the egress channel. */
    public static final String EGRESS_CHANNEL = "cluster.egress.channel";
    /** Key: cluster mode, the egress stream id. */
    public static final String EGRESS_STREAM = "cluster.egress.stream";
    /** Key: cluster mode, the timeout of one connect attempt. */
    public static final String MESSAGE_TIMEOUT = "cluster.message.timeout";
    /** Key: cluster mode, the keep-alive interval. */
    public static final String KEEPALIVE_INTERVAL = "cluster.keepalive.interval";

    private static final List<String> AERON_KEYS = List.of(TRACKER_CHANNEL, TRACKER_STREAM, OUTBOUND_CHANNEL,
        OUTBOUND_STREAM);
    private static final List<String> CLUSTER_KEYS = List.of(INGRESS_ENDPOINTS, INGRESS_CHANNEL, INGRESS_STREAM,
        EGRESS_CHANNEL, EGRESS_STREAM, MESSAGE_TIMEOUT, KEEPALIVE_INTERVAL);

    private final Mode mode;
    private String trackerChannel = Protocol.DEFAULT_CHANNEL;
    private int trackerStreamId = Protocol.DEFAULT_INBOUND_STREAM_ID;
    private String outboundChannel = Protocol.DEFAULT_CHANNEL;
    private int outboundStreamId = Protocol.DEFAULT_OUTBOUND_STREAM_ID;
    private String ingressEndpoints;
    private String ingressChannel = "aeron:udp";
    private int ingressStreamId = 101;
    private String egressChannel = "aeron:udp?endpoint=localhost:0";
    private int egressStreamId = 102;
    private long messageTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    private long keepAliveIntervalNs = TimeUnit.SECONDS.toNanos(1);

    private TrackerLinkSettings(final Mode mode)
    {
        this.mode = mode;
    }

    /**
     * Plain Aeron on given channels.
     *
     * @param trackerChannel   the tracker's inbound channel as seen from here.
     * @param trackerStreamId  the tracker's inbound stream id.
     * @param outboundChannel  the channel the tracker publishes on, as seen from here.
     * @param outboundStreamId the tracker's outbound stream id.
     * @return the settings.
     */
    public static TrackerLinkSettings aeron(
        final String trackerChannel,
        final int trackerStreamId,
        final String outboundChannel,
        final int outboundStreamId)
    {
        final TrackerLinkSettings settings = new TrackerLinkSettings(Mode.AERON);
        settings.trackerChannel = require(TRACKER_CHANNEL, trackerChannel);
        settings.trackerStreamId = trackerStreamId;
        settings.outboundChannel = require(OUTBOUND_CHANNEL, outboundChannel);
        settings.outboundStreamId = outboundStreamId;
        return settings;
    }

    /**
     * Plain Aeron over IPC on the default stream ids.
     *
     * @return the settings.
     */
    public static TrackerLinkSettings aeron()
    {
        return new TrackerLinkSettings(Mode.AERON);
    }

    /**
     * Aeron Cluster, reaching the members at their ingress endpoints; the other cluster settings keep their
     * defaults until set.
     *
     * @param ingressEndpoints every member's ingress, {@code id=host:port} separated by commas, e.g.
     *                         {@code 0=host-a:20102,1=host-b:20202,2=host-c:20302}.
     * @return the settings.
     * @throws IllegalArgumentException when the endpoints are not in that form.
     */
    public static TrackerLinkSettings cluster(final String ingressEndpoints)
    {
        final TrackerLinkSettings settings = new TrackerLinkSettings(Mode.CLUSTER);
        settings.ingressEndpoints = checkEndpoints(ingressEndpoints);
        return settings;
    }

    /**
     * Settings from a map of strings (a properties file, the service's config style): the keys listed in the class
     * comment, each under {@code prefix}. Keys not under the prefix are ignored; under it, an unknown key or a key of
     * the other mode is refused.
     *
     * @param values the configuration.
     * @param prefix what every key of the link starts with, e.g. {@code "tracker.link."}, or "" for none.
     * @return the settings.
     * @throws IllegalArgumentException naming the key, when a key is unknown, of the other mode, or its value bad.
     */
    public static TrackerLinkSettings from(final Map<String, String> values, final String prefix)
    {
        final Map<String, String> own = new TreeMap<>();
        values.forEach((key, value) ->
        {
            if (key.startsWith(prefix))
            {
                own.put(key.substring(prefix.length()), null == value ? "" : value.trim());
            }
        });
        final String modeText = own.getOrDefault(MODE, "aeron");
        final Mode mode;
        switch (modeText.toLowerCase(Locale.ROOT))
        {
            case "aeron":
                mode = Mode.AERON;
                break;
            case "cluster":
                mode = Mode.CLUSTER;
                break;
            default:
                throw new IllegalArgumentException(prefix + MODE + "=" + modeText + ": expected aeron or cluster");
        }
        final List<String> keys = Mode.AERON == mode ? AERON_KEYS : CLUSTER_KEYS;
        final List<String> otherKeys = Mode.AERON == mode ? CLUSTER_KEYS : AERON_KEYS;
        for (final String key : own.keySet())
        {
            if (otherKeys.contains(key))
            {
                throw new IllegalArgumentException(prefix + key + " is a setting of " + prefix + MODE + "=" +
                    (Mode.AERON == mode ? "cluster" : "aeron") + ", but " + prefix + MODE + " is " +
                    mode.name().toLowerCase(Locale.ROOT));
            }
            if (!MODE.equals(key) && !keys.contains(key))
            {
                throw new IllegalArgumentException("unknown setting " + prefix + key + "; the " +
                    mode.name().toLowerCase(Locale.ROOT) + " link's are " + MODE + ", " + String.join(", ", keys));
            }
        }

        final TrackerLinkSettings settings = new TrackerLinkSettings(mode);
        if (Mode.AERON == mode)
        {
            settings.trackerChannel = own.getOrDefault(TRACKER_CHANNEL, settings.trackerChannel);
            settings.trackerStreamId = streamId(prefix, TRACKER_STREAM, own, settings.trackerStreamId);
            settings.outboundChannel = own.getOrDefault(OUTBOUND_CHANNEL, settings.outboundChannel);
            settings.outboundStreamId = streamId(prefix, OUTBOUND_STREAM, own, settings.outboundStreamId);
            require(prefix + TRACKER_CHANNEL, settings.trackerChannel);
            require(prefix + OUTBOUND_CHANNEL, settings.outboundChannel);
            return settings;
        }
        final String endpoints = own.get(INGRESS_ENDPOINTS);
        if (null == endpoints || endpoints.isEmpty())
        {
            throw new IllegalArgumentException(prefix + INGRESS_ENDPOINTS + " is required with " + prefix + MODE +
                "=cluster: every member's ingress, e.g. 0=host-a:20102,1=host-b:20202,2=host-c:20302");
        }
        try
        {
            settings.ingressEndpoints = checkEndpoints(endpoints);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(prefix + ex.getMessage(), ex);
        }
        settings.ingressChannel = require(prefix + INGRESS_CHANNEL,
            own.getOrDefault(INGRESS_CHANNEL, settings.ingressChannel));
        settings.ingressStreamId = streamId(prefix, INGRESS_STREAM, own, settings.ingressStreamId);
        settings.egressChannel = require(prefix + EGRESS_CHANNEL,
            own.getOrDefault(EGRESS_CHANNEL, settings.egressChannel));
        settings.egressStreamId = streamId(prefix, EGRESS_STREAM, own, settings.egressStreamId);
        settings.messageTimeoutNs = duration(prefix, MESSAGE_TIMEOUT, own, settings.messageTimeoutNs);
        settings.keepAliveIntervalNs = duration(prefix, KEEPALIVE_INTERVAL, own, settings.keepAliveIntervalNs);
        return settings;
    }

    /**
     * Cluster mode: the ingress channel (the endpoint of each member is added from the endpoints).
     *
     * @param ingressChannel e.g. {@code aeron:udp}.
     * @return this.
     */
    public TrackerLinkSettings ingressChannel(final String ingressChannel)
    {
        this.ingressChannel = require(INGRESS_CHANNEL, ingressChannel);
        return this;
    }

    /**
     * Cluster mode: the ingress stream id.
     *
     * @param ingressStreamId as the members' consensus modules use.
     * @return this.
     */
    public TrackerLinkSettings ingressStreamId(final int ingressStreamId)
    {
        this.ingressStreamId = ingressStreamId;
        return this;
    }

    /**
     * Cluster mode: the channel the members answer on (a UDP endpoint of this host; port 0 picks a free one).
     *
     * @param egressChannel e.g. {@code aeron:udp?endpoint=client-host:0}.
     * @return this.
     */
    public TrackerLinkSettings egressChannel(final String egressChannel)
    {
        this.egressChannel = require(EGRESS_CHANNEL, egressChannel);
        return this;
    }

    /**
     * Cluster mode: the egress stream id.
     *
     * @param egressStreamId stream id.
     * @return this.
     */
    public TrackerLinkSettings egressStreamId(final int egressStreamId)
    {
        this.egressStreamId = egressStreamId;
        return this;
    }

    /**
     * Cluster mode: how long one connect attempt may take (Aeron Cluster's message timeout); the link tries again
     * after a failed one.
     *
     * @param messageTimeoutNs nanoseconds, above 0.
     * @return this.
     */
    public TrackerLinkSettings messageTimeoutNs(final long messageTimeoutNs)
    {
        this.messageTimeoutNs = positive(MESSAGE_TIMEOUT, messageTimeoutNs);
        return this;
    }

    /**
     * Cluster mode: send a keep-alive after this long without a frame sent, so an idle client's cluster session is
     * not closed for silence.
     *
     * @param keepAliveIntervalNs nanoseconds, above 0 and well under the cluster's session timeout.
     * @return this.
     */
    public TrackerLinkSettings keepAliveIntervalNs(final long keepAliveIntervalNs)
    {
        this.keepAliveIntervalNs = positive(KEEPALIVE_INTERVAL, keepAliveIntervalNs);
        return this;
    }

    /**
     * Which kind of tracker the client reaches.
     *
     * @return the mode.
     */
    public Mode mode()
    {
        return mode;
    }

    /**
     * Aeron mode: the tracker's inbound channel.
     *
     * @return the channel.
     */
    public String trackerChannel()
    {
        return trackerChannel;
    }

    /**
     * Aeron mode: the tracker's inbound stream id.
     *
     * @return the stream id.
     */
    public int trackerStreamId()
    {
        return trackerStreamId;
    }

    /**
     * Aeron mode: the tracker's outbound channel.
     *
     * @return the channel.
     */
    public String outboundChannel()
    {
        return outboundChannel;
    }

    /**
     * Aeron mode: the tracker's outbound stream id.
     *
     * @return the stream id.
     */
    public int outboundStreamId()
    {
        return outboundStreamId;
    }

    /**
     * Cluster mode: every member's ingress endpoint.
     *
     * @return {@code id=host:port,...}, null in aeron mode.
     */
    public String ingressEndpoints()
    {
        return ingressEndpoints;
    }

    /**
     * Cluster mode: the ingress channel.
     *
     * @return the channel.
     */
    public String ingressChannel()
    {
        return ingressChannel;
    }

    /**
     * Cluster mode: the ingress stream id.
     *
     * @return the stream id.
     */
    public int ingressStreamId()
    {
        return ingressStreamId;
    }

    /**
     * Cluster mode: the egress channel.
     *
     * @return the channel.
     */
    public String egressChannel()
    {
        return egressChannel;
    }

    /**
     * Cluster mode: the egress stream id.
     *
     * @return the stream id.
     */
    public int egressStreamId()
    {
        return egressStreamId;
    }

    /**
     * Cluster mode: how long one connect attempt may take.
     *
     * @return nanoseconds.
     */
    public long messageTimeoutNs()
    {
        return messageTimeoutNs;
    }

    /**
     * Cluster mode: the keep-alive interval.
     *
     * @return nanoseconds.
     */
    public long keepAliveIntervalNs()
    {
        return keepAliveIntervalNs;
    }

    /**
     * The settings as the keys of {@link #from(Map, String)} would give them, for logs.
     *
     * @return a description.
     */
    public String toString()
    {
        return Mode.AERON == mode ?
            "mode=aeron " + TRACKER_CHANNEL + "=" + trackerChannel + " " + TRACKER_STREAM + "=" + trackerStreamId +
            " " + OUTBOUND_CHANNEL + "=" + outboundChannel + " " + OUTBOUND_STREAM + "=" + outboundStreamId :
            "mode=cluster " + INGRESS_ENDPOINTS + "=" + ingressEndpoints + " " + INGRESS_CHANNEL + "=" +
            ingressChannel + " " + INGRESS_STREAM + "=" + ingressStreamId + " " + EGRESS_CHANNEL + "=" +
            egressChannel + " " + EGRESS_STREAM + "=" + egressStreamId;
    }

    private static String checkEndpoints(final String endpoints)
    {
        final String example = "; expected id=host:port separated by commas, e.g. 0=host-a:20102,1=host-b:20202";
        if (null == endpoints || endpoints.isBlank())
        {
            throw new IllegalArgumentException(INGRESS_ENDPOINTS + " is empty" + example);
        }
        for (final String endpoint : endpoints.split(",", -1))
        {
            final int equals = endpoint.indexOf('=');
            final int colon = endpoint.lastIndexOf(':');
            if (equals <= 0 || colon <= equals + 1 || colon == endpoint.length() - 1)
            {
                throw new IllegalArgumentException(INGRESS_ENDPOINTS + "=" + endpoints + ": '" + endpoint +
                    "' is not id=host:port" + example);
            }
            try
            {
                Integer.parseInt(endpoint.substring(0, equals).trim());
                final int port = Integer.parseInt(endpoint.substring(colon + 1).trim());
                if (port < 0 || port > 65535)
                {
                    throw new NumberFormatException();
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(INGRESS_ENDPOINTS + "=" + endpoints + ": '" + endpoint +
                    "' needs a numeric member id and port" + example, ex);
            }
        }
        return endpoints;
    }

    private static int streamId(final String prefix, final String key, final Map<String, String> values,
        final int defaultValue)
    {
        final String text = values.get(key);
        if (null == text)
        {
            return defaultValue;
        }
        try
        {
            return Integer.parseInt(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(prefix + key + "=" + text + ": expected a stream id (an int)", ex);
        }
    }

    private static long duration(
        final String prefix, final String key, final Map<String, String> values, final long defaultValue)
    {
        final String text = values.get(key);
        if (null == text)
        {
            return defaultValue;
        }
        // the service's duration units (ValueType); longest unit names first, so "5ms" is not read as minutes
        final String[] units = {"ns", "us", "ms", "h", "m", "s"};
        final long[] factors = {1L, 1_000L, 1_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L};
        final String value = text.toLowerCase(Locale.ROOT).replace("_", "");
        for (int i = 0; i < units.length; i++)
        {
            if (value.endsWith(units[i]))
            {
                try
                {
                    final long amount = Long.parseLong(value.substring(0, value.length() - units[i].length()));
                    return positive(prefix + key, Math.multiplyExact(amount, factors[i]));
                }
                catch (final NumberFormatException | ArithmeticException ex)
                {
                    break;
                }
            }
        }
        throw new IllegalArgumentException(prefix + key + "=" + text + ": expected a duration with a unit, e.g. " +
            "250ms or 5s");
    }

    private static long positive(final String key, final long valueNs)
    {
        if (valueNs <= 0)
        {
            throw new IllegalArgumentException(key + " must be above 0: " + valueNs + " ns");
        }
        return valueNs;
    }

    private static String require(final String key, final String value)
    {
        if (null == value || value.isBlank())
        {
            throw new IllegalArgumentException(key + " is empty");
        }
        return value;
    }
}

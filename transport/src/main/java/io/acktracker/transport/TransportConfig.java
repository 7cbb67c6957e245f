package io.acktracker.transport;

import io.acktracker.transport.auth.DestinationKeys;
import io.aeron.Aeron;
import io.aeron.ChannelUri;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Everything the tracker's Aeron transport is built from, with defaults; validated once by {@link #conclude()}.
 * Accessors follow the Aeron style: {@code fragmentLimit()} reads, {@code fragmentLimit(value)} sets.
 * <p>
 * Threading: build on one thread, then hand to {@link AeronTransport}; do not change it afterwards.
 */
public final class TransportConfig
{
    private String name = "acktracker";
    private Aeron aeron;
    private String aeronDirectoryName;
    private String inboundChannel = Protocol.DEFAULT_CHANNEL;
    private int inboundStreamId = Protocol.DEFAULT_INBOUND_STREAM_ID;
    private String outboundChannel = Protocol.DEFAULT_CHANNEL;
    private int outboundStreamId = Protocol.DEFAULT_OUTBOUND_STREAM_ID;
    private int fragmentLimit = 256;
    private boolean inboundPrefetch = false;
    private int outboundRetries = 3;
    private int backlogCapacity = 1 << 20;
    private int backlogDrainLimit = 1024;
    private boolean backlogWhenNotConnected = false;
    private int maxSessions = 1024;
    private Path countersFile;
    private Path errorLogFile;
    private int errorLogLength = 1 << 20;
    private long closeDrainTimeoutNs = TimeUnit.SECONDS.toNanos(1);
    private long leaseTimeoutNs = Protocol.DEFAULT_LEASE_TIMEOUT_NS;
    private long outboundStallTimeoutNs = TimeUnit.SECONDS.toNanos(2);
    private Consumer<String> warnings = (line) -> System.err.println("acktracker transport: WARNING: " + line);
    private DestinationKeys destinationKeys = DestinationKeys.none();
    private DestinationKeys clientKeys = DestinationKeys.none();
    private boolean concluded;

    /**
     * Check every value. Called by the transport; calling twice is harmless.
     *
     * @return this.
     * @throws IllegalArgumentException when a value is out of range.
     */
    public TransportConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(null != name && !name.isBlank(), "name must not be blank");
        requireChannel("inbound channel", inboundChannel);
        requireChannel("outbound channel", outboundChannel);
        require(fragmentLimit > 0, "fragment limit must be positive: " + fragmentLimit);
        require(outboundRetries >= 0, "outbound retries must not be negative: " + outboundRetries);
        require(backlogCapacity >= Protocol.MAX_FRAME_LENGTH * 4, "backlog capacity too small: " + backlogCapacity);
        require(backlogDrainLimit > 0, "backlog drain limit must be positive");
        require(maxSessions > 0, "max sessions must be positive");
        require(errorLogLength >= 4096 && errorLogLength % 8 == 0,
            "error log length must be a multiple of 8 and at least 4096: " + errorLogLength);
        require(closeDrainTimeoutNs >= 0, "close drain timeout must not be negative");
        require(leaseTimeoutNs > 0, "lease timeout must be positive: " + leaseTimeoutNs);
        require(outboundStallTimeoutNs > 0, "outbound stall timeout must be positive: " + outboundStallTimeoutNs);
        require(null != warnings, "warnings must not be null");
        require(null != destinationKeys, "destination keys must not be null");
        require(null != clientKeys, "client keys must not be null");
        concluded = true;
        return this;
    }

    /**
     * Parse a channel and check the ports of its endpoints here, so a bad one is refused in one line naming it rather
     * than by the media driver's "ERROR - java.lang.IllegalArgumentException: port out of range" when it is added.
     */
    private static void requireChannel(final String what, final String channel)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        for (final String key : new String[]{ "endpoint", "control" })
        {
            final String address = uri.get(key);
            if (null == address)
            {
                continue;
            }
            final int colon = address.lastIndexOf(':');
            require(colon > 0 && colon < address.length() - 1, what + " " + key + " must be HOST:PORT: " + address);
            final String port = address.substring(colon + 1);
            int value = -1;
            try
            {
                value = Integer.parseInt(port);
            }
            catch (final NumberFormatException ignore)
            {
                // refused below
            }
            require(value >= 0 && value <= 65535, what + " " + key + " port must be 0..65535: " + address);
        }
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException("invalid transport configuration: " + message);
        }
    }

    /**
     * Label of the counters, to tell trackers apart.
     *
     * @return the setting.
     */
    public String name()
    {
        return name;
    }

    /**
     * Label of the counters, to tell trackers apart.
     *
     * @param name the name.
     * @return this.
     */
    public TransportConfig name(final String name)
    {
        this.name = name;
        return this;
    }

    /**
     * An Aeron client to use (the caller closes it).
     *
     * @return the setting.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * An Aeron client to use (the caller closes it). When none is given the transport connects its own to
     * {@link #aeronDirectoryName()} and closes it.
     *
     * @param aeron the client.
     * @return this.
     */
    public TransportConfig aeron(final Aeron aeron)
    {
        this.aeron = aeron;
        return this;
    }

    /**
     * Media driver directory to connect to when no client is given; null uses Aeron's default ({@code aeron.dir}).
     *
     * @return the setting.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * Media driver directory to connect to when no client is given; null uses Aeron's default ({@code aeron.dir}).
     *
     * @param aeronDirectoryName directory.
     * @return this.
     */
    public TransportConfig aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * Channel the tracker subscribes to for commands: {@code aeron:ipc} (default), or e.g.
     *
     * @return the setting.
     */
    public String inboundChannel()
    {
        return inboundChannel;
    }

    /**
     * Channel the tracker subscribes to for commands: {@code aeron:ipc} (default), or e.g.
     * {@code aeron:udp?endpoint=0.0.0.0:40123} for senders and destinations on other hosts.
     *
     * @param inboundChannel Aeron channel URI.
     * @return this.
     */
    public TransportConfig inboundChannel(final String inboundChannel)
    {
        this.inboundChannel = inboundChannel;
        return this;
    }

    /**
     * Aeron stream id the tracker reads commands from.
     *
     * @return the stream id.
     */
    public int inboundStreamId()
    {
        return inboundStreamId;
    }

    /**
     * Aeron stream id the tracker reads commands from.
     *
     * @param inboundStreamId the stream id.
     * @return this.
     */
    public TransportConfig inboundStreamId(final int inboundStreamId)
    {
        this.inboundStreamId = inboundStreamId;
        return this;
    }

    /**
     * Channel the tracker publishes Outcome, Redeliver and Refused on: {@code aeron:ipc} (default), or a UDP endpoint,
     * multicast or multi-destination-cast channel reaching the senders.
     *
     * @return the setting.
     */
    public String outboundChannel()
    {
        return outboundChannel;
    }

    /**
     * Channel the tracker publishes Outcome, Redeliver and Refused on: {@code aeron:ipc} (default), or a UDP
     * endpoint, multicast or multi-destination-cast channel reaching the senders.
     *
     * @param outboundChannel Aeron channel URI.
     * @return this.
     */
    public TransportConfig outboundChannel(final String outboundChannel)
    {
        this.outboundChannel = outboundChannel;
        return this;
    }

    /**
     * Aeron stream id the tracker publishes to.
     *
     * @return the stream id.
     */
    public int outboundStreamId()
    {
        return outboundStreamId;
    }

    /**
     * Aeron stream id the tracker publishes to.
     *
     * @param outboundStreamId the stream id.
     * @return this.
     */
    public TransportConfig outboundStreamId(final int outboundStreamId)
    {
        this.outboundStreamId = outboundStreamId;
        return this;
    }

    /**
     * Most inbound frames read per duty cycle.
     *
     * @return the setting.
     */
    public int fragmentLimit()
    {
        return fragmentLimit;
    }

    /**
     * Most inbound frames read per duty cycle.
     *
     * @param fragmentLimit frames.
     * @return this.
     */
    public TransportConfig fragmentLimit(final int fragmentLimit)
    {
        this.fragmentLimit = fragmentLimit;
        return this;
    }

    /**
     * Whether each duty cycle first walks the inbound frames its poll will read (without consuming them) and touches
     * the index entry and record of every message they name, so the poll finds them in cache ({@link
     * io.acktracker.transport.inbound.InboundPrefetch}).
     *
     * @return the setting.
     */
    public boolean inboundPrefetch()
    {
        return inboundPrefetch;
    }

    /**
     * Whether each duty cycle first walks the inbound frames its poll will read (without consuming them) and touches
     * the index entry and record of every message they name, so the poll finds them in cache
     * ({@link io.acktracker.transport.inbound.InboundPrefetch}). Changes no result. Off by default: see BENCHMARKS.md,
     * "The first pass over an Aeron poll".
     *
     * @param inboundPrefetch whether to make the first pass.
     * @return this.
     */
    public TransportConfig inboundPrefetch(final boolean inboundPrefetch)
    {
        this.inboundPrefetch = inboundPrefetch;
        return this;
    }

    /**
     * Extra offers of a back-pressured outbound frame within the duty cycle before it goes to the backlog.
     *
     * @return the setting.
     */
    public int outboundRetries()
    {
        return outboundRetries;
    }

    /**
     * Extra offers of a back-pressured outbound frame within the duty cycle before it goes to the backlog.
     *
     * @param outboundRetries retries.
     * @return this.
     */
    public TransportConfig outboundRetries(final int outboundRetries)
    {
        this.outboundRetries = outboundRetries;
        return this;
    }

    /**
     * Outbound backlog bytes at which the tracker stops polling inbound commands (preallocated).
     *
     * @return the setting.
     */
    public int backlogCapacity()
    {
        return backlogCapacity;
    }

    /**
     * Outbound backlog bytes at which the tracker stops polling inbound commands (preallocated).
     *
     * @param backlogCapacity bytes.
     * @return this.
     */
    public TransportConfig backlogCapacity(final int backlogCapacity)
    {
        this.backlogCapacity = backlogCapacity;
        return this;
    }

    /**
     * Most backlogged frames published per duty cycle.
     *
     * @return the setting.
     */
    public int backlogDrainLimit()
    {
        return backlogDrainLimit;
    }

    /**
     * Most backlogged frames published per duty cycle.
     *
     * @param backlogDrainLimit frames.
     * @return this.
     */
    public TransportConfig backlogDrainLimit(final int backlogDrainLimit)
    {
        this.backlogDrainLimit = backlogDrainLimit;
        return this;
    }

    /**
     * Whether outbound frames published while no subscriber is connected are kept for one that joins later (true), or
     * counted as {@link TransportCounter#OUTBOUND_NO_SUBSCRIBER} and not kept (false, the default: otherwise a tracker
     * nobody listens to would fill its backlog and stop taking acks).
     *
     * @return the setting.
     */
    public boolean backlogWhenNotConnected()
    {
        return backlogWhenNotConnected;
    }

    /**
     * Whether outbound frames published while no subscriber is connected are kept for one that joins later (true),
     * or counted as {@link TransportCounter#OUTBOUND_NO_SUBSCRIBER} and not kept (false, the default: otherwise a
     * tracker nobody listens to would fill its backlog and stop taking acks).
     *
     * @param backlogWhenNotConnected keep or not.
     * @return this.
     */
    public TransportConfig backlogWhenNotConnected(final boolean backlogWhenNotConnected)
    {
        this.backlogWhenNotConnected = backlogWhenNotConnected;
        return this;
    }

    /**
     * Most publisher sessions bound to destinations at once; dead ones are dropped to make room.
     *
     * @return the setting.
     */
    public int maxSessions()
    {
        return maxSessions;
    }

    /**
     * Most publisher sessions bound to destinations at once; dead ones are dropped to make room.
     *
     * @param maxSessions sessions.
     * @return this.
     */
    public TransportConfig maxSessions(final int maxSessions)
    {
        this.maxSessions = maxSessions;
        return this;
    }

    /**
     * File for the transport counters, readable by other processes; null (default) keeps them in memory.
     *
     * @return the setting.
     */
    public Path countersFile()
    {
        return countersFile;
    }

    /**
     * File for the transport counters, readable by other processes; null (default) keeps them in memory.
     *
     * @param countersFile the file.
     * @return this.
     */
    public TransportConfig countersFile(final Path countersFile)
    {
        this.countersFile = countersFile;
        return this;
    }

    /**
     * File for the distinct error log, readable by other processes; null (default) keeps it in memory.
     *
     * @return the setting.
     */
    public Path errorLogFile()
    {
        return errorLogFile;
    }

    /**
     * File for the distinct error log, readable by other processes; null (default) keeps it in memory.
     *
     * @param errorLogFile the file.
     * @return this.
     */
    public TransportConfig errorLogFile(final Path errorLogFile)
    {
        this.errorLogFile = errorLogFile;
        return this;
    }

    /**
     * Length of the distinct error log.
     *
     * @return bytes.
     */
    public int errorLogLength()
    {
        return errorLogLength;
    }

    /**
     * Length of the distinct error log.
     *
     * @param errorLogLength bytes.
     * @return this.
     */
    public TransportConfig errorLogLength(final int errorLogLength)
    {
        this.errorLogLength = errorLogLength;
        return this;
    }

    /**
     * How long closing keeps trying to publish the outbound backlog; what remains is counted as lost at close.
     *
     * @return the setting.
     */
    public long closeDrainTimeoutNs()
    {
        return closeDrainTimeoutNs;
    }

    /**
     * How long closing keeps trying to publish the outbound backlog; what remains is counted as lost at close.
     *
     * @param closeDrainTimeoutNs nanoseconds.
     * @return this.
     */
    public TransportConfig closeDrainTimeoutNs(final long closeDrainTimeoutNs)
    {
        this.closeDrainTimeoutNs = closeDrainTimeoutNs;
        return this;
    }

    /**
     * Visibility timeout of a lease whose Lease frame (or HTTP request) asks for the default; the tracker's {@code
     * leaseMaxVisibilityNs} still bounds it.
     *
     * @return the setting.
     */
    public long leaseTimeoutNs()
    {
        return leaseTimeoutNs;
    }

    /**
     * Visibility timeout of a lease whose Lease frame (or HTTP request) asks for the default; the tracker's
     * {@code leaseMaxVisibilityNs} still bounds it.
     *
     * @param leaseTimeoutNs nanoseconds.
     * @return this.
     */
    public TransportConfig leaseTimeoutNs(final long leaseTimeoutNs)
    {
        this.leaseTimeoutNs = leaseTimeoutNs;
        return this;
    }

    /**
     * How long the outbound publication may make no progress, with frames waiting in the backlog, before the
     * transport calls it a stall: a subscriber on the outbound stream is not reading, and on IPC (and UDP with min
     * flow control) the publication cannot move past the slowest subscriber. A stall is counted
     * ({@link TransportCounter#OUTBOUND_STALLS}), shown by the {@link TransportCounter#OUTBOUND_STALLED} gauge and
     * told once per episode through {@link #warnings()}, naming the slowest subscriber. Default 2 s.
     *
     * @return the bound.
     */
    public long outboundStallTimeoutNs()
    {
        return outboundStallTimeoutNs;
    }

    /**
     * Set the outbound stall bound.
     *
     * @param outboundStallTimeoutNs positive.
     * @return this.
     */
    public TransportConfig outboundStallTimeoutNs(final long outboundStallTimeoutNs)
    {
        this.outboundStallTimeoutNs = outboundStallTimeoutNs;
        return this;
    }

    /**
     * Where the transport's warnings go, one line each (stalls and their end); default standard error. Called on
     * the agent thread: keep it short and non-blocking.
     *
     * @return the consumer.
     */
    public Consumer<String> warnings()
    {
        return warnings;
    }

    /**
     * Set where warnings go.
     *
     * @param warnings one line per warning.
     * @return this.
     */
    public TransportConfig warnings(final Consumer<String> warnings)
    {
        this.warnings = warnings;
        return this;
    }

    /**
     * Destinations that must prove their name at hello, with their keys (service key {@code destination.keys.file});
     * default none: every destination is bound on its word, unauthenticated.
     *
     * @return the keys.
     */
    public DestinationKeys destinationKeys()
    {
        return destinationKeys;
    }

    /**
     * Set the destinations' keys.
     *
     * @param destinationKeys the keys.
     * @return this.
     */
    public TransportConfig destinationKeys(final DestinationKeys destinationKeys)
    {
        this.destinationKeys = destinationKeys;
        return this;
    }

    /**
     * Clients that must prove their client id when they open their session, with their keys, by client name (the
     * client id is {@code ClientSession.Settings.idOf(name)}; service key {@code client.keys.file}, the same
     * {@code name=key} format as the destination key file); default none: every client id is trusted on its word,
     * by anyone who can publish to the tracker.
     *
     * @return the keys.
     */
    public DestinationKeys clientKeys()
    {
        return clientKeys;
    }

    /**
     * Set the clients' keys.
     *
     * @param clientKeys the keys, by client name.
     * @return this.
     */
    public TransportConfig clientKeys(final DestinationKeys clientKeys)
    {
        this.clientKeys = clientKeys;
        return this;
    }
}

package io.acktracker.tools;

import io.acktracker.transport.Protocol;
import io.aeron.ChannelUri;

/**
 * Which channels {@code load} uses: {@code --channel} and {@code --outbound-channel} when given; else the channels
 * the running service registered ({@link ServiceRegistration}), the inbound one as seen from this host (a UDP
 * endpoint on a wildcard address, where the service listens on every interface, is sent to on localhost); else
 * Aeron IPC, the service's default.
 * <p>
 * Threading: any thread; stateless.
 */
final class LoadChannels
{
    private LoadChannels()
    {
    }

    /**
     * The channel to send Tracks and acks on.
     *
     * @param given   {@code --channel}, or null.
     * @param service the registered service, or null.
     * @return the channel.
     */
    static String inbound(final String given, final ServiceRegistration.Service service)
    {
        if (null != given)
        {
            return given;
        }
        return null == service || null == service.inboundChannel() ? Protocol.DEFAULT_CHANNEL :
            seenFromHere(service.inboundChannel());
    }

    /**
     * The channel outcomes arrive on.
     *
     * @param given   {@code --outbound-channel}, or null.
     * @param service the registered service, or null.
     * @return the channel.
     */
    static String outbound(final String given, final ServiceRegistration.Service service)
    {
        if (null != given)
        {
            return given;
        }
        return null == service || null == service.outboundChannel() ? Protocol.DEFAULT_CHANNEL :
            service.outboundChannel();
    }

    /**
     * A channel the service subscribes on, as a publisher on this host addresses it.
     *
     * @param channel the service's channel.
     * @return the same channel, with a wildcard endpoint host replaced by localhost.
     */
    static String seenFromHere(final String channel)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        final String endpoint = uri.get("endpoint");
        if (null == endpoint)
        {
            return channel;
        }
        final int colon = endpoint.lastIndexOf(':');
        final String host = colon > 0 ? endpoint.substring(0, colon) : endpoint;
        if ("0.0.0.0".equals(host) || "[::]".equals(host) || "*".equals(host))
        {
            uri.put("endpoint", "localhost" + endpoint.substring(colon));
            return uri.toString();
        }
        return channel;
    }
}

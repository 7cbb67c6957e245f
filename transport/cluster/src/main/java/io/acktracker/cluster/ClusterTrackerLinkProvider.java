package io.acktracker.cluster;

import io.acktracker.transport.client.TrackerLink;
import io.acktracker.transport.client.TrackerLinkProvider;
import io.acktracker.transport.client.TrackerLinkSettings;
import io.aeron.Aeron;

/**
 * Opens {@link ClusterTrackerLink}s for {@code TrackerLinks.open} in {@link TrackerLinkSettings.Mode#CLUSTER}: named
 * in this module's {@code META-INF/services}, so a client reaches a replicated tracker by configuration with this
 * module on its classpath. Threading: any thread; stateless.
 */
public final class ClusterTrackerLinkProvider implements TrackerLinkProvider
{
    /**
     * The provider, as {@link java.util.ServiceLoader} makes it.
     */
    public ClusterTrackerLinkProvider()
    {
    }

    public TrackerLinkSettings.Mode mode()
    {
        return TrackerLinkSettings.Mode.CLUSTER;
    }

    public TrackerLink open(final Aeron aeron, final TrackerLinkSettings settings)
    {
        return new ClusterTrackerLink(aeron, settings);
    }
}

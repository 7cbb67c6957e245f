package io.acktracker.transport.client;

import io.aeron.Aeron;

/**
 * Opens the {@link TrackerLink}s of one {@link TrackerLinkSettings.Mode} that the transport does not build itself:
 * found by {@link TrackerLinks#open} through {@link java.util.ServiceLoader} (a module names its provider in
 * {@code META-INF/services/io.acktracker.transport.client.TrackerLinkProvider}), so the transport does not depend on
 * what a mode needs (Aeron Cluster's client for {@link TrackerLinkSettings.Mode#CLUSTER}).
 * <p>
 * Threading: any thread; a provider is stateless.
 */
public interface TrackerLinkProvider
{
    /**
     * The mode this provider opens links for.
     *
     * @return the mode.
     */
    TrackerLinkSettings.Mode mode();

    /**
     * Open a link: return at once, the link connecting on its own from its {@link TrackerLink#poll} (not connected
     * meanwhile).
     *
     * @param aeron    connected client; not closed by the link.
     * @param settings the link's settings, of this provider's mode.
     * @return the link, owned by the caller.
     */
    TrackerLink open(Aeron aeron, TrackerLinkSettings settings);
}

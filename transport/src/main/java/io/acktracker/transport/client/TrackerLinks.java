package io.acktracker.transport.client;

import io.aeron.Aeron;

import java.util.ServiceLoader;

/**
 * Opens the {@link TrackerLink} that settings describe: the client helpers take one, so switching an application
 * between a single tracker and a replicated one is a change of configuration. {@link TrackerLinkSettings.Mode#AERON}
 * is built here; every other mode by a {@link TrackerLinkProvider} found with {@link ServiceLoader} ({@code cluster}:
 * the {@code io.acktracker:acktracker-cluster} module on the classpath).
 * <p>
 * Threading: any thread.
 */
public final class TrackerLinks
{
    private TrackerLinks()
    {
    }

    /**
     * Open the link the settings describe. It returns at once; the link may connect later (watch
     * {@link TrackerLink#isConnected()}).
     *
     * @param aeron    connected client; not closed by the link.
     * @param settings how to reach the tracker.
     * @return the link, owned by the caller.
     * @throws IllegalStateException when no provider for the settings' mode is on the classpath.
     */
    public static TrackerLink open(final Aeron aeron, final TrackerLinkSettings settings)
    {
        if (TrackerLinkSettings.Mode.AERON == settings.mode())
        {
            return AeronTrackerLink.open(aeron, settings.trackerChannel(), settings.trackerStreamId(),
                settings.outboundChannel(), settings.outboundStreamId());
        }
        return provider(settings.mode(), ServiceLoader.load(TrackerLinkProvider.class)).open(aeron, settings);
    }

    /**
     * The provider of a mode among those found.
     *
     * @param mode      the settings' mode.
     * @param providers the providers on the classpath.
     * @return the first provider of that mode.
     * @throws IllegalStateException naming what to add to the classpath, when there is none.
     */
    static TrackerLinkProvider provider(
        final TrackerLinkSettings.Mode mode, final Iterable<TrackerLinkProvider> providers)
    {
        for (final TrackerLinkProvider provider : providers)
        {
            if (provider.mode() == mode)
            {
                return provider;
            }
        }
        throw new IllegalStateException("tracker link mode=" + mode.name().toLowerCase(java.util.Locale.ROOT) +
            " needs " + (TrackerLinkSettings.Mode.CLUSTER == mode ?
            "the acktracker-cluster module (io.acktracker:acktracker-cluster) and aeron-cluster" : "its module") +
            " on the classpath: no TrackerLinkProvider for it was found");
    }
}

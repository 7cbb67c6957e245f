package io.acktracker.cluster;

import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.TransportConfig;
import org.agrona.CloseHelper;

import java.io.File;
import java.util.function.Supplier;

/**
 * What most cluster tests start from: three members in this JVM ({@link ClusterRig}) with a leader, and a sender and a
 * destination ({@link ClusterTestClients}) on a media driver of their own, both sessions bound. Closes all of it,
 * clients first. Test thread only.
 */
final class ClusterWithClients implements AutoCloseable
{
    final ClusterRig rig;
    final EmbeddedDriver clientDriver;
    final ClusterTestClients clients;

    private ClusterWithClients(final ClusterRig rig, final EmbeddedDriver clientDriver, final ClusterTestClients clients)
    {
        this.rig = rig;
        this.clientDriver = clientDriver;
        this.clients = clients;
    }

    /**
     * Members without keys, clients without keys.
     *
     * @param dir  where the members' directories go.
     * @param last the highest message id the test uses.
     * @return the started cluster and clients.
     */
    static ClusterWithClients start(final File dir, final int last)
    {
        return start(dir, last, TransportConfig::new, null, null, null);
    }

    /**
     * Members with given protocol settings, clients with given keys.
     *
     * @param dir                  where the members' directories go.
     * @param last                 the highest message id the test uses.
     * @param transport            each member's protocol settings (the same on every member).
     * @param senderKey            the sender's client key, or null.
     * @param destinationKey       destination A's key, or null.
     * @param destinationClientKey destination A's client key, or null.
     * @return the started cluster and clients.
     */
    static ClusterWithClients start(
        final File dir,
        final int last,
        final Supplier<TransportConfig> transport,
        final byte[] senderKey,
        final byte[] destinationKey,
        final byte[] destinationClientKey)
    {
        ClusterRig rig = null;
        EmbeddedDriver clientDriver = null;
        ClusterTestClients clients = null;
        try
        {
            rig = new ClusterRig(dir, true, transport);
            rig.awaitLeader();
            clientDriver = EmbeddedDriver.launch(EmbeddedDriver.context("cluster-clients"));
            clients = new ClusterTestClients(clientDriver.aeronDirectoryName(), rig.ingressEndpoints(), last,
                senderKey, destinationKey, destinationClientKey);
            clients.awaitBound();
            return new ClusterWithClients(rig, clientDriver, clients);
        }
        catch (final RuntimeException | Error ex)
        {
            CloseHelper.quietCloseAll(clients, rig, clientDriver);
            throw ex;
        }
    }

    public void close()
    {
        CloseHelper.quietCloseAll(clients, rig, clientDriver);
    }
}

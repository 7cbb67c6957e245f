package io.acktracker.cluster;

import io.acktracker.transport.TransportConfig;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One member of the test cluster as a process of its own, for the SIGKILL tests: {@code <memberId> <portBase> <dir>}
 * with {@link ClusterRig}'s settings. Prints {@code READY} once launched; a clean stop is the end of its input, a
 * crash is its test's SIGKILL.
 */
public final class ClusterMemberMain
{
    private ClusterMemberMain()
    {
    }

    /**
     * Run a member until stdin ends.
     *
     * @param args member id, port base, directory.
     * @throws Exception when it cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final int memberId = Integer.parseInt(args[0]);
        final int portBase = Integer.parseInt(args[1]);
        final File dir = new File(args[2]);
        final TrackerClusteredService service = new TrackerClusteredService(
            ClusterRig::trackerSettings, new TransportConfig(), TimeUnit.MILLISECONDS.toNanos(10));
        try (ClusterNode node = ClusterNode.launch(ClusterRig.settings(memberId, portBase, dir), service,
            (error) -> System.out.println("member " + memberId + " error: " + error)))
        {
            System.out.println("READY");
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (null != in.readLine())
            {
                Thread.onSpinWait();
            }
            System.out.println("member " + memberId + " stopping (" + node.service().role() + ")");
        }
    }
}

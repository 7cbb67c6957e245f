package io.acktracker.transport.service;

import org.agrona.concurrent.ShutdownSignalBarrier;

import java.util.Arrays;

/**
 * Runs the standalone tracker until SIGTERM or SIGINT, then shuts it down cleanly (see {@link TrackerService}).
 * <pre>
 *   java $JVM_FLAGS -cp ... io.acktracker.transport.service.TrackerServiceMain --config=tracker.yaml --http.enabled=true
 * </pre>
 * Exit status: 0 after a clean shutdown, 2 for bad settings, 1 when the tracker could not start.
 */
public final class TrackerServiceMain
{
    private TrackerServiceMain()
    {
    }

    /**
     * Entry point.
     *
     * @param args {@code --config=<file>} and {@code --<key>=<value>} flags; {@code --help} lists the keys.
     */
    public static void main(final String[] args)
    {
        if (Arrays.asList(args).contains("--help"))
        {
            System.out.println("usage: TrackerServiceMain [--config=<file.properties|file.yaml>] [--<key>=<value>]..." +
                System.lineSeparator() + "keys (also as -Dacktracker.<key>=<value>):" + System.lineSeparator() +
                ServiceConfig.help());
            return;
        }

        final ServiceConfig config;
        try
        {
            config = ServiceConfig.load(args, System.getProperties());
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("acktracker: " + ex.getMessage());
            System.exit(2);
            return;
        }

        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            TrackerService service = TrackerService.start(config))
        {
            System.out.println(service.describe());
            barrier.await();
            System.out.println("acktracker '" + config.name() + "' shutting down");
        }
        catch (final RuntimeException ex)
        {
            System.err.println("acktracker: cannot run: " + ex.getMessage());
            ex.printStackTrace(System.err);
            System.exit(1);
        }
        System.out.println("acktracker '" + config.name() + "' stopped cleanly");
    }
}

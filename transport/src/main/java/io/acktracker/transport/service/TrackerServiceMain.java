package io.acktracker.transport.service;

import net.openhft.chronicle.core.shutdown.PriorityHook;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the standalone tracker until SIGTERM or SIGINT, then shuts it down cleanly (see {@link TrackerService}).
 * <pre>
 *   sh transport/target/run.sh io.acktracker.transport.service.TrackerServiceMain --config=tracker.yaml
 * </pre>
 * The clean shutdown runs in the JVM's shutdown, ordered before Chronicle Map's own close-on-exit hook: Chronicle
 * closes and unmaps every map it knows in a shutdown hook of priority 80 in chronicle-core's {@link PriorityHook},
 * and a plain shutdown hook or a signal barrier would race it (the tracker's agent reads its tables through raw
 * addresses while it runs). So the service's shutdown is a {@link PriorityHook} of priority
 * {@value #SHUTDOWN_PRIORITY}: the agent stops and the tables are flushed and closed first.
 * <p>
 * Exit status: after SIGTERM the JVM's (143); 2 for bad settings; 1 when the tracker could not start.
 */
public final class TrackerServiceMain
{
    /** Before Chronicle Map's close-on-exit hook (80), among "release of network resources" (1-49). */
    static final int SHUTDOWN_PRIORITY = 40;

    private TrackerServiceMain()
    {
    }

    /**
     * Entry point.
     *
     * @param args {@code --config=<file>} and {@code --<key>=<value>} flags; {@code --help} lists the keys,
     *             {@code --print-config} prints the effective settings and {@code --print-config-reference} the
     *             reference, without starting.
     * @throws InterruptedException when interrupted while running.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        if (Arrays.asList(args).contains("--help"))
        {
            System.out.println("usage: TrackerServiceMain [--config=<file.yaml|file.json|file.properties>] " +
                "[--<key>=<value>]... [--print-config] [--print-config-reference]" + System.lineSeparator() +
                "keys (also as -Dacktracker.<key>=<value>; transport/CONFIG.md):" + System.lineSeparator() +
                ServiceConfig.help());
            return;
        }
        if (Arrays.asList(args).contains("--print-config-reference"))
        {
            System.out.print(ConfigReference.markdown());
            return;
        }
        final boolean printConfig = Arrays.asList(args).contains("--print-config");

        final ServiceConfig config;
        final TrackerService service;
        try
        {
            config = ServiceConfig.load(Arrays.stream(args).filter((arg) -> !"--print-config".equals(arg))
                .toArray(String[]::new), System.getProperties()).validate();
            if (printConfig)
            {
                System.out.print(config.effective());
                return;
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("acktracker: " + ex.getMessage());
            System.exit(2);
            return;
        }
        try
        {
            service = TrackerService.start(config);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("acktracker: cannot start: " + ex.getMessage());
            ex.printStackTrace(System.err);
            System.exit(1);
            return;
        }

        final CountDownLatch stopped = new CountDownLatch(1);
        PriorityHook.add(SHUTDOWN_PRIORITY, () -> shutdown(service, config.name(), stopped));
        System.out.println(service.describe());
        final Throwable failure = service.awaitStopOrFailure(stopped);
        if (null != failure)
        {
            System.err.println("acktracker '" + config.name() + "': the tracker stopped on a fault and the service " +
                "exits (restart it; it recovers from its files): " + failure);
            failure.printStackTrace(System.err);
            System.exit(TrackerService.EXIT_TRACKER_FAILED);
        }
    }

    private static void shutdown(final TrackerService service, final String name, final CountDownLatch stopped)
    {
        System.out.println("acktracker '" + name + "' shutting down");
        try
        {
            service.close();
            System.out.println("acktracker '" + name + "' stopped cleanly");
        }
        catch (final RuntimeException ex)
        {
            System.err.println("acktracker '" + name + "' did not stop cleanly: " + ex);
            ex.printStackTrace(System.err);
        }
        finally
        {
            stopped.countDown();
        }
    }
}

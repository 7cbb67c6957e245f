package io.acktracker.tools;

import io.acktracker.engine.api.TrackerException;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.service.ConfigReference;
import io.acktracker.transport.service.ServiceConfig;
import io.acktracker.transport.service.TrackerService;
import io.aeron.Aeron;
import net.openhft.chronicle.core.shutdown.PriorityHook;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The standalone tracker service in the foreground: the transport's {@link TrackerService} with the same settings
 * (defaults, a properties or YAML file, {@code -Dacktracker.<key>} properties, {@code --<key>=<value>} flags) and
 * the same clean shutdown on SIGTERM/SIGINT as {@code TrackerServiceMain}, plus what the tools need: a
 * registration counter in the media driver (so {@code stat}, {@code load} and {@code dlq --aeron-dir} find it) and
 * the admin stream ({@link AdminServer}) for dead-letter commands.
 * <p>
 * It starts the service itself rather than calling {@code TrackerServiceMain.main}: that method exits the JVM on
 * errors and keeps the service to itself, so nothing could be attached to it.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the tracker service in the foreground until SIGTERM or Ctrl-C (stops cleanly).",
        "Settings: defaults, then --config FILE (.yaml, .yml, .json or .properties), then -Dacktracker.KEY=VALUE, " +
        "then --KEY=VALUE flags."},
    footer = {"", "Every key (about a hundred), with its type, default and meaning:",
        "  acktracker run --print-config-reference    (or transport/CONFIG.md)",
        "The settings a start would use, and where each came from:",
        "  acktracker run --print-config [--config FILE] [--KEY=VALUE...]"})
final class RunCommand implements Callable<Integer>
{
    /** Same place as the service main's hook: before Chronicle Map's close-on-exit hook (80). */
    static final int SHUTDOWN_PRIORITY = 40;
    static final int DEFAULT_ADMIN_STREAM = 7003;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Settings file: .yaml, .yml, .json or .properties.")
    Path configFile;

    @Option(names = "--admin-stream", defaultValue = "" + DEFAULT_ADMIN_STREAM, paramLabel = "ID",
        description = "IPC stream id of the tools' admin requests; replies on ID+1 (default ${DEFAULT-VALUE}).")
    int adminStreamId;

    @Option(names = "--no-admin", description = "No admin stream (dlq --aeron-dir and load's name lookup then fail).")
    boolean noAdmin;

    @Option(names = "--print-config", description = "Print the effective settings (YAML, each with where it " +
        "came from: default, file, property or flag) and exit without starting.")
    boolean printConfig;

    @Option(names = "--print-config-reference", description = "Print every key with its type, default and meaning " +
        "(Markdown, as in transport/CONFIG.md) and exit.")
    boolean printReference;

    @Unmatched
    List<String> settings = new ArrayList<>();

    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (printReference)
        {
            out.print(ConfigReference.markdown());
            out.flush();
            return 0;
        }
        final ServiceConfig config = load();
        checkAdminStream();
        if (printConfig)
        {
            out.print(config.effective());
            out.flush();
            return 0;
        }
        final TrackerService service = start(config);
        final Aeron aeron = service.transport().config().aeron();
        AgentRunner admin = null;
        AutoCloseable registration = null;
        final CountDownLatch stopped = new CountDownLatch(1);
        final AtomicReference<Runnable> stop = new AtomicReference<>();
        try
        {
            if (!noAdmin)
            {
                refuseAdminStreamCollision(service.transport().config());
                admin = new AgentRunner(new SleepingMillisIdleStrategy(1), (ex) -> { }, null,
                    new AdminServer(aeron, service.tracker(), service.transport().counters(), service.secret(),
                    adminStreamId, adminStreamId + 1));
                AgentRunner.startOnThread(admin);
            }
            registration = ServiceRegistration.register(aeron, new ServiceRegistration.Service(
                Path.of(service.aeronDirectoryName()), config.get("name"), ProcessHandle.current().pid(),
                service.tracker().dataDir(), service.transport().config().inboundStreamId(),
                service.transport().config().outboundStreamId(), noAdmin ? 0 : adminStreamId,
                noAdmin ? 0 : adminStreamId + 1, noAdmin ? null : service.secretFile(), service.runDirectory(),
                service.transport().config().inboundChannel(), service.transport().config().outboundChannel()));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(registration, admin);
            service.close();
            throw new TrackerException("cannot start: " + ex.getMessage());
        }

        final AgentRunner adminRunner = admin;
        final AutoCloseable registered = registration;
        final String name = config.get("name");
        stop.set(() -> shutdown(out, name, service, adminRunner, registered, stopped));
        PriorityHook.add(SHUTDOWN_PRIORITY, () ->
        {
            final Runnable action = stop.getAndSet(null);
            if (null != action)
            {
                action.run();
            }
        });

        out.println(service.describe());
        out.println(noAdmin ? "admin stream off" : "admin stream: aeron:ipc streams " + adminStreamId + "/" +
            (adminStreamId + 1) + " (acktracker dlq ... --aeron-dir " + service.aeronDirectoryName() + "), " +
            "commands signed with the secret in " + service.secretFile());
        out.println("stop with Ctrl-C or SIGTERM");
        out.flush();
        try
        {
            final Throwable failure = service.awaitStopOrFailure(stopped);
            if (null != failure)
            {
                final PrintWriter err = spec.commandLine().getErr();
                err.println("acktracker '" + name + "': the tracker stopped on a fault and the service exits " +
                    "(restart it; it recovers from its files): " + failure);
                failure.printStackTrace(err);
                err.flush();
                final Runnable action = stop.getAndSet(null);
                if (null != action)
                {
                    action.run();
                }
                return TrackerService.EXIT_TRACKER_FAILED;
            }
        }
        catch (final InterruptedException ex)
        {
            final Runnable action = stop.getAndSet(null);
            if (null != action)
            {
                action.run();
            }
        }
        return 0;
    }

    private ServiceConfig load()
    {
        final List<String> arguments = new ArrayList<>();
        if (null != configFile)
        {
            if (!Files.exists(configFile))
            {
                throw new TrackerException("no such config file: " + configFile);
            }
            if (!Files.isRegularFile(configFile))
            {
                throw new TrackerException(configFile + " is not a file");
            }
            if (!Files.isReadable(configFile))
            {
                throw new TrackerException("cannot read config file " + configFile + " (permission denied)");
            }
            arguments.add("--config=" + configFile);
        }
        arguments.addAll(settings);
        try
        {
            return ServiceConfig.load(arguments.toArray(new String[0]), System.getProperties()).validate();
        }
        catch (final UncheckedIOException ex)
        {
            throw new TrackerException(ex.getMessage() + ": " + ex.getCause().getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TrackerException("bad settings: " + ex.getMessage() + " ('acktracker run " +
                "--print-config-reference' lists the keys)");
        }
    }

    private void checkAdminStream()
    {
        Usage.require(spec, noAdmin || (adminStreamId > 0 && adminStreamId < Integer.MAX_VALUE),
            "--admin-stream must be 1.." + (Integer.MAX_VALUE - 1) + " (replies go on ID+1), not " + adminStreamId);
    }

    /**
     * The admin stream is IPC on the service's driver: it must not be one of the service's own IPC streams (its
     * requests and replies would be read as commands, or outcomes as requests).
     */
    private void refuseAdminStreamCollision(final TransportConfig transport)
    {
        final int[] streams = { transport.inboundStreamId(), transport.outboundStreamId() };
        final String[] channels = { transport.inboundChannel(), transport.outboundChannel() };
        for (int i = 0; i < streams.length; i++)
        {
            if (channels[i].startsWith("aeron:ipc") && (streams[i] == adminStreamId || streams[i] == adminStreamId + 1))
            {
                throw new TrackerException("--admin-stream " + adminStreamId + " (replies on " + (adminStreamId + 1) +
                    ") collides with the service's IPC " + (0 == i ? "inbound" : "outbound") + " stream " +
                    streams[i] + "; pick another (default " + DEFAULT_ADMIN_STREAM + ") or --no-admin");
            }
        }
    }

    private static TrackerService start(final ServiceConfig config)
    {
        try
        {
            return TrackerService.start(config);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TrackerException("bad settings: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            throw new TrackerException("cannot start: " + (null == ex.getMessage() ? ex.toString() : ex.getMessage()));
        }
    }

    private static void shutdown(
        final PrintWriter out,
        final String name,
        final TrackerService service,
        final AgentRunner admin,
        final AutoCloseable registration,
        final CountDownLatch stopped)
    {
        out.println("acktracker '" + name + "' shutting down");
        out.flush();
        try
        {
            CloseHelper.quietCloseAll(admin, registration);
            service.close();
            out.println("acktracker '" + name + "' stopped cleanly");
        }
        catch (final RuntimeException ex)
        {
            out.println("acktracker '" + name + "' did not stop cleanly: " + ex);
        }
        finally
        {
            out.flush();
            stopped.countDown();
        }
    }
}

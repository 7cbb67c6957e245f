package io.acktracker.transport.service.soak;

import io.acktracker.engine.testing.ChildJvm;
import io.acktracker.transport.service.TrackerServiceMain;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starting, killing and stopping the processes of a soak: the real service ({@link TrackerServiceMain}) and the
 * soak's clients, each a child JVM on an Aeron directory the test owns. Each is stopped by its own pid.
 */
public final class SoakProcesses
{
    /** A start replays the journal after the last checkpoint; on a loaded 2-core machine that can take a while. */
    private static final long READY_SECONDS = 180;

    private SoakProcesses()
    {
    }

    /**
     * Start the service and wait until it says it is running.
     *
     * @param config   its config file.
     * @param aeronDir the external driver's directory.
     * @param name     the service's name in the config.
     * @return the process.
     * @throws Exception when it does not start: the output is in the message.
     */
    public static Process startService(final Path config, final String aeronDir, final String name) throws Exception
    {
        return start(ChildJvm.javaCommand(List.of("-Daeron.dir=" + aeronDir), TrackerServiceMain.class,
            "--config=" + config), "acktracker '" + name + "' running", "acktracker",
            config.resolveSibling("service.out"));
    }

    /**
     * Start a soak client and wait for its READY line.
     *
     * @param output    a file its output is appended to.
     * @param mainClass {@link SoakSender} or {@link SoakDestination}.
     * @param args      its arguments.
     * @return the process.
     * @throws Exception when it does not get ready.
     */
    public static Process startClient(final Path output, final Class<?> mainClass, final String... args)
        throws Exception
    {
        // a long soak's sender and destinations read millions of Tracks from their journals at each start
        return start(ChildJvm.javaCommand(List.of("-Xmx768m", "-XX:TieredStopAtLevel=1"), mainClass, args),
            "READY", "Exception", output);
    }

    private static Process start(final List<String> command, final String ready, final String failure, final Path out)
        throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final CompletableFuture<String> started = new CompletableFuture<>();
        final List<String> output = new CopyOnWriteArrayList<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = lines.readLine()))
                {
                    java.nio.file.Files.writeString(out, process.pid() + " " + line + "\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                    if (output.size() < 200)
                    {
                        output.add(line);
                    }
                    if (line.startsWith(ready))
                    {
                        started.complete(line);
                    }
                    else if (!started.isDone() && line.contains(failure))
                    {
                        started.completeExceptionally(new AssertionError(line));
                    }
                }
            }
            catch (final java.io.IOException ex)
            {
                started.completeExceptionally(ex);
            }
            started.completeExceptionally(new AssertionError("exited before it was ready"));
        }, "child-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try
        {
            started.get(READY_SECONDS, TimeUnit.SECONDS);
        }
        catch (final TimeoutException | ExecutionException ex)
        {
            stop(process);
            throw new AssertionError("did not start: " + output, ex);
        }
        return process;
    }

    /**
     * SIGKILL, by the process's own pid, and wait for it to be gone.
     *
     * @param process the process.
     * @throws InterruptedException when interrupted.
     */
    public static void kill(final Process process) throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new AssertionError("pid " + process.pid() + " still alive 30 s after SIGKILL");
        }
    }

    /**
     * SIGTERM, then SIGKILL after 30 s.
     *
     * @param process the process, or null.
     * @throws InterruptedException when interrupted.
     */
    public static void stop(final Process process) throws InterruptedException
    {
        stop(process, 30);
    }

    /**
     * Stop a process: SIGTERM, then SIGKILL when it has not ended within {@code seconds}.
     *
     * @param process the process, or null.
     * @param seconds how long a clean stop may take (the service's closing checkpoint is slow on a loaded machine).
     * @return whether it ended by itself.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static boolean stop(final Process process, final int seconds) throws InterruptedException
    {
        if (null == process)
        {
            return true;
        }
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            return false;
        }
        return true;
    }
}

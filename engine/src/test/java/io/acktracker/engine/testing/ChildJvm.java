package io.acktracker.engine.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real child JVM on the test's class path and the project's JVM flags, talked to line by line: the test writes
 * commands to its stdin and waits, bounded, for a line on its stdout. Optionally started through
 * {@code sh -c 'umask 000; exec java ...'} so files it creates get whatever mode the code asks for, nothing
 * narrower. Stopped by its own pid.
 * <p>
 * Threading: the test's thread; one daemon thread per child reads its output.
 */
public final class ChildJvm implements AutoCloseable
{
    private static final long WAIT_SECONDS = 60;

    private final Process process;
    private final PrintWriter stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private ChildJvm(final Process process)
    {
        this.process = process;
        this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                for (String line; null != (line = out.readLine()); )
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignore)
            {
                // the child is gone
            }
        }, "child-" + process.pid() + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The command line of a child JVM: this JVM's java, the project's JVM flags (the {@code acktracker.jvm.flags}
     * property the build passes to tests), the given options, the test's class path, the main class and its
     * arguments.
     *
     * @param options   JVM options after the project's flags (heap size, say).
     * @param mainClass the class whose main runs.
     * @param args      its arguments.
     * @return a new mutable list.
     */
    public static List<String> javaCommand(final List<String> options, final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : System.getProperty("acktracker.jvm.flags", "").split("\\s+"))
        {
            if (!flag.isBlank())
            {
                command.add(flag);
            }
        }
        command.addAll(options);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Wait until a child started with {@link #javaCommand} prints {@code READY} on its own line, then keep draining
     * its output on a daemon thread (so it never blocks on a full pipe). Bounded by the child: a child that dies
     * ends the wait.
     *
     * @param child the child, its error stream redirected to its output.
     * @throws AssertionError with what the child printed when it ends without being ready.
     */
    public static void awaitReady(final Process child)
    {
        final java.io.BufferedReader reader = new java.io.BufferedReader(
            new java.io.InputStreamReader(child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        final StringBuilder seen = new StringBuilder();
        try
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                if ("READY".equals(line))
                {
                    final Thread drainer = new Thread(() ->
                    {
                        try
                        {
                            while (reader.readLine() != null)
                            {
                                Thread.onSpinWait();
                            }
                        }
                        catch (final IOException ignore)
                        {
                            // the child died
                        }
                    });
                    drainer.setDaemon(true);
                    drainer.start();
                    return;
                }
                seen.append(line).append('\n');
            }
        }
        catch (final IOException ex)
        {
            seen.append(ex);
        }
        child.destroyForcibly();
        throw new AssertionError("child did not start:\n" + seen);
    }

    /**
     * Start a child running a main class.
     *
     * @param openUmask start it under umask 000.
     * @param mainClass the class whose main runs.
     * @param args      its arguments.
     * @return the running child.
     */
    public static ChildJvm start(final boolean openUmask, final Class<?> mainClass, final String... args)
    {
        final List<String> java = javaCommand(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), mainClass, args);

        final List<String> command = new ArrayList<>();
        if (openUmask)
        {
            command.addAll(List.of("sh", "-c", "umask 000; exec \"$@\"", "sh"));
        }
        command.addAll(java);
        try
        {
            return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * The child's pid (the JVM's own: {@code exec} replaces the shell).
     *
     * @return the pid.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * Send one command line.
     *
     * @param line the command.
     */
    public void send(final String line)
    {
        stdin.println(line);
    }

    /**
     * Wait (bounded) for the next output line that starts with one of the given words, skipping others.
     *
     * @param prefixes the words an awaited line may start with.
     * @return the line.
     * @throws AssertionError when none comes within the bound or the child exits.
     */
    public String await(final String... prefixes)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        try
        {
            while (System.nanoTime() - deadlineNs < 0)
            {
                final String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (null == line)
                {
                    if (!process.isAlive() && lines.isEmpty())
                    {
                        break;
                    }
                    continue;
                }
                seen.add(line);
                for (final String prefix : prefixes)
                {
                    if (line.startsWith(prefix))
                    {
                        return line;
                    }
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("child " + process.pid() + " did not say " + List.of(prefixes) + " (alive: " +
            process.isAlive() + "); it said:\n" + String.join("\n", seen));
    }

    /** Close its stdin (it exits on end of input), then stop it by its pid, bounded. */
    public void close()
    {
        stdin.close();
        try
        {
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

package io.acktracker.tools;

import io.acktracker.cluster.ClusterNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The members of a replicated tracker on this host, each an {@code acktracker cluster node} process of its own
 * (this JVM's java, flags and class path), for the cluster demo: started, watched (each member's output goes to
 * {@code member-N.log} in the cluster's directory, and its role lines tell who leads), SIGKILLed and started again
 * from its directory, and stopped at the end, every one by its own pid.
 * <p>
 * Threading: the demo's thread calls; one reader thread per process updates the roles.
 */
final class ClusterMembers implements AutoCloseable
{
    static final int SIZE = 3;
    private static final long STOP_SECONDS = 30;

    private final Path dir;
    private final Path config;
    private final int portBase;
    private final long leaderTimeoutNs;
    private final Process[] processes = new Process[SIZE];
    /** Per member: 0 not running yet, 1 follower, 2 candidate, 3 leader (its last role line). */
    private final int[] roles = new int[SIZE];
    private final long[] leaderSinceNs = new long[SIZE];
    private int leadersElected;
    /** CPU time of members' processes that ended (killed), and what the live ones had used when counting began. */
    private long cpuOfEndedNs;
    private final long[] cpuAtMarkNs = new long[SIZE];

    ClusterMembers(final Path dir, final Path config, final int portBase, final long leaderTimeoutNs)
    {
        this.dir = dir;
        this.config = config;
        this.portBase = portBase;
        this.leaderTimeoutNs = leaderTimeoutNs;
    }

    /** Every member's host: this one. */
    static List<String> hosts()
    {
        return List.of("localhost", "localhost", "localhost");
    }

    String ingressEndpoints()
    {
        return ClusterNode.ingressEndpoints(hosts(), portBase);
    }

    /**
     * Start a member's process (again, after a kill: from its directory).
     *
     * @param id the member.
     */
    void start(final int id)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            // this JVM's flags (the project's --add-opens and heap), not a debugger or agent of its own
            if (!argument.startsWith("-agentlib") && !argument.startsWith("-javaagent") &&
                !argument.startsWith("-Xrunjdwp"))
            {
                command.add(argument);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), AckTrackerCli.class.getName(),
            "cluster", "node", "--id", String.valueOf(id), "--members", String.join(",", hosts()), "--port-base",
            String.valueOf(portBase), "--dir", dir.resolve("member-" + id).toString(), "--config", config.toString(),
            "--leader-timeout", TimeUnit.NANOSECONDS.toMillis(leaderTimeoutNs) + "ms"));
        synchronized (roles)
        {
            roles[id] = 0;
        }
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start cluster member " + id, ex);
        }
        processes[id] = process;
        final Path log = dir.resolve("member-" + id + ".log");
        final Thread reader = new Thread(() -> read(id, process, log), "cluster-member-" + id + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(final int id, final Process process, final Path log)
    {
        try (BufferedReader lines = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = lines.readLine()))
            {
                Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                final int role = line.startsWith("member " + id + ": ") ? roleOf(line) : -1;
                if (role >= 0)
                {
                    synchronized (roles)
                    {
                        if (3 == role && 3 != roles[id])
                        {
                            leaderSinceNs[id] = System.nanoTime();
                            leadersElected++;
                        }
                        roles[id] = role;
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            // the process ended (or was killed): its output is closed
        }
    }

    private static int roleOf(final String line)
    {
        return line.endsWith("FOLLOWER") ? 1 : line.endsWith("CANDIDATE") ? 2 : line.endsWith("LEADER") ? 3 : -1;
    }

    /**
     * The member whose last role line said leader and whose process lives, or -1.
     *
     * @return its id.
     */
    /**
     * How many times a member said it became the leader: the first election, one per failover, and any the members
     * held without a kill (a member silent longer than the leader timeout).
     *
     * @return the count.
     */
    int leadersElected()
    {
        synchronized (roles)
        {
            return leadersElected;
        }
    }

    int leader()
    {
        synchronized (roles)
        {
            int leader = -1;
            for (int id = 0; id < SIZE; id++)
            {
                if (3 == roles[id] && null != processes[id] && processes[id].isAlive() &&
                    (leader < 0 || leaderSinceNs[id] - leaderSinceNs[leader] > 0))
                {
                    leader = id;
                }
            }
            return leader;
        }
    }

    /**
     * Whether every member's process runs and has said its role.
     *
     * @return true when all are up.
     */
    boolean allRunning()
    {
        synchronized (roles)
        {
            for (int id = 0; id < SIZE; id++)
            {
                if (null == processes[id] || !processes[id].isAlive() || 0 == roles[id])
                {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Whether a member's process has ended (it could not start, or it died).
     *
     * @return true when one has.
     */
    boolean anyExited()
    {
        for (final Process process : processes)
        {
            if (null != process && !process.isAlive())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * SIGKILL a member's process, by its pid, and wait for it to be gone.
     *
     * @param id the member.
     * @throws InterruptedException when interrupted.
     */
    void kill(final int id) throws InterruptedException
    {
        final Process process = processes[id];
        cpuOfEndedNs += cpuNs(process) - cpuAtMarkNs[id];
        cpuAtMarkNs[id] = 0;
        synchronized (roles)
        {
            roles[id] = 0;
        }
        process.destroyForcibly();
        if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("cluster member " + id + " (pid " + process.pid() + ") still alive " +
                STOP_SECONDS + " s after SIGKILL");
        }
        // killed on purpose: not a member whose process ended by itself, until it is started again
        processes[id] = null;
    }

    /**
     * The last lines each member printed, for a failure's message.
     *
     * @param count lines per member.
     * @return the lines, each member's under its id.
     */
    String lastLines(final int count)
    {
        final StringBuilder text = new StringBuilder();
        for (int id = 0; id < SIZE; id++)
        {
            text.append(System.lineSeparator()).append("member ").append(id).append(':');
            try
            {
                final List<String> lines = Files.readAllLines(dir.resolve("member-" + id + ".log"));
                lines.subList(Math.max(0, lines.size() - count), lines.size())
                    .forEach((line) -> text.append(System.lineSeparator()).append("  ").append(line));
            }
            catch (final IOException ex)
            {
                text.append(" no output");
            }
        }
        return text.toString();
    }

    /** Start counting the members' CPU time from now. */
    void markCpu()
    {
        cpuOfEndedNs = 0;
        for (int id = 0; id < SIZE; id++)
        {
            cpuAtMarkNs[id] = null == processes[id] ? 0 : cpuNs(processes[id]);
        }
    }

    /**
     * The CPU time every member's processes used since {@link #markCpu()}, the killed ones included up to their
     * kill (user and system, as the OS counts it for each pid).
     *
     * @return nanoseconds.
     */
    long cpuSinceMarkNs()
    {
        long total = cpuOfEndedNs;
        for (int id = 0; id < SIZE; id++)
        {
            if (null != processes[id])
            {
                total += cpuNs(processes[id]) - cpuAtMarkNs[id];
            }
        }
        return total;
    }

    private static long cpuNs(final Process process)
    {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    long pid(final int id)
    {
        return processes[id].pid();
    }

    /** Stop every member: SIGTERM (a clean stop), SIGKILL for one that has not ended after 30 s. */
    public void close()
    {
        for (final Process process : processes)
        {
            if (null != process)
            {
                process.destroy();
            }
        }
        for (final Process process : processes)
        {
            if (null != process)
            {
                try
                {
                    if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS))
                    {
                        process.destroyForcibly();
                        process.waitFor(STOP_SECONDS, TimeUnit.SECONDS);
                    }
                }
                catch (final InterruptedException ex)
                {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}

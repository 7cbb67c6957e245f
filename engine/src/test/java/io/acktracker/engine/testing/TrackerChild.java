package io.acktracker.engine.testing;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The child process of the store-fault tests ({@link ChildJvm}): opens, uses and closes one tracker on a data
 * directory as told on stdin, one command a line, and answers one line each.
 * <pre>
 * open DIR          OPENED | REFUSED message
 * open-bare DIR     OPENED | REFUSED message (no destinations registered up front)
 * register NAME     REGISTERED id
 * track ID          TRACKED result
 * close             CLOSED
 * umask-probe FILE  UMASK-PROBE mode (of a file created with no mode asked for, then deleted)
 * </pre>
 * End of input closes the tracker and exits.
 * <p>
 * Threading: main thread only.
 */
public final class TrackerChild
{
    private TrackerChild()
    {
    }

    /**
     * Standard configuration of the tests' trackers: small tables, two destinations.
     *
     * @param dir data directory.
     * @return the configuration.
     */
    public static TrackerConfig config(final Path dir)
    {
        return bareConfig(dir).destinations("a", "b");
    }

    /**
     * The tests' configuration with no destinations registered up front.
     *
     * @param dir data directory.
     * @return the configuration.
     */
    public static TrackerConfig bareConfig(final Path dir)
    {
        return new TrackerConfig()
            .dataDir(dir)
            .capacity(1024)
            .tombstoneCapacity(1024)
            .dlqCapacity(4096)
            .errorHandler((ex) -> { });
    }

    public static void main(final String[] args) throws IOException
    {
        AckTracker tracker = null;
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("READY " + ProcessHandle.current().pid());
        for (String line; null != (line = in.readLine()); )
        {
            final String[] words = line.strip().split(" ", 2);
            try
            {
                switch (words[0])
                {
                    case "open" ->
                    {
                        tracker = AckTracker.open(config(Path.of(words[1])));
                        System.out.println("OPENED");
                    }
                    case "open-bare" ->
                    {
                        tracker = AckTracker.open(bareConfig(Path.of(words[1])));
                        System.out.println("OPENED");
                    }
                    case "register" -> System.out.println("REGISTERED " + tracker.destination(words[1]));
                    case "track" -> System.out.println("TRACKED " + tracker.agent().track(Long.parseLong(words[1]), 1));
                    case "close" ->
                    {
                        tracker.close();
                        tracker = null;
                        System.out.println("CLOSED");
                    }
                    case "umask-probe" ->
                    {
                        final Path file = Files.createFile(Path.of(words[1]));
                        System.out.println("UMASK-PROBE " +
                            PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                        Files.delete(file);
                    }
                    default -> System.out.println("UNKNOWN " + line);
                }
            }
            catch (final TrackerException ex)
            {
                System.out.println((words[0].startsWith("open") ? "REFUSED " : "FAILED ") + ex.getMessage());
            }
            catch (final RuntimeException ex)
            {
                System.out.println("FAILED " + ex);
            }
        }
        if (null != tracker)
        {
            tracker.close();
        }
    }
}

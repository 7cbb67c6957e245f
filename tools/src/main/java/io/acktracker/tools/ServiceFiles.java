package io.acktracker.tools;

import io.acktracker.engine.api.TrackerException;
import io.aeron.CommonContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Where a tracker keeps the files {@code stat} and {@code errors} read (its counters files and error logs), found
 * the way AeronStat finds a driver: a data directory named with {@code --data-dir}; else an Aeron directory
 * ({@code --aeron-dir}, by default Aeron's default directory) that holds the files itself or has a service started
 * with {@code run} registered in its driver ({@link ServiceRegistration}), which names its data directory, or for
 * an in-memory service its private run directory.
 * <p>
 * Threading: the command's thread; stateless.
 */
final class ServiceFiles
{
    private ServiceFiles()
    {
    }

    /**
     * A directory holding a tracker's files, and the service that registered it.
     *
     * @param dir     the directory.
     * @param service the registered service, or null when the directory was named directly.
     */
    record Location(Path dir, ServiceRegistration.Service service)
    {
    }

    /**
     * Find the directory.
     *
     * @param dataDir  {@code --data-dir}, or null.
     * @param aeronDir {@code --aeron-dir}, or null for Aeron's default directory.
     * @param what     what is looked for, for messages ("counters files", "error logs").
     * @param holds    whether a directory holds what is looked for.
     * @return the location.
     * @throws TrackerException with one clear line when there is none.
     */
    static Location locate(final Path dataDir, final Path aeronDir, final String what, final Predicate<Path> holds)
    {
        if (null != dataDir)
        {
            if (!Files.isDirectory(dataDir))
            {
                throw new TrackerException("no such data directory: " + dataDir);
            }
            if (!holds.test(dataDir))
            {
                throw new TrackerException("no " + what + " in " + dataDir + "; is it the data directory of a " +
                    "tracker service (acktracker run)?");
            }
            return new Location(dataDir, null);
        }
        if (null != aeronDir)
        {
            return inAeronDir(aeronDir, what, holds);
        }
        final Path defaultDir = Path.of(CommonContext.getAeronDirectoryName());
        try
        {
            return inAeronDir(defaultDir, what, holds);
        }
        catch (final TrackerException ex)
        {
            final String prefix = "no tracker at " + defaultDir + ": ";
            final String why = ex.getMessage().startsWith(prefix) ? ex.getMessage().substring(prefix.length()) :
                ex.getMessage();
            throw new TrackerException("no tracker in Aeron's default directory (" + why + "); say where the " +
                "tracker is: --data-dir DIR or --aeron-dir DIR");
        }
    }

    private static Location inAeronDir(final Path aeronDir, final String what, final Predicate<Path> holds)
    {
        if (Files.isDirectory(aeronDir) && holds.test(aeronDir))
        {
            return new Location(aeronDir, null);
        }
        final ServiceRegistration.Service service;
        try
        {
            service = ServiceRegistration.findOne(aeronDir);
        }
        catch (final TrackerException ex)
        {
            throw new TrackerException("no tracker at " + aeronDir + ": " + ex.getMessage());
        }
        final Path dir = service.filesDir();
        if (null == dir)
        {
            throw new TrackerException(service.describe() + " is an older service that keeps its " + what +
                " in memory, where no other process can read them; restart it with this version, or give it a " +
                "data.dir");
        }
        if (!holds.test(dir))
        {
            throw new TrackerException("no " + what + " in " + dir + ", the " +
                (null != service.dataDir() ? "data" : "run") + " directory of " + service.describe());
        }
        return new Location(dir, service);
    }
}

package io.acktracker.transport;

import io.acktracker.engine.store.OwnerOnlyFiles;
import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A media driver inside this process, in its own directory (under {@code /dev/shm} where it exists) that no other
 * instance shares and that is deleted when it closes. SHARED threading by default: one driver thread with Aeron's
 * backoff idle strategy, which is what a small (2-core) machine can afford; busy-spinning the driver there starves
 * everything else.
 * <p>
 * Owner-only: the driver's directory ({@code .../aeron}) sits in a private parent,
 * {@code acktracker-<name>-<pid>-<random>}, created {@code 0700} before the driver starts, so no other user can open
 * its CnC file or read a log buffer (which holds every frame: receipt handles included), whatever the umask gives the
 * files inside. Processes of the same user connect as before. A launch also deletes the directories that drivers of
 * dead processes left behind (a kill skips the deletion at close): only directories of this naming whose pid is no
 * longer alive and whose driver has stopped heartbeating.
 * <p>
 * An external driver is the operator's to protect: start it with a umask of 077 (or put {@code aeron.dir} inside a
 * {@code 0700} directory), since any local user who can map its files can read and write every stream.
 * <pre>{@code
 * try (EmbeddedDriver driver = EmbeddedDriver.launch(EmbeddedDriver.context("tracker"));
 *      Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())))
 * { ... }
 * }</pre>
 * Threading: launch and close from one thread.
 */
public final class EmbeddedDriver implements AutoCloseable
{
    private static final int DELETE_ATTEMPTS = 5;
    private static final String SHM = "/dev/shm";
    private static final String PREFIX = "acktracker-";
    private static final String STABLE_MARK = "-dd-";
    private static final String DIRECTORY = "aeron";
    private static final long DRIVER_TIMEOUT_MS = 10_000;
    /** A stable directory has no pid to check: its driver must have been silent this long (a live one never is). */
    private static final long STABLE_DEAD_AFTER_MS = 60_000;

    private final MediaDriver driver;
    private final String aeronDirectoryName;

    private EmbeddedDriver(final MediaDriver driver)
    {
        this.driver = driver;
        this.aeronDirectoryName = driver.aeronDirectoryName();
    }

    /**
     * A driver context with acktracker's defaults: a unique directory deleted on start and on shutdown, SHARED
     * threading, sparse term files. Adjust it before {@link #launch(MediaDriver.Context)}.
     *
     * @param name short label included in the directory name.
     * @return the context.
     */
    public static MediaDriver.Context context(final String name)
    {
        return new MediaDriver.Context()
            .aeronDirectoryName(uniqueDirectoryName(name))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .warnIfDirectoryExists(false);
    }

    /**
     * Launch a driver.
     *
     * @param context its context, e.g. from {@link #context(String)}.
     * @return the running driver.
     */
    public static EmbeddedDriver launch(final MediaDriver.Context context)
    {
        final File parent = new File(context.aeronDirectoryName()).getParentFile();
        if (null != parent && (isOwnDirectoryName(parent.getName()) || isStableDirectoryName(parent.getName())))
        {
            sweepLeftovers(parent.getParentFile());
            try
            {
                OwnerOnlyFiles.createDirectories(parent.toPath());
                // owner-only even when it was there before (a stable directory, or one made by someone else:
                // then this fails, loudly, rather than putting log buffers where another user can read them)
                java.nio.file.Files.setPosixFilePermissions(parent.toPath(), OwnerOnlyFiles.DIRECTORY_PERMISSIONS);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create the driver's private directory " + parent, ex);
            }
        }
        return new EmbeddedDriver(MediaDriver.launch(context));
    }

    /**
     * Delete what drivers of dead processes left under a directory: entries named as {@link #uniqueDirectoryName}
     * names them whose pid is not alive and whose driver no longer heartbeats, and entries named as
     * {@link #stableDirectoryName} names them whose driver left a CnC file and no longer heartbeats (a service killed
     * and never started again on its data directory; one that starts again makes its directory anew). Only this
     * user's entries can be deleted at all; an entry that cannot be deleted is left.
     *
     * @param base the directory the drivers' parents are in ({@code /dev/shm}).
     * @return entries deleted.
     */
    public static int sweepLeftovers(final File base)
    {
        return sweepLeftovers(base, STABLE_DEAD_AFTER_MS);
    }

    /**
     * {@link #sweepLeftovers(File)} with the time a stable directory's driver must have been silent.
     *
     * @param base              the directory the drivers' parents are in.
     * @param stableDeadAfterMs how long a stable directory's driver has not heartbeated before it counts as dead.
     * @return entries deleted.
     */
    static int sweepLeftovers(final File base, final long stableDeadAfterMs)
    {
        final File[] entries = null == base ? null : base.listFiles(
            (file) -> file.isDirectory() && (isOwnDirectoryName(file.getName()) || isStableDirectoryName(file.getName())));
        int deleted = 0;
        for (final File entry : null == entries ? new File[0] : entries)
        {
            if (isStableDirectoryName(entry.getName()))
            {
                // no pid in the name: a CnC file whose driver stopped heartbeating is a dead one's (a directory
                // without one may be a driver starting right now, and is left)
                final File aeronDir = new File(entry, DIRECTORY);
                if (new File(aeronDir, CncFileDescriptor.CNC_FILE).exists() && !isDriverActive(aeronDir, stableDeadAfterMs))
                {
                    IoUtil.delete(entry, true);
                    deleted += entry.exists() ? 0 : 1;
                }
                continue;
            }
            final long pid = pidOf(entry.getName());
            if (pid <= 0 || ProcessHandle.of(pid).isPresent() || isDriverActive(new File(entry, DIRECTORY), DRIVER_TIMEOUT_MS))
            {
                continue;
            }
            IoUtil.delete(entry, true);
            deleted += entry.exists() ? 0 : 1;
        }
        return deleted;
    }

    private static boolean isDriverActive(final File aeronDir, final long timeoutMs)
    {
        if (!new File(aeronDir, CncFileDescriptor.CNC_FILE).exists())
        {
            return false;
        }
        try
        {
            // maps the CnC file for the check and unmaps it again
            return CommonContext.isDriverActive(aeronDir, timeoutMs, (message) -> { });
        }
        catch (final RuntimeException ex)
        {
            // a CnC file that cannot be read is no live driver's
            return false;
        }
    }

    private static boolean isOwnDirectoryName(final String name)
    {
        return name.startsWith(PREFIX) && pidOf(name) > 0;
    }

    /** The pid in {@code acktracker-<name>-<pid>-<hex>}, read from the end (a name may hold dashes), or -1. */
    private static long pidOf(final String name)
    {
        final int last = name.lastIndexOf('-');
        final int before = last > 0 ? name.lastIndexOf('-', last - 1) : -1;
        if (before < PREFIX.length() - 1)
        {
            return -1;
        }
        try
        {
            Long.parseUnsignedLong(name.substring(last + 1), 16);
            return Long.parseLong(name.substring(before + 1, last));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * A directory name no other driver uses: {@code /dev/shm/acktracker-<name>-<pid>-<random>/aeron}, or under the
     * temporary directory where there is no {@code /dev/shm}; {@link #launch} creates the parent owner-only.
     *
     * @param name short label.
     * @return the path.
     */
    public static String uniqueDirectoryName(final String name)
    {
        final String base = new File(SHM).isDirectory() ? SHM : IoUtil.tmpDirName();
        final File parent = new File(base, PREFIX + name + "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
        return new File(parent, DIRECTORY).getPath();
    }

    /**
     * The directory of the embedded driver of the tracker that owns a data directory: the same on every start of
     * that tracker ({@code /dev/shm/acktracker-<name>-dd-<hash of the data directory's real path>/aeron}), so clients
     * find a restarted service where they found it before, without a manual step. Only the holder of the data
     * directory's lock launches a driver there, so the context's delete-on-start only ever removes what a dead
     * predecessor left; a clean stop deletes it.
     *
     * @param name    short label.
     * @param dataDir the tracker's data directory.
     * @return the path.
     */
    public static String stableDirectoryName(final String name, final java.nio.file.Path dataDir)
    {
        java.nio.file.Path path;
        try
        {
            path = dataDir.toRealPath();
        }
        catch (final IOException ex)
        {
            path = dataDir.toAbsolutePath().normalize();
        }
        long hash = 0xcbf29ce484222325L;
        for (final byte b : path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
        {
            hash ^= b & 0xFF;
            hash *= 0x100000001b3L;
        }
        final String base = new File(SHM).isDirectory() ? SHM : IoUtil.tmpDirName();
        final File parent = new File(base, PREFIX + name + STABLE_MARK + Long.toHexString(hash));
        return new File(parent, DIRECTORY).getPath();
    }

    private static boolean isStableDirectoryName(final String name)
    {
        return name.startsWith(PREFIX) && name.contains(STABLE_MARK);
    }

    /**
     * The driver's directory, for clients to connect to.
     *
     * @return the directory.
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * The driver, for its context and counters.
     *
     * @return the driver.
     */
    public MediaDriver mediaDriver()
    {
        return driver;
    }

    /**
     * Stop the driver and delete its directory. Close the clients first.
     */
    public void close()
    {
        try
        {
            CloseHelper.close(driver);
        }
        finally
        {
            // the directory goes even when the driver's close throws (an agent that would not stop in time): a
            // driver directory is never left behind by a process that closed its driver
            final File dir = new File(aeronDirectoryName);
            final File parent = dir.getParentFile();
            final File target = null != parent &&
                (isOwnDirectoryName(parent.getName()) || isStableDirectoryName(parent.getName())) ? parent : dir;
            deleteOrSayWhy(target);
        }
    }

    /**
     * Delete a directory tree, trying again a few times (bounded) when a walk meets an entry that came or went under
     * it, and say on standard error what is left when it cannot: a leftover driver directory is never silent (one
     * was seen, rarely, after a clean stop: an empty {@code aeron} directory whose files were deleted).
     */
    private static void deleteOrSayWhy(final File target)
    {
        RuntimeException failure = null;
        for (int attempt = 0; attempt < DELETE_ATTEMPTS && target.exists(); attempt++)
        {
            try
            {
                IoUtil.delete(target, false);
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
                Thread.onSpinWait();
            }
        }
        if (target.exists())
        {
            final String[] left = target.list();
            System.err.println("acktracker: could not delete the media driver's directory " + target + " (it holds " +
                (null == left ? "nothing readable" : java.util.Arrays.toString(left)) + ")" +
                (null == failure ? "" : ": " + failure));
        }
    }
}

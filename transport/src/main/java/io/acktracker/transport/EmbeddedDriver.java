package io.acktracker.transport;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A media driver inside this process, in its own directory (under {@code /dev/shm} where it exists) that no other
 * instance shares and that is deleted when it closes. SHARED threading by default: one driver thread with Aeron's
 * backoff idle strategy, which is what a small (2-core) machine can afford; busy-spinning the driver there starves
 * everything else.
 * <pre>{@code
 * try (EmbeddedDriver driver = EmbeddedDriver.launch(EmbeddedDriver.context("tracker"));
 *      Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())))
 * { ... }
 * }</pre>
 * Threading: launch and close from one thread.
 */
public final class EmbeddedDriver implements AutoCloseable
{
    private static final String SHM = "/dev/shm";

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
        return new EmbeddedDriver(MediaDriver.launch(context));
    }

    /**
     * A directory name no other driver uses: {@code /dev/shm/acktracker-<name>-<pid>-<random>}, or under the
     * temporary directory where there is no {@code /dev/shm}.
     *
     * @param name short label.
     * @return the path.
     */
    public static String uniqueDirectoryName(final String name)
    {
        final String base = new File(SHM).isDirectory() ? SHM : IoUtil.tmpDirName();
        return new File(base, "acktracker-" + name + "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE)).getPath();
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
        CloseHelper.close(driver);
        final File dir = new File(aeronDirectoryName);
        if (dir.exists())
        {
            IoUtil.delete(dir, true);
        }
    }
}

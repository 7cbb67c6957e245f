package io.acktracker.transport.service;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.metrics.CountersFile;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.store.DataDirectory;
import io.acktracker.transport.AeronTransport;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.ErrorLogFile;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.TransportErrors;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.SecretFile;
import io.acktracker.transport.http.HttpEdge;
import io.acktracker.transport.http.HttpEdgeConfig;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The standalone tracker: a media driver (embedded in its own directory, or the external one at
 * {@code aeron.dir}), an Aeron client, the Aeron transport, the tracker on its own agent thread, and optionally the
 * HTTP edge. {@link #close()} shuts down cleanly: HTTP stops, the tables are flushed (msync) and closed with the
 * clean-shutdown marker written, the transport publishes what it still holds, an embedded driver's directory
 * is deleted, and last the data directory's lock is released. The lock is taken first, before the driver, the
 * transport's counters and error log, or the tracker touch anything, so a second service started by mistake is
 * refused without changing a running one's files.
 * <p>
 * What the tools read ({@link #filesDirectory()}): both counters files, the latency gauges ({@link LatencyGauges},
 * updated once a second on a thread of their own) and both distinct error logs (the tracker's,
 * {@link ErrorLogFile#TRACKER_FILE_NAME}, and the transport's), in the data directory, or for a service without one in
 * a private run directory deleted at close, so {@code acktracker stat} and {@code errors} read an in-memory service
 * too. The tracker's errors also go to standard error, as before.
 * <p>
 * Threading: start and close from one thread.
 */
public final class TrackerService implements AutoCloseable
{
    private static final long EXTERNAL_DRIVER_TIMEOUT_MS = 10_000;

    private final ServiceConfig config;
    private final EmbeddedDriver driver;
    private final Aeron aeron;
    private final AeronTransport transport;
    private final AckTracker tracker;
    private final HttpEdge http;
    private final DataDirectory dataDirectory;
    private final Path runDir;
    private final ErrorLogFile trackerErrors;
    private final LatencyGauges latencyGauges;
    private final AgentRunner latencyRunner;
    private Path secretFile;
    private String secret;
    private final Object closeLock = new Object();
    private boolean closed;
    private String reservation;

    private TrackerService(final ServiceConfig config)
    {
        this.config = config;
        final ConfigTargets targets = config.targets();
        final ServiceOptions options = targets.service;
        final String name = targets.tracker.name();
        final Path dataDir = options.dataDir;
        EmbeddedDriver driver = null;
        Aeron aeron = null;
        AeronTransport transport = null;
        AckTracker tracker = null;
        HttpEdge http = null;
        DataDirectory dataDirectory = null;
        Path runDir = null;
        ErrorLogFile trackerErrors = null;
        LatencyGauges latencyGauges = null;
        AgentRunner latencyRunner = null;
        // every HTTP setting is checked before anything starts
        final HttpEdgeConfig httpConfig = options.httpEnabled ? httpConfig(targets) : null;
        final boolean journal = config.journalStore();
        final DestinationKeys destinationKeys = null == options.destinationKeysFile ? DestinationKeys.none() :
            DestinationKeys.load(options.destinationKeysFile, "destination.keys.file");
        final DestinationKeys clientKeys = null == options.clientKeysFile ? DestinationKeys.none() :
            DestinationKeys.load(options.clientKeysFile, "client.keys.file");
        final int errorLogLength = targets.transport.errorLogLength();
        try
        {
            if (null != dataDir)
            {
                // the lock first: nothing in the directory (the transport's files included) is touched before it
                dataDirectory = DataDirectory.open(dataDir);
            }
            else
            {
                runDir = createRunDirectory();
            }
            final Path filesDir = null != dataDir ? dataDir : runDir;
            trackerErrors = ErrorLogFile.create(filesDir.resolve(ErrorLogFile.TRACKER_FILE_NAME),
                errorLogLength, (throwable) -> throwable.printStackTrace(System.err));
            final Aeron.Context aeronContext = new Aeron.Context().clientName(name);
            if (ServiceOptions.Driver.EMBEDDED == options.driver)
            {
                final int termLength = (int)options.driverTermLength;
                final MediaDriver.Context driverContext = EmbeddedDriver.context(name);
                if (null != dataDir)
                {
                    // the same directory on every start: clients find a restarted service where they found it
                    driverContext.aeronDirectoryName(EmbeddedDriver.stableDirectoryName(name, dataDir));
                }
                driver = EmbeddedDriver.launch(driverContext
                    .threadingMode(options.driverThreading.mode())
                    .ipcTermBufferLength(termLength)
                    .publicationTermBufferLength(termLength)
                    .clientLivenessTimeoutNs(options.driverClientLivenessNs));
                aeronContext.aeronDirectoryName(driver.aeronDirectoryName());
            }
            else
            {
                aeronContext.aeronDirectoryName(null != options.driverDir ? options.driverDir.toString() :
                    CommonContext.getAeronDirectoryName());
                requireExternalDriver(aeronContext.aeronDirectoryName());
            }
            aeron = Aeron.connect(aeronContext);

            transport = new AeronTransport(targets.transport
                .aeron(aeron)
                .destinationKeys(destinationKeys)
                .clientKeys(clientKeys)
                .countersFile(filesDir.resolve(TransportCounters.FILE_NAME))
                .errorLogFile(filesDir.resolve(TransportErrors.FILE_NAME)));

            final TrackerConfig trackerConfig = targets.tracker
                .journal(journal)
                .idleStrategy(options.newIdleStrategy())
                .epochClock(new OffsetEpochNanoClock())
                .errorHandler(trackerErrors)
                .notices((line) -> reservation = line)
                .extension(transport);
            if (null == dataDirectory)
            {
                trackerConfig.countersFile(runDir.resolve(CountersFile.FILE_NAME));
            }
            tracker = null == dataDirectory ? AckTracker.launch(trackerConfig) :
                AckTracker.launch(trackerConfig, dataDirectory);
            final String tombstoneWarning = tombstoneWarning(trackerConfig, options.expectedRate);
            if (null != tombstoneWarning)
            {
                System.err.println("acktracker '" + name + "': WARNING: " + tombstoneWarning);
            }
            latencyGauges = new LatencyGauges(filesDir.resolve(LatencyGauges.FILE_NAME), name,
                tracker.completionLatency(), tracker.ackLatency(), tracker.destinations()::names,
                SystemEpochClock.INSTANCE);
            latencyRunner = new AgentRunner(new SleepingMillisIdleStrategy(100), trackerErrors, null, latencyGauges);
            AgentRunner.startOnThread(latencyRunner);

            if (null != httpConfig)
            {
                http = HttpEdge.start(httpConfig, tracker, transport);
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(http, latencyRunner, latencyGauges, tracker, transport, aeron, driver,
                trackerErrors, dataDirectory);
            deleteRunDirectory(runDir);
            throw ex;
        }
        this.dataDirectory = dataDirectory;
        this.runDir = runDir;
        this.trackerErrors = trackerErrors;
        this.latencyGauges = latencyGauges;
        this.latencyRunner = latencyRunner;
        this.driver = driver;
        this.aeron = aeron;
        this.transport = transport;
        this.tracker = tracker;
        this.http = http;
    }

    /**
     * With {@code driver: external}, a driver must be running at its directory: otherwise Aeron's client waits its
     * timeout and says only "FATAL - CnC file not created".
     */
    private static void requireExternalDriver(final String dir)
    {
        final java.io.File directory = new java.io.File(dir);
        if (!new java.io.File(directory, CncFileDescriptor.CNC_FILE).isFile())
        {
            throw new TrackerException("driver: external, but no Aeron media driver runs at " + dir + " (no " +
                CncFileDescriptor.CNC_FILE + " there): start one there, name its directory with driver.dir, or use " +
                "driver: embedded");
        }
        if (!CommonContext.isDriverActive(directory, EXTERNAL_DRIVER_TIMEOUT_MS, (line) -> { }))
        {
            throw new TrackerException("driver: external, but the media driver at " + dir + " is not running (no " +
                "heartbeat in the last " + EXTERNAL_DRIVER_TIMEOUT_MS / 1000 + " s): start it, or use driver: " +
                "embedded");
        }
    }

    /** POSIX temporary directories are created rwx------: the counters, error logs and secret stay the owner's. */
    private static Path createRunDirectory()
    {
        try
        {
            return Files.createTempDirectory("acktracker-run-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a private run directory for the service's counters", ex);
        }
    }

    private static void deleteRunDirectory(final Path runDir)
    {
        if (null != runDir)
        {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(runDir))
            {
                for (final Path file : files)
                {
                    Files.deleteIfExists(file);
                }
                Files.deleteIfExists(runDir);
            }
            catch (final IOException ignore)
            {
                // a temporary directory the OS cleans up; nothing else depends on it
            }
        }
    }

    /**
     * Where the service keeps its counters files and error logs for the tools: its data directory, or, for a service
     * that keeps its state in memory, a private run directory (owner-only, under {@code java.io.tmpdir}) that is
     * deleted at close. Any thread.
     *
     * @return the directory.
     */
    public Path filesDirectory()
    {
        return null != config.dataDir() ? config.dataDir() : runDir;
    }

    /**
     * The private run directory of a service without a data directory (see {@link #filesDirectory()}).
     *
     * @return the directory, or null when the service has a data directory.
     */
    public Path runDirectory()
    {
        return runDir;
    }

    /**
     * The HTTP edge's settings from the service's keys; the token file defaults to {@code http.token} in the data
     * directory (a new temporary one per run without one).
     */
    private static HttpEdgeConfig httpConfig(final ConfigTargets targets)
    {
        final ServiceOptions options = targets.service;
        return targets.http
            .tokenFile(null != options.httpTokenFile ? options.httpTokenFile : null == options.dataDir ? null :
                options.dataDir.resolve(HttpEdge.TOKEN_FILE_NAME))
            .conclude();
    }

    /**
     * Start a service.
     *
     * @param config its settings.
     * @return the running service.
     * @throws TrackerException         when the tracker cannot start (e.g. its data directory is in use).
     * @throws IllegalArgumentException for a bad setting.
     */
    public static TrackerService start(final ServiceConfig config)
    {
        return new TrackerService(config);
    }

    /** Exit status of a service whose tracker failed (EX_SOFTWARE). */
    public static final int EXIT_TRACKER_FAILED = 70;

    /**
     * Wait until {@code stopped} counts down (a normal stop) or the tracker fails, whichever comes first; checks
     * every 100 ms. The caller exits with {@link #EXIT_TRACKER_FAILED} on a failure: a service whose agent stopped
     * must not keep answering. Any thread.
     *
     * @param stopped counted down when the service was stopped.
     * @return the tracker's fault, or null after a normal stop.
     * @throws InterruptedException when interrupted while waiting.
     */
    public Throwable awaitStopOrFailure(final java.util.concurrent.CountDownLatch stopped) throws InterruptedException
    {
        return awaitStopOrFailure(stopped, 100);
    }

    /**
     * {@link #awaitStopOrFailure(java.util.concurrent.CountDownLatch)}, checking every {@code intervalMs} (tests
     * check as often as they can, to meet a close half way).
     */
    Throwable awaitStopOrFailure(final java.util.concurrent.CountDownLatch stopped, final long intervalMs)
        throws InterruptedException
    {
        boolean evictionTold = false;
        while (!stopped.await(intervalMs, java.util.concurrent.TimeUnit.MILLISECONDS))
        {
            // under the close lock: the counters are a mapped file that close() unmaps, and a read of it after that
            // crashed the JVM (SIGSEGV) in the middle of a clean stop, leaving the embedded driver's directory behind
            synchronized (closeLock)
            {
                if (closed)
                {
                    continue;
                }
                final Throwable failure = tracker().failure();
                if (null != failure)
                {
                    return failure;
                }
                evictionTold |= tellEvictions(evictionTold);
            }
        }
        return null;
    }

    /** Once, when tombstones were evicted early; returns whether it told. Under the close lock. */
    private boolean tellEvictions(final boolean evictionTold)
    {
        if (evictionTold || tracker.counters().value(TrackerCounter.TOMBSTONES_EVICTED_EARLY) <= 0)
        {
            return false;
        }
        System.err.println("acktracker '" + config.name() + "': WARNING: finished ids are being forgotten " +
            "before tombstone.window (" + tracker.config().tombstoneWindowNs() / 1_000_000 + " ms): " +
            "tombstone.capacity " + tracker.config().tombstoneCapacity() + " is too small for the rate, " +
            "so duplicate Tracks and late acks are not recognised for that long (counter " +
            "TOMBSTONES_EVICTED_EARLY; told once)");
        return true;
    }

    /**
     * The start-up warning when the tombstones cannot hold the duplicate window at the stated rate: at {@code rate}
     * messages per second, {@code rate x window} ids finish within one window, and each needs a tombstone.
     *
     * @param config       the tracker's settings, concluded.
     * @param expectedRate messages per second ({@code expected.rate}), 0 when not stated.
     * @return one line, or null when they hold it (or nothing says what rate to expect).
     */
    static String tombstoneWarning(final TrackerConfig config, final int expectedRate)
    {
        final long windowNs = config.tombstoneWindowNs();
        if (expectedRate <= 0 || windowNs <= 0)
        {
            return null;
        }
        final double needed = expectedRate * (windowNs / 1e9);
        if (config.tombstoneCapacity() >= needed)
        {
            return null;
        }
        final double heldSeconds = config.tombstoneCapacity() / (double)expectedRate;
        return String.format(java.util.Locale.ROOT, "tombstone.capacity %d cannot hold tombstone.window %s at expected.rate %d/s " +
            "(needs %d): duplicates are recognised for about %.1f s only; raise tombstone.capacity to %d",
            config.tombstoneCapacity(), ValueType.DURATION.format(windowNs), expectedRate, (long)Math.ceil(needed),
            heldSeconds, (long)Math.ceil(needed));
    }

    /**
     * One line saying where the service listens, and what its tables reserve.
     *
     * @return the description.
     */
    public String describe()
    {
        return "acktracker '" + config.name() + "' running: driver " +
            (null != driver ? "embedded at " + driver.aeronDirectoryName() :
            "external at " + aeron.context().aeronDirectoryName()) +
            // after a kill, the dead process's subscriptions hold back what they read until the driver drops them
            ", client liveness " + ValueType.DURATION.format(aeron.context().interServiceTimeoutNs()) +
            ", inbound " + config.get("inbound.channel") + " stream " + config.get("inbound.stream") +
            ", outbound " + config.get("outbound.channel") + " stream " + config.get("outbound.stream") +
            ", data " + (null == config.dataDir() ? "in memory" : config.dataDir().toString()) +
            ", http " + (null == http ? "off" : config.get("http.host") + ":" + http.port() +
            (http.scheme().equals("https") ? " (https)" : "") + ", http token in " + http.tokenFile() +
            (http.isTemporaryToken() ? " (new for this run, deleted at stop)" : "")) +
            (null == reservation ? "" : "; " + reservation);
    }

    /**
     * The service's secret: its HTTP bearer token, which also keys the signatures of admin commands (the tools'
     * admin stream). Read from {@code http.token.file}, else {@code http.token} in the data directory, else the
     * HTTP edge's token for this run; with none of these, a new one in the service's private run directory,
     * deleted at close. The file is created owner-only when missing. From the thread that started the service.
     *
     * @return the secret's file.
     */
    public Path secretFile()
    {
        loadSecret();
        return secretFile;
    }

    /**
     * The secret in {@link #secretFile()}. From the thread that started the service.
     *
     * @return the token.
     */
    public String secret()
    {
        loadSecret();
        return secret;
    }

    private void loadSecret()
    {
        if (null != secret)
        {
            return;
        }
        final String configured = config.get("http.token.file");
        Path file = !configured.isEmpty() ? Path.of(configured) : null != config.dataDir() ?
            config.dataDir().resolve(HttpEdge.TOKEN_FILE_NAME) : null != http ? http.tokenFile() : null;
        if (null == file)
        {
            file = runDir.resolve(HttpEdge.TOKEN_FILE_NAME);
        }
        secret = SecretFile.readOrCreate(file, "http.token.file");
        secretFile = file;
    }

    /**
     * The tracker the service runs.
     *
     * @return the tracker.
     */
    public AckTracker tracker()
    {
        return tracker;
    }

    /**
     * The service's transport.
     *
     * @return the transport.
     */
    public AeronTransport transport()
    {
        return transport;
    }

    /**
     * The HTTP edge, or null when it is off.
     *
     * @return the edge.
     */
    public HttpEdge http()
    {
        return http;
    }

    /**
     * The media driver directory clients connect to.
     *
     * @return the directory.
     */
    public String aeronDirectoryName()
    {
        return null != driver ? driver.aeronDirectoryName() : CommonContext.getAeronDirectoryName();
    }

    /**
     * The embedded driver, or null with an external one.
     *
     * @return the driver.
     */
    public EmbeddedDriver embeddedDriver()
    {
        return driver;
    }

    /**
     * Stops the service: the HTTP edge, then the tracker (synced first), the transport, the driver and the data
     * directory. Idempotent.
     */
    public void close()
    {
        synchronized (closeLock)
        {
            // after this, awaitStopOrFailure reads nothing of the tracker's mapped files
            if (closed)
            {
                return;
            }
            closed = true;
        }
        CloseHelper.quietCloseAll(http, latencyRunner, latencyGauges);
        try
        {
            if (null == tracker.journalStatus())
            {
                // a journal store is synced by its own group commit, and at its close
                tracker.sync();
            }
        }
        finally
        {
            try
            {
                CloseHelper.closeAll(tracker, transport, aeron);
            }
            finally
            {
                // the driver and its directory go even when a failed tracker throws an Error as it closes (a SIGBUS
                // surfaced as InternalError): a driver directory is never left behind by a service that exits
                try
                {
                    CloseHelper.closeAll(driver, trackerErrors, dataDirectory);
                }
                finally
                {
                    deleteRunDirectory(runDir);
                }
            }
        }
    }
}

package io.acktracker.transport.service;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.DataDirectory;
import io.acktracker.transport.AeronTransport;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.TransportErrors;
import io.acktracker.transport.auth.DestinationKeys;
import io.acktracker.transport.auth.SecretFile;
import io.acktracker.transport.http.HttpEdge;
import io.acktracker.transport.http.HttpEdgeConfig;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.CommonContext;
import org.agrona.CloseHelper;
import org.agrona.concurrent.OffsetEpochNanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Threading: start and close from one thread.
 */
public final class TrackerService implements AutoCloseable
{
    private final ServiceConfig config;
    private final EmbeddedDriver driver;
    private final Aeron aeron;
    private final AeronTransport transport;
    private final AckTracker tracker;
    private final HttpEdge http;
    private final DataDirectory dataDirectory;
    private Path secretFile;
    private String secret;
    private Path temporarySecretDir;
    private boolean closed;
    private String reservation;

    private TrackerService(final ServiceConfig config)
    {
        this.config = config;
        final String name = config.name();
        final Path dataDir = config.dataDir();
        EmbeddedDriver driver = null;
        Aeron aeron = null;
        AeronTransport transport = null;
        AckTracker tracker = null;
        HttpEdge http = null;
        DataDirectory dataDirectory = null;
        // every HTTP setting is checked before anything starts
        final HttpEdgeConfig httpConfig = config.bool("http.enabled") ? httpConfig(config) : null;
        final boolean journal = config.journalStore();
        final DestinationKeys destinationKeys = destinationKeys(config);
        try
        {
            if (null != dataDir)
            {
                // the lock first: nothing in the directory (the transport's files included) is touched before it
                dataDirectory = DataDirectory.open(dataDir);
            }
            final Aeron.Context aeronContext = new Aeron.Context().clientName(name);
            if (config.embeddedDriver())
            {
                final int termLength = config.integer("driver.term.length");
                final MediaDriver.Context driverContext = EmbeddedDriver.context(name);
                if (null != dataDir)
                {
                    // the same directory on every start: clients find a restarted service where they found it
                    driverContext.aeronDirectoryName(EmbeddedDriver.stableDirectoryName(name, dataDir));
                }
                driver = EmbeddedDriver.launch(driverContext
                    .threadingMode(config.threadingMode())
                    .ipcTermBufferLength(termLength)
                    .publicationTermBufferLength(termLength));
                aeronContext.aeronDirectoryName(driver.aeronDirectoryName());
            }
            aeron = Aeron.connect(aeronContext);

            transport = new AeronTransport(new TransportConfig()
                .name(name)
                .aeron(aeron)
                .inboundChannel(config.get("inbound.channel"))
                .inboundStreamId(config.integer("inbound.stream"))
                .outboundChannel(config.get("outbound.channel"))
                .outboundStreamId(config.integer("outbound.stream"))
                .fragmentLimit(config.integer("fragment.limit"))
                .inboundPrefetch(config.bool("inbound.prefetch"))
                .backlogCapacity(config.integer("backlog.capacity"))
                .backlogWhenNotConnected(config.bool("backlog.when.not.connected"))
                .outboundStallTimeoutNs(config.durationNs("outbound.stall.timeout"))
                .destinationKeys(destinationKeys)
                .leaseTimeoutNs(config.durationNs("lease.timeout"))
                .countersFile(null == dataDir ? null : dataDir.resolve(TransportCounters.FILE_NAME))
                .errorLogFile(null == dataDir ? null : dataDir.resolve(TransportErrors.FILE_NAME)));

            final TrackerConfig trackerConfig = new TrackerConfig()
                .name(name)
                .capacity(config.integer("capacity"))
                .destinations(config.list("destinations").toArray(new String[0]))
                .openRegistry(config.bool("registry.open"))
                .defaultAckTimeoutNs(config.durationNs("ack.timeout"))
                .defaultTtlNs(config.durationNs("ttl"))
                .tombstoneWindowNs(config.durationNs("tombstone.window"))
                .earlyAckWindowNs(config.durationNs("early.ack.window"))
                .checkpointIntervalBytes(config.size("checkpoint.interval"))
                .checkpointIntervalNs(config.durationNs("checkpoint.interval.time"))
                .maxClients(config.integer("max.clients"))
                .outboxCapacity(config.integer("outbox.capacity"))
                .syncIntervalNs(config.durationNs("sync.interval"))
                .journal(journal)
                .idleStrategy(config.idleStrategy())
                .epochClock(new OffsetEpochNanoClock())
                .notices((line) -> reservation = line)
                .extension(transport);
            tracker = null == dataDirectory ? AckTracker.launch(trackerConfig) :
                AckTracker.launch(trackerConfig, dataDirectory);

            if (null != httpConfig)
            {
                http = HttpEdge.start(httpConfig, tracker, transport);
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(http, tracker, transport, aeron, driver, dataDirectory);
            throw ex;
        }
        this.dataDirectory = dataDirectory;
        this.driver = driver;
        this.aeron = aeron;
        this.transport = transport;
        this.tracker = tracker;
        this.http = http;
    }

    private static DestinationKeys destinationKeys(final ServiceConfig config)
    {
        final String file = config.get("destination.keys.file");
        return file.isEmpty() ? DestinationKeys.none() : DestinationKeys.load(Path.of(file), "destination.keys.file");
    }

    /**
     * The HTTP edge's settings from the service's keys; the token file defaults to {@code http.token} in the data
     * directory (a new temporary one per run without one).
     */
    private static HttpEdgeConfig httpConfig(final ServiceConfig config)
    {
        final Path dataDir = config.dataDir();
        final String tokenFile = config.get("http.token.file");
        final String keystore = config.get("http.tls.keystore");
        return new HttpEdgeConfig()
            .name(config.name())
            .host(config.get("http.host"))
            .port(config.integer("http.port"))
            .tokenFile(!tokenFile.isEmpty() ? Path.of(tokenFile) : null == dataDir ? null :
                dataDir.resolve(HttpEdge.TOKEN_FILE_NAME))
            .reads(HttpEdgeConfig.reads(config.get("http.reads")))
            .allowedOrigins(config.list("http.allowed.origins"))
            .allowedHosts(config.list("http.allowed.hosts"))
            .registerDestinations(config.bool("http.register.destinations"))
            .threads(config.integer("http.threads"))
            .queueCapacity(config.integer("http.queue"))
            .maxConnections(config.integer("http.max.connections"))
            .readTimeoutNs(config.durationNs("http.read.timeout"))
            .idleTimeoutNs(config.durationNs("http.idle.timeout"))
            .keystore(keystore.isEmpty() ? null : Path.of(keystore))
            .keystorePassword(config.get("http.tls.keystore.password"))
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
        while (!stopped.await(100, java.util.concurrent.TimeUnit.MILLISECONDS))
        {
            final Throwable failure = tracker().failure();
            if (null != failure)
            {
                return failure;
            }
        }
        return null;
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
     * HTTP edge's token for this run; with none of these, a new one in a private temporary directory that is
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
            try
            {
                // POSIX temporary directories are created rwx------
                temporarySecretDir = Files.createTempDirectory("acktracker-secret-");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create a private directory for the service's secret", ex);
            }
            file = temporarySecretDir.resolve(HttpEdge.TOKEN_FILE_NAME);
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
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietClose(http);
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
                    CloseHelper.closeAll(driver, dataDirectory);
                }
                finally
                {
                    deleteTemporarySecret();
                }
            }
        }
    }

    private void deleteTemporarySecret()
    {
        if (null != temporarySecretDir)
        {
            try
            {
                Files.deleteIfExists(temporarySecretDir.resolve(HttpEdge.TOKEN_FILE_NAME));
                Files.deleteIfExists(temporarySecretDir);
            }
            catch (final IOException ignore)
            {
                // a temporary directory the OS cleans up; nothing else depends on it
            }
        }
    }
}

package io.acktracker.transport.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.acktracker.engine.AckTracker;
import io.acktracker.transport.AeronTransport;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An optional HTTP edge for what cannot speak Aeron, on the JDK's built-in server (no framework), bound to
 * loopback unless configured otherwise (then only with TLS). See {@link HttpEdgeConfig} for every setting.
 * <pre>
 *   GET  /metrics                  Prometheus text format 0.0.4, or OpenMetrics when Accept asks (Prometheus client)
 *   GET  /stats                    JSON: counters, percentiles, per-destination health, DLQ stats, errors
 *   GET  /messages/status?message_id=N
 *   POST /messages/track           {"message_id":1,"destinations":["a","b"],"required_acks":1,"ack_timeout_ms":..,
 *                                   "max_attempts":3,"message_class":2,"metadata":"text kept with the dead letter"}
 *   POST /messages/ack             {"message_id":1,"destination":"a"}  or  {"receipt_handle":"ack1...."}
 *   POST /messages/cumulative-ack  {"stream_id":5,"destination":"a","offset":42}
 *   POST /messages/nack            {"message_id":1,"destination":"a","delay_ms":100,"code":7}
 *                                  or  {"receipt_handle":"ack1....","delay_ms":100}
 *   POST /messages/reject          {"message_id":1,"destination":"a","code":9,"reason":"..."}
 *                                  or  {"receipt_handle":"ack1....","code":9}
 *   POST /messages/lease           {"message_id":1,"visibility_ms":30000,"consumer_id":7}  -> {"receipt_handle":..}
 *   POST /messages/visibility      {"receipt_handle":"ack1....","extension_ms":30000}
 *   POST /destinations             {"names":["a","b"]}  only with http.register.destinations=true
 * </pre>
 * Every request passes, in order: the Host check (421), the Origin check (403), the path (404) and method (405,
 * with {@code Allow}; HEAD wherever GET is allowed), the bearer token (401; every POST, and reads when
 * {@code http.reads} says so), and for a POST its content type (415, JSON only) and size (413); see
 * {@link RequestGuard}. Only then is the body read and the command run, so a refused request changes nothing and
 * no request registers a destination name except {@code POST /destinations} where allowed.
 * <p>
 * Commands by message id go to the agent through the tracker's command queue, like every other thread's (202
 * QUEUED). Lease commands run on the agent and answer its verdict (200, or 4xx with the refusal). See
 * {@link MessageCommands}. Requests run on a pool of workers with a bounded queue (503 past it) and a read and
 * write timeout per request; see {@link WorkerPool}. Connection caps, idle timeouts and TCP_NODELAY are the JDK
 * server's; see {@link JdkServerProperties}.
 * <p>
 * Threading: {@link #start} and {@link #close} from one thread; requests on the pool's workers; the rest any thread.
 */
public final class HttpEdge implements AutoCloseable
{
    /** The header a client sets to have a retried state-changing request answered, not applied, again. */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Keys remembered (the newest; within one run). */
    static final int IDEMPOTENCY_KEYS = 16_384;

    /** The token file's name in a data directory. */
    public static final String TOKEN_FILE_NAME = BearerToken.FILE_NAME;
    private static final int MAX_BODY = 64 * 1024;
    private static final int BACKLOG = 128;

    private final HttpServer server;
    private final WorkerPool pool;
    private final AeronTransport transport;
    private final BearerToken token;
    private final Path temporaryTokenDir;
    private final RequestGuard guard;
    private final IdempotencyKeys idempotencyKeys;
    private final boolean tls;
    private final Map<String, Route> routes;
    private final HttpStatusCounts statusCounts = new HttpStatusCounts();

    private HttpEdge(
        final HttpEdgeConfig config,
        final HttpServer server,
        final BearerToken token,
        final Path temporaryTokenDir,
        final AckTracker tracker,
        final AeronTransport transport,
        final Member member)
    {
        this.server = server;
        this.transport = transport;
        this.token = token;
        this.temporaryTokenDir = temporaryTokenDir;
        this.tls = server instanceof HttpsServer;
        this.guard = new RequestGuard(config, token, server.getAddress().getPort(), tls);
        final Reports reports = new Reports(tracker, transport);
        final MetricsExposition metrics = new MetricsExposition(null == member ?
            new TrackerCollector(tracker, transport, statusCounts) :
            new TrackerCollector(tracker, null, member.transportCounters(), statusCounts, member.metrics()));
        final MessageCommands commands = new MessageCommands(tracker,
            null == transport ? Protocol.DEFAULT_LEASE_TIMEOUT_NS : transport.config().leaseTimeoutNs());
        final DestinationCommands destinations =
            new DestinationCommands(tracker.destinations(), config.registerDestinations());
        final Map<String, Route> all = Map.ofEntries(
            Map.entry("/metrics", Route.read((uri, headers) -> metrics.scrape(headers.getFirst("Accept")))),
            Map.entry("/stats", Route.read((uri) -> new HttpResponse(200, reports.statsJson()))),
            Map.entry("/messages/status", Route.read((uri) ->
                commands.status(queryLong(uri.getRawQuery(), "message_id")))),
            Map.entry("/messages/track", Route.command(commands::track)),
            Map.entry("/messages/ack", Route.command(commands::ack)),
            Map.entry("/messages/cumulative-ack", Route.command(commands::cumulativeAck)),
            Map.entry("/messages/nack", Route.command(commands::nack)),
            Map.entry("/messages/reject", Route.command(commands::reject)),
            Map.entry("/messages/lease", Route.command(commands::lease)),
            Map.entry("/messages/visibility", Route.command(commands::extend)),
            Map.entry("/destinations", Route.command(destinations::register)));
        this.routes = null == member ? all : Route.readOnly(all);
        this.idempotencyKeys = new IdempotencyKeys(IDEMPOTENCY_KEYS, MessageCommands.VERDICT_TIMEOUT_MS);
        this.pool = new WorkerPool(tracker.config().name(), config.threads(), config.queueCapacity(),
            config.readTimeoutNs(), this::count);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
    }

    /**
     * What a cluster member's edge reads besides its tracker.
     *
     * @param transportCounters the member's protocol counters.
     * @param metrics           its place in the cluster, for {@code /metrics}.
     */
    private record Member(TransportCounters transportCounters, ExtraMetrics metrics)
    {
    }

    /**
     * Start the edge of one member of a replicated tracker: {@code /metrics}, {@code /stats} and
     * {@code /messages/status} as on a single tracker, with the member's own metrics added; every state-changing path
     * answers 403 (a member's state changes only through the cluster's log). Otherwise as {@link #start}.
     *
     * @param config            the settings; concluded here.
     * @param tracker           the member's tracker.
     * @param transportCounters the member's protocol counters.
     * @param memberMetrics     the member's place in the cluster (role, log position, ...).
     * @return the running edge.
     * @throws IllegalArgumentException naming the key of a bad setting.
     * @throws UncheckedIOException     when the token file or the port cannot be used.
     */
    public static HttpEdge startForClusterMember(
        final HttpEdgeConfig config,
        final AckTracker tracker,
        final TransportCounters transportCounters,
        final ExtraMetrics memberMetrics)
    {
        return start(config, tracker, null, new Member(transportCounters, memberMetrics));
    }

    /**
     * Bind and start serving: checks the configuration, sets the JDK server's JVM-wide properties (first edge
     * only), opens or makes the token file, loads the keystore, binds. Warns (through the configuration's sink)
     * when bound off loopback.
     *
     * @param config    the settings; concluded here.
     * @param tracker   the tracker.
     * @param transport its Aeron transport, or null.
     * @return the running edge.
     * @throws IllegalArgumentException naming the key of a bad setting.
     * @throws UncheckedIOException     when the token file or the port cannot be used.
     */
    public static HttpEdge start(final HttpEdgeConfig config, final AckTracker tracker, final AeronTransport transport)
    {
        return start(config, tracker, transport, null);
    }

    private static HttpEdge start(
        final HttpEdgeConfig config, final AckTracker tracker, final AeronTransport transport, final Member member)
    {
        config.conclude();
        JdkServerProperties.apply(config).forEach(config.warnings());
        Path temporaryTokenDir = null;
        HttpServer server = null;
        HttpEdge edge = null;
        try
        {
            final BearerToken token;
            if (null == config.tokenFile())
            {
                // owner-only (0700) on POSIX: Files.createTempDirectory's default
                temporaryTokenDir = Files.createTempDirectory("acktracker-http-");
                token = BearerToken.open(temporaryTokenDir.resolve(BearerToken.FILE_NAME));
            }
            else
            {
                token = BearerToken.open(config.tokenFile());
            }
            final TlsConfigurator tls = null == config.keystore() ? null :
                TlsConfigurator.load(config.keystore(), config.keystorePassword());
            final InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
            if (null == tls)
            {
                server = HttpServer.create(address, BACKLOG);
            }
            else
            {
                final HttpsServer https = HttpsServer.create(address, BACKLOG);
                https.setHttpsConfigurator(tls);
                server = https;
            }
            edge = new HttpEdge(config, server, token, temporaryTokenDir, tracker, transport, member);
            server.start();
            if (!config.isLoopback())
            {
                config.warnings().accept("the HTTP edge listens on " + config.host() + ":" + edge.port() +
                    ", not a loopback address: anyone who can reach it and holds the token in " + token.file() +
                    " can change the tracker's state (HTTPS only" +
                    (config.readsNeedToken() ? "; reads need the token too)" : "; reads are OPEN: http.reads=open)"));
            }
            return edge;
        }
        catch (final IOException ex)
        {
            closeQuietly(edge, server, temporaryTokenDir);
            throw new UncheckedIOException("cannot start the HTTP edge on " + config.host() + ":" + config.port() +
                " (http.host, http.port): " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(edge, server, temporaryTokenDir);
            throw ex;
        }
    }

    /**
     * The bound port.
     *
     * @return the port.
     */
    public int port()
    {
        return server.getAddress().getPort();
    }

    /**
     * The scheme clients use.
     *
     * @return https with a keystore, http otherwise.
     */
    public String scheme()
    {
        return tls ? "https" : "http";
    }

    /**
     * The file holding the bearer token (a temporary one, deleted at {@link #close}, when none was configured).
     *
     * @return the file.
     */
    public Path tokenFile()
    {
        return token.file();
    }

    /**
     * Whether the token file is this edge's own temporary one.
     *
     * @return true when it is deleted at close.
     */
    public boolean isTemporaryToken()
    {
        return null != temporaryTokenDir;
    }

    /**
     * Stop serving at once, release the port and delete a temporary token file.
     */
    public void close()
    {
        server.stop(0);
        pool.close();
        deleteQuietly(temporaryTokenDir);
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        count(TransportCounter.HTTP_REQUESTS);
        final boolean head = Route.HEAD.equals(exchange.getRequestMethod());
        HttpResponse response;
        try
        {
            final Supplier<HttpResponse> action = admit(exchange);
            WorkerPool.requestRead();
            response = action.get();
        }
        catch (final BadRequestException ex)
        {
            WorkerPool.requestRead();
            response = ex.response();
        }
        catch (final RuntimeException ex)
        {
            WorkerPool.requestRead();
            response = HttpResponse.error(500, "internal error: " + ex);
        }
        countStatus(response.status());
        statusCounts.count(response.status());
        WorkerPool.responding();
        send(exchange, response, head);
    }

    /**
     * Every check, then the body (under the read timeout); the action that answers runs after, untimed.
     */
    private Supplier<HttpResponse> admit(final HttpExchange exchange) throws IOException
    {
        if (WorkerPool.isShedding())
        {
            throw new BadRequestException(503, "the HTTP edge is busy (every worker and queue slot taken); retry",
                "Connection", "close");
        }
        final Headers headers = exchange.getRequestHeaders();
        guard.checkHost(headers, exchange.getLocalAddress());
        guard.checkOrigin(headers);
        final URI uri = exchange.getRequestURI();
        final Route route = routes.get(uri.getPath());
        if (null == route)
        {
            throw new BadRequestException(404, "no such endpoint: " + uri.getPath());
        }
        final String method = exchange.getRequestMethod();
        if (!route.allows(method))
        {
            throw new BadRequestException(405, "use " + route.allow(), "Allow", route.allow());
        }
        if (route.changesState() || guard.readsNeedToken())
        {
            guard.checkToken(headers);
        }
        if (!route.changesState())
        {
            return () -> route.read().apply(uri, headers);
        }
        RequestGuard.checkJson(headers);
        final String text = readBody(exchange);
        final RequestBody body = RequestBody.parse(text);
        final String key = headers.getFirst(IDEMPOTENCY_KEY);
        if (null == key)
        {
            return () -> route.command().apply(body);
        }
        IdempotencyKeys.check(key);
        // the key is bound to what it asks: the endpoint and the body as sent
        final String request = uri.getPath() + "\n" + text;
        return () -> idempotencyKeys.answer(key, request, () -> route.command().apply(body),
            () -> count(TransportCounter.HTTP_IDEMPOTENT_REPLAYS));
    }

    private static long queryLong(final String query, final String name)
    {
        if (null != query)
        {
            for (final String pair : query.split("&"))
            {
                if (pair.startsWith(name + "="))
                {
                    try
                    {
                        return Long.parseLong(pair.substring(name.length() + 1));
                    }
                    catch (final NumberFormatException ex)
                    {
                        break;
                    }
                }
            }
        }
        throw new BadRequestException("query parameter '" + name + "' is required and must be an integer");
    }

    private static String readBody(final HttpExchange exchange) throws IOException
    {
        final String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (null != length && declaredLength(length) > MAX_BODY)
        {
            // refused before a byte of it is read
            throw new BadRequestException(413, "body larger than " + MAX_BODY + " bytes");
        }
        try (InputStream in = exchange.getRequestBody())
        {
            final byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY)
            {
                throw new BadRequestException(413, "body larger than " + MAX_BODY + " bytes");
            }
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static long declaredLength(final String length)
    {
        try
        {
            return Long.parseLong(length.strip());
        }
        catch (final NumberFormatException ex)
        {
            return Long.MAX_VALUE;
        }
    }

    private static void send(final HttpExchange exchange, final HttpResponse response, final boolean head)
        throws IOException
    {
        final byte[] body = (response.body() + (response.body().endsWith("\n") ? "" : "\n"))
            .getBytes(StandardCharsets.UTF_8);
        final Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", response.contentType());
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        response.headers().forEach(headers::set);
        if (503 == response.status())
        {
            headers.set("Retry-After", "1");
        }
        if (401 == response.status())
        {
            headers.set("WWW-Authenticate", "Bearer realm=\"acktracker\"");
        }
        if (head)
        {
            // the JDK server sends no length for HEAD: say what GET would send
            headers.set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(response.status(), -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(body);
        }
    }

    private void countStatus(final int status)
    {
        if (status >= 400)
        {
            count(TransportCounter.HTTP_REFUSED);
        }
        if (401 == status)
        {
            count(TransportCounter.HTTP_UNAUTHORIZED);
        }
        else if (421 == status || 403 == status)
        {
            count(TransportCounter.HTTP_FORBIDDEN);
        }
    }

    private void count(final TransportCounter counter)
    {
        if (null != transport)
        {
            transport.counters().incrementShared(counter);
        }
    }

    private static void closeQuietly(final HttpEdge edge, final HttpServer server, final Path temporaryTokenDir)
    {
        if (null != edge)
        {
            edge.close();
            return;
        }
        if (null != server)
        {
            server.stop(0);
        }
        deleteQuietly(temporaryTokenDir);
    }

    private static void deleteQuietly(final Path dir)
    {
        if (null == dir)
        {
            return;
        }
        try
        {
            Files.deleteIfExists(dir.resolve(BearerToken.FILE_NAME));
            Files.deleteIfExists(dir);
        }
        catch (final IOException ex)
        {
            // a temporary directory left behind holds nothing once the token file is gone; nothing more to do
        }
    }
}

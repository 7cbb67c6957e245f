package io.acktracker.transport.http;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Everything the HTTP edge is built from, with defaults; checked once by {@link #conclude()}. Each setting is a key
 * of the standalone service's configuration (named on its setter), and a refusal names that key, so an operator
 * reads which line of the configuration to fix.
 * <p>
 * Threading: build on one thread, then hand to {@link HttpEdge#start}; do not change it afterwards.
 */
public final class HttpEdgeConfig
{
    /** Who may read {@code GET /metrics}, {@code /stats} and {@code /messages/status} (key {@code http.reads}). */
    public enum Reads
    {
        /** Open on a loopback address, the token elsewhere. */
        AUTO,
        /** Open to anyone who can reach the edge (still subject to the Host and Origin checks). */
        OPEN,
        /** The bearer token, like every state-changing request. */
        TOKEN
    }

    static final int MAX_THREADS = 1024;
    static final int MAX_QUEUE = 65_536;
    static final int MAX_CONNECTIONS = 65_536;
    static final long MIN_READ_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long MAX_TIMEOUT_NS = TimeUnit.HOURS.toNanos(1);

    private String name = "acktracker";
    private String host = "127.0.0.1";
    private int port = 8080;
    private Path tokenFile;
    private Reads reads = Reads.AUTO;
    private List<String> allowedOrigins = List.of();
    private List<String> allowedHosts = List.of();
    private boolean registerDestinations;
    private int threads = 8;
    private int queueCapacity = 128;
    private int maxConnections = 256;
    private long readTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    private long idleTimeoutNs = TimeUnit.SECONDS.toNanos(30);
    private Path keystore;
    private String keystorePassword = "";
    private Consumer<String> warnings = (line) -> System.err.println("acktracker http: WARNING: " + line);
    private boolean loopback;
    private boolean concluded;

    /**
     * Check every value; resolves {@link #host()} (a name is looked up once, here). Called by the edge; calling
     * twice is harmless.
     *
     * @return this.
     * @throws IllegalArgumentException naming the service key of the first bad value.
     */
    public HttpEdgeConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(null != host && !host.isBlank(), "http.host", host, "must not be blank");
        require(port >= 0 && port <= 65_535, "http.port", port, "expected 0..65535");
        require(threads >= 1 && threads <= MAX_THREADS, "http.threads", threads, "expected 1.." + MAX_THREADS);
        require(queueCapacity >= 1 && queueCapacity <= MAX_QUEUE, "http.queue", queueCapacity,
            "expected 1.." + MAX_QUEUE);
        require(maxConnections >= 1 && maxConnections <= MAX_CONNECTIONS, "http.max.connections", maxConnections,
            "expected 1.." + MAX_CONNECTIONS);
        require(readTimeoutNs >= MIN_READ_TIMEOUT_NS && readTimeoutNs <= MAX_TIMEOUT_NS, "http.read.timeout",
            TimeUnit.NANOSECONDS.toMillis(readTimeoutNs) + "ms", "expected 10ms..1h");
        require(idleTimeoutNs >= TimeUnit.SECONDS.toNanos(1) && idleTimeoutNs <= MAX_TIMEOUT_NS, "http.idle.timeout",
            TimeUnit.NANOSECONDS.toMillis(idleTimeoutNs) + "ms", "expected 1s..1h (whole seconds)");
        require(null != reads, "http.reads", null, "expected auto, open or token");
        for (final String origin : allowedOrigins)
        {
            require(isOrigin(origin), "http.allowed.origins", origin,
                "an origin is scheme://host or scheme://host:port (no path), e.g. https://ops.example.com");
        }
        for (final String allowed : allowedHosts)
        {
            require(isHostName(allowed), "http.allowed.hosts", allowed,
                "expected a host name or address, optionally with :port (no scheme, no path)");
        }
        if (null != keystore)
        {
            require(Files.isRegularFile(keystore) && Files.isReadable(keystore), "http.tls.keystore", keystore,
                "no such readable file");
        }
        final InetAddress address;
        try
        {
            address = InetAddress.getByName(host);
        }
        catch (final UnknownHostException ex)
        {
            throw invalid("http.host", host, "unknown host");
        }
        loopback = address.isLoopbackAddress();
        require(loopback || null != keystore, "http.host", host, "not a loopback address: off loopback the edge " +
            "serves only TLS, so set http.tls.keystore (and http.tls.keystore.password); bind 127.0.0.1 behind a " +
            "TLS proxy on the same host otherwise");
        concluded = true;
        return this;
    }

    private static boolean isOrigin(final String origin)
    {
        try
        {
            final URI uri = new URI(origin);
            return null != uri.getScheme() && null != uri.getHost() && (null == uri.getRawPath() ||
                uri.getRawPath().isEmpty()) && null == uri.getRawQuery() && null == uri.getRawFragment() &&
                null == uri.getRawUserInfo();
        }
        catch (final URISyntaxException ex)
        {
            return false;
        }
    }

    private static boolean isHostName(final String name)
    {
        if (name.isEmpty() || name.contains("/") || name.contains("@") || name.contains(" "))
        {
            return false;
        }
        return null != HostHeader.parse(name, -1);
    }

    private static void require(final boolean condition, final String key, final Object value, final String why)
    {
        if (!condition)
        {
            throw invalid(key, value, why);
        }
    }

    private static IllegalArgumentException invalid(final String key, final Object value, final String why)
    {
        return new IllegalArgumentException("invalid " + key + "='" + value + "': " + why);
    }

    /**
     * Whether the bound address is a loopback one; known after {@link #conclude()}.
     *
     * @return true on loopback.
     */
    boolean isLoopback()
    {
        return loopback;
    }

    /**
     * Whether reads need the token: {@link Reads#AUTO} asks for it off loopback.
     *
     * @return true when {@code GET} and {@code HEAD} need the token.
     */
    boolean readsNeedToken()
    {
        return Reads.TOKEN == reads || (Reads.AUTO == reads && !loopback);
    }

    /**
     * Tracker name, for thread names.
     *
     * @return the setting.
     */
    public String name()
    {
        return name;
    }

    /**
     * Tracker name, for thread names.
     *
     * @param name the name.
     * @return this.
     */
    public HttpEdgeConfig name(final String name)
    {
        this.name = name;
        return this;
    }

    /**
     * Address to bind (key {@code http.host}, default 127.0.0.1).
     *
     * @return the setting.
     */
    public String host()
    {
        return host;
    }

    /**
     * Address to bind (key {@code http.host}, default 127.0.0.1). Anything but loopback needs TLS and is warned
     * about at start.
     *
     * @param host address or name.
     * @return this.
     */
    public HttpEdgeConfig host(final String host)
    {
        this.host = host;
        return this;
    }

    /**
     * Port (key {@code http.port}, default 8080; 0 picks a free one).
     *
     * @return the setting.
     */
    public int port()
    {
        return port;
    }

    /**
     * Port (key {@code http.port}, default 8080; 0 picks a free one).
     *
     * @param port the port.
     * @return this.
     */
    public HttpEdgeConfig port(final int port)
    {
        this.port = port;
        return this;
    }

    /**
     * The bearer token's file (key {@code http.token.file}): read when it exists (it must be owner-only), created
     * owner-only with a new random token otherwise.
     *
     * @return the setting.
     */
    public Path tokenFile()
    {
        return tokenFile;
    }

    /**
     * The bearer token's file (key {@code http.token.file}): read when it exists (it must be owner-only), created
     * owner-only with a new random token otherwise. Null (the default here) makes a new token in a private
     * temporary directory for this edge's life; the service passes its data directory's {@code http.token}.
     *
     * @param tokenFile the file, or null.
     * @return this.
     */
    public HttpEdgeConfig tokenFile(final Path tokenFile)
    {
        this.tokenFile = tokenFile;
        return this;
    }

    /**
     * Who may read (key {@code http.reads}: auto, open or token; default auto: open on loopback).
     *
     * @return the setting.
     */
    public Reads reads()
    {
        return reads;
    }

    /**
     * Who may read (key {@code http.reads}: auto, open or token; default auto: open on loopback).
     *
     * @param reads the policy.
     * @return this.
     */
    public HttpEdgeConfig reads(final Reads reads)
    {
        this.reads = reads;
        return this;
    }

    /**
     * The policy from its configuration text.
     *
     * @param text auto, open or token.
     * @return the policy.
     * @throws IllegalArgumentException naming {@code http.reads} otherwise.
     */
    public static Reads reads(final String text)
    {
        switch (text.toLowerCase(Locale.ROOT))
        {
            case "auto":
                return Reads.AUTO;
            case "open":
                return Reads.OPEN;
            case "token":
                return Reads.TOKEN;
            default:
                throw invalid("http.reads", text, "expected auto, open or token");
        }
    }

    /**
     * Origins a request may come from (key {@code http.allowed.origins}, default none): a request carrying an {@code
     * Origin} header not in this list is refused 403, so no web page can drive the edge unless listed.
     *
     * @return the setting.
     */
    public List<String> allowedOrigins()
    {
        return allowedOrigins;
    }

    /**
     * Origins a request may come from (key {@code http.allowed.origins}, default none): a request carrying an
     * {@code Origin} header not in this list is refused 403, so no web page can drive the edge unless listed.
     *
     * @param allowedOrigins e.g. {@code https://ops.example.com}.
     * @return this.
     */
    public HttpEdgeConfig allowedOrigins(final List<String> allowedOrigins)
    {
        this.allowedOrigins = List.copyOf(allowedOrigins);
        return this;
    }

    /**
     * Names the {@code Host} header may carry besides the address the request came in on (key {@code
     * http.allowed.hosts}, default none): {@code name} allows any port, {@code name:port} that port.
     *
     * @return the setting.
     */
    public List<String> allowedHosts()
    {
        return allowedHosts;
    }

    /**
     * Names the {@code Host} header may carry besides the address the request came in on (key
     * {@code http.allowed.hosts}, default none): {@code name} allows any port, {@code name:port} that port.
     *
     * @param allowedHosts host names.
     * @return this.
     */
    public HttpEdgeConfig allowedHosts(final List<String> allowedHosts)
    {
        this.allowedHosts = List.copyOf(allowedHosts);
        return this;
    }

    /**
     * Whether {@code POST /destinations} may register new destination names (key {@code http.register.destinations},
     * default false).
     *
     * @return the setting.
     */
    public boolean registerDestinations()
    {
        return registerDestinations;
    }

    /**
     * Whether {@code POST /destinations} may register new destination names (key
     * {@code http.register.destinations}, default false). No other request registers a name.
     *
     * @param registerDestinations true to allow.
     * @return this.
     */
    public HttpEdgeConfig registerDestinations(final boolean registerDestinations)
    {
        this.registerDestinations = registerDestinations;
        return this;
    }

    /**
     * Worker threads reading and answering requests (key {@code http.threads}, default 8).
     *
     * @return the setting.
     */
    public int threads()
    {
        return threads;
    }

    /**
     * Worker threads reading and answering requests (key {@code http.threads}, default 8).
     *
     * @param threads 1..1024.
     * @return this.
     */
    public HttpEdgeConfig threads(final int threads)
    {
        this.threads = threads;
        return this;
    }

    /**
     * Requests that may wait for a worker (key {@code http.queue}, default 128); past it a request is answered 503.
     *
     * @return the setting.
     */
    public int queueCapacity()
    {
        return queueCapacity;
    }

    /**
     * Requests that may wait for a worker (key {@code http.queue}, default 128); past it a request is answered 503.
     *
     * @param queueCapacity 1..65536.
     * @return this.
     */
    public HttpEdgeConfig queueCapacity(final int queueCapacity)
    {
        this.queueCapacity = queueCapacity;
        return this;
    }

    /**
     * Most open connections (key {@code http.max.connections}, default 256); the JDK server closes one more at once.
     *
     * @return the setting.
     */
    public int maxConnections()
    {
        return maxConnections;
    }

    /**
     * Most open connections (key {@code http.max.connections}, default 256); the JDK server closes one more at
     * once. One value per JVM: see {@link JdkServerProperties}.
     *
     * @param maxConnections 1..65536.
     * @return this.
     */
    public HttpEdgeConfig maxConnections(final int maxConnections)
    {
        this.maxConnections = maxConnections;
        return this;
    }

    /**
     * How long a request (request line, headers and body) may take to arrive from its first byte, and a response to be
     * taken by the client (key {@code http.read.timeout}, default 5s); the connection is closed otherwise.
     *
     * @return the setting.
     */
    public long readTimeoutNs()
    {
        return readTimeoutNs;
    }

    /**
     * How long a request (request line, headers and body) may take to arrive from its first byte, and a response
     * to be taken by the client (key {@code http.read.timeout}, default 5s); the connection is closed otherwise.
     *
     * @param readTimeoutNs 10 ms..1 h.
     * @return this.
     */
    public HttpEdgeConfig readTimeoutNs(final long readTimeoutNs)
    {
        this.readTimeoutNs = readTimeoutNs;
        return this;
    }

    /**
     * How long a connection may stay open with no request in progress (key {@code http.idle.timeout}, default 30s;
     * whole seconds, rounded up).
     *
     * @return the setting.
     */
    public long idleTimeoutNs()
    {
        return idleTimeoutNs;
    }

    /**
     * How long a connection may stay open with no request in progress (key {@code http.idle.timeout}, default
     * 30s; whole seconds, rounded up). One value per JVM: see {@link JdkServerProperties}.
     *
     * @param idleTimeoutNs 1 s..1 h.
     * @return this.
     */
    public HttpEdgeConfig idleTimeoutNs(final long idleTimeoutNs)
    {
        this.idleTimeoutNs = idleTimeoutNs;
        return this;
    }

    /**
     * A keystore (PKCS12 or JKS) with the server's key and certificate (key {@code http.tls.keystore}, default none):
     * when set the edge serves HTTPS; required off loopback.
     *
     * @return the setting.
     */
    public Path keystore()
    {
        return keystore;
    }

    /**
     * A keystore (PKCS12 or JKS) with the server's key and certificate (key {@code http.tls.keystore}, default
     * none): when set the edge serves HTTPS; required off loopback.
     *
     * @param keystore the file, or null.
     * @return this.
     */
    public HttpEdgeConfig keystore(final Path keystore)
    {
        this.keystore = keystore;
        return this;
    }

    String keystorePassword()
    {
        return keystorePassword;
    }

    /**
     * The keystore's password, also the key's (key {@code http.tls.keystore.password}, default empty).
     *
     * @param keystorePassword the password.
     * @return this.
     */
    public HttpEdgeConfig keystorePassword(final String keystorePassword)
    {
        this.keystorePassword = null == keystorePassword ? "" : keystorePassword;
        return this;
    }

    Consumer<String> warnings()
    {
        return warnings;
    }

    /**
     * Where warnings go (default standard error): binding off loopback, JVM-wide settings that did not apply.
     *
     * @param warnings a sink for one line each.
     * @return this.
     */
    public HttpEdgeConfig warnings(final Consumer<String> warnings)
    {
        this.warnings = warnings;
        return this;
    }
}

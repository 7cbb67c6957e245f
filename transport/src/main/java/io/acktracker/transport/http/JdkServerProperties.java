package io.acktracker.transport.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The JDK HTTP server's settings that only exist as system properties, set from the first edge's configuration
 * before the first server is created.
 * <p>
 * Why here: the JDK server ({@code sun.net.httpserver.ServerConfig} and {@code ServerImpl}, read on JDK 17.0.15 and
 * 17.0.19) reads these properties once, when its classes are initialised by the first {@code HttpServer.create} in
 * the JVM, and keeps them for every server after. So they are one value per JVM: the first edge's configuration
 * wins, a later edge asking for other values is warned, and a property set on the command line
 * ({@code -Dsun.net.httpserver.nodelay=false}) wins over the configuration (also warned). If anything else in the
 * JVM created a JDK HTTP server before the first edge, none of these apply; the standalone service creates none.
 * <ul>
 *     <li>{@code sun.net.httpserver.nodelay=true}: TCP_NODELAY on every accepted socket. The server writes a
 *     response's headers and its body in two writes; with Nagle the body waits for the client's delayed ACK of the
 *     headers, about 40 ms per keep-alive request.</li>
 *     <li>{@code jdk.httpserver.maxConnections} from {@code http.max.connections}: a connection over the cap is
 *     closed as soon as it is accepted.</li>
 *     <li>{@code sun.net.httpserver.maxIdleConnections}, the same: idle keep-alive connections kept.</li>
 *     <li>{@code sun.net.httpserver.idleInterval} (whole seconds) from {@code http.idle.timeout}: a connection with
 *     no request in progress (kept alive, or accepted and silent) is closed after it; the server checks every
 *     {@code sun.net.httpserver.clockTick} ms, set to 1000 (its default is 10 s).</li>
 * </ul>
 * The request read timeout is not {@code sun.net.httpserver.maxReqTime} (whole seconds, one per JVM) but the edge's
 * own, per edge: see {@link WorkerPool}.
 * <p>
 * Threading: any thread; synchronised.
 */
final class JdkServerProperties
{
    static final String NODELAY = "sun.net.httpserver.nodelay";
    static final String MAX_CONNECTIONS = "jdk.httpserver.maxConnections";
    static final String MAX_IDLE_CONNECTIONS = "sun.net.httpserver.maxIdleConnections";
    static final String IDLE_INTERVAL = "sun.net.httpserver.idleInterval";
    static final String CLOCK_TICK = "sun.net.httpserver.clockTick";

    private static Map<String, String> applied;

    private JdkServerProperties()
    {
    }

    /**
     * Set the properties for a configuration, once per JVM.
     *
     * @param config the edge's configuration.
     * @return warnings: values that do not apply, and why.
     */
    static synchronized List<String> apply(final HttpEdgeConfig config)
    {
        final Map<String, String> wanted = wanted(config);
        final List<String> warnings = new ArrayList<>();
        if (null == applied)
        {
            final Map<String, String> effective = new LinkedHashMap<>();
            for (final Map.Entry<String, String> entry : wanted.entrySet())
            {
                final String existing = System.getProperty(entry.getKey());
                if (null == existing)
                {
                    System.setProperty(entry.getKey(), entry.getValue());
                }
                else if (!existing.equals(entry.getValue()))
                {
                    warnings.add("-D" + entry.getKey() + "=" + existing + " set for this JVM wins over the " +
                        "HTTP edge's " + entry.getValue());
                }
                effective.put(entry.getKey(), System.getProperty(entry.getKey()));
            }
            applied = effective;
            return warnings;
        }
        for (final Map.Entry<String, String> entry : wanted.entrySet())
        {
            final String effective = applied.get(entry.getKey());
            if (!effective.equals(entry.getValue()))
            {
                warnings.add("the JDK HTTP server reads " + entry.getKey() + " once per JVM: it keeps " + effective +
                    " from the first edge, not this edge's " + entry.getValue());
            }
        }
        return warnings;
    }

    private static Map<String, String> wanted(final HttpEdgeConfig config)
    {
        final Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put(NODELAY, "true");
        wanted.put(MAX_CONNECTIONS, Integer.toString(config.maxConnections()));
        wanted.put(MAX_IDLE_CONNECTIONS, Integer.toString(config.maxConnections()));
        final long idleMs = TimeUnit.NANOSECONDS.toMillis(config.idleTimeoutNs());
        wanted.put(IDLE_INTERVAL, Long.toString((idleMs + 999) / 1000));
        wanted.put(CLOCK_TICK, "1000");
        return wanted;
    }
}

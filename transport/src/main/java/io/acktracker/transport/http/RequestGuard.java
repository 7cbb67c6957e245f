package io.acktracker.transport.http;

import com.sun.net.httpserver.Headers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The checks a request passes before the edge reads its body or acts on it, each refusing with its own status and
 * a one-line reason, in this order:
 * <ol>
 *     <li><b>Host</b> (421 Misdirected Request): the {@code Host} header must name the address the request came in
 *     on, with the edge's port ({@code localhost} too on loopback), or a configured name
 *     ({@code http.allowed.hosts}). A web page that rebinds its own name to 127.0.0.1 sends its own name and is
 *     refused, so it can read nothing, {@code /stats} included. 421 rather than 403: the request is fine, it was
 *     sent to a name this server does not answer for.</li>
 *     <li><b>Origin</b> (403): a request carrying {@code Origin} (every cross-origin browser request does) must
 *     come from an allowed origin ({@code http.allowed.origins}, none by default).</li>
 *     <li><b>Token</b> (401 with {@code WWW-Authenticate: Bearer}): every state-changing request, and reads when
 *     {@code http.reads} asks for it.</li>
 *     <li><b>Content type</b> (415): a state-changing request must say {@code application/json} (a charset, if
 *     given, must be UTF-8). A browser sends {@code text/plain}, form or multipart bodies cross-origin without a
 *     preflight; JSON needs one, which this edge never grants.</li>
 * </ol>
 * <p>
 * Threading: immutable; any thread.
 */
final class RequestGuard
{
    private final BearerToken token;
    private final int port;
    private final boolean readsNeedToken;
    private final List<String> allowedOrigins;
    private final List<HostHeader> allowedHosts;
    private final int defaultPort;

    RequestGuard(final HttpEdgeConfig config, final BearerToken token, final int port, final boolean tls)
    {
        this.token = token;
        this.port = port;
        this.readsNeedToken = config.readsNeedToken();
        this.defaultPort = tls ? 443 : 80;
        final List<String> origins = new ArrayList<>();
        for (final String origin : config.allowedOrigins())
        {
            origins.add(stripTrailingSlash(origin.toLowerCase(Locale.ROOT)));
        }
        this.allowedOrigins = List.copyOf(origins);
        final List<HostHeader> hosts = new ArrayList<>();
        for (final String name : config.allowedHosts())
        {
            hosts.add(HostHeader.parse(name, -1));
        }
        this.allowedHosts = List.copyOf(hosts);
    }

    boolean readsNeedToken()
    {
        return readsNeedToken;
    }

    /**
     * Refuse a {@code Host} that does not name this edge.
     *
     * @param headers the request's headers.
     * @param local   the address the request came in on.
     */
    void checkHost(final Headers headers, final InetSocketAddress local)
    {
        final List<String> values = headers.get("Host");
        if (null == values || values.size() != 1)
        {
            throw new BadRequestException(421, "exactly one Host header naming this server is required");
        }
        final HostHeader host = HostHeader.parse(values.get(0), defaultPort);
        if (null == host || !isAllowed(host, local.getAddress()))
        {
            throw new BadRequestException(421, "Host '" + values.get(0) + "' is not this server's; allowed: its " +
                "address with port " + port + (allowedHosts.isEmpty() ? "" : " or a name in http.allowed.hosts"));
        }
    }

    private boolean isAllowed(final HostHeader host, final InetAddress local)
    {
        for (final HostHeader allowed : allowedHosts)
        {
            if (allowed.host().equals(host.host()) && (allowed.port() < 0 || allowed.port() == host.port()))
            {
                return true;
            }
        }
        if (host.port() != port)
        {
            return false;
        }
        if (local.isLoopbackAddress() && "localhost".equals(host.host()))
        {
            return true;
        }
        final InetAddress literal = literal(host.host());
        return null != literal && literal.equals(local);
    }

    /**
     * An address literal, parsed without a lookup; null for a name (or anything else).
     */
    private static InetAddress literal(final String host)
    {
        try
        {
            if (host.indexOf(':') >= 0)
            {
                // in brackets, getByName parses an IPv6 literal or refuses; it never resolves
                return InetAddress.getByName("[" + host + "]");
            }
            final String[] parts = host.split("\\.", -1);
            if (4 != parts.length)
            {
                return null;
            }
            final byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++)
            {
                if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit))
                {
                    return null;
                }
                final int value = Integer.parseInt(parts[i]);
                if (value > 255)
                {
                    return null;
                }
                bytes[i] = (byte)value;
            }
            return InetAddress.getByAddress(bytes);
        }
        catch (final UnknownHostException ex)
        {
            return null;
        }
    }

    /**
     * Refuse an {@code Origin} that is not allowed.
     *
     * @param headers the request's headers.
     */
    void checkOrigin(final Headers headers)
    {
        final List<String> values = headers.get("Origin");
        if (null == values)
        {
            return;
        }
        for (final String value : values)
        {
            if (!allowedOrigins.contains(stripTrailingSlash(value.strip().toLowerCase(Locale.ROOT))))
            {
                throw new BadRequestException(403, "Origin '" + value + "' is not allowed" +
                    (allowedOrigins.isEmpty() ? " (no web page may use this edge; see http.allowed.origins)" :
                    " (see http.allowed.origins)"));
            }
        }
    }

    /**
     * Refuse a request without this edge's bearer token.
     *
     * @param headers the request's headers.
     */
    void checkToken(final Headers headers)
    {
        final List<String> values = headers.get("Authorization");
        if (null == values || values.size() != 1 || !token.matches(values.get(0)))
        {
            throw new BadRequestException(401, null == values ? "missing 'Authorization: Bearer <token>' (the " +
                "token is in the file http.token.file names)" : "wrong or malformed bearer token");
        }
    }

    /**
     * Refuse a state-changing request whose body is not declared JSON.
     *
     * @param headers the request's headers.
     */
    static void checkJson(final Headers headers)
    {
        final List<String> values = headers.get("Content-Type");
        if (null == values || values.size() != 1 || !isJson(values.get(0)))
        {
            throw new BadRequestException(415, "Content-Type must be application/json" +
                (null == values ? "" : ", not '" + String.join(", ", values) + "'"));
        }
    }

    private static boolean isJson(final String contentType)
    {
        final String[] parts = contentType.split(";");
        if (!"application/json".equalsIgnoreCase(parts[0].strip()))
        {
            return false;
        }
        for (int i = 1; i < parts.length; i++)
        {
            final String parameter = parts[i].strip().toLowerCase(Locale.ROOT);
            if (parameter.startsWith("charset=") && !"charset=utf-8".equals(parameter.replace("\"", "")))
            {
                return false;
            }
        }
        return true;
    }

    private static String stripTrailingSlash(final String origin)
    {
        return origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin;
    }
}

package io.acktracker.transport.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.acktracker.engine.AckTracker;
import io.acktracker.transport.AeronTransport;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportCounter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An optional HTTP edge for what cannot speak Aeron, on the JDK's built-in server (no framework), bound to
 * loopback unless configured otherwise. It trusts its callers: anyone who can reach it can ack for any destination.
 * <pre>
 *   GET  /metrics                  Prometheus text exposition format
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
 * </pre>
 * Commands by message id go to the agent through the tracker's command queue, like every other thread's (202
 * QUEUED). Lease commands run on the agent and answer its verdict (200, or 4xx with the refusal). Bad input gets a
 * 4xx and a one-line JSON error and changes nothing. See {@link MessageCommands}.
 * <p>
 * Threading: {@link #start} and {@link #close} from one thread; requests on one executor thread.
 */
public final class HttpEdge implements AutoCloseable
{
    private static final int MAX_BODY = 64 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final Reports reports;
    private final MessageCommands commands;
    private final AeronTransport transport;

    private HttpEdge(final HttpServer server, final AckTracker tracker, final AeronTransport transport)
    {
        this.server = server;
        this.transport = transport;
        this.reports = new Reports(tracker, transport);
        this.commands = new MessageCommands(tracker,
            null == transport ? Protocol.DEFAULT_LEASE_TIMEOUT_NS : transport.config().leaseTimeoutNs());
        this.executor = Executors.newSingleThreadExecutor((runnable) ->
        {
            final Thread thread = new Thread(runnable, tracker.config().name() + "-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /**
     * Bind and start serving.
     *
     * @param host      address to bind, e.g. 127.0.0.1.
     * @param port      port, 0 for any free one.
     * @param tracker   the tracker.
     * @param transport its Aeron transport, or null.
     * @return the running edge.
     */
    public static HttpEdge start(final String host, final int port, final AckTracker tracker,
        final AeronTransport transport)
    {
        try
        {
            final HttpEdge edge = new HttpEdge(
                HttpServer.create(new InetSocketAddress(host, port), 64), tracker, transport);
            edge.server.start();
            return edge;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot bind the HTTP edge to " + host + ":" + port, ex);
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
     * Stop serving at once and release the port.
     */
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        HttpResponse response;
        try
        {
            count(TransportCounter.HTTP_REQUESTS);
            response = route(exchange);
        }
        catch (final BadRequestException ex)
        {
            response = HttpResponse.error(ex.status(), ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            response = HttpResponse.error(500, "internal error: " + ex);
        }
        if (response.status() >= 400)
        {
            count(TransportCounter.HTTP_REFUSED);
        }
        send(exchange, response);
    }

    private HttpResponse route(final HttpExchange exchange) throws IOException
    {
        final String method = exchange.getRequestMethod();
        final URI uri = exchange.getRequestURI();
        final String path = uri.getPath();
        switch (path)
        {
            case "/metrics":
                requireMethod(method, "GET");
                return new HttpResponse(200, reports.prometheus(), HttpResponse.PROMETHEUS);
            case "/stats":
                requireMethod(method, "GET");
                return new HttpResponse(200, reports.statsJson());
            case "/messages/status":
                requireMethod(method, "GET");
                return commands.status(queryLong(uri.getRawQuery(), "message_id"));
            case "/messages/track":
                return post(exchange, commands::track);
            case "/messages/ack":
                return post(exchange, commands::ack);
            case "/messages/cumulative-ack":
                return post(exchange, commands::cumulativeAck);
            case "/messages/nack":
                return post(exchange, commands::nack);
            case "/messages/reject":
                return post(exchange, commands::reject);
            case "/messages/lease":
                return post(exchange, commands::lease);
            case "/messages/visibility":
                return post(exchange, commands::extend);
            default:
                throw new BadRequestException(404, "no such endpoint: " + path);
        }
    }

    private HttpResponse post(final HttpExchange exchange, final Function<RequestBody, HttpResponse> command)
        throws IOException
    {
        requireMethod(exchange.getRequestMethod(), "POST");
        return command.apply(RequestBody.parse(readBody(exchange)));
    }

    private static void requireMethod(final String method, final String expected)
    {
        if (!expected.equals(method))
        {
            throw new BadRequestException(405, "use " + expected);
        }
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

    private static void send(final HttpExchange exchange, final HttpResponse response) throws IOException
    {
        final byte[] body = (response.body() + (response.body().endsWith("\n") ? "" : "\n"))
            .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        if (503 == response.status())
        {
            exchange.getResponseHeaders().set("Retry-After", "1");
        }
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(body);
        }
    }

    private void count(final TransportCounter counter)
    {
        if (null != transport)
        {
            transport.counters().incrementShared(counter);
        }
    }
}

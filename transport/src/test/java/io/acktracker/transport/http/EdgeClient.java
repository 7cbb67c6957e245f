package io.acktracker.transport.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A client of one edge as a well-behaved caller uses it: HTTP/1.1, the edge's bearer token (read from its file)
 * and {@code Content-Type: application/json} on every POST, a timeout on every request. Tests that need a bad
 * request build it themselves ({@link #request}) or use {@link RawHttp}.
 * <p>
 * Threading: any thread.
 */
final class EdgeClient
{
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient client;
    private final HttpEdge edge;
    private final String token;
    private final Runnable dutyCycle;

    EdgeClient(final HttpEdge edge)
    {
        this(edge, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build());
    }

    /**
     * A client of an edge over a host-driven tracker: while a request waits for its answer, the calling thread runs
     * the tracker's duty cycle (the edge applies commands on the agent thread and answers after).
     */
    EdgeClient(final HttpEdge edge, final io.acktracker.engine.AckTracker driven)
    {
        this(edge, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build(), () -> driven.invoker().invoke());
    }

    EdgeClient(final HttpEdge edge, final HttpClient client)
    {
        this(edge, client, null);
    }

    EdgeClient(final HttpEdge edge, final HttpClient client, final Runnable dutyCycle)
    {
        this.edge = edge;
        this.client = client;
        this.dutyCycle = dutyCycle;
        try
        {
            this.token = Files.readString(edge.tokenFile(), StandardCharsets.US_ASCII).strip();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    String token()
    {
        return token;
    }

    URI uri(final String path)
    {
        return URI.create(edge.scheme() + "://127.0.0.1:" + edge.port() + path);
    }

    HttpRequest.Builder request(final String path)
    {
        return HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT);
    }

    HttpRequest.Builder authorized(final String path)
    {
        return request(path).header("Authorization", "Bearer " + token);
    }

    HttpRequest postRequest(final String path, final String body)
    {
        return authorized(path).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    HttpRequest postRequestWithKey(final String path, final String body, final String idempotencyKey)
    {
        return authorized(path).header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    HttpResponse<String> post(final String path, final String body) throws IOException, InterruptedException
    {
        return send(postRequest(path, body));
    }

    CompletableFuture<HttpResponse<String>> postAsync(final String path, final String body)
    {
        return client.sendAsync(postRequest(path, body), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return send(request(path).GET().build());
    }

    CompletableFuture<HttpResponse<String>> getAsync(final String path)
    {
        return client.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(final HttpRequest request) throws IOException, InterruptedException
    {
        if (null == dutyCycle)
        {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
        final CompletableFuture<HttpResponse<String>> answer =
            client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        while (!answer.isDone() && System.nanoTime() - deadlineNs < 0)
        {
            dutyCycle.run();
            Thread.yield();
        }
        try
        {
            return answer.get(1, java.util.concurrent.TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            throw new IOException(ex.getCause());
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            throw new IOException("no answer within " + TIMEOUT, ex);
        }
    }
}

package io.acktracker.transport.http;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackerConfig;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15's stall findings against the HTTP edge: clients that send part of a request and stop (slowloris: a
 * partial header, or all headers and part of the body) must not hold up a normal request beyond the read timeout,
 * a full queue is answered 503 rather than waited on, and keep-alive requests do not wait for delayed ACKs (Nagle).
 * Bounds are generous (seconds where the work takes milliseconds); loopback only; every socket is closed.
 */
@Timeout(120)
class HttpEdgeStallTest
{
    private static final long READ_TIMEOUT_MS = 1_000;

    private final List<RawHttp> sockets = new ArrayList<>();
    private AckTracker tracker;
    private HttpEdge edge;
    private EdgeClient client;

    private void start(final UnaryOperator<HttpEdgeConfig> settings)
    {
        tracker = AckTracker.open(new TrackerConfig().name("stall").capacity(1024).destinations("a", "b"));
        edge = HttpEdge.start(settings.apply(new HttpEdgeConfig().port(0)), tracker, null);
        client = new EdgeClient(edge, tracker);
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(sockets);
        if (null != edge)
        {
            edge.close();
        }
        if (null != tracker)
        {
            tracker.close();
        }
    }

    @Test
    void shouldAnswerANormalRequestWhileAHundredClientsStallMidRequest() throws Exception
    {
        start((config) -> config.readTimeoutNs(TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MS)));
        final String host = "Host: 127.0.0.1:" + edge.port() + "\r\n";
        for (int i = 0; i < 50; i++)
        {
            // a partial header, then nothing
            sockets.add(new RawHttp(edge.port(), 30_000).write("GET /stats HTTP/1.1\r\n" + host + "X-Slow: "));
            // all headers and a tenth of the body, then nothing
            sockets.add(new RawHttp(edge.port(), 30_000).write("POST /messages/ack HTTP/1.1\r\n" + host +
                "Authorization: Bearer " + client.token() + "\r\nContent-Type: application/json\r\n" +
                "Content-Length: 100\r\n\r\n{\"message_i"));
        }

        // the client's own timeout is the bound: before, one stalled client held the edge's one thread for good
        final HttpResponse<String> normal = client.send(client.request("/stats")
            .timeout(Duration.ofSeconds(15)).GET().build());
        assertThat(normal.statusCode()).isEqualTo(200);
        final HttpResponse<String> command = client.send(client.postRequest("/messages/track",
            "{\"message_id\":1,\"destinations\":[\"a\"]}"));
        assertThat(command.statusCode()).as(command.body()).isEqualTo(200);

        for (final RawHttp slow : sockets)
        {
            assertThat(slow.awaitClosed()).as("a stalled connection is closed by the read timeout").isTrue();
        }
    }

    @Test
    void shouldAnswer503WhenEveryWorkerAndQueueSlotIsTaken() throws Exception
    {
        // one worker, one queue slot, a read timeout longer than the test: the stalled clients stay
        start((config) -> config.threads(1).queueCapacity(1).readTimeoutNs(TimeUnit.SECONDS.toNanos(60)));
        final String partial = "GET /stats HTTP/1.1\r\nHost: 127.0.0.1:" + edge.port() + "\r\nX-Slow: ";
        for (int i = 0; i < 3; i++)
        {
            sockets.add(new RawHttp(edge.port(), 100).write(partial));
        }
        // the third is shed: the shedder gives it its grace to send its headers, then closes it
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean shed = false;
        while (!shed && System.nanoTime() - deadlineNs < 0)
        {
            for (final RawHttp slow : sockets)
            {
                shed |= slow.awaitClosed();
            }
        }
        assertThat(shed).as("one stalled client over the queue was shed").isTrue();

        final HttpResponse<String> busy = client.get("/stats");
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.body()).startsWith("{\"error\":\"the HTTP edge is busy");
        assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void shouldServeKeepAliveRequestsWithoutWaitingForDelayedAcks() throws Exception
    {
        start(UnaryOperator.identity());
        final String request = "GET /messages/status?message_id=1 HTTP/1.1\r\nHost: 127.0.0.1:" + edge.port() +
            "\r\n\r\n";
        try (RawHttp keptAlive = new RawHttp(edge.port(), 10_000))
        {
            // warm up the path (class loading, JIT) outside the bound
            keptAlive.write(request).read(false);
            final long startNs = System.nanoTime();
            for (int i = 0; i < 100; i++)
            {
                assertThat(keptAlive.write(request).read(false).status()).isEqualTo(200);
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            // with Nagle on the server each took ~40-45 ms (its headers and body are two writes): 4 s or more
            assertThat(elapsedMs).as("100 keep-alive requests, ms").isLessThan(3_000);
        }
    }
}

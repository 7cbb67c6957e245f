package io.acktracker.transport.http;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.MessageState;
import io.acktracker.engine.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP edge over a host-driven tracker with no Aeron: commands reach the agent through its command queue,
 * and bad input is answered 4xx with one line of JSON and changes nothing.
 */
@Timeout(60)
class HttpEdgeTest
{
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AckTracker tracker;
    private HttpEdge edge;

    @BeforeEach
    void start()
    {
        tracker = AckTracker.open(new TrackerConfig().name("edge").capacity(1024).destinations("a", "b")
            .openRegistry(false));
        edge = HttpEdge.start("127.0.0.1", 0, tracker, null);
    }

    @AfterEach
    void stop()
    {
        edge.close();
        tracker.close();
    }

    @Test
    void shouldTrackAndAckThroughTheCommandQueue() throws Exception
    {
        final HttpResponse<String> tracked = post("/messages/track",
            "{\"message_id\": 7, \"destinations\": [\"a\", 1], \"required_acks\": 2, \"ack_timeout_ms\": 5000}");
        assertThat(tracked.statusCode()).isEqualTo(202);
        assertThat(tracked.body()).isEqualTo("{\"result\":\"QUEUED\",\"id\":7}\n");
        assertThat(tracker.status(7).state()).as("only queued until the agent runs").isEqualTo(MessageState.UNKNOWN);
        drain();
        assertThat(tracker.status(7).state()).isEqualTo(MessageState.PENDING);

        assertThat(post("/messages/ack", "{\"message_id\":7,\"destination\":\"a\"}").statusCode()).isEqualTo(202);
        assertThat(post("/messages/ack", "{\"message_id\":7,\"destination\":1}").statusCode()).isEqualTo(202);
        drain();

        final HttpResponse<String> status = get("/messages/status?message_id=7");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains("\"state\":\"COMPLETED\"", "\"acked\":[\"a\",\"b\"]");
    }

    @Test
    void shouldApplyCumulativeAcks() throws Exception
    {
        post("/messages/track", "{\"message_id\":1,\"destinations\":[\"a\"],\"stream_id\":3,\"sequence\":10}");
        drain();
        assertThat(post("/messages/cumulative-ack", "{\"stream_id\":3,\"destination\":\"a\",\"offset\":10}")
            .statusCode()).isEqualTo(202);
        drain();
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.COMPLETED);
    }

    @Test
    void shouldAnswerBadInputWithAOneLineJsonErrorAndChangeNothing() throws Exception
    {
        assertError(post("/messages/track", "{\"message_id\": 1, \"destinations\": [\"a\"]"), 400, "malformed JSON");
        assertError(post("/messages/track", "[1]"), 400, "JSON object");
        assertError(post("/messages/track", "{\"message_id\": \"x\", \"destinations\": [\"a\"]}"), 400,
            "'message_id' is required and must be an integer");
        assertError(post("/messages/track", "{\"message_id\": 1, \"destinations\": [\"zzz\"]}"), 400,
            "unknown destination 'zzz'");
        assertError(post("/messages/track", "{\"message_id\": 1, \"destinations\": [\"a\"], \"ttl\": 5}"), 400,
            "unknown member 'ttl'");
        assertError(post("/messages/track", "{\"message_id\": 1, \"destinations\": [\"a\"], \"required_acks\": 2}"),
            400, "'required_acks' must be within 0..1");
        assertError(post("/messages/track", "{\"message_id\": 1.5, \"destinations\": [\"a\"]}"), 400, "integers");
        assertError(post("/messages/ack", "{\"message_id\": 1, \"destination\": 9}"), 400, "unknown destination id");
        assertError(post("/messages/ack", "{\"message_id\": 1}"), 400, "'destination' is required");
        assertError(post("/messages/ack", "x".repeat(70_000)), 413, "larger than");
        assertError(get("/messages/track"), 405, "use POST");
        assertError(post("/metrics", ""), 405, "use GET");
        assertError(get("/nope"), 404, "no such endpoint");
        assertError(get("/messages/status?message_id=abc"), 400, "message_id");
        drain();

        assertThat(tracker.counters().value(TrackerCounter.TRACKED)).isZero();
        assertThat(tracker.counters().value(TrackerCounter.COMMANDS)).isZero();
    }

    @Test
    void shouldAnswerNotSupportedForNackRejectExtendAndReceiptHandles() throws Exception
    {
        post("/messages/track", "{\"message_id\":1,\"destinations\":[\"a\"]}");
        drain();
        assertError(post("/messages/nack", "{\"message_id\":1,\"destination\":\"a\",\"delay_ms\":100}"), 501, "nack");
        assertError(post("/messages/reject", "{\"message_id\":1,\"destination\":\"a\",\"reason\":\"bad\"}"), 501,
            "reject");
        assertError(post("/messages/visibility", "{\"receipt_handle\":\"h\",\"extension_ms\":1000}"), 501,
            "visibility");
        assertError(post("/messages/ack", "{\"receipt_handle\":\"h\"}"), 501, "receipt handle");
        assertError(post("/messages/nack", "{\"message_id\":1,\"destination\":\"a\",\"delay_ms\":-1}"), 400,
            "must not be negative");
        assertError(post("/messages/ack", "{\"receipt_handle\":\"h\",\"message_id\":1}"), 400, "either");
        drain();
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.PENDING);
    }

    @Test
    void shouldServeMetricsAndStats() throws Exception
    {
        post("/messages/track", "{\"message_id\":1,\"destinations\":[\"a\"]}");
        post("/messages/ack", "{\"message_id\":1,\"destination\":\"a\"}");
        drain();

        final HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).contains(
            "# TYPE acktracker_completed_total counter\nacktracker_completed_total{tracker=\"edge\"} 1\n",
            "# TYPE acktracker_pending gauge\nacktracker_pending{tracker=\"edge\"} 0\n",
            "acktracker_completion_latency_seconds{tracker=\"edge\",quantile=\"0.99\"} ",
            "acktracker_completion_latency_seconds_count{tracker=\"edge\"} 1\n");

        final HttpResponse<String> stats = get("/stats");
        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(stats.body()).startsWith("{\"tracker\":\"edge\",\"counters\":{\"pending\":0,")
            .contains("\"completion_latency_ns\":{\"count\":1,", "\"destinations\":[{\"id\":0,\"name\":\"a\"}",
                "\"dlq\":{\"supported\":false");
    }

    private void drain()
    {
        for (int i = 0; i < 100 && tracker.invoker().invoke() > 0; i++)
        {
            Thread.onSpinWait();
        }
    }

    private static void assertError(final HttpResponse<String> response, final int status, final String text)
    {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.body()).startsWith("{\"error\":").contains(text).endsWith("}\n");
        assertThat(response.body().lines()).hasSize(1);
    }

    private HttpResponse<String> post(final String path, final String body) throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + edge.port() + path);
    }
}

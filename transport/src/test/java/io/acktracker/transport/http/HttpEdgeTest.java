package io.acktracker.transport.http;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.DeadLetter;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP edge over a host-driven tracker with no Aeron: every command is applied on the agent thread and answered
 * with the engine's verdict after it was applied (the test drives the agent while a request waits), a retry with
 * the same Idempotency-Key is answered again without applying the command twice, and bad input is answered 4xx with one line of JSON and changes nothing. Every request here is a
 * well-behaved one (token, JSON, right Host); {@link HttpEdgeSecurityTest} sends the others.
 */
@Timeout(60)
class HttpEdgeTest
{
    private AckTracker tracker;
    private HttpEdge edge;
    private EdgeClient client;

    @BeforeEach
    void start()
    {
        tracker = AckTracker.open(new TrackerConfig().name("edge").capacity(1024).destinations("a", "b")
            .openRegistry(false).maxMetadataLength(32)
            .defaultBackoff(Backoff.fixed(TimeUnit.SECONDS.toNanos(60))));
        edge = HttpEdge.start(new HttpEdgeConfig().port(0), tracker, null);
        client = new EdgeClient(edge, tracker);
    }

    @AfterEach
    void stop()
    {
        edge.close();
        tracker.close();
    }

    @Test
    void shouldTrackAndAckAndAnswerOnceApplied() throws Exception
    {
        final HttpResponse<String> tracked = post("/messages/track",
            "{\"message_id\": 7, \"destinations\": [\"a\", 1], \"required_acks\": 2, \"ack_timeout_ms\": 5000}");
        assertThat(tracked.statusCode()).isEqualTo(200);
        assertThat(tracked.body()).isEqualTo("{\"result\":\"OK\",\"message_id\":7}\n");
        assertThat(tracker.status(7).state()).as("applied when answered").isEqualTo(MessageState.PENDING);

        assertThat(post("/messages/ack", "{\"message_id\":7,\"destination\":\"a\"}").body())
            .isEqualTo("{\"result\":\"OK\",\"message_id\":7}\n");
        assertThat(post("/messages/ack", "{\"message_id\":7,\"destination\":1}").body())
            .isEqualTo("{\"result\":\"COMPLETED\",\"message_id\":7}\n");
        assertError(post("/messages/ack", "{\"message_id\":7,\"destination\":1}"), 409, "LATE_ACK");
        assertError(post("/messages/track", "{\"message_id\":7,\"destinations\":[\"a\"]}"), 409, "DUPLICATE_TRACK");

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
            .body()).isEqualTo("{\"result\":\"OK\",\"stream_id\":3}\n");
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
            400, "refused: INVALID_REQUIRED_ACKS");
        assertError(post("/messages/track", "{\"message_id\": 1.5, \"destinations\": [\"a\"]}"), 400, "integers");
        assertError(post("/messages/ack", "{\"message_id\": 1, \"destination\": 9}"), 400, "unknown destination id");
        assertError(post("/messages/ack", "{\"message_id\": 1}"), 400, "'destination' is required");
        assertError(post("/messages/ack", "x".repeat(70_000)), 413, "larger than");
        assertError(get("/messages/track"), 405, "use POST");
        assertError(post("/metrics", ""), 405, "use GET, HEAD");
        assertError(get("/nope"), 404, "no such endpoint");
        assertError(get("/messages/status?message_id=abc"), 400, "message_id");
        drain();

        assertThat(tracker.counters().value(TrackerCounter.TRACKED)).isZero();
        // only the one refused by the engine's rules reached the agent (and changed nothing but the counters)
        assertThat(tracker.counters().value(TrackerCounter.COMMANDS)).isEqualTo(1);
        assertThat(tracker.counters().value(TrackerCounter.INVALID_REQUESTS)).isEqualTo(1);
    }

    @Test
    void shouldNackAndRejectByMessageIdWithTheEnginesVerdict() throws Exception
    {
        post("/messages/track", "{\"message_id\":1,\"destinations\":[\"a\"]}");
        post("/messages/track",
            "{\"message_id\":2,\"destinations\":[\"a\",\"b\"],\"max_attempts\":2,\"metadata\":\"order-2\"}");
        drain();

        final HttpResponse<String> nacked = post("/messages/nack",
            "{\"message_id\":1,\"destination\":\"a\",\"delay_ms\":100,\"code\":7,\"reason\":\"busy\"}");
        assertThat(nacked.statusCode()).isEqualTo(200);
        assertThat(nacked.body()).isEqualTo("{\"result\":\"OK\",\"message_id\":1}\n");
        final HttpResponse<String> rejected = post("/messages/reject",
            "{\"message_id\":2,\"destination\":\"b\",\"code\":9,\"reason\":\"poison\"}");
        assertThat(rejected.statusCode()).isEqualTo(200);
        drain();

        assertThat(tracker.counters().value(TrackerCounter.NACKS)).isEqualTo(1);
        assertThat(tracker.status(1).state()).as("retried after its delay").isEqualTo(MessageState.PENDING);
        assertThat(tracker.status(2).state()).isEqualTo(MessageState.FAILED);
        assertThat(tracker.status(2).reason()).isEqualTo(FailureReason.REJECTED);

        final DeadLetter deadLetter = driven(tracker.deadLetters().get(2));
        assertThat(deadLetter.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(new String(deadLetter.metadata(), StandardCharsets.UTF_8)).isEqualTo("order-2");
        assertThat(deadLetter.lastErrors().get(1).code()).isEqualTo(9);
    }

    @Test
    void shouldAnswerARetryWithTheSameIdempotencyKeyFromTheFirstAttemptAndApplyItOnce() throws Exception
    {
        final String track = "{\"message_id\":9,\"destinations\":[\"a\"]}";
        final HttpResponse<String> first = client.send(client.postRequestWithKey("/messages/track", track, "k-1"));
        final HttpResponse<String> retry = client.send(client.postRequestWithKey("/messages/track", track, "k-1"));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(tracker.counters().value(TrackerCounter.TRACKED)).as("applied once").isEqualTo(1);
        assertThat(tracker.counters().value(TrackerCounter.DUPLICATE_TRACKS)).isZero();

        // the same key for another request is refused and changes nothing; a bad key is refused
        assertError(client.send(client.postRequestWithKey("/messages/track",
            "{\"message_id\":10,\"destinations\":[\"a\"]}", "k-1")), 422, "another request");
        assertThat(tracker.status(10).state()).isEqualTo(MessageState.UNKNOWN);
        assertError(client.send(client.postRequestWithKey("/messages/track", track, "bad key")), 400,
            "Idempotency-Key");
        // without a key, a retry is the command again: refused as a duplicate, still applied once
        assertError(post("/messages/track", track), 409, "DUPLICATE_TRACK");
        assertThat(tracker.counters().value(TrackerCounter.TRACKED)).isEqualTo(1);
    }

    @Test
    void shouldLeaseExtendAndSettleByReceiptHandleWithTheEnginesVerdict() throws Exception
    {
        post("/messages/track", "{\"message_id\":5,\"destinations\":[\"a\"]}");
        post("/messages/track", "{\"message_id\":6,\"destinations\":[\"a\"]}");
        post("/messages/track", "{\"message_id\":7,\"destinations\":[\"a\"]}");
        drain();

        final HttpResponse<String> leased = postDriven("/messages/lease",
            "{\"message_id\":5,\"visibility_ms\":10000,\"consumer_id\":3}");
        assertThat(leased.statusCode()).isEqualTo(200);
        assertThat(leased.body()).startsWith("{\"result\":\"OK\",\"message_id\":5,\"receipt_handle\":\"ack1.")
            .contains("\"delivery\":1,\"lease_deadline_ms\":");
        final String handle = receiptHandle(leased);
        assertThat(ReceiptHandle.parse(handle).messageId()).isEqualTo(5);

        final HttpResponse<String> extended = postDriven("/messages/visibility",
            "{\"receipt_handle\":\"" + handle + "\",\"extension_ms\":5000}");
        assertThat(extended.statusCode()).isEqualTo(200);
        assertThat(extended.body()).isEqualTo("{\"result\":\"OK\",\"message_id\":5}\n");
        assertThat(tracker.counters().value(TrackerCounter.LEASE_EXTENSIONS)).isEqualTo(1);

        assertThat(postDriven("/messages/ack", "{\"receipt_handle\":\"" + handle + "\"}").statusCode())
            .isEqualTo(200);
        assertThat(tracker.status(5).state()).isEqualTo(MessageState.COMPLETED);
        assertError(postDriven("/messages/ack", "{\"receipt_handle\":\"" + handle + "\"}"), 409,
            "refused: LATE_ACK");

        final String six = receiptHandle(postDriven("/messages/lease", "{\"message_id\":6}"));
        assertThat(postDriven("/messages/nack", "{\"receipt_handle\":\"" + six + "\",\"delay_ms\":60000}")
            .statusCode()).isEqualTo(200);
        assertError(postDriven("/messages/lease", "{\"message_id\":6}"), 409, "refused: ALREADY_LEASED");
        assertThat(tracker.status(6).state()).isEqualTo(MessageState.PENDING);

        final String seven = receiptHandle(postDriven("/messages/lease", "{\"message_id\":7}"));
        assertThat(postDriven("/messages/reject", "{\"receipt_handle\":\"" + seven + "\",\"code\":4}")
            .statusCode()).isEqualTo(200);
        assertThat(tracker.status(7).state()).isEqualTo(MessageState.FAILED);
        assertThat(tracker.status(7).reason()).isEqualTo(FailureReason.REJECTED);

        assertThat(tracker.counters().value(TrackerCounter.LEASES_GRANTED)).isEqualTo(3);
        assertThat(tracker.counters().value(TrackerCounter.LEASE_ACKS)).isEqualTo(1);
        assertThat(tracker.counters().value(TrackerCounter.LEASE_NACKS)).isEqualTo(1);
        assertThat(tracker.counters().value(TrackerCounter.LEASE_REJECTS)).isEqualTo(1);
    }

    @Test
    void shouldRefuseBadLeaseAndSettleRequestsAndChangeNothing() throws Exception
    {
        post("/messages/track", "{\"message_id\":1,\"destinations\":[\"a\"]}");
        drain();
        final String handle = receiptHandle(postDriven("/messages/lease", "{\"message_id\":1,\"visibility_ms\":9000}"));
        final ReceiptHandle real = ReceiptHandle.parse(handle);
        final String forged = new ReceiptHandle().set(real.messageId(), real.delivery(), real.nonce() + 1, real.mac())
            .toString();

        assertError(postDriven("/messages/ack", "{\"receipt_handle\":\"" + forged + "\"}"), 409,
            "refused: INVALID_LEASE");
        assertError(postDriven("/messages/visibility", "{\"receipt_handle\":\"" + forged + "\",\"extension_ms\":1}"),
            409, "refused: INVALID_LEASE");
        assertError(postDriven("/messages/lease", "{\"message_id\":1}"), 409, "refused: ALREADY_LEASED");
        assertError(postDriven("/messages/lease", "{\"message_id\":404}"), 404, "refused: UNKNOWN_MESSAGE");
        assertError(post("/messages/ack", "{\"receipt_handle\":\"h\"}"), 400, "not a receipt handle");
        assertError(post("/messages/ack", "{\"receipt_handle\":\"ack1.AAAA\"}"), 400, "3 bytes, expected 32");
        assertError(post("/messages/ack", "{\"receipt_handle\":\"" + handle + "\",\"message_id\":1}"), 400,
            "either");
        assertError(post("/messages/nack", "{\"receipt_handle\":\"" + handle + "\",\"code\":3}"), 400, "'code'");
        assertError(post("/messages/nack", "{\"message_id\":1,\"destination\":\"a\",\"delay_ms\":-1}"), 400,
            "refused: INVALID_TIMEOUT");
        assertError(post("/messages/reject", "{\"message_id\":1,\"destination\":\"zzz\"}"), 400,
            "unknown destination");
        assertError(post("/messages/visibility", "{\"extension_ms\":1000}"), 400, "'receipt_handle' is required");
        assertError(postDriven("/messages/visibility", "{\"receipt_handle\":\"" + handle + "\",\"extension_ms\":0}"),
            400, "refused: INVALID_TIMEOUT");
        assertError(postDriven("/messages/lease", "{\"message_id\":1,\"visibility_ms\":0}"), 400,
            "refused: INVALID_TIMEOUT");
        assertError(post("/messages/lease", "{\"message_id\":1,\"destination\":\"a\"}"), 400, "unknown member");
        assertError(post("/messages/track", "{\"message_id\":9,\"destinations\":[\"a\"],\"max_attempts\":16}"),
            400, "refused: INVALID_ARGUMENT");
        assertError(post("/messages/track", "{\"message_id\":9,\"destinations\":[\"a\"],\"message_class\":3}"),
            400, "refused: UNKNOWN_MESSAGE_CLASS");
        assertError(post("/messages/track", "{\"message_id\":9,\"destinations\":[\"a\"],\"metadata\":\"" +
            "m".repeat(33) + "\"}"), 400, "refused: METADATA_TOO_LARGE");
        assertError(post("/messages/track", "{\"message_id\":" + Long.MIN_VALUE + ",\"destinations\":[\"a\"]}"),
            400, "refused: INVALID_ARGUMENT");
        drain();

        assertThat(tracker.status(1).state()).isEqualTo(MessageState.PENDING);
        assertThat(tracker.status(9).state()).isEqualTo(MessageState.UNKNOWN);
        assertThat(tracker.agent().leases().active()).isEqualTo(1);
        assertThat(tracker.counters().value(TrackerCounter.LEASE_EXTENSIONS)).isZero();
        assertThat(tracker.counters().value(TrackerCounter.NACKS)).isZero();
        assertThat(tracker.counters().value(TrackerCounter.REJECTS)).isZero();
        assertThat(postDriven("/messages/ack", "{\"receipt_handle\":\"" + handle + "\"}").statusCode())
            .as("the real handle still settles").isEqualTo(200);
    }

    @Test
    void shouldServeMetricsAndStats() throws Exception
    {
        post("/messages/track", "{\"message_id\":1,\"destinations\":[\"a\"]}");
        post("/messages/ack", "{\"message_id\":1,\"destination\":\"a\"}");
        post("/messages/track", "{\"message_id\":2,\"destinations\":[\"b\"]}");
        post("/messages/reject", "{\"message_id\":2,\"destination\":\"b\"}");
        drain();

        final HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        final Map<String, PrometheusTextParser.Family> families = PrometheusTextParser.parse(metrics.body());
        final Map<String, String> edge = Map.of("tracker", "edge");
        assertThat(value(families, "acktracker_completed_total", edge)).isEqualTo(1);
        assertThat(families.get("acktracker_completed_total").type()).isEqualTo("counter");
        assertThat(families.get("acktracker_pending").type()).isEqualTo("gauge");
        assertThat(value(families, "acktracker_pending", edge)).isZero();
        assertThat(value(families, "acktracker_dlq_size", edge)).isEqualTo(1);
        assertThat(value(families, "acktracker_rejects_total", edge)).isEqualTo(1);
        assertThat(value(families, "acktracker_leases_granted_total", edge)).isZero();
        assertThat(families.get("acktracker_completion_latency_seconds").type()).isEqualTo("histogram");
        assertThat(value(families, "acktracker_completion_latency_seconds_count", edge)).isEqualTo(1);
        assertThat(value(families, "acktracker_completion_latency_seconds_bucket",
            Map.of("tracker", "edge", "le", "+Inf"))).isEqualTo(1);
        assertThat(families.get("acktracker_lease_hold_time_seconds").type()).isEqualTo("histogram");
        assertThat(value(families, "acktracker_destination_ack_latency_seconds_count",
            Map.of("tracker", "edge", "destination", "a"))).isEqualTo(1);
        assertThat(value(families, "acktracker_destination_ack_latency_seconds_count",
            Map.of("tracker", "edge", "destination", "b"))).isZero();
        assertThat(value(families, "acktracker_destination_circuit_state",
            Map.of("tracker", "edge", "destination", "a", "acktracker_destination_circuit_state", "closed")))
            .as("a StateSet").isEqualTo(1);
        assertThat(value(families, "acktracker_destination_circuit_state",
            Map.of("tracker", "edge", "destination", "a", "acktracker_destination_circuit_state", "open"))).isZero();
        assertThat(value(families, "acktracker_destination_failure_ratio",
            Map.of("tracker", "edge", "destination", "b"))).isEqualTo(1);
        assertThat(value(families, "acktracker_destination_in_flight",
            Map.of("tracker", "edge", "destination", "a"))).isZero();
        assertThat(value(families, "acktracker_lease_refused_total",
            Map.of("tracker", "edge", "reason", "already_leased"))).isZero();
        assertThat(value(families, "acktracker_http_requests_total", Map.of("tracker", "edge", "code", "200")))
            .as("the tracks and acks before").isGreaterThanOrEqualTo(4);
        assertThat(value(families, "acktracker_agent_heartbeat_timestamp_seconds", edge))
            .isGreaterThan(1.7e9).isLessThan(1e11);
        assertThat(families).containsKeys("jvm_memory_used_bytes", "process_cpu_seconds_total",
            "jvm_gc_collection_seconds", "jvm_threads_current");
        assertThat(families.keySet()).noneMatch((name) -> name.endsWith("_ms") || name.endsWith("_us") ||
            name.startsWith("acktracker_malformed_") || name.startsWith("acktracker_lease_refused_already"));

        final HttpResponse<String> openMetrics = client.send(client.request("/metrics")
            .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").GET().build());
        assertThat(openMetrics.headers().firstValue("Content-Type").orElse(""))
            .startsWith("application/openmetrics-text; version=1.0.0");
        assertThat(openMetrics.body()).endsWith("# EOF\n")
            .contains("# TYPE acktracker_destination_circuit_state stateset\n",
                "# UNIT acktracker_destination_ack_latency_seconds seconds\n");

        final HttpResponse<String> stats = getDriven("/stats");
        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(stats.body()).startsWith("{\"tracker\":\"edge\",\"counters\":{\"pending\":0,")
            .contains("\"completion_latency_ns\":{\"count\":1,\"recent_count\":1,",
                "\"lease_hold_time_ns\":{\"count\":0,", "\"ack_latency_ns\":{\"count\":1,\"recent_count\":1,\"p50\":",
                "\"destinations\":[{\"id\":0,\"name\":\"a\",\"circuit\":\"CLOSED\",\"consecutive_failures\":0,",
                "{\"id\":1,\"name\":\"b\",\"circuit\":\"CLOSED\",\"consecutive_failures\":1,",
                "\"dlq\":{\"complete\":true,\"size\":1,\"total_moved\":1,");
        assertThat(stats.body().lines()).hasSize(1);
    }

    @Test
    void shouldReportDlqCountersWhenTheAgentDoesNotAnswer() throws Exception
    {
        // a client that does not drive the host-driven tracker: nobody runs the agent while it waits
        final HttpResponse<String> stats = new EdgeClient(edge).get("/stats");
        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(stats.body()).contains("\"dlq\":{\"complete\":false,\"note\":\"the tracker did not answer within");
    }

    private static final Pattern HANDLE = Pattern.compile("\"receipt_handle\":\"([^\"]+)\"");

    private static String receiptHandle(final HttpResponse<String> leased)
    {
        assertThat(leased.statusCode()).as(leased.body()).isEqualTo(200);
        final Matcher matcher = HANDLE.matcher(leased.body());
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    /**
     * Drive the host-driven agent until the future completes: what a request waiting for the agent's verdict needs.
     */
    private <T> T driven(final CompletableFuture<T> future)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!future.isDone())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("no answer in time");
            }
            if (0 == tracker.invoker().invoke())
            {
                Thread.yield();
            }
        }
        return future.join();
    }

    private HttpResponse<String> postDriven(final String path, final String body)
    {
        return driven(client.postAsync(path, body));
    }

    private HttpResponse<String> getDriven(final String path)
    {
        return driven(client.getAsync(path));
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
        return client.post(path, body);
    }

    private HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return client.get(path);
    }

    private static double value(
        final Map<String, PrometheusTextParser.Family> families, final String sample, final Map<String, String> labels)
    {
        return families.values().stream().flatMap((family) -> family.samples().stream())
            .filter((point) -> point.name().equals(sample) && point.labels().equals(labels))
            .mapToDouble(PrometheusTextParser.Sample::value).findFirst()
            .orElseThrow(() -> new AssertionError("no " + sample + labels));
    }
}

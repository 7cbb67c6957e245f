package io.acktracker.transport.http;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The HTTP edge against the requests of issue 15's findings, each a test that failed on the edge before it: a web
 * page's cross-origin POST (CSRF), no or a wrong token, a rebound Host, a refused request that registered 62 names,
 * 405 without Allow, HEAD refused, and the checks' order (nothing is read or changed before every check passed).
 * The slow-client and keep-alive findings are in {@link HttpEdgeStallTest}. Everything on loopback; every request
 * has a timeout.
 */
@Timeout(60)
class HttpEdgeSecurityTest
{
    private static final String TRACK = "{\"message_id\":901,\"destinations\":[\"a\"]}";

    @TempDir
    Path dir;

    private AckTracker tracker;
    private HttpEdge edge;
    private EdgeClient client;

    private void start(final UnaryOperator<HttpEdgeConfig> settings)
    {
        tracker = AckTracker.open(new TrackerConfig().name("sec").capacity(1024).destinations("a", "b")
            .openRegistry(true));
        edge = HttpEdge.start(settings.apply(new HttpEdgeConfig().port(0).tokenFile(dir.resolve("http.token"))),
            tracker, null);
        client = new EdgeClient(edge, tracker);
    }

    @AfterEach
    void stop()
    {
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
    void shouldRefuseCrossOriginPostsAndChangeNothing() throws Exception
    {
        start(UnaryOperator.identity());
        final HttpResponse<String> fromEvil = client.send(client.authorized("/messages/track")
            .header("Content-Type", "application/json").header("Origin", "http://evil.example")
            .POST(HttpRequest.BodyPublishers.ofString(TRACK)).build());
        assertRefused(fromEvil, 403, "Origin 'http://evil.example' is not allowed");

        for (final String type : new String[]{"text/plain", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/json; charset=iso-8859-1"})
        {
            // what a page may send cross-origin without a preflight, even with no Origin (an old browser)
            final HttpResponse<String> simple = client.send(client.authorized("/messages/reject")
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString("{\"message_id\":901,\"destination\":\"a\"}")).build());
            assertRefused(simple, 415, "Content-Type must be application/json");
        }
        final HttpResponse<String> none = client.send(client.authorized("/messages/track")
            .POST(HttpRequest.BodyPublishers.ofString(TRACK)).build());
        assertRefused(none, 415, "Content-Type must be application/json");
        assertNothingChanged();
    }

    @Test
    void shouldAcceptAnAllowedOrigin() throws Exception
    {
        start((config) -> config.allowedOrigins(List.of("https://ops.example.com")));
        final HttpResponse<String> allowed = client.send(client.authorized("/messages/track")
            .header("Content-Type", "application/json; charset=UTF-8").header("Origin", "https://OPS.example.com")
            .POST(HttpRequest.BodyPublishers.ofString(TRACK)).build());
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertRefused(client.send(client.request("/stats").header("Origin", "https://ops.example.com.evil")
            .GET().build()), 403, "not allowed");
    }

    @Test
    void shouldRefuseAMissingOrWrongTokenWith401AndChangeNothing() throws Exception
    {
        start(UnaryOperator.identity());
        final String token = client.token();
        final String wrong = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");
        final List<UnaryOperator<HttpRequest.Builder>> credentials = List.of(
            (request) -> request,
            (request) -> request.header("Authorization", "Bearer " + wrong),
            (request) -> request.header("Authorization", "Bearer " + token + "x"),
            (request) -> request.header("Authorization", "Bearer"),
            (request) -> request.header("Authorization", "Basic " + token),
            (request) -> request.header("Authorization", token));
        final String[][] commands = {
            {"/messages/track", TRACK},
            {"/messages/ack", "{\"message_id\":901,\"destination\":\"a\"}"},
            {"/messages/reject", "{\"message_id\":901,\"destination\":\"a\"}"},
            {"/messages/lease", "{\"message_id\":901}"},
            {"/destinations", "{\"names\":[\"x\"]}"},
        };
        for (final UnaryOperator<HttpRequest.Builder> credential : credentials)
        {
            for (final String[] command : commands)
            {
                final HttpResponse<String> response = client.send(credential.apply(client.request(command[0]))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(command[1])).build());
                assertRefused(response, 401, "token");
                assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"acktracker\"");
            }
        }
        assertNothingChanged();
        assertThat(client.post("/messages/track", TRACK).statusCode()).as("the right token").isEqualTo(200);
    }

    @Test
    void shouldKeepReadsOpenOnLoopbackUnlessConfigured() throws Exception
    {
        start(UnaryOperator.identity());
        assertThat(client.get("/stats").statusCode()).isEqualTo(200);
        edge.close();
        edge = HttpEdge.start(new HttpEdgeConfig().port(0).tokenFile(dir.resolve("http.token"))
            .reads(HttpEdgeConfig.Reads.TOKEN), tracker, null);
        client = new EdgeClient(edge, tracker);
        for (final String path : new String[]{"/stats", "/metrics", "/messages/status?message_id=1"})
        {
            assertRefused(client.get(path), 401, "missing 'Authorization: Bearer <token>'");
            assertThat(client.send(client.authorized(path).GET().build()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldRefuseAHostThatIsNotThisServersWith421() throws Exception
    {
        start((config) -> config.allowedHosts(List.of("tracker.internal", "edge.internal:9")));
        final int port = edge.port();
        for (final String host : new String[]{"evil.example:" + port, "evil.example", "127.0.0.1:" + (port + 1),
            "127.0.0.2:" + port, "localhost.evil.example:" + port, "edge.internal:" + port, "[::1]:" + port,
            "127.0.0.1:" + port + "@evil", "", "127.0.0.1:" + port + ", evil.example"})
        {
            try (RawHttp raw = new RawHttp(port, 10_000))
            {
                final RawHttp.Response response = raw.write("GET /stats HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                    .read(false);
                assertThat(response.status()).as("Host '%s'", host).isEqualTo(421);
                assertThat(response.body()).as("the stats are not read").doesNotContain("counters");
            }
        }
        try (RawHttp raw = new RawHttp(port, 10_000))
        {
            raw.write("GET /stats HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
            assertThat(raw.read(false).status()).as("two Host headers").isEqualTo(421);
        }
        try (RawHttp raw = new RawHttp(port, 10_000))
        {
            raw.write("GET /stats HTTP/1.0\r\n\r\n");
            assertThat(raw.read(false).status()).as("no Host header").isEqualTo(421);
        }
        for (final String host : new String[]{"127.0.0.1:" + port, "LOCALHOST:" + port, "tracker.internal",
            "tracker.internal:443", "edge.internal:9"})
        {
            try (RawHttp raw = new RawHttp(port, 10_000))
            {
                raw.write("GET /stats HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
                final RawHttp.Response response = raw.read(false);
                assertThat(response.status()).as("Host '%s'", host).isEqualTo(200);
                assertThat(response.body()).contains("\"counters\"");
            }
        }
        try (RawHttp raw = new RawHttp(port, 10_000))
        {
            // a rebound name with a valid token is still refused: the Host check comes first
            raw.write("POST /messages/track HTTP/1.1\r\nHost: evil.example:" + port + "\r\nAuthorization: Bearer " +
                client.token() + "\r\nContent-Type: application/json\r\nContent-Length: " + TRACK.length() +
                "\r\n\r\n" + TRACK);
            assertThat(raw.read(false).status()).isEqualTo(421);
        }
        assertNothingChanged();
    }

    @Test
    void shouldRegisterNothingWhenARequestIsRefused() throws Exception
    {
        start(UnaryOperator.identity());
        final StringBuilder names = new StringBuilder();
        for (int i = 0; i < 62; i++)
        {
            names.append(",\"new-").append(i).append('"');
        }
        // the finding: 62 new names and an unknown message class, answered 400, registered all 62
        assertRefused(client.post("/messages/track", "{\"message_id\":1,\"destinations\":[\"a\"" + names +
            "],\"message_class\":77}"), 400, "unknown destination 'new-0'");
        assertRefused(client.post("/messages/track", "{\"message_id\":1,\"destinations\":[\"c\"]}"), 400,
            "unknown destination 'c': not registered");
        assertRefused(client.post("/messages/ack", "{\"message_id\":1,\"destination\":\"c\"}"), 400,
            "unknown destination 'c'");
        assertRefused(client.post("/messages/cumulative-ack", "{\"stream_id\":1,\"destination\":\"c\",\"offset\":1}"),
            400, "unknown destination 'c'");
        assertRefused(client.post("/destinations", "{\"names\":[\"c\"]}"), 403, "http.register.destinations=false");
        assertNothingChanged();
        assertThat(tracker.destinations().isOpen()).as("even with an open registry").isTrue();
    }

    @Test
    void shouldRegisterDestinationsOnlyThroughTheAllowedEndpointAllOrNothing() throws Exception
    {
        start((config) -> config.registerDestinations(true));
        assertRefused(client.post("/destinations", "{\"names\":[\"c\",\"bad name\"]}"), 400, "'bad name' is not");
        assertRefused(client.post("/destinations", "{\"names\":[\"c\",7]}"), 400, "each is");
        final StringBuilder tooMany = new StringBuilder("\"a\"");
        for (int i = 0; i < 63; i++)
        {
            tooMany.append(",\"n").append(i).append('"');
        }
        assertRefused(client.post("/destinations", "{\"names\":[" + tooMany + "]}"), 409,
            "room for 62 more, not 63");
        assertThat(tracker.destinations().names()).containsExactly("a", "b");

        final HttpResponse<String> registered = client.post("/destinations", "{\"names\":[\"b\",\"c\",\"c\"]}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        assertThat(registered.body()).isEqualTo("{\"destinations\":[{\"name\":\"b\",\"id\":1},{\"name\":\"c\"," +
            "\"id\":2}]}\n");
        assertThat(tracker.destinations().names()).containsExactly("a", "b", "c");
        assertThat(client.post("/messages/track", "{\"message_id\":1,\"destinations\":[\"c\"]}").statusCode())
            .isEqualTo(200);
        assertRefused(client.post("/messages/track", "{\"message_id\":2,\"destinations\":[\"d\"]}"), 400,
            "unknown destination 'd'");
        assertThat(tracker.destinations().names()).as("tracking registers nothing").containsExactly("a", "b", "c");
    }

    @Test
    void shouldAnswer405WithAllowAndServeHeadWhereGetIs() throws Exception
    {
        start(UnaryOperator.identity());
        final HttpResponse<String> getOnPost = client.get("/messages/track");
        assertRefused(getOnPost, 405, "use POST");
        assertThat(getOnPost.headers().firstValue("Allow")).hasValue("POST");
        final HttpResponse<String> postOnGet = client.post("/stats", "{}");
        assertRefused(postOnGet, 405, "use GET, HEAD");
        assertThat(postOnGet.headers().firstValue("Allow")).hasValue("GET, HEAD");
        final HttpResponse<String> delete = client.send(client.authorized("/messages/ack").DELETE().build());
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("POST");

        for (final String path : new String[]{"/stats", "/metrics", "/messages/status?message_id=1"})
        {
            try (RawHttp raw = new RawHttp(edge.port(), 10_000))
            {
                raw.write("HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + edge.port() + "\r\n\r\n");
                final RawHttp.Response head = raw.read(true);
                assertThat(head.status()).as(path).isEqualTo(200);
                assertThat(Integer.parseInt(head.headers().get("content-length"))).as(path).isPositive();
                // no body came: the connection carries the next request's answer straight after the headers
                raw.write("GET /messages/status?message_id=1 HTTP/1.1\r\nHost: 127.0.0.1:" + edge.port() +
                    "\r\n\r\n");
                assertThat(raw.read(false).body()).startsWith("{\"message_id\":1,");
            }
        }
    }

    @Test
    void shouldKeepItsTokenInAnOwnerOnlyFileAcrossRestarts() throws Exception
    {
        start(UnaryOperator.identity());
        final Path file = edge.tokenFile();
        assertThat(file).isEqualTo(dir.resolve("http.token"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        final String token = client.token();
        assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
        edge.close();

        edge = HttpEdge.start(new HttpEdgeConfig().port(0).tokenFile(file), tracker, null);
        assertThat(new EdgeClient(edge, tracker).token()).as("the same token after a restart").isEqualTo(token);
        edge.close();
        edge = null;

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> HttpEdge.start(new HttpEdgeConfig().port(0).tokenFile(file), tracker, null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("invalid http.token.file='" + file + "'").hasMessageContaining("chmod 600");
        final Path shortToken = dir.resolve("short.token");
        Files.writeString(shortToken, "letmein\n");
        Files.setPosixFilePermissions(shortToken, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> HttpEdge.start(new HttpEdgeConfig().port(0).tokenFile(shortToken), tracker, null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32 characters");
    }

    @Test
    void shouldMakeATokenPerRunWithoutATokenFileAndDeleteItAtClose() throws Exception
    {
        tracker = AckTracker.open(new TrackerConfig().name("mem").capacity(16).destinations("a"));
        edge = HttpEdge.start(new HttpEdgeConfig().port(0), tracker, null);
        final Path file = edge.tokenFile();
        assertThat(edge.isTemporaryToken()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
            .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(new EdgeClient(edge, tracker).post("/messages/track", "{\"message_id\":1,\"destinations\":[\"a\"]}")
            .statusCode()).isEqualTo(200);
        edge.close();
        edge = null;
        assertThat(file).doesNotExist();
        assertThat(file.getParent()).doesNotExist();
    }

    @Test
    void shouldRefuseToBindOffLoopbackWithoutTlsAndNameEveryBadKey()
    {
        assertThatThrownBy(() -> new HttpEdgeConfig().host("0.0.0.0").conclude())
            .hasMessageContaining("invalid http.host='0.0.0.0': not a loopback address")
            .hasMessageContaining("http.tls.keystore");
        final List<String[]> bad = new ArrayList<>();
        bad.add(new String[]{"http.threads", "threads"});
        bad.add(new String[]{"http.queue", "queue"});
        bad.add(new String[]{"http.max.connections", "connections"});
        bad.add(new String[]{"http.read.timeout", "read"});
        bad.add(new String[]{"http.idle.timeout", "idle"});
        bad.add(new String[]{"http.port", "port"});
        for (final String[] key : bad)
        {
            final HttpEdgeConfig config = new HttpEdgeConfig();
            switch (key[1])
            {
                case "threads" -> config.threads(0);
                case "queue" -> config.queueCapacity(0);
                case "connections" -> config.maxConnections(0);
                case "read" -> config.readTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1));
                case "idle" -> config.idleTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500));
                default -> config.port(70_000);
            }
            assertThatThrownBy(config::conclude).as(key[0]).hasMessageStartingWith("invalid " + key[0] + "=");
        }
        assertThatThrownBy(() -> new HttpEdgeConfig().allowedOrigins(List.of("https://ops.example.com/path"))
            .conclude()).hasMessageStartingWith("invalid http.allowed.origins='https://ops.example.com/path'");
        assertThatThrownBy(() -> new HttpEdgeConfig().allowedHosts(List.of("http://x")).conclude())
            .hasMessageStartingWith("invalid http.allowed.hosts='http://x'");
        assertThatThrownBy(() -> new HttpEdgeConfig().keystore(Path.of("/no/such.p12")).conclude())
            .hasMessageStartingWith("invalid http.tls.keystore='/no/such.p12'");
        assertThatThrownBy(() -> HttpEdgeConfig.reads("sometimes"))
            .hasMessageStartingWith("invalid http.reads='sometimes'");
    }

    private void assertNothingChanged() throws IOException, InterruptedException
    {
        for (int i = 0; i < 100 && tracker.invoker().invoke() > 0; i++)
        {
            Thread.onSpinWait();
        }
        assertThat(tracker.counters().value(TrackerCounter.COMMANDS)).as("no command reached the agent").isZero();
        assertThat(tracker.counters().value(TrackerCounter.TRACKED)).isZero();
        assertThat(tracker.counters().value(TrackerCounter.REJECTS)).isZero();
        assertThat(tracker.status(901).state()).isEqualTo(MessageState.UNKNOWN);
        assertThat(tracker.status(1).state()).isEqualTo(MessageState.UNKNOWN);
        assertThat(tracker.destinations().names()).as("no name registered").containsExactly("a", "b");
    }

    private static void assertRefused(final HttpResponse<String> response, final int status, final String text)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).startsWith("{\"error\":").contains(text).endsWith("}\n");
        assertThat(response.body().lines()).hasSize(1);
    }
}

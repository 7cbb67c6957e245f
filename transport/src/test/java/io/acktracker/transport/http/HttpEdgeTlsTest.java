package io.acktracker.transport.http;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The edge over TLS (the JDK's HttpsServer) with a keystore made here by the JDK's {@code keytool}: a client that
 * trusts the certificate gets answers (and still needs the token), a plain-HTTP client and a client that trusts
 * nothing get none, and a wrong password or a keystore without a key is refused at start naming its key. On
 * loopback, since tests may not bind other addresses; off loopback the same server is required
 * ({@link HttpEdgeSecurityTest#shouldRefuseToBindOffLoopbackWithoutTlsAndNameEveryBadKey}).
 */
@Timeout(60)
class HttpEdgeTlsTest
{
    private static final String PASSWORD = "test-only-password";

    @TempDir
    Path dir;

    private AckTracker tracker;
    private HttpEdge edge;
    private Path keystore;

    @BeforeEach
    void start() throws Exception
    {
        keystore = dir.resolve("edge.p12");
        keytool("-genkeypair", "-alias", "edge", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2",
            "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD,
            "-keypass", PASSWORD);
        tracker = AckTracker.open(new TrackerConfig().name("tls").capacity(64).destinations("a"));
        edge = HttpEdge.start(new HttpEdgeConfig().port(0).tokenFile(dir.resolve("http.token")).keystore(keystore)
            .keystorePassword(PASSWORD), tracker, null);
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
    void shouldServeHttpsWithTheConfiguredKeystore() throws Exception
    {
        assertThat(edge.scheme()).isEqualTo("https");
        final EdgeClient client = new EdgeClient(edge, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .sslContext(trusting(keystore)).connectTimeout(Duration.ofSeconds(5)).build(),
            () -> tracker.invoker().invoke());
        assertThat(client.get("/metrics").statusCode()).isEqualTo(200);
        final HttpResponse<String> tracked = client.post("/messages/track",
            "{\"message_id\":1,\"destinations\":[\"a\"]}");
        assertThat(tracked.statusCode()).as(tracked.body()).isEqualTo(200);
        assertThat(client.send(client.request("/messages/track").header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build()).statusCode())
            .as("TLS is no credential: the token is still needed").isEqualTo(401);
    }

    @Test
    void shouldGiveNothingToPlainHttpOrAnUntrustingClient() throws Exception
    {
        try (RawHttp plain = new RawHttp(edge.port(), 5_000))
        {
            plain.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + edge.port() + "\r\n\r\n");
            assertThatThrownBy(() -> plain.read(false)).isInstanceOf(IOException.class);
        }
        final EdgeClient untrusting = new EdgeClient(edge, HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5)).build());
        assertThatThrownBy(() -> untrusting.get("/metrics")).isInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseAWrongPasswordOrAKeystoreWithoutAKey() throws Exception
    {
        final HttpEdgeConfig wrong = new HttpEdgeConfig().port(0).tokenFile(dir.resolve("http.token"))
            .keystore(keystore).keystorePassword("wrong").allowedHosts(List.of());
        assertThatThrownBy(() -> HttpEdge.start(wrong, tracker, null)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("invalid http.tls.keystore='" + keystore + "'")
            .hasMessageContaining("http.tls.keystore.password");

        final Path certificate = dir.resolve("edge.cer");
        final Path trustOnly = dir.resolve("trust.p12");
        keytool("-exportcert", "-alias", "edge", "-keystore", keystore.toString(), "-storepass", PASSWORD,
            "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "edge", "-file", certificate.toString(), "-storetype",
            "PKCS12", "-keystore", trustOnly.toString(), "-storepass", PASSWORD);
        final HttpEdgeConfig noKey = new HttpEdgeConfig().port(0).tokenFile(dir.resolve("http.token"))
            .keystore(trustOnly).keystorePassword(PASSWORD);
        assertThatThrownBy(() -> HttpEdge.start(noKey, tracker, null)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("holds no private key");
    }

    private static SSLContext trusting(final Path keystore) throws Exception
    {
        final KeyStore store = KeyStore.getInstance(keystore.toFile(), PASSWORD.toCharArray());
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static void keytool(final String... arguments) throws Exception
    {
        final List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(process.exitValue()).as("keytool: %s", output).isZero();
    }
}

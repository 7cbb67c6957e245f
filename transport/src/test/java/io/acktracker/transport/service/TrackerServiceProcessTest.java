package io.acktracker.transport.service;

import io.acktracker.engine.store.StoreLayout;
import io.acktracker.engine.testing.ChildJvm;
import io.acktracker.transport.http.HttpEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service as its own process: stopped with SIGTERM it flushes and closes its tables (clean-shutdown marker) and
 * deletes its embedded driver's directory; when its tracker fails on a real fault it exits non-zero instead of
 * answering requests nothing will apply.
 */
@Timeout(90)
class TrackerServiceProcessTest
{
    private static final Pattern DRIVER_DIR = Pattern.compile("embedded at (\\S+),");
    private static final Pattern HTTP_PORT = Pattern.compile("http 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void shouldShutDownCleanlyOnSigterm() throws Exception
    {
        final Path config = Files.writeString(dir.resolve("tracker.yaml"), String.join("\n",
            "name: sigterm",
            "data:",
            "  dir: " + dir.resolve("data"),
            "store: tables",
            "destinations: [a, b]",
            "capacity: 1000",
            "driver:",
            "  term:",
            "    length: 64k",
            "idle.strategy: sleeping"));

        final Process process = new ProcessBuilder(serviceCommand(config)).redirectErrorStream(true).start();

        final List<String> output = new ArrayList<>();
        String driverDir = null;
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                output.add(line);
                final Matcher matcher = DRIVER_DIR.matcher(line);
                if (matcher.find())
                {
                    driverDir = matcher.group(1);
                    assertThat(new File(driverDir)).exists();
                    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
                }
            }
        }
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(output).as("output: %s", output).contains("acktracker 'sigterm' stopped cleanly");
        assertThat(driverDir).isNotNull();
        assertThat(new File(driverDir)).doesNotExist();
        assertThat(dir.resolve("data").resolve(StoreLayout.CLEAN_MARKER)).exists();
    }

    @Test
    void shouldExitNonZeroWhenItsTrackerFails() throws Exception
    {
        final Path data = dir.resolve("data");
        final Path config = Files.writeString(dir.resolve("tracker.yaml"), String.join("\n",
            "name: failing",
            "data:",
            "  dir: " + data,
            "store: tables",
            "destinations: [a, b]",
            "capacity: 1000",
            "http.enabled: true",
            "http.port: 0",
            "driver:",
            "  term:",
            "    length: 64k",
            "idle.strategy: sleeping"));
        final Process process = new ProcessBuilder(serviceCommand(config)).redirectErrorStream(true).start();
        final List<String> output = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> port = new CompletableFuture<>();
        final Thread reader = new Thread(() -> readLines(process, output, port));
        reader.start();
        try
        {
            final HttpClient client = HttpClient.newHttpClient();
            final String base = "http://127.0.0.1:" + port.get(60, TimeUnit.SECONDS);
            final String token = Files.readString(data.resolve(HttpEdge.TOKEN_FILE_NAME)).strip();
            assertThat(post(client, token, base + "/messages/track",
                "{\"message_id\":1,\"destinations\":[\"a\",\"b\"]}").statusCode()).isEqualTo(200);
            assertThat(waitForStatus(client, base, 1)).as("tracked").isTrue();

            // the fault: the pending table loses its backing under the running tracker (its record exists, so the
            // agent's write into it takes a SIGBUS the JVM raises as an InternalError)
            try (RandomAccessFile file = new RandomAccessFile(data.resolve(StoreLayout.PENDING_FILE).toFile(), "rw"))
            {
                file.setLength(0);
            }
            post(client, token, base + "/messages/ack", "{\"message_id\":1,\"destination\":\"a\"}");

            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("output: %s", output).isTrue();
            assertThat(process.exitValue()).as("output: %s", output).isEqualTo(TrackerService.EXIT_TRACKER_FAILED);
            reader.join(10_000);
            assertThat(String.join("\n", output)).contains("the tracker stopped on a fault and the service exits")
                .contains("InternalError");
            assertThat(data.resolve(StoreLayout.CLEAN_MARKER)).doesNotExist();
            final String driverDir = output.stream().map(DRIVER_DIR::matcher).filter(Matcher::find)
                .map((matcher) -> matcher.group(1)).findFirst().orElse(null);
            assertThat(driverDir).as("output: %s", output).isNotNull();
            assertThat(new File(driverDir)).as("the embedded driver's directory after the failed tracker's exit")
                .doesNotExist();
        }
        finally
        {
            ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> serviceCommand(final Path config)
    {
        return ChildJvm.javaCommand(List.of(), TrackerServiceMain.class, "--config=" + config);
    }

    private static void readLines(final Process process, final List<String> output, final CompletableFuture<Integer> port)
    {
        try (BufferedReader lines = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = lines.readLine()))
            {
                output.add(line);
                final Matcher matcher = HTTP_PORT.matcher(line);
                if (matcher.find())
                {
                    port.complete(Integer.parseInt(matcher.group(1)));
                }
            }
        }
        catch (final java.io.IOException ex)
        {
            port.completeExceptionally(ex);
        }
        port.completeExceptionally(new IllegalStateException("the service printed no HTTP port: " + output));
    }

    private static HttpResponse<String> post(final HttpClient client, final String token, final String uri,
        final String body) throws Exception
    {
        return client.send(HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static boolean waitForStatus(final HttpClient client, final String base, final long id) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0)
        {
            final HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create(base + "/messages/status?message_id=" + id)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            if (200 == response.statusCode() && !response.body().contains("UNKNOWN"))
            {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }
}

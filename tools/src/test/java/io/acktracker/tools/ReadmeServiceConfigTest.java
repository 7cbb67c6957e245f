package io.acktracker.tools;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's service config runs as written: {@code acktracker run} with that block as its file (only the data
 * directory and the HTTP port given by flags, as the README's command line does), then a Track of message class 1
 * over HTTP, which a service without classes refuses "unknown message class".
 */
class ReadmeServiceConfigTest
{
    private static final String MARKER = "<!-- ReadmeServiceConfigTest";

    @TempDir
    Path temp;

    private Thread service;

    @AfterEach
    void stopService() throws InterruptedException
    {
        if (null != service)
        {
            service.interrupt();
            service.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    static String readmeConfig() throws IOException
    {
        final List<String> lines = Files.readAllLines(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int i = 0;
        while (!lines.get(i).startsWith(MARKER))
        {
            i++;
        }
        while (!lines.get(i).equals("```yaml"))
        {
            i++;
        }
        final StringBuilder yaml = new StringBuilder();
        for (i++; !lines.get(i).equals("```"); i++)
        {
            yaml.append(lines.get(i)).append('\n');
        }
        return yaml.toString();
    }

    @Test
    void shouldPrintTheEffectiveConfigOfTheReadmeExampleWithItsSources() throws IOException
    {
        final Path config = Files.writeString(temp.resolve("tracker.yaml"), readmeConfig());

        final CliRunner cli = CliRunner.run("run", "--config", config.toString(), "--print-config",
            "--data.dir=" + temp.resolve("data"));

        assertThat(cli.exitCode).as(cli.err()).isZero();
        assertThat(cli.out())
            .contains("message.classes.1.name: payments    # file " + config)
            .contains("message.classes.2.ttl: 10m    # file " + config)
            .contains("circuit.open.cooldown: 5s    # file " + config)
            .contains("dlq.retention: 72h    # file " + config)
            .contains("tombstone.capacity: 250000    # file " + config)
            .contains("data.dir: " + temp.resolve("data") + "    # flag --data.dir")
            .contains("http.threads: 8    # default");
    }

    @Test
    void shouldRefuseABadValueNamingTheKeyAndTheFile() throws IOException
    {
        final Path config = Files.writeString(temp.resolve("tracker.yaml"),
            readmeConfig().replace("max.attempts: 8", "max.attempts: 99"));

        final CliRunner cli = CliRunner.run("run", "--config", config.toString(), "--print-config");

        assertThat(cli.exitCode).isNotZero();
        assertThat(cli.err()).contains("invalid message.classes.1.max.attempts='99': maxAttempts must be 1..15: 99 " +
            "(file " + config + ")");
    }

    @Test
    @Timeout(180)
    void shouldRunTheReadmeExampleAndTrackAMessageOfAClassOverHttp() throws Exception
    {
        final Path config = Files.writeString(temp.resolve("tracker.yaml"), readmeConfig());
        final Path data = temp.resolve("data");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        service = new Thread(() -> AckTrackerCli.execute(new PrintWriter(out, true), new PrintWriter(err, true),
            "run", "--config", config.toString(), "--data.dir=" + data, "--http.port=0"), "readme-service");
        service.start();
        final Pattern running = Pattern.compile("http 127\\.0\\.0\\.1:(\\d+)");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Matcher matcher = running.matcher("");
        while (System.nanoTime() - deadlineNs < 0 && service.isAlive())
        {
            matcher = running.matcher(out.toString());
            if (matcher.find() && out.toString().contains("stop with Ctrl-C"))
            {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(out.toString()).as("started: " + out + err).contains("stop with Ctrl-C");
        final int port = Integer.parseInt(matcher.group(1));
        final String token = Files.readString(data.resolve("http.token")).strip();

        final HttpClient client = HttpClient.newHttpClient();
        final HttpResponse<String> ofClass = client.send(track(port, token, 1, 1), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> unknown = client.send(track(port, token, 2, 3),
            HttpResponse.BodyHandlers.ofString());

        assertThat(ofClass.statusCode()).as(ofClass.body()).isEqualTo(200);
        assertThat(ofClass.body()).contains("\"result\":\"OK\"");
        assertThat(unknown.statusCode()).as("class 3 is not configured").isEqualTo(400);
        assertThat(unknown.body()).contains("message class");
    }

    private static HttpRequest track(final int port, final String token, final long messageId, final int messageClass)
    {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/messages/track"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"message_id\":" + messageId +
                ",\"destinations\":[\"venue-a\"],\"message_class\":" + messageClass + "}"))
            .timeout(java.time.Duration.ofSeconds(30))
            .build();
    }
}

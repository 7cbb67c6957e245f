package io.acktracker.transport.service;

import io.acktracker.engine.store.StoreLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service as its own process, stopped with SIGTERM: it flushes and closes its tables (clean-shutdown marker),
 * and deletes its embedded driver's directory.
 */
@Timeout(90)
class TrackerServiceProcessTest
{
    private static final Pattern DRIVER_DIR = Pattern.compile("embedded at (\\S+),");

    @TempDir
    Path dir;

    @Test
    void shouldShutDownCleanlyOnSigterm() throws Exception
    {
        final Path config = Files.writeString(dir.resolve("tracker.yaml"), String.join("\n",
            "name: sigterm",
            "data:",
            "  dir: " + dir.resolve("data"),
            "destinations: [a, b]",
            "capacity: 1000",
            "driver:",
            "  term:",
            "    length: 64k",
            "idle.strategy: sleeping"));

        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : System.getProperty("acktracker.jvm.flags", "").split(" "))
        {
            if (!flag.isBlank())
            {
                command.add(flag);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(TrackerServiceMain.class.getName());
        command.add("--config=" + config);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();

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
}

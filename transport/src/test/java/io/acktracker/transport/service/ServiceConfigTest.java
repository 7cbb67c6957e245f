package io.acktracker.transport.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceConfigTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFlattenTheYamlSubsetToDottedKeys()
    {
        final Map<String, String> settings = ConfigSource.parseYaml(String.join("\n",
            "# the tracker",
            "name: \"orders # main\"   # a comment",
            "destinations: [venue-a, 'venue-b']",
            "http:",
            "  enabled: true",
            "  port: 9090",
            "driver:",
            "  term:",
            "    length: 1m",
            "inbound:",
            "  channel: aeron:udp?endpoint=0.0.0.0:40123",
            "registry.open: false",
            "extra:",
            "  - one",
            "  - two"));

        assertThat(settings).containsExactly(
            Map.entry("name", "orders # main"),
            Map.entry("destinations", "venue-a,venue-b"),
            Map.entry("http.enabled", "true"),
            Map.entry("http.port", "9090"),
            Map.entry("driver.term.length", "1m"),
            Map.entry("inbound.channel", "aeron:udp?endpoint=0.0.0.0:40123"),
            Map.entry("registry.open", "false"),
            Map.entry("extra", "one,two"));
    }

    @Test
    void shouldRefuseYamlItDoesNotUnderstand()
    {
        assertThatThrownBy(() -> ConfigSource.parseYaml("name: &anchor x"))
            .hasMessageContaining("line 1");
        assertThatThrownBy(() -> ConfigSource.parseYaml("a: 1\n\tb: 2")).hasMessageContaining("tabs");
        assertThatThrownBy(() -> ConfigSource.parseYaml("just text")).hasMessageContaining("key: value");
    }

    @Test
    void shouldTakeFlagsOverSystemPropertiesOverTheFile() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("tracker.properties"),
            "name=from-file\ncapacity=10\nack.timeout=250ms\nhttp.port=1\n");
        final Properties properties = new Properties();
        properties.setProperty("acktracker.capacity", "20");
        properties.setProperty("acktracker.http.port", "2");
        properties.setProperty("acktracker.jvm.flags", "ignored: not a service key");

        final ServiceConfig config = ServiceConfig.load(
            new String[]{"--config", file.toString(), "--http.port=3", "--destinations=a, b"}, properties);

        assertThat(config.name()).isEqualTo("from-file");
        assertThat(config.integer("capacity")).isEqualTo(20);
        assertThat(config.integer("http.port")).isEqualTo(3);
        assertThat(config.durationNs("ack.timeout")).isEqualTo(250_000_000L);
        assertThat(config.list("destinations")).containsExactly("a", "b");
        assertThat(config.size("driver.term.length")).isEqualTo(16L * 1024 * 1024);
        assertThat(config.embeddedDriver()).isTrue();
    }

    @Test
    void shouldRefuseUnknownKeysAndBadValues()
    {
        assertThatThrownBy(() -> ServiceConfig.load(new String[]{"--capacty=5"}, new Properties()))
            .hasMessageContaining("unknown flag key 'capacty'");
        assertThatThrownBy(() -> ServiceConfig.load(new String[]{"capacity=5"}, new Properties()))
            .hasMessageContaining("expected --key=value");
        final ServiceConfig config = new ServiceConfig().set("ack.timeout", "5").set("driver", "remote")
            .set("http.enabled", "yes");
        assertThatThrownBy(() -> config.durationNs("ack.timeout")).hasMessageContaining("with a unit");
        assertThatThrownBy(config::embeddedDriver).hasMessageContaining("embedded or external");
        assertThatThrownBy(() -> config.bool("http.enabled")).hasMessageContaining("true or false");
        assertThat(ServiceConfig.help()).contains("--inbound.channel=");
    }
}

package io.acktracker.transport.service;

import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.MessageClass;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.http.HttpEdgeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceConfigTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFlattenNestedAndDottedYamlToDottedKeys()
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
            "  - two",
            "data.dir:"));

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
    void shouldReadMessageClassesAsAListOfMapsWithIds()
    {
        final Map<String, String> settings = ConfigSource.parseYaml(String.join("\n",
            "message.classes:",
            "  - id: 1",
            "    name: orders",
            "    backoff: {kind: fixed, base: 20ms}",
            "  - id: 7"));

        assertThat(settings).containsExactly(
            Map.entry("message.classes.1.name", "orders"),
            Map.entry("message.classes.1.backoff.kind", "fixed"),
            Map.entry("message.classes.1.backoff.base", "20ms"),
            Map.entry("message.classes.7.name", "class-7"));
        assertThatThrownBy(() -> ConfigSource.parseYaml("message.classes:\n  - name: orders"))
            .hasMessageContaining("message.classes[0]").hasMessageContaining("needs an id");
    }

    @Test
    void shouldRefuseKeysGivenTwice()
    {
        assertThatThrownBy(() -> ConfigSource.parseYaml("capacity: 1\nname: a\ncapacity: 2"))
            .hasMessageContaining("line 3").hasMessageContaining("capacity");
        assertThatThrownBy(() -> ConfigSource.parseYaml("http:\n  port: 1\nhttp.port: 2"))
            .hasMessageContaining("'http.port' given twice");
        assertThatThrownBy(() -> ConfigSource.parseJson("{\"capacity\": 1, \"capacity\": 2}"))
            .hasMessageContaining("capacity");
        assertThatThrownBy(() -> ConfigSource.parseProperties("capacity=1\ncapacity = 2\n"))
            .hasMessageContaining("'capacity' given twice");
    }

    @Test
    void shouldRefuseMalformedYamlWithItsLine()
    {
        assertThatThrownBy(() -> ConfigSource.parseYaml("name: a\n  b: [c")).hasMessageContaining("line");
        assertThatThrownBy(() -> ConfigSource.parseYaml("- just\n- a list")).hasMessageContaining("map of settings");
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
        final ConfigTargets targets = config.targets();

        assertThat(config.name()).isEqualTo("from-file");
        assertThat(targets.tracker.capacity()).isEqualTo(20);
        assertThat(targets.http.port()).isEqualTo(3);
        assertThat(targets.tracker.defaultAckTimeoutNs()).isEqualTo(250_000_000L);
        assertThat(targets.tracker.destinations()).containsExactly("a", "b");
        assertThat(targets.service.driverTermLength).isEqualTo(16L * 1024 * 1024);
        assertThat(targets.service.driver).isEqualTo(ServiceOptions.Driver.EMBEDDED);
        assertThat(config.effective())
            .contains("capacity: 20    # system property acktracker.capacity")
            .contains("http.port: 3    # flag --http.port")
            .contains("name: from-file    # file " + file)
            .contains("ttl: 1m    # default");
    }

    @Test
    void shouldTakeEveryDefaultFromTheObjectThatOwnsIt()
    {
        final ConfigTargets defaults = new ServiceConfig().targets();
        final TrackerConfig tracker = new TrackerConfig();
        final TransportConfig transport = new TransportConfig();
        final HttpEdgeConfig http = new HttpEdgeConfig();

        assertThat(defaults.tracker.capacity()).isEqualTo(tracker.capacity());
        assertThat(defaults.tracker.dlqCapacity()).isEqualTo(tracker.dlqCapacity());
        assertThat(defaults.tracker.defaultMaxAttempts()).isEqualTo(tracker.defaultMaxAttempts());
        assertThat(defaults.finish().tracker.defaultBackoff().toString())
            .isEqualTo(tracker.defaultBackoff().toString());
        assertThat(defaults.tracker.circuitBreaker()).isEqualTo(tracker.circuitBreaker());
        assertThat(defaults.tracker.earlyAckWindowNs()).as("the one default the service changes")
            .isEqualTo(ServiceOptions.EARLY_ACK_WINDOW_NS);
        assertThat(defaults.transport.backlogCapacity()).isEqualTo(transport.backlogCapacity());
        assertThat(defaults.transport.inboundPrefetch()).isEqualTo(transport.inboundPrefetch());
        assertThat(defaults.http.threads()).isEqualTo(http.threads());
        assertThat(new ServiceConfig().get("tombstone.capacity")).isEqualTo("capacity");
        assertThat(new ServiceConfig().get("backlog.capacity")).isEqualTo("1m");
        assertThat(new ServiceConfig().get("dlq.retention")).isEqualTo("168h");
    }

    @Test
    void shouldSetRetriesCircuitsDeadLettersAndMessageClasses()
    {
        final ServiceConfig config = new ServiceConfig()
            .set("max.attempts", "5").set("backoff.kind", "linear").set("backoff.base", "20s")
            .set("backoff.max", "40s").set("backoff.increment", "1s").set("backoff.jitter", "equal")
            .set("circuit.consecutive.failures", "3").set("circuit.open.cooldown", "250ms")
            .set("dlq.capacity", "500").set("dlq.retention", "2h").set("tombstone.capacity", "300000")
            .set("message.classes.1.name", "orders").set("message.classes.1.max.attempts", "7")
            .set("message.classes.1.backoff.kind", "fixed").set("message.classes.2.ttl", "5s");

        final TrackerConfig tracker = config.targets().tracker;

        assertThat(tracker.defaultMaxAttempts()).isEqualTo(5);
        final Backoff backoff = tracker.defaultBackoff();
        assertThat(backoff.kind()).isEqualTo(Backoff.Kind.LINEAR);
        assertThat(backoff.baseNs()).as("above the default max: the order of keys does not matter")
            .isEqualTo(TimeUnit.SECONDS.toNanos(20));
        assertThat(backoff.incrementNs()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(backoff.jitter()).isEqualTo(Backoff.Jitter.EQUAL);
        assertThat(tracker.circuitBreaker().consecutiveFailures()).isEqualTo(3);
        assertThat(tracker.circuitBreaker().openCooldownNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(tracker.dlqCapacity()).isEqualTo(500);
        assertThat(tracker.dlqRetentionNs()).isEqualTo(TimeUnit.HOURS.toNanos(2));
        assertThat(tracker.tombstoneCapacity()).isEqualTo(300_000);

        final MessageClass orders = tracker.messageClasses().get(1);
        assertThat(orders.name()).isEqualTo("orders");
        assertThat(orders.maxAttempts()).isEqualTo(7);
        assertThat(orders.backoff().kind()).isEqualTo(Backoff.Kind.FIXED);
        assertThat(orders.backoff().baseNs()).as("the tracker's base").isEqualTo(TimeUnit.SECONDS.toNanos(20));
        assertThat(orders.ttlNs()).as("the tracker's ttl").isEqualTo(tracker.defaultTtlNs());
        final MessageClass second = tracker.messageClasses().get(2);
        assertThat(second.name()).isEqualTo("class-2");
        assertThat(second.ttlNs()).isEqualTo(TimeUnit.SECONDS.toNanos(5));
        assertThat(second.maxAttempts()).as("the tracker's").isEqualTo(5);
    }

    @Test
    void shouldRefuseUnknownKeysWithTheClosestOne()
    {
        assertThatThrownBy(() -> ServiceConfig.load(new String[]{"--capacty=5"}, new Properties()))
            .hasMessageContaining("unknown key 'capacty' (flag --capacty); did you mean 'capacity'?");
        assertThatThrownBy(() -> ServiceConfig.load(new String[]{"capacity=5"}, new Properties()))
            .hasMessageContaining("expected --key=value");
        assertThatThrownBy(() -> new ServiceConfig().set("message.classes.1.ack.timout", "1s"))
            .hasMessageContaining("did you mean 'message.classes.1.ack.timeout'?");
        assertThatThrownBy(() -> new ServiceConfig().set("message.classes.0.ttl", "1s"))
            .hasMessageContaining("1..65535");
    }

    @Test
    void shouldNameTheKeyItsValueAndWhereItCameFromForABadValue() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("tracker.yaml"), "ack:\n  timeout: 5\n");
        assertThatThrownBy(() -> ServiceConfig.load(new String[]{"--config=" + file}, new Properties()).validate())
            .hasMessage("invalid ack.timeout='5': expected a duration with a unit, e.g. 250ms or 5s (file " + file +
            ")");
        assertThatThrownBy(() -> new ServiceConfig().set("driver", "remote").validate())
            .hasMessageContaining("invalid driver='remote': expected embedded, external");
        assertThatThrownBy(() -> new ServiceConfig().set("http.enabled", "yes").validate())
            .hasMessageContaining("invalid http.enabled='yes': expected true or false");
    }

    @Test
    void shouldNameTheKeyWhenTheOwnersCheckRefusesAValue()
    {
        assertThatThrownBy(() -> new ServiceConfig().set("name", "x").set("dlq.capacity", "0").validate())
            .hasMessage("invalid dlq.capacity='0': dead-letter capacity must be positive (setting)");
        assertThatThrownBy(() -> new ServiceConfig().set("circuit.window.size", "5000").validate())
            .hasMessageStartingWith("invalid circuit.window.size='5000': ");
        assertThatThrownBy(() -> new ServiceConfig().set("message.classes.3.max.attempts", "99").validate())
            .hasMessageStartingWith("invalid message.classes.3.max.attempts='99': maxAttempts must be 1..15");
        assertThatThrownBy(() -> new ServiceConfig().set("backoff.base", "1m").validate())
            .hasMessageStartingWith("invalid backoff.base='1m': backoff needs 0 <= base <= max");
        assertThatThrownBy(() -> new ServiceConfig().set("fragment.limit", "0").validate())
            .hasMessageStartingWith("invalid fragment.limit='0': fragment limit must be positive");
        assertThatThrownBy(() -> new ServiceConfig().set("driver.term.length", "1000").validate())
            .hasMessageStartingWith("invalid driver.term.length=");
        assertThatThrownBy(() -> new ServiceConfig().set("driver.client.liveness.timeout", "500ms").validate())
            .hasMessage("invalid driver.client.liveness.timeout='500ms': expected 2s..1h (setting)");
        assertThat(new ServiceConfig().set("driver.client.liveness.timeout", "2s").validate().get(
            "driver.client.liveness.timeout")).isEqualTo("2s");
    }

    @Test
    void shouldWarnWhenTombstonesCannotHoldTheWindowAtTheExpectedRate()
    {
        final TrackerConfig tracker = new ServiceConfig().set("capacity", "100000").targets().tracker.conclude();

        assertThat(TrackerService.tombstoneWarning(tracker, 0)).as("no rate stated").isNull();
        assertThat(TrackerService.tombstoneWarning(tracker, 10_000)).as("100,000 hold 10 s at 10k/s").isNull();
        assertThat(TrackerService.tombstoneWarning(tracker, 20_000)).isEqualTo("tombstone.capacity 100000 cannot " +
            "hold tombstone.window 10s at expected.rate 20000/s (needs 200000): duplicates are recognised for about " +
            "5.0 s only; raise tombstone.capacity to 200000");
    }

    @Test
    void shouldListEveryKeyInTheHelp()
    {
        assertThat(ServiceConfig.help()).contains("--inbound.channel=").contains("--message.classes.<id>.ttl=")
            .contains("--circuit.open.cooldown=").contains("(default 5s)");
    }
}

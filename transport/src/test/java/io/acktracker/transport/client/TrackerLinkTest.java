package io.acktracker.transport.client;

import io.acktracker.transport.EmbeddedDriver;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A link opened from settings: plain Aeron carries frames both ways under the session id it reports, the settings
 * are read from a map with a prefix, bad settings are refused naming the key, and a cluster link without the cluster
 * module on the classpath is refused naming what to add.
 */
@Timeout(30)
class TrackerLinkTest
{
    private static final String PREFIX = "tracker.link.";
    private static final int TRACKER_STREAM = 7101;
    private static final int OUTBOUND_STREAM = 7102;

    private EmbeddedDriver driver;
    private Aeron aeron;

    @BeforeEach
    void start()
    {
        driver = EmbeddedDriver.launch(EmbeddedDriver.context("tracker-link-test"));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
    }

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(aeron, driver);
    }

    @Test
    void shouldCarryFramesBothWaysOverAnAeronLinkOpenedFromSettings()
    {
        final TrackerLinkSettings settings = TrackerLinkSettings.from(Map.of(
            PREFIX + "mode", "aeron",
            PREFIX + "tracker.stream", Integer.toString(TRACKER_STREAM),
            PREFIX + "outbound.stream", Integer.toString(OUTBOUND_STREAM),
            "other.setting", "not the link's"), PREFIX);
        assertThat(settings.mode()).isEqualTo(TrackerLinkSettings.Mode.AERON);
        assertThat(settings.trackerChannel()).isEqualTo("aeron:ipc");

        try (Subscription trackerIn = aeron.addSubscription("aeron:ipc", TRACKER_STREAM);
            ExclusivePublication trackerOut = aeron.addExclusivePublication("aeron:ipc", OUTBOUND_STREAM);
            TrackerLink link = TrackerLinks.open(aeron, settings))
        {
            assertThat(link).isInstanceOf(AeronTrackerLink.class);
            await(() -> link.isConnected() && link.isReceiving() && trackerOut.isConnected(), "connected both ways");
            assertThat(link.epoch()).isZero();

            final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
            frame.putLong(0, 42);
            await(() -> link.offer(frame, 0, 8) > 0, "the link to take a frame");
            final List<Long> atTracker = new ArrayList<>();
            final int[] sessionIds = {0};
            final FragmentHandler tracker = (buffer, offset, length, header) ->
            {
                atTracker.add(buffer.getLong(offset));
                sessionIds[0] = header.sessionId();
            };
            await(() -> trackerIn.poll(tracker, 10) > 0, "the tracker to read the frame");
            assertThat(atTracker).containsExactly(42L);
            assertThat(sessionIds[0]).as("the session id the tracker sees").isEqualTo(link.sessionId());

            frame.putLong(0, 43);
            await(() -> trackerOut.offer(frame, 0, 8) > 0, "the tracker to publish");
            final List<Long> atClient = new ArrayList<>();
            await(() -> link.poll((buffer, offset, length, header) -> atClient.add(buffer.getLong(offset)), 10) > 0,
                "the client to read the tracker's frame");
            assertThat(atClient).containsExactly(43L);
        }
    }

    @Test
    void shouldOnlySendOverASendOnlyLink()
    {
        try (TrackerLink link = AeronTrackerLink.sendOnly(aeron, "aeron:ipc", TRACKER_STREAM))
        {
            assertThat(link.isReceiving()).isFalse();
            assertThat(link.poll((buffer, offset, length, header) -> {}, 10)).isZero();
        }
    }

    @Test
    void shouldReadClusterSettingsWithTheirDefaults()
    {
        final TrackerLinkSettings settings = TrackerLinkSettings.from(Map.of(
            PREFIX + "mode", "cluster",
            PREFIX + "cluster.ingress.endpoints", "0=localhost:20102,1=localhost:20202,2=localhost:20302",
            PREFIX + "cluster.keepalive.interval", "500ms"), PREFIX);
        assertThat(settings.mode()).isEqualTo(TrackerLinkSettings.Mode.CLUSTER);
        assertThat(settings.ingressEndpoints()).isEqualTo("0=localhost:20102,1=localhost:20202,2=localhost:20302");
        assertThat(settings.ingressChannel()).isEqualTo("aeron:udp");
        assertThat(settings.ingressStreamId()).isEqualTo(101);
        assertThat(settings.egressChannel()).isEqualTo("aeron:udp?endpoint=localhost:0");
        assertThat(settings.egressStreamId()).isEqualTo(102);
        assertThat(settings.messageTimeoutNs()).isEqualTo(TimeUnit.SECONDS.toNanos(5));
        assertThat(settings.keepAliveIntervalNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(TrackerLinkSettings.from(Map.of(), PREFIX).mode()).isEqualTo(TrackerLinkSettings.Mode.AERON);
    }

    @Test
    void shouldRefuseBadSettingsNamingTheKey()
    {
        refused(Map.of(PREFIX + "mode", "raft"), "tracker.link.mode=raft: expected aeron or cluster");
        refused(Map.of(PREFIX + "trackr.channel", "aeron:ipc"), "unknown setting tracker.link.trackr.channel");
        refused(Map.of(PREFIX + "cluster.ingress.endpoints", "0=localhost:20102"),
            "tracker.link.cluster.ingress.endpoints is a setting of tracker.link.mode=cluster");
        refused(Map.of(PREFIX + "mode", "cluster", PREFIX + "tracker.stream", "7001"),
            "tracker.link.tracker.stream is a setting of tracker.link.mode=aeron");
        refused(Map.of(PREFIX + "tracker.stream", "seven"), "tracker.link.tracker.stream=seven: expected a stream id");
        refused(Map.of(PREFIX + "mode", "cluster"), "tracker.link.cluster.ingress.endpoints is required");
        refused(Map.of(PREFIX + "mode", "cluster", PREFIX + "cluster.ingress.endpoints", "localhost:20102"),
            "'localhost:20102' is not id=host:port");
        refused(Map.of(PREFIX + "mode", "cluster", PREFIX + "cluster.ingress.endpoints", "0=localhost:port"),
            "needs a numeric member id and port");
        refused(Map.of(PREFIX + "mode", "cluster", PREFIX + "cluster.ingress.endpoints", "0=localhost:20102",
            PREFIX + "cluster.message.timeout", "5"), "tracker.link.cluster.message.timeout=5: expected a duration");
        refused(Map.of(PREFIX + "mode", "cluster", PREFIX + "cluster.ingress.endpoints", "0=localhost:20102",
            PREFIX + "cluster.keepalive.interval", "0s"), "tracker.link.cluster.keepalive.interval must be above 0");
        assertThatThrownBy(() -> TrackerLinkSettings.cluster("")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("cluster.ingress.endpoints is empty");
    }

    @Test
    void shouldNameTheModuleToAddWhenNoClusterLinkIsOnTheClasspath()
    {
        // the transport's tests run without the acktracker-cluster module
        assertThatThrownBy(() -> TrackerLinks.open(aeron, TrackerLinkSettings.cluster("0=localhost:20102")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("tracker link mode=cluster needs the acktracker-cluster module " +
                "(io.acktracker:acktracker-cluster) and aeron-cluster on the classpath: no TrackerLinkProvider for " +
                "it was found");
    }

    private static void refused(final Map<String, String> values, final String message)
    {
        assertThatThrownBy(() -> TrackerLinkSettings.from(values, PREFIX))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(message);
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.yield();
        }
    }
}

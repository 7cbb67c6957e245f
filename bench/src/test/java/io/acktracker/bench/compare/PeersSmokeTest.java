package io.acktracker.bench.compare;

import io.acktracker.bench.plot.PercentilePlot;
import io.acktracker.bench.report.ReportMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every available peer through each workload for a few thousand messages in this JVM: correctness only (every
 * completing ack observed exactly once, timeouts only for never-acked messages), no timing assertions.
 */
class PeersSmokeTest
{
    @TempDir
    Path out;

    static Stream<String> peers()
    {
        return Peers.ALL.stream().filter(Peers.Entry::available).map(Peers.Entry::name);
    }

    static Stream<String> peersWithTimeouts()
    {
        return Peers.ALL.stream().filter((e) -> e.available() && e.timeouts()).map(Peers.Entry::name);
    }

    @ParameterizedTest
    @MethodSource("peers")
    void shouldCompleteEveryAckedMessageAndTimeOutOnlyNeverAckedOnes(final String peer)
    {
        final RunResult result = PeerRun.run(options(peer, "throughput", Map.of(
            "pending", "2000", "destinations", "3", "neverAckedPercent", "10", "memory", "false",
            "warmupSeconds", "0.1", "measureSeconds", "0.4")));

        assertThat(result.get("errors")).as("%s", result.values()).isEqualTo("none");
        assertThat(result.number("completingAcks")).isGreaterThan(1000);
        assertThat(result.number("duplicateAcks")).isGreaterThan(0);
        assertThat(result.number("lateAcks")).isGreaterThan(0);
        assertThat(result.number("timedOutObserved") > 0).isEqualTo(Peers.byName(peer).timeouts());
    }

    @ParameterizedTest
    @MethodSource("peers")
    void shouldRecordALatencyForEveryCompletionAtAFixedRate(final String peer)
    {
        final RunResult result = PeerRun.run(options(peer, "latency", Map.of(
            "pending", "2000", "destinations", "1", "rate", "20000", "warmupSeconds", "0.1",
            "measureSeconds", "0.3")));

        assertThat(result.get("errors")).as("%s", result.values()).isEqualTo("none");
        assertThat(result.number("latencyCount")).isGreaterThan(1000);
        assertThat(result.number("p50Us")).isPositive();
        assertThat(Files.exists(out.resolve(result.get("hlog")))).isTrue();
        assertThat(Files.exists(out.resolve(result.get("hgrm")))).isTrue();
    }

    @ParameterizedTest
    @MethodSource("peersWithTimeouts")
    void shouldTimeOutEveryMessageOfABurst(final String peer)
    {
        final RunResult result = PeerRun.run(options(peer, "burst", Map.of("burst", "3000", "leadMs", "300")));

        assertThat(result.get("errors")).as("%s", result.values()).isEqualTo("none");
        assertThat(result.number("timedOutObserved")).isEqualTo(3000);
    }

    @Test
    void shouldWriteAReportAndAPlotFromResults() throws Exception
    {
        for (final String peer : new String[]{ "acktracker-memory", "jdk-baseline" })
        {
            final Map<String, String> options = options(peer, "latency", Map.of(
                "pending", "1000", "destinations", "3", "rate", "10000", "warmupSeconds", "0.05",
                "measureSeconds", "0.2"));
            options.put("group", "latency-smoke");
            PeerRun.run(options).write(out.resolve(options.get("id") + ".properties"));
        }

        ReportMain.main(new String[]{ out.toString() });
        PercentilePlot.plotLatencyGroups(out);

        assertThat(Files.readString(out.resolve("report.md"))).contains("acktracker-memory", "jdk-baseline",
            "p99.99");
        assertThat(Files.size(out.resolve("latency-smoke.png"))).isGreaterThan(1000);
    }

    private Map<String, String> options(final String peer, final String workload, final Map<String, String> extra)
    {
        final Map<String, String> options = new HashMap<>(extra);
        options.put("peer", peer);
        options.put("workload", workload);
        options.put("id", workload + "-" + peer);
        options.put("out", out.toString());
        options.putIfAbsent("neverAckedTimeoutMinMs", "20");
        options.putIfAbsent("neverAckedTimeoutMaxMs", "60");
        return options;
    }
}

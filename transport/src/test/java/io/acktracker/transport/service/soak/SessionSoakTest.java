package io.acktracker.transport.service.soak;

import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.codecs.RefusalCode;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly once end to end with every party a process of its own: the real service (journal store) on an external
 * media driver, a sender and two destinations, each client with a session and a journal of what its helper
 * confirmed and what it handed to its application ({@link SoakSender}, {@link SoakDestination}). The service is
 * SIGKILLed at random moments and started again; in some cycles the sender or a destination is SIGKILLed too and a
 * new process of it takes over from its journal. Messages need both destinations' acks, each destination acks a
 * message once (again only when the tracker had not applied its predecessor's ack, or refused it as overtaking its
 * Track), and acks never time out during the run: a confirmed ack the tracker lost would leave its message without
 * an outcome.
 * <p>
 * At the end, from the journals: every Track the sender offered reached one outcome, told once to the sender
 * process that lived then, and again only marked as a replay to a later process of the sender (at least once across
 * the sender's own crash); no Track was refused (none was applied twice); completions resumed after each restart
 * (the figures are printed). Over IPC and over UDP (loopback; the outbound stream as multi-destination-cast).
 * Every loop is bounded in count and time, every process stopped by its own pid.
 * <p>
 * Quick: 5 kills over IPC, 3 over UDP. Long ({@code -Plong}): {@code -Dsoak.kills} (default 200),
 * {@code -Dsoak.transport=ipc|udp}.
 */
class SessionSoakTest
{
    private static final String NAME = "soak";
    private static final long RATE = 1000;
    private static final long DRAIN_SECONDS = 120;

    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    void shouldTellEveryTrackItsOutcomeOnceWithEveryPartyKilledOverIpc() throws Exception
    {
        run(false, false, 5, 7);
    }

    @Test
    @Timeout(600)
    void shouldTellEveryTrackItsOutcomeOnceWithEveryPartyKilledOverUdp() throws Exception
    {
        run(true, false, 3, 8);
    }

    @Test
    @Timeout(600)
    void shouldTellEveryTrackItsOutcomeOnceWithEveryPartyKilledOnTheServicesEmbeddedDriver() throws Exception
    {
        run(false, true, 3, 9);
    }

    @Test
    @Tag("long")
    @Timeout(8 * 3600)
    void shouldTellEveryTrackItsOutcomeOnceAcrossManyKills() throws Exception
    {
        run("udp".equals(System.getProperty("soak.transport")), "embedded".equals(System.getProperty("soak.driver")),
            Integer.getInteger("soak.kills", 200),
            Long.getLong("soak.seed", System.nanoTime()));
    }

    private void run(final boolean udp, final boolean embedded, final int kills, final long seed) throws Exception
    {
        final Random random = new Random(seed);
        // -Dsoak.dir keeps the journals and the data directory for a look afterwards
        final Path dir = null == System.getProperty("soak.dir") ? this.dir :
            Files.createDirectories(Path.of(System.getProperty("soak.dir")).resolve((udp ? "udp" : "ipc") +
                (embedded ? "-embedded" : "")));
        final Path clients = Files.createDirectories(dir.resolve("clients"));
        final Path senderLog = clients.resolve("sender.log");
        final Path[] destinationLogs = {clients.resolve("a.log"), clients.resolve("b.log")};
        final String[] destinationNames = {"a", "b"};

        final String commandChannel;
        final String serviceOutbound;
        final String clientOutbound;
        if (udp)
        {
            final int inbound = freePort();
            final int control = freePort();
            commandChannel = "aeron:udp?endpoint=127.0.0.1:" + inbound;
            serviceOutbound = "aeron:udp?control=127.0.0.1:" + control + "|control-mode=dynamic";
            clientOutbound = "aeron:udp?endpoint=127.0.0.1:0|control=127.0.0.1:" + control;
        }
        else
        {
            commandChannel = "aeron:ipc";
            serviceOutbound = "aeron:ipc";
            clientOutbound = "aeron:ipc";
        }
        final Path data = Files.createDirectories(dir.resolve("data"));
        final Path config = Files.writeString(dir.resolve("tracker.yaml"), String.join("\n",
            "name: " + NAME,
            "data:",
            "  dir: " + data,
            "store: journal",
            "checkpoint.interval: 16m",
            "destinations: [a, b]",
            "capacity: 200000",
            "ack.timeout: 600s",
            "ttl: 1200s",
            "driver: " + (embedded ? "embedded" : "external"),
            "inbound.channel: " + commandChannel,
            "outbound.channel: " + serviceOutbound,
            "idle.strategy: backoff"));

        // the service's own driver dies with each SIGKILL and comes back at the same directory with the next start;
        // otherwise a driver in this JVM is the external one every process shares
        // -Dsoak.client.liveness.ms: how long the external driver keeps a killed process's subscriptions (Aeron's
        // 10 s by default), during which they hold back the images they were subscribed to
        final long clientLivenessMs = Long.getLong("soak.client.liveness.ms", 10_000);
        final EmbeddedDriver driver = embedded ? null : EmbeddedDriver.launch(EmbeddedDriver.context("soak")
            .ipcTermBufferLength(1 << 20)
            .publicationTermBufferLength(1 << 20)
            .clientLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(clientLivenessMs)));
        final String aeronDir = embedded ? EmbeddedDriver.stableDirectoryName(NAME, data) :
            driver.aeronDirectoryName();
        final String[] senderArgs = {aeronDir, senderLog.toString(), "sender-1", String.valueOf(RATE), commandChannel,
            clientOutbound};
        Process service = null;
        Process sender = null;
        final Process[] destinations = new Process[2];
        final List<Long> resumedMs = new ArrayList<>();
        final List<Long> senderAppliedMs = new ArrayList<>();
        // the same figure, split: restarts of the service alone, and those where a new sender or destination
        // process started too (its JVM start and binding are part of the wait)
        final List<Long> resumedServiceOnlyMs = new ArrayList<>();
        final List<Long> resumedWithClientMs = new ArrayList<>();
        boolean clientRestarted = false;
        final List<Long> startsMs = new ArrayList<>();
        int senderKills = 0;
        int destinationKills = 0;
        final long startNs = System.nanoTime();
        try
        {
            service = SoakProcesses.startService(config, aeronDir, NAME);
            sender = SoakProcesses.startClient(clients.resolve("sender.out"), SoakSender.class, senderArgs);
            for (int d = 0; d < 2; d++)
            {
                destinations[d] = startDestination(aeronDir, destinationLogs[d], destinationNames[d], senderLog,
                    commandChannel, clientOutbound);
            }

            final SoakLog.Cursor watch = new SoakLog.Cursor();
            for (int cycle = 0; cycle <= kills; cycle++)
            {
                final long restartedNs = System.nanoTime();
                long resumed = -1;
                long senderApplied = -1;
                final long cycleEndNs = restartedNs + TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(1500));
                do
                {
                    Thread.sleep(20);
                    for (final String[] line : SoakLog.readNew(senderLog, watch))
                    {
                        if (resumed < 0 && SoakLog.is(line, "O", 5, watch))
                        {
                            resumed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedNs);
                        }
                        // the sender's helper logs "C" when more of its commands were confirmed applied: the first
                        // after a start is when the sender's own stream reached the new service
                        else if (senderApplied < 0 && SoakLog.is(line, "C", 2, watch))
                        {
                            senderApplied = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedNs);
                        }
                    }
                }
                while (System.nanoTime() - cycleEndNs < 0 || (cycle > 0 && (resumed < 0 || senderApplied < 0) &&
                    System.nanoTime() - restartedNs < TimeUnit.SECONDS.toNanos(30)));
                if (cycle > 0)
                {
                    resumedMs.add(resumed);
                    senderAppliedMs.add(senderApplied);
                    (clientRestarted ? resumedWithClientMs : resumedServiceOnlyMs).add(resumed);
                }
                if (cycle == kills)
                {
                    break;
                }
                if (cycle > 0 && 0 == cycle % 50)
                {
                    // a long run says how far it got, so a run stopped early still has figures
                    System.out.printf("session soak progress: %d of %d kills after %d s; resumed (ms) service " +
                        "alone %s, with a new client process %s%n", cycle, kills,
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs),
                        summary(resumedServiceOnlyMs), summary(resumedWithClientMs));
                }

                SoakProcesses.kill(service);
                final boolean killSender = random.nextInt(5) == 0;
                final int killDestination = random.nextInt(5) == 0 ? random.nextInt(2) : -1;
                if (killSender)
                {
                    SoakProcesses.kill(sender);
                    senderKills++;
                }
                if (killDestination >= 0)
                {
                    SoakProcesses.kill(destinations[killDestination]);
                    destinationKills++;
                }
                clientRestarted = killSender || killDestination >= 0;
                final long startingNs = System.nanoTime();
                service = SoakProcesses.startService(config, aeronDir, NAME);
                startsMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startingNs));
                if (killSender)
                {
                    sender = SoakProcesses.startClient(clients.resolve("sender.out"), SoakSender.class, senderArgs);
                }
                if (killDestination >= 0)
                {
                    destinations[killDestination] = startDestination(aeronDir, destinationLogs[killDestination],
                        destinationNames[killDestination], senderLog, commandChannel, clientOutbound);
                }
            }

            // no new Tracks: wait (bounded) until every Track the sender journaled has an outcome
            Files.createFile(clients.resolve("stop-tracks"));
            final long drainDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
            SenderJournal journal = SenderJournal.read(senderLog);
            while (!journal.missing().isEmpty() && System.nanoTime() - drainDeadlineNs < 0)
            {
                Thread.sleep(100);
                journal = SenderJournal.read(senderLog);
            }
            Files.createFile(clients.resolve("exit"));
            for (final Process client : new Process[] {sender, destinations[0], destinations[1]})
            {
                if (!client.waitFor(30, TimeUnit.SECONDS))
                {
                    SoakProcesses.kill(client);
                }
            }

            journal = SenderJournal.read(senderLog);
            final Map<Integer, Integer> destinationRefusals = new TreeMap<>();
            for (final Path log : destinationLogs)
            {
                final SoakLog.Cursor cursor = new SoakLog.Cursor();
                for (final String[] line : SoakLog.readNew(log, cursor))
                {
                    if (SoakLog.is(line, "R", 3, cursor))
                    {
                        destinationRefusals.merge(Integer.parseInt(line[2]), 1, Integer::sum);
                    }
                }
            }
            final List<Long> sorted = new ArrayList<>(resumedMs);
            Collections.sort(sorted);
            final List<Long> starts = new ArrayList<>(startsMs);
            Collections.sort(starts);
            Collections.sort(resumedServiceOnlyMs);
            Collections.sort(resumedWithClientMs);
            System.out.printf("session soak (%s%s, seed %d): %d service kills (%d of the sender, %d of a " +
                "destination), %d Tracks, %d outcomes (%d told again, marked, to a later sender process), " +
                "destination refusals by code %s, %d s; completions resumed after each restart in (ms) median %d, " +
                "90%% %d, max %d: %s; each start (kill to running, ms) median %d, max %d%n", udp ? "udp" : "ipc", embedded ? ", the service's embedded driver" : "", seed, kills, senderKills, destinationKills,
                journal.tracks(), journal.outcomes(), journal.replaysToALaterProcess(), destinationRefusals,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs), percentile(sorted, 50),
                percentile(sorted, 90), percentile(sorted, 100), resumedMs, percentile(starts, 50),
                percentile(starts, 100));
            final List<Long> senderApplied = new ArrayList<>(senderAppliedMs);
            Collections.sort(senderApplied);
            System.out.printf("session soak sender's stream (driver client liveness %d ms): its commands applied " +
                "again after each restart in (ms) median %d, 90%% %d, max %d, %d over 2 s (-1: not in the cycle): " +
                "%s%n", clientLivenessMs, percentile(senderApplied, 50), percentile(senderApplied, 90),
                percentile(senderApplied, 100), overTwoSeconds(senderAppliedMs), senderAppliedMs);
            System.out.printf("session soak resumption split: %d restarts of the service alone, median %d, 90%% %d, " +
                "max %d ms, %d over 2 s; %d with a new sender or destination process, median %d, 90%% %d, max %d ms, " +
                "%d over 2 s%n", resumedServiceOnlyMs.size(), percentile(resumedServiceOnlyMs, 50),
                percentile(resumedServiceOnlyMs, 90), percentile(resumedServiceOnlyMs, 100),
                overTwoSeconds(resumedServiceOnlyMs), resumedWithClientMs.size(), percentile(resumedWithClientMs, 50),
                percentile(resumedWithClientMs, 90), percentile(resumedWithClientMs, 100),
                overTwoSeconds(resumedWithClientMs));

            final boolean destinationKilled = destinationKills > 0;
            assertThat(journal.tracks()).as("Tracks offered").isGreaterThan(kills * 100L);
            assertThat(journal.missing()).as("Tracks without an outcome").isEmpty();
            assertThat(journal.violations()).as("outcomes told twice, or unmarked to a later process").isEmpty();
            assertThat(journal.refusals()).as("Tracks refused (applied twice?)").isEmpty();
            assertThat(destinationRefusals.keySet()).as("destination refusals other than an ack overtaking its " +
                "Track, or (after a destination's kill) an ack its predecessor's refusal made it send again")
                .allMatch((code) -> code == RefusalCode.UNKNOWN_MESSAGE.value() ||
                    destinationKilled && (code == RefusalCode.DUPLICATE_ACK.value() ||
                    code == RefusalCode.LATE_ACK.value()));
            assertThat(resumedMs).as("completions resumed after every restart").doesNotContain(-1L);
            // a clean stop closes the tracker (its closing checkpoint) and removes the embedded driver's directory:
            // bounded, but generous on a loaded machine, and said apart from a directory left behind
            assertThat(SoakProcesses.stop(service, 120)).as("the service stopped cleanly within 120 s").isTrue();
            if (embedded)
            {
                final Path driverParent = Path.of(aeronDir).getParent();
                assertThat(driverParent).as("the embedded driver's directory, after a clean stop: %s",
                    leftoverReport(driverParent, dir.resolve("service.out"))).doesNotExist();
            }
        }
        finally
        {
            for (final Process process : new Process[] {sender, destinations[0], destinations[1], service})
            {
                SoakProcesses.stop(process);
            }
            CloseHelper.close(driver);
        }
    }

    private static Process startDestination(
        final String aeronDir, final Path log, final String name, final Path senderLog, final String commandChannel,
        final String outboundChannel) throws Exception
    {
        return SoakProcesses.startClient(log.resolveSibling(name + ".out"), SoakDestination.class, aeronDir, log.toString(), name, senderLog.toString(),
            commandChannel, outboundChannel);
    }

    /** What a directory left behind holds (names, sizes, ages) and how the service's output ended: for a failure. */
    private static String leftoverReport(final Path leftover, final Path serviceOut)
    {
        final StringBuilder report = new StringBuilder();
        try (var entries = Files.walk(leftover))
        {
            final long nowMs = System.currentTimeMillis();
            entries.forEach((entry) ->
            {
                try
                {
                    report.append('\n').append(entry).append(' ').append(Files.isDirectory(entry) ? "dir" :
                        Files.size(entry) + " B").append(", modified ")
                        .append(nowMs - Files.getLastModifiedTime(entry).toMillis()).append(" ms ago");
                }
                catch (final java.io.IOException ex)
                {
                    report.append('\n').append(entry).append(' ').append(ex);
                }
            });
            final List<String> lines = Files.readAllLines(serviceOut);
            report.append("\nthe service's last lines:");
            lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach((line) -> report.append("\n  ")
                .append(line));
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            report.append('\n').append(ex);
        }
        return report.toString();
    }

    private static String summary(final List<Long> resumed)
    {
        final List<Long> sorted = new ArrayList<>(resumed);
        Collections.sort(sorted);
        return "n=" + sorted.size() + " median=" + percentile(sorted, 50) + " 90%=" + percentile(sorted, 90) +
            " max=" + percentile(sorted, 100) + " over2s=" + overTwoSeconds(sorted);
    }

    private static long overTwoSeconds(final List<Long> resumed)
    {
        return resumed.stream().filter((ms) -> ms < 0 || ms > 2_000).count();
    }

    private static long percentile(final List<Long> sorted, final int percent)
    {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (sorted.size() * percent) / 100));
    }

    private static int freePort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * What the sender's processes journaled, checked as it is read, in constant memory per Track (a 1,000-kill
     * soak journals millions): per Track the first and the last process told its outcome. Outcomes reach
     * processes in the order the processes lived, so a Track told twice to one process is told so in a row.
     */
    private static final class SenderJournal
    {
        private static final int MAX_LISTED = 100;

        /** Track id: 0 while no outcome was told; else the first process in the high half, the last in the low. */
        private final Long2LongHashMap toldTo = new Long2LongHashMap(-1);
        private final List<String> refusals = new ArrayList<>();
        private final List<String> violations = new ArrayList<>();
        private long outcomes;
        private long replaysToALaterProcess;

        static SenderJournal read(final Path log)
        {
            final SenderJournal journal = new SenderJournal();
            final SoakLog.Cursor cursor = new SoakLog.Cursor();
            for (final String[] line : SoakLog.readNew(log, cursor))
            {
                if (SoakLog.is(line, "T", 3, cursor))
                {
                    final long id = Long.parseLong(line[1]);
                    if (-1 == journal.toldTo.get(id))
                    {
                        journal.toldTo.put(id, 0);
                    }
                }
                else if (SoakLog.is(line, "O", 5, cursor))
                {
                    journal.outcome(Long.parseLong(line[1]), 0 != Long.parseLong(line[3]),
                        Long.parseLong(line[4]));
                }
                else if (SoakLog.is(line, "R", 3, cursor))
                {
                    journal.refusals.add(line[1] + " code " + line[2]);
                }
            }
            return journal;
        }

        private void outcome(final long id, final boolean replay, final long process)
        {
            outcomes++;
            final long told = toldTo.get(id);
            if (told <= 0)
            {
                toldTo.put(id, process << 32 | process);
                return;
            }
            if (process == (told & 0xFFFF_FFFFL))
            {
                violation(id + " told twice to process " + process);
            }
            else if (!replay)
            {
                violation(id + " told again, unmarked, to process " + process);
            }
            else
            {
                replaysToALaterProcess++;
            }
            toldTo.put(id, (told & 0xFFFF_FFFF_0000_0000L) | process);
        }

        private void violation(final String violation)
        {
            if (violations.size() < MAX_LISTED)
            {
                violations.add(violation);
            }
            else
            {
                violations.set(MAX_LISTED - 1, "... and more");
            }
        }

        long tracks()
        {
            return toldTo.size();
        }

        long outcomes()
        {
            return outcomes;
        }

        List<String> refusals()
        {
            return refusals;
        }

        List<Long> missing()
        {
            final List<Long> missing = new ArrayList<>();
            final Long2LongHashMap.EntryIterator entries = toldTo.entrySet().iterator();
            while (entries.hasNext())
            {
                entries.next();
                if (0 == entries.getLongValue())
                {
                    missing.add(entries.getLongKey());
                }
            }
            return missing;
        }

        /** Told once per process; to a later process only marked as a replay. */
        List<String> violations()
        {
            return violations;
        }

        long replaysToALaterProcess()
        {
            return replaysToALaterProcess;
        }
    }
}

package io.acktracker.engine.crash;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.MessageState;
import io.acktracker.engine.MessageStatus;
import io.acktracker.engine.persistence.DataDirectory;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 at random moments under load, restart on the same data directory, and check after every cycle against
 * an external journal: no tracked-and-unfinished message missing, no recorded ack forgotten, no message whose
 * outcome was seen coming back as pending or getting a second outcome that is not flagged as a replay, every outcome
 * the journal did not see arriving after the restart, and the files reopening cleanly.
 */
class CrashRecoveryTest
{
    @TempDir
    Path temp;

    @Test
    void shouldLoseNothingAcrossKillNineCycles() throws Exception
    {
        runCycles(10, 42);
    }

    @Test
    @Tag("long")
    void shouldLoseNothingAcrossManyKillNineCycles() throws Exception
    {
        runCycles(Integer.getInteger("crash.cycles", 200), Long.getLong("crash.seed", System.nanoTime()));
    }

    @Test
    void shouldRefuseASecondProcessOnTheSameDataDirectory() throws Exception
    {
        final Path dataDir = temp.resolve("data");
        final Process child = startChild(dataDir, temp.resolve("journal").toFile(), 1, 1);
        try
        {
            awaitReady(child);
            final Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() ->
                AckTracker.open(new io.acktracker.engine.TrackerConfig().dataDir(dataDir)).close());
            assertThat(refused).isInstanceOf(io.acktracker.engine.TrackerException.class)
                .hasMessageContaining("in use by another tracker")
                .hasMessageContaining("pid " + child.pid());
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        try (AckTracker recovered = AckTracker.open(new io.acktracker.engine.TrackerConfig().dataDir(dataDir)
            .capacity(200_000).tombstoneCapacity(50_000)))
        {
            assertThat(recovered.isClosed()).isFalse();
        }
    }

    private void runCycles(final int cycles, final long seed) throws Exception
    {
        final Path dataDir = temp.resolve("data");
        final File journalFile = temp.resolve("journal").toFile();
        final SplittableRandom random = new SplittableRandom(seed);
        final List<String> violations = new ArrayList<>();
        long messages = 0;
        long acks = 0;
        long replays = 0;

        for (int cycle = 1; cycle <= cycles; cycle++)
        {
            final Process child = startChild(dataDir, journalFile, random.nextLong(), cycle * 10_000_000L);
            awaitReady(child);
            Thread.sleep(100 + random.nextInt(900));
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            final Verification verification = verify(dataDir, journalFile, cycle);
            violations.addAll(verification.violations);
            messages = verification.messages;
            acks = verification.acks;
            replays = verification.replays;
            if (random.nextBoolean())
            {
                Files.deleteIfExists(dataDir.resolve(DataDirectory.CLEAN_MARKER));
            }
        }

        System.out.printf("crash recovery: seed=%d cycles=%d messages=%d acks=%d replayed outcomes=%d violations=%d%n",
            seed, cycles, messages, acks, replays, violations.size());
        assertThat(violations).isEmpty();
        assertThat(messages).isPositive();
        assertThat(acks).isPositive();
    }

    private static final class Verification
    {
        final List<String> violations = new ArrayList<>();
        long messages;
        long acks;
        long replays;
    }

    private Verification verify(final Path dataDir, final File journalFile, final int cycle) throws Exception
    {
        final Verification result = new Verification();
        try (Journal journal = new Journal(journalFile, 4_000_000))
        {
            final Map<Long, long[]> tracked = new HashMap<>();
            final Long2LongHashMap ackedMasks = new Long2LongHashMap(0);
            final Map<Long, List<long[]>> outcomes = new HashMap<>();
            read(journal, 0, tracked, ackedMasks, outcomes, result);

            try (AckTracker tracker = AckTracker.open(CrashWorkload.config(dataDir, journal)))
            {
                for (final Map.Entry<Long, long[]> entry : tracked.entrySet())
                {
                    final long id = entry.getKey();
                    final MessageStatus status = tracker.status(id);
                    final List<long[]> seen = outcomes.getOrDefault(id, List.of());
                    final boolean pending = MessageState.PENDING == status.state() ||
                        MessageState.PARTIAL == status.state();
                    if (seen.isEmpty() && MessageState.UNKNOWN == status.state())
                    {
                        result.violations.add("cycle " + cycle + ": message " + id + " tracked, no outcome, lost");
                    }
                    if (pending && seen.stream().anyMatch((o) -> 0 == o[1]))
                    {
                        result.violations.add("cycle " + cycle + ": message " + id + " had its outcome, came back " +
                            status.state());
                    }
                    final long journaledAcks = ackedMasks.get(id);
                    if (pending && (status.acked() & journaledAcks) != journaledAcks)
                    {
                        result.violations.add("cycle " + cycle + ": message " + id + " forgot acks " +
                            Long.toBinaryString(journaledAcks & ~status.acked()));
                    }
                }

                final int before = journal.size();
                final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                while (System.nanoTime() - deadline < 0 || tracker.agent().doWork() > 0)
                {
                    tracker.agent().doWork();
                }
                for (int i = before; i < journal.size(); i++)
                {
                    if (journal.get(i).type() == Journal.OUTCOME)
                    {
                        final Journal.Entry entry = journal.get(i);
                        outcomes.computeIfAbsent(entry.messageId(), (k) -> new ArrayList<>())
                            .add(new long[]{ entry.a(), entry.flag() });
                        if (1 == entry.flag())
                        {
                            result.replays++;
                        }
                    }
                }

                for (final long id : tracked.keySet())
                {
                    final MessageStatus status = tracker.status(id);
                    final boolean finished = MessageState.COMPLETED == status.state() ||
                        MessageState.FAILED == status.state() || MessageState.EXPIRED == status.state() ||
                        MessageState.UNKNOWN == status.state();
                    if (finished && !outcomes.containsKey(id))
                    {
                        result.violations.add("cycle " + cycle + ": message " + id + " finished " + status.state() +
                            " but its outcome never arrived");
                    }
                }
            }

            for (final Map.Entry<Long, List<long[]>> entry : outcomes.entrySet())
            {
                final List<long[]> seen = entry.getValue();
                final long firsts = seen.stream().filter((o) -> 0 == o[1]).count();
                final long distinct = seen.stream().mapToLong((o) -> o[0]).distinct().count();
                if (firsts > 1 || distinct > 1)
                {
                    result.violations.add("cycle " + cycle + ": message " + entry.getKey() + " got " + firsts +
                        " first outcomes, " + distinct + " distinct");
                }
            }
            result.messages = tracked.size();
        }
        return result;
    }

    private static void read(
        final Journal journal,
        final int from,
        final Map<Long, long[]> tracked,
        final Long2LongHashMap ackedMasks,
        final Map<Long, List<long[]>> outcomes,
        final Verification result)
    {
        for (int i = from; i < journal.size(); i++)
        {
            final Journal.Entry entry = journal.get(i);
            switch (entry.type())
            {
                case Journal.TRACK:
                    tracked.put(entry.messageId(), new long[]{ entry.a(), entry.b() });
                    break;
                case Journal.ACK:
                    ackedMasks.put(entry.messageId(), ackedMasks.get(entry.messageId()) | (1L << entry.a()));
                    result.acks++;
                    break;
                case Journal.OUTCOME:
                    outcomes.computeIfAbsent(entry.messageId(), (k) -> new ArrayList<>())
                        .add(new long[]{ entry.a(), entry.flag() });
                    if (1 == entry.flag())
                    {
                        result.replays++;
                    }
                    break;
                default:
                    break;
            }
        }
    }

    private static Process startChild(final Path dataDir, final File journal, final long seed, final long firstId)
        throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String flag : System.getProperty("acktracker.jvm.flags", "").split("\\s+"))
        {
            if (!flag.isBlank())
            {
                command.add(flag);
            }
        }
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashWorkload.class.getName());
        command.add(dataDir.toString());
        command.add(journal.toString());
        command.add(String.valueOf(seed));
        command.add(String.valueOf(firstId));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void awaitReady(final Process child) throws Exception
    {
        final BufferedReader reader = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        final StringBuilder seen = new StringBuilder();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = reader.readLine()) != null)
        {
            if ("READY".equals(line))
            {
                final Thread drainer = new Thread(() ->
                {
                    try
                    {
                        while (reader.readLine() != null)
                        {
                            Thread.onSpinWait();
                        }
                    }
                    catch (final java.io.IOException ignore)
                    {
                        // the child died
                    }
                });
                drainer.setDaemon(true);
                drainer.start();
                return;
            }
            seen.append(line).append('\n');
            if (System.nanoTime() - deadline > 0)
            {
                break;
            }
        }
        child.destroyForcibly();
        throw new AssertionError("child did not start:\n" + seen);
    }
}

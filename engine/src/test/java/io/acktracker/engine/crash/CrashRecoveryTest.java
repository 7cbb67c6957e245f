package io.acktracker.engine.crash;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.MessageState;
import io.acktracker.engine.api.MessageStatus;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.checkpoint.CheckpointStore;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.store.StoreLayout;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Tag;
import io.acktracker.engine.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * kill -9 at random moments under load, restart on the same data directory, and check after every cycle against
 * an external journal: no tracked-and-unfinished message missing, no recorded ack forgotten, no message whose
 * outcome was seen coming back as pending or getting a second outcome that is not flagged as a replay, every outcome
 * the journal did not see arriving after the restart, and the files reopening cleanly.
 * <p>
 * The check is incremental: each cycle reads only the journal records written since the last one and looks at the
 * messages still open plus those that finished in the cycle, so a thousand cycles cost a thousand times one.
 */
class CrashRecoveryTest
{
    private static final long THROTTLE_NS = 500_000;

    @TempDir
    Path temp;

    @Test
    void shouldLoseNothingAcrossKillNineCycles() throws Exception
    {
        runCycles(10, 42, false);
    }

    @Test
    @Tag("long")
    void shouldLoseNothingAcrossManyKillNineCycles() throws Exception
    {
        runCycles(Integer.getInteger("crash.cycles", 200), Long.getLong("crash.seed", System.nanoTime()), false);
    }

    @Test
    void shouldLoseNothingAcrossKillNineCyclesWithTheJournal() throws Exception
    {
        runCycles(10, 43, true);
    }

    @Test
    @Tag("long")
    void shouldLoseNothingAcrossManyKillNineCyclesWithTheJournal() throws Exception
    {
        runCycles(Integer.getInteger("crash.cycles", 200), Long.getLong("crash.seed", System.nanoTime()), true);
    }

    @Test
    void shouldRefuseASecondProcessOnTheSameDataDirectory() throws Exception
    {
        final Path dataDir = temp.resolve("data");
        final Process child = startChild(dataDir, temp.resolve("journal").toFile(), 1, 1, false);
        try
        {
            ChildJvm.awaitReady(child);
            final Throwable refused = catchThrowable(() -> AckTracker.open(new TrackerConfig().dataDir(dataDir)).close());
            assertThat(refused).isInstanceOf(TrackerException.class)
                .hasMessageContaining("in use by pid " + child.pid());
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        try (AckTracker recovered = AckTracker.open(new TrackerConfig().dataDir(dataDir)
            .capacity(200_000).tombstoneCapacity(50_000)))
        {
            assertThat(recovered.isClosed()).isFalse();
        }
    }

    /** What the journal has told so far, kept across cycles. */
    private static final class Ledger
    {
        final Long2LongHashMap openAcks = new Long2LongHashMap(-1);
        final Long2LongHashMap firstOutcome = new Long2LongHashMap(-1);
        final LongHashSet finishedThisCycle = new LongHashSet();
        final List<String> violations = new ArrayList<>();
        int position;
        long messages;
        long acks;
        long replays;
        long killsDuringACheckpoint;
        long killsWithACheckpoint;
        long pendingAtLastCheck;
        long deadLettersAtLastCheck;

        /**
         * After a kill: did it land while a checkpoint was being written (an unfinished {@code cp-<P>.tmp} left
         * behind), and is there a complete one to restore?
         */
        void countCheckpointFiles(final Path checkpoints) throws java.io.IOException
        {
            if (!Files.isDirectory(checkpoints))
            {
                return;
            }
            boolean unfinished = false;
            boolean complete = false;
            try (java.util.stream.Stream<Path> entries = Files.list(checkpoints))
            {
                for (final Path entry : (Iterable<Path>)entries::iterator)
                {
                    final String name = entry.getFileName().toString();
                    unfinished |= name.endsWith(".tmp");
                    complete |= !name.endsWith(".tmp");
                }
            }
            killsDuringACheckpoint += unfinished ? 1 : 0;
            killsWithACheckpoint += complete ? 1 : 0;
        }

        void read(final Journal journal, final int cycle)
        {
            for (; position < journal.size(); position++)
            {
                final Journal.Entry entry = journal.get(position);
                final long id = entry.messageId();
                switch (entry.type())
                {
                    case Journal.TRACK:
                        messages++;
                        if (!firstOutcome.containsKey(id))
                        {
                            openAcks.put(id, 0);
                        }
                        break;
                    case Journal.ACK:
                        acks++;
                        if (openAcks.containsKey(id))
                        {
                            openAcks.put(id, openAcks.get(id) | (1L << entry.a()));
                        }
                        break;
                    case Journal.OUTCOME:
                        onOutcome(id, entry.a(), 1 == entry.flag(), cycle);
                        break;
                    default:
                        break;
                }
            }
        }

        private void onOutcome(final long id, final long outcome, final boolean replay, final int cycle)
        {
            if (replay)
            {
                replays++;
            }
            final long previous = firstOutcome.get(id);
            if (-1 == previous)
            {
                firstOutcome.put(id, (outcome << 1) | (replay ? 1 : 0));
                openAcks.remove(id);
                finishedThisCycle.add(id);
                return;
            }
            if ((previous >> 1) != outcome)
            {
                violations.add("cycle " + cycle + ": message " + id + " got two different outcomes");
            }
            if (!replay && 0 == (previous & 1))
            {
                violations.add("cycle " + cycle + ": message " + id + " got a second outcome not flagged as replay");
            }
            if (!replay)
            {
                firstOutcome.put(id, outcome << 1);
            }
        }
    }

    private void runCycles(final int cycles, final long seed, final boolean journaled) throws Exception
    {
        final Path dataDir = temp.resolve("data");
        final File journalFile = temp.resolve("journal").toFile();
        final SplittableRandom random = new SplittableRandom(seed);
        final Ledger ledger = new Ledger();
        final long startNs = System.nanoTime();

        for (int cycle = 1; cycle <= cycles; cycle++)
        {
            final Process child =
                startChild(dataDir, journalFile, random.nextLong(), cycle * 10_000_000L, journaled);
            ChildJvm.awaitReady(child);
            Thread.sleep(100 + random.nextInt(900));
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            if (journaled)
            {
                ledger.countCheckpointFiles(dataDir.resolve(CheckpointStore.DIRECTORY));
            }
            verify(dataDir, journalFile, cycle, ledger, journaled);
            if (random.nextBoolean())
            {
                Files.deleteIfExists(dataDir.resolve(StoreLayout.CLEAN_MARKER));
            }
            if (cycles > 10 && 0 == cycle % 50)
            {
                System.out.printf("crash recovery: %d cycles, %d messages, %d acks, %d violations so far " +
                    "(after the last check: %d pending, %d dead letters)%n", cycle, ledger.messages, ledger.acks,
                    ledger.violations.size(), ledger.pendingAtLastCheck, ledger.deadLettersAtLastCheck);
            }
        }

        System.out.printf("crash recovery (" + (journaled ? "journal" : "tables") + "): seed=%d cycles=%d messages=%d acks=%d replayed outcomes=%d " +
            "violations=%d in %ds%n", seed, cycles, ledger.messages, ledger.acks, ledger.replays,
            ledger.violations.size(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs));
        if (journaled)
        {
            System.out.printf("crash recovery (journal): %d kills found a complete checkpoint to restore, %d landed " +
                "while one was being written%n", ledger.killsWithACheckpoint, ledger.killsDuringACheckpoint);
            assertThat(ledger.killsWithACheckpoint).as("starts restored from a checkpoint").isPositive();
            if (cycles >= 100)
            {
                // at a checkpoint every 150 ms or 256 KiB, about one kill in ten lands in one
                assertThat(ledger.killsDuringACheckpoint).as("kills while a checkpoint was written").isPositive();
            }
        }
        assertThat(ledger.violations).isEmpty();
        assertThat(ledger.messages).isPositive();
        assertThat(ledger.acks).isPositive();
    }

    private static void verify(
        final Path dataDir, final File journalFile, final int cycle, final Ledger ledger, final boolean journaled)
    {
        try (Journal journal = new Journal(journalFile, Journal.CAPACITY))
        {
            ledger.finishedThisCycle.clear();
            ledger.read(journal, cycle);

            try (AckTracker tracker = AckTracker.open(CrashWorkload.config(dataDir, journal, journaled)))
            {
                ledger.openAcks.forEach((id, journaledAcks) ->
                {
                    final MessageStatus status = tracker.status(id);
                    final boolean pending = MessageState.PENDING == status.state() ||
                        MessageState.PARTIAL == status.state();
                    if (MessageState.UNKNOWN == status.state())
                    {
                        ledger.violations.add("cycle " + cycle + ": message " + id + " tracked, no outcome, lost");
                    }
                    if (pending && (status.acked() & journaledAcks) != journaledAcks)
                    {
                        ledger.violations.add("cycle " + cycle + ": message " + id + " forgot acks " +
                            Long.toBinaryString(journaledAcks & ~status.acked()));
                    }
                });
                ledger.finishedThisCycle.forEach((id) ->
                {
                    final MessageState state = tracker.status(id).state();
                    if (MessageState.PENDING == state || MessageState.PARTIAL == state)
                    {
                        ledger.violations.add("cycle " + cycle + ": message " + id + " had its outcome, came back " +
                            state);
                    }
                });

                final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                while (System.nanoTime() - deadline < 0 || tracker.agent().doWork() > 0)
                {
                    tracker.agent().doWork();
                }
                ledger.read(journal, cycle);

                ledger.pendingAtLastCheck = tracker.agent().pendingCount();
                ledger.deadLettersAtLastCheck = tracker.counters().value(TrackerCounter.DLQ_SIZE);

                final long[] open = ledger.openAcks.keySet().stream().mapToLong(Long::longValue).toArray();
                for (final long id : open)
                {
                    final MessageState state = tracker.status(id).state();
                    if (MessageState.PENDING != state && MessageState.PARTIAL != state)
                    {
                        ledger.violations.add("cycle " + cycle + ": message " + id + " is " + state +
                            " but its outcome never arrived");
                    }
                }
            }
        }
    }

    private static Process startChild(
        final Path dataDir, final File journal, final long seed, final long firstId, final boolean journaled)
        throws Exception
    {
        final List<String> command = ChildJvm.javaCommand(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1"),
            CrashWorkload.class, dataDir.toString(), journal.toString(), String.valueOf(seed), String.valueOf(firstId),
            String.valueOf(THROTTLE_NS), journaled ? "journal" : "tables");
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}

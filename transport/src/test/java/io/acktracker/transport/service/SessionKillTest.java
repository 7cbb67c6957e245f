package io.acktracker.transport.service;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.testing.ChildJvm;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly once end to end across SIGKILL of the real service: the service (`TrackerServiceMain`, journal store) runs
 * as its own process on an external media driver; a sender with a session tracks messages and a destination acks
 * each one the tracker confirmed applied (again, as a redelivery would make it, while it has no outcome). The
 * service is killed with SIGKILL at random moments and started again from its data directory, over and over. At the
 * end every Track the sender offered was confirmed applied, and its application was told every outcome exactly once.
 * Loopback only (IPC); every loop bounded in count and time; the service is stopped by its own pid.
 * <p>
 * Quick: 5 kills. Long ({@code -Plong}): {@code -Dsession.kills} (default 200).
 */
class SessionKillTest
{
    private static final String NAME = "soak";
    private static final long CYCLE_NS = TimeUnit.MILLISECONDS.toNanos(1500);
    private static final long READY_SECONDS = 60;

    @TempDir
    Path dir;

    private final Long2LongHashMap outcomesSeen = new Long2LongHashMap(0);
    private final Long2LongHashMap sequenceOfMessage = new Long2LongHashMap(0);
    private final List<Long> gapsAfterRestartMs = new ArrayList<>();
    private long replays;

    @Test
    @Timeout(300)
    void shouldTellEveryConfirmedTrackItsOutcomeOnceAcrossKills() throws Exception
    {
        run(5, 3);
    }

    @Test
    @Tag("long")
    @Timeout(4 * 3600)
    void shouldTellEveryConfirmedTrackItsOutcomeOnceAcrossManyKills() throws Exception
    {
        run(Integer.getInteger("session.kills", 200), 11);
    }

    private void run(final int kills, final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final Path data = dir.resolve("data");
        final Path config = Files.writeString(dir.resolve("tracker.yaml"), String.join("\n",
            "name: " + NAME,
            "data:",
            "  dir: " + data,
            "store: journal",
            "checkpoint.interval: 16m",
            "destinations: [a]",
            "capacity: 100000",
            "ack.timeout: 120s",
            "ttl: 600s",
            "driver: external",
            "idle.strategy: backoff"));
        final EmbeddedDriver driver = EmbeddedDriver.launch(EmbeddedDriver.context("sessions")
            .ipcTermBufferLength(1 << 20)
            .publicationTermBufferLength(1 << 20));
        Aeron aeron = null;
        TrackerClient sender = null;
        DestinationClient destination = null;
        Process service = null;
        try
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            sender = new TrackerClient(aeron, Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_INBOUND_STREAM_ID,
                Protocol.DEFAULT_CHANNEL, Protocol.DEFAULT_OUTBOUND_STREAM_ID, new Outcomes(),
                new ClientSession.Settings(ClientSession.Settings.idOf("sender-1"), "sender-1")
                    .maxUnconfirmed(8192)
                    .resendTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)));
            destination = new DestinationClient(aeron, "a", (messageId, outcome, reason, latencyNs, attempts,
                replay) -> { });
            service = start(config, driver);

            final TrackRequest request = new TrackRequest();
            long nextId = 1;
            long lastAckSweepNs = 0;
            for (int cycle = 0; cycle <= kills; cycle++)
            {
                final long restartedNs = System.nanoTime();
                final long firstOutcomesBefore = outcomesSeen.size();
                long gapMs = -1;
                final long cycleEndNs = restartedNs + (long)(CYCLE_NS * (0.3 + random.nextDouble()));
                while (System.nanoTime() - cycleEndNs < 0)
                {
                    // a burst of Tracks, then acks for what the tracker confirmed
                    for (int i = 0; i < 20; i++)
                    {
                        request.reset().messageId(nextId).destinations(0b1);
                        final long sequence = sender.tryTrack(request);
                        if (sequence <= 0)
                        {
                            break;
                        }
                        sequenceOfMessage.put(nextId++, sequence);
                    }
                    if (System.nanoTime() - lastAckSweepNs > TimeUnit.MILLISECONDS.toNanos(200))
                    {
                        lastAckSweepNs = System.nanoTime();
                        ackEveryAppliedWithoutOutcome(sender, destination);
                    }
                    sender.poll(256);
                    destination.poll(256);
                    if (gapMs < 0 && outcomesSeen.size() > firstOutcomesBefore)
                    {
                        gapMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedNs);
                    }
                    Thread.yield();
                }
                if (cycle > 0)
                {
                    gapsAfterRestartMs.add(gapMs);
                }
                if (cycle < kills)
                {
                    kill(service);
                    service = start(config, driver);
                }
            }

            // no new Tracks: everything offered is confirmed and told, or the deadline says what is missing
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() - deadlineNs < 0 &&
                (sender.session().unconfirmed() > 0 || outcomesSeen.size() < sequenceOfMessage.size()))
            {
                if (System.nanoTime() - lastAckSweepNs > TimeUnit.MILLISECONDS.toNanos(200))
                {
                    lastAckSweepNs = System.nanoTime();
                    ackEveryAppliedWithoutOutcome(sender, destination);
                }
                sender.poll(256);
                destination.poll(256);
                Thread.yield();
            }

            final long tracks = sequenceOfMessage.size();
            System.out.printf("session kill test: %d kills, %d Tracks, %d outcomes, %d told again after a restart " +
                "(marked), %d resends, %d first sends deferred, %d binds; first outcome after each restart (ms, from " +
                "the kill's restart): %s%n", kills, tracks, outcomesSeen.size(), replays, sender.session().resends(),
                sender.session().deferredSends(), sender.session().opens(), gapsAfterRestartMs);
            assertThat(tracks).as("Tracks offered").isGreaterThan(kills * 10L);
            assertThat(sender.session().unconfirmed()).as("every Track confirmed applied").isZero();
            final List<Long> missing = new ArrayList<>();
            final List<Long> twice = new ArrayList<>();
            sequenceOfMessage.forEachLong((messageId, sequence) ->
            {
                final long seen = outcomesSeen.get(messageId);
                if (0 == seen)
                {
                    missing.add(messageId);
                }
                else if (seen > 1)
                {
                    twice.add(messageId);
                }
            });
            assertThat(missing).as("confirmed Tracks without an outcome").isEmpty();
            assertThat(twice).as("outcomes told twice").isEmpty();
            assertThat(outcomesSeen.size()).as("outcomes of messages never tracked").isEqualTo(tracks);
        }
        finally
        {
            if (null != service)
            {
                stop(service);
            }
            CloseHelper.closeAll(destination, sender, aeron, driver);
        }
    }

    /** Ack every message whose Track the tracker confirmed and that has no outcome yet (a redelivery would). */
    private void ackEveryAppliedWithoutOutcome(final TrackerClient sender, final DestinationClient destination)
    {
        sequenceOfMessage.forEachLong((messageId, sequence) ->
        {
            if (0 == outcomesSeen.get(messageId) && sender.session().isApplied(sequence))
            {
                destination.publisher().tryAck(messageId);
            }
        });
    }

    private Process start(final Path config, final EmbeddedDriver driver) throws Exception
    {
        final Process process = new ProcessBuilder(ChildJvm.javaCommand(
            List.of("-Daeron.dir=" + driver.aeronDirectoryName()), TrackerServiceMain.class, "--config=" + config))
            .redirectErrorStream(true).start();
        final CompletableFuture<String> ready = new CompletableFuture<>();
        final List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = lines.readLine()))
                {
                    if (output.size() < 200)
                    {
                        output.add(line);
                    }
                    if (line.startsWith("acktracker '" + NAME + "' running"))
                    {
                        ready.complete(line);
                    }
                    else if (!ready.isDone() && line.startsWith("acktracker"))
                    {
                        ready.completeExceptionally(new AssertionError(line));
                    }
                }
            }
            catch (final java.io.IOException ex)
            {
                ready.completeExceptionally(ex);
            }
            ready.completeExceptionally(new AssertionError("the service exited before it was running"));
        }, "service-output");
        reader.setDaemon(true);
        reader.start();
        try
        {
            ready.get(READY_SECONDS, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ex)
        {
            stop(process);
            throw new AssertionError("the service did not start: " + output, ex);
        }
        return process;
    }

    private static void kill(final Process service) throws InterruptedException
    {
        // SIGKILL, by the process's own pid
        service.destroyForcibly();
        assertThat(service.waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
    }

    private static void stop(final Process service) throws InterruptedException
    {
        service.destroy();
        if (!service.waitFor(30, TimeUnit.SECONDS))
        {
            service.destroyForcibly();
            service.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The sender's application: counts each outcome it is told. */
    private final class Outcomes implements TrackerClientHandler
    {
        public void onOutcome(
            final long messageId, final Outcome outcome, final FailureReason reason, final long latencyNs,
            final int attempts, final boolean replay)
        {
            outcomesSeen.put(messageId, outcomesSeen.get(messageId) + 1);
            if (replay)
            {
                replays++;
            }
        }
    }
}

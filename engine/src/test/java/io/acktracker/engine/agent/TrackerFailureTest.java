package io.acktracker.engine.agent;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.OutcomeEvent;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.store.StoreLayout;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.acktracker.engine.Trackers.START_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A fault the agent cannot go on from fails the tracker, loudly, instead of leaving a process that accepts commands
 * nothing applies. The second test's fault is real: the pending table's file is truncated under a running tracker,
 * so the agent's next write into a record takes a SIGBUS, which the JVM raises as an {@link InternalError}; in
 * compiled code that error is asynchronous and surfaces wherever the thread next polls (inside the duty cycle or in
 * the runner's loop), which is why the runner's error handler fails the tracker too. Not every SIGBUS becomes an
 * error: one inside Chronicle's segment-lock CAS is a fatal error of the JVM (a crash with an hs_err file), so the
 * test writes only into a record whose slot exists, and the engine's defence against running out of space is to
 * reserve it at open ({@code DiskSpaceTest}), not to survive the SIGBUS. The first test drives the same path with
 * an Error thrown inside a duty cycle, so its assertions on a host-driven tracker are deterministic.
 */
@Timeout(60)
class TrackerFailureTest
{
    @TempDir
    Path temp;

    private final TestClock clock = new TestClock(START_NS);
    private final Trackers.Outcomes outcomes = new Trackers.Outcomes();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    private TrackerConfig config(final Path dir)
    {
        return Trackers.config(clock, outcomes).capacity(4096).dataDir(dir).errorHandler(errors::add);
    }

    @Test
    void shouldFailAHostDrivenTrackerOnAnErrorInItsDutyCycleAndRefuseEverythingAfter() throws Exception
    {
        final Path dir = temp.resolve("data");
        final AckTracker tracker = AckTracker.open(config(dir));
        try
        {
            assertThat(tracker.agent().track(1, 0b11)).isEqualTo(Result.OK);
            // an Error inside a duty cycle, as the JVM raises one for a mapped file that lost its pages
            tracker.runOnAgent((agent) ->
            {
                throw new InternalError("a fault occurred in an unsafe memory access operation (simulated)");
            });
            assertThat(tracker.invoker().invoke()).isZero();

            assertThat(tracker.failure()).isInstanceOf(InternalError.class);
            assertThat(errors).first().isInstanceOf(InternalError.class);
            assertThat(tracker.counters().value(TrackerCounter.TRACKER_FAILED)).isEqualTo(1);
            assertThat(tracker.invoker().isRunning()).as("the invoker stopped").isFalse();

            // every way in refuses, and each refusal is counted
            assertThat(tracker.agent().track(3, 0b1)).isEqualTo(Result.TRACKER_FAILED);
            assertThat(tracker.agent().recordAck(1, 0)).isEqualTo(Result.TRACKER_FAILED);
            assertThat(tracker.offerTrack(4, 0b1)).isEqualTo(Result.TRACKER_FAILED);
            assertThat(tracker.offerAck(1, 1)).isEqualTo(Result.TRACKER_FAILED);
            final CompletableFuture<OutcomeEvent> async = tracker.trackAsync(new TrackRequest().messageId(5)
                .destinations(0b1));
            assertThatThrownBy(() -> async.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("TRACKER_FAILED");
            assertThat(tracker.counters().value(TrackerCounter.REFUSED_TRACKER_FAILED)).isEqualTo(5);
            assertThatThrownBy(() -> tracker.agent().doWork()).isInstanceOf(AgentTerminationException.class)
                .hasMessageContaining("stopped on a fault");
            assertThatThrownBy(() -> tracker.lease(1, 7, 1_000_000_000L).get(5, TimeUnit.SECONDS))
                .hasMessageContaining("stopped on a fault");
        }
        finally
        {
            tracker.close();
        }
        assertThat(dir.resolve(StoreLayout.CLEAN_MARKER)).as("a failed tracker is not a clean stop").doesNotExist();
    }

    @Test
    void shouldStopTheAgentThreadAndFailWaitersWhenAQueuedCommandFaults() throws Exception
    {
        final Path dir = temp.resolve("data");
        final AckTracker tracker = AckTracker.launch(config(dir).idleStrategy(new SleepingMillisIdleStrategy(1)));
        try
        {
            final CompletableFuture<OutcomeEvent> first = tracker.trackAsync(new TrackRequest().messageId(1)
                .destinations(0b11));
            assertThat(waitUntil(() -> tracker.counters().value(TrackerCounter.TRACKED) == 1)).isTrue();
            truncate(dir.resolve(StoreLayout.PENDING_FILE));

            assertThat(tracker.offerAck(1, 0)).isEqualTo(Result.QUEUED);
            assertThat(waitUntil(() -> null != tracker.failure())).as("the agent failed; errors %s, counters %s",
                errors, tracker.counters().values()).isTrue();

            assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("stopped on a fault");
            assertThat(tracker.offerAck(1, 1)).isEqualTo(Result.TRACKER_FAILED);
            final long cycles = tracker.counters().value(TrackerCounter.DUTY_CYCLES);
            assertThat(waitUntil(() -> false, 200)).isFalse();
            assertThat(tracker.counters().value(TrackerCounter.DUTY_CYCLES)).as("the agent thread stopped")
                .isEqualTo(cycles);
        }
        finally
        {
            tracker.close();
        }
        // interpreted code raises the SIGBUS at the read; compiled code reads zeros (the error comes later, if ever),
        // which the record's id check turns into a failure at once: either way the fault is loud
        assertThat(errors).anyMatch((ex) -> ex instanceof InternalError ||
            String.valueOf(ex.getMessage()).contains("pending table was damaged under the running tracker"));
        assertThat(dir.resolve(StoreLayout.CLEAN_MARKER)).doesNotExist();
    }

    @Test
    void shouldRecoverFromTheFilesAfterAFailureOnceTheCauseIsGone() throws Exception
    {
        final Path dir = temp.resolve("data");
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            tracker.agent().track(1, 0b1);
            // a fault that does not damage the files: the agent fails on an Error from its own thread
            tracker.runOnAgent((agent) ->
            {
                throw new OutOfMemoryError("simulated: what the JVM throws when the heap is gone");
            });
            assertThatThrownBy(() -> tracker.agent().doWork()).isInstanceOf(AgentTerminationException.class);
            assertThat(tracker.failure()).isInstanceOf(OutOfMemoryError.class);
        }
        assertThat(Files.exists(dir.resolve(StoreLayout.CLEAN_MARKER))).isFalse();

        errors.clear();
        try (AckTracker tracker = AckTracker.open(config(dir)))
        {
            assertThat(tracker.failure()).isNull();
            assertThat(tracker.agent().pendingCount()).isEqualTo(1);
            assertThat(tracker.agent().recordAck(1, 0)).isEqualTo(Result.COMPLETED);
        }
        assertThat(errors).isEmpty();
    }

    private static void truncate(final Path file) throws Exception
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(0);
        }
    }

    private static boolean waitUntil(final java.util.function.BooleanSupplier condition)
    {
        return waitUntil(condition, 10_000);
    }

    private static boolean waitUntil(final java.util.function.BooleanSupplier condition, final long millis)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - deadline < 0)
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }
}

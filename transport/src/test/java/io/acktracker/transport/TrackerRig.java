package io.acktracker.transport;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.OutcomeListener;
import io.acktracker.engine.api.TrackerConfig;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;

import java.io.File;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real embedded media driver (unique directory, deleted on close), an Aeron client, and a host-driven tracker
 * with the Aeron transport, all driven by the test thread: {@link #awaitUntil} runs the tracker's duty cycle (and
 * any client work) until a condition holds or a generous deadline passes.
 */
final class TrackerRig implements AutoCloseable
{
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);

    final EmbeddedDriver driver;
    final Aeron aeron;
    final AeronTransport transport;
    final AckTracker tracker;
    final List<Seen> outcomes = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    record Seen(long messageId, Outcome outcome, FailureReason reason)
    {
    }

    TrackerRig(
        final Consumer<MediaDriver.Context> driverSettings,
        final Consumer<TransportConfig> transportSettings,
        final Consumer<TrackerConfig> trackerSettings)
    {
        final MediaDriver.Context driverContext = EmbeddedDriver.context("test")
            .ipcTermBufferLength(64 * 1024)
            .publicationTermBufferLength(64 * 1024)
            .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100))
            .imageLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(2));
        driverSettings.accept(driverContext);
        EmbeddedDriver driver = null;
        Aeron aeron = null;
        AeronTransport transport = null;
        try
        {
            driver = EmbeddedDriver.launch(driverContext);
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            final TransportConfig transportConfig = new TransportConfig().aeron(aeron).closeDrainTimeoutNs(0);
            transportSettings.accept(transportConfig);
            transport = new AeronTransport(transportConfig);
            final OutcomeListener listener = this::onOutcome;
            final TrackerConfig trackerConfig = new TrackerConfig()
                .capacity(16 * 1024)
                .destinations("a", "b", "c", "d")
                .outcomeListener(listener)
                .extension(transport)
                .errorHandler(errors::add);
            trackerSettings.accept(trackerConfig);
            tracker = AckTracker.open(trackerConfig);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(transport, aeron, driver);
            throw ex;
        }
        this.driver = driver;
        this.aeron = aeron;
        this.transport = transport;
    }

    static TrackerRig ipc()
    {
        return new TrackerRig((driver) -> {}, (transport) -> {}, (tracker) -> {});
    }

    private void onOutcome(
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts,
        final boolean replay)
    {
        outcomes.add(new Seen(messageId, outcome, reason));
    }

    /**
     * One tracker duty cycle.
     *
     * @return work done.
     */
    int doWork()
    {
        return tracker.invoker().invoke();
    }

    /**
     * Drive the tracker (and {@code work}) until the condition holds; fails after the deadline.
     */
    void awaitUntil(final String what, final BooleanSupplier condition, final Runnable work)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for: " + what);
            }
            final int workCount = doWork();
            work.run();
            if (0 == workCount)
            {
                Thread.yield();
            }
        }
    }

    void awaitUntil(final String what, final BooleanSupplier condition)
    {
        awaitUntil(what, condition, () -> {});
    }

    long counter(final TransportCounter counter)
    {
        return transport.counters().value(counter);
    }

    public void close()
    {
        CloseHelper.closeAll(tracker, transport, aeron, driver);
        assertThat(new File(driver.aeronDirectoryName())).doesNotExist();
        assertThat(errors).isEmpty();
    }
}

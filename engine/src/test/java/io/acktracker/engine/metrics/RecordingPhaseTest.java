package io.acktracker.engine.metrics;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Recorders sharing one {@link RecordingPhase}: values written plainly inside batches reach the readers exactly once
 * whatever the readers do meanwhile, and a read from inside the writer's own batch neither waits for itself nor
 * loses values.
 */
class RecordingPhaseTest
{
    private static final int BATCHES = 20_000;
    private static final int VALUES_PER_BATCH = 50;

    @Test
    void shouldLoseNoValueWhileReadersSwapTheHistogramsUnderTheWriter() throws Exception
    {
        final RecordingPhase phase = new RecordingPhase();
        final LatencyRecorder first = new LatencyRecorder(phase);
        final LatencyRecorder second = new LatencyRecorder(1_000, 2, phase);
        final AtomicBoolean writing = new AtomicBoolean(true);
        final AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        final CountDownLatch readerStarted = new CountDownLatch(1);
        final Thread reader = new Thread(() ->
        {
            try
            {
                readerStarted.countDown();
                long lastCount = 0;
                // bounded: the writer's batches are finite, and each read waits at most for the batch in flight
                for (int i = 0; i < 1_000_000 && writing.get(); i++)
                {
                    final long count = first.summary().count();
                    assertThat(count).isGreaterThanOrEqualTo(lastCount);
                    lastCount = count;
                    second.intervalHistogram();
                }
            }
            catch (final Throwable ex)
            {
                readerFailure.set(ex);
            }
        }, "recorder-reader");
        reader.start();
        readerStarted.await();

        assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
        {
            for (int batch = 0; batch < BATCHES; batch++)
            {
                phase.begin();
                try
                {
                    for (int i = 1; i <= VALUES_PER_BATCH; i++)
                    {
                        first.record(i * 100L);
                        second.record(i * 10_000L);
                    }
                    if (batch % 7 == 0)
                    {
                        // as around an outcome listener: values in between enter the phaser on their own
                        final int suspended = phase.suspend();
                        first.record(1);
                        phase.resume(suspended);
                    }
                }
                finally
                {
                    phase.end();
                }
            }
            // and outside any batch
            first.record(2);
        });
        writing.set(false);
        reader.join(60_000);
        assertThat(reader.isAlive()).isFalse();
        assertThat(readerFailure.get()).isNull();

        final long suspendedValues = (BATCHES + 6) / 7;
        assertThat(first.summary().count()).isEqualTo((long)BATCHES * VALUES_PER_BATCH + suspendedValues + 1);
        assertThat(first.totalHistogram().getTotalCount()).isEqualTo(first.summary().count());
        assertThat(second.totalHistogram().getTotalCount()).isEqualTo((long)BATCHES * VALUES_PER_BATCH);
    }

    @Test
    void shouldAnswerAReadFromInsideTheWritersOwnBatchWithoutWaitingForIt()
    {
        final RecordingPhase phase = new RecordingPhase();
        final LatencyRecorder recorder = new LatencyRecorder(phase);
        recorder.record(5);
        assertThat(recorder.summary().count()).isEqualTo(1);

        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
        {
            phase.begin();
            try
            {
                recorder.record(7);
                // inside the batch: what earlier reads took, nothing lost
                assertThat(recorder.summary().count()).isEqualTo(1);
                phase.begin();
                recorder.record(8);
                phase.end();
            }
            finally
            {
                phase.end();
            }
        });
        assertThat(recorder.summary().count()).isEqualTo(3);
        assertThat(recorder.intervalHistogram().getTotalCount()).isEqualTo(3);
    }
}

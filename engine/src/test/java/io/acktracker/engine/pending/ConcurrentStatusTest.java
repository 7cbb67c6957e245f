package io.acktracker.engine.pending;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.MessageStatus;
import io.acktracker.engine.record.PendingRecord;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reader on another thread copies records while the agent updates them in place: the sequence lock must make
 * every copy it accepts consistent. The agent writes the destination set and the acked set together, always equal,
 * so a torn copy would show them different.
 */
class ConcurrentStatusTest
{
    @Test
    void shouldNeverReturnATornRecordToAnotherThread() throws Exception
    {
        final TestClock clock = new TestClock(Trackers.START_NS);
        try (AckTracker tracker = AckTracker.open(Trackers.config(clock, new Trackers.Outcomes())))
        {
            tracker.agent().track(1, 0b1111);
            final Records records = tracker.agent().records();
            final PendingRecord record = new PendingRecord().wrap(records.address(records.slotOf(1)));

            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong reads = new AtomicLong();
            final AtomicReference<String> torn = new AtomicReference<>();
            final Thread reader = new Thread(() ->
            {
                while (!stop.get())
                {
                    final MessageStatus status = tracker.status(1);
                    if (status.createdNs() != status.deadlineNs())
                    {
                        torn.compareAndSet(null, "created " + status.createdNs() + " deadline " + status.deadlineNs());
                    }
                    reads.incrementAndGet();
                }
            });

            record.beginWrite();
            record.deadlineNs(record.createdNs());
            record.endWrite();
            reader.start();
            for (long i = 0; i < 2_000_000 && null == torn.get(); i++)
            {
                record.beginWrite();
                record.createdNs(i);
                record.deadlineNs(i);
                record.endWrite();
            }
            stop.set(true);
            reader.join();
            assertThat(torn.get()).isNull();
            assertThat(reads.get()).isPositive();
        }
    }
}

package io.acktracker.tools;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member asks for a snapshot while it leads once the interval has passed since the cluster's last snapshot, even
 * when it became the leader a moment ago: leaders killed every 20 s with a 60 s interval must still take snapshots.
 */
class SnapshotScheduleTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void shouldAskAsSoonAsItLeadsWhenTheClustersLastSnapshotIsOlderThanTheInterval()
    {
        final SnapshotSchedule schedule = new SnapshotSchedule(60 * SECOND, 0, 0);
        assertThat(schedule.due(59 * SECOND, true, 0)).isFalse();
        assertThat(schedule.due(61 * SECOND, false, 0)).as("a follower never asks").isFalse();

        // it has followed for 61 s without a snapshot, and leads from now: it asks at once
        assertThat(schedule.due(61 * SECOND, true, 0)).isTrue();
        schedule.asked(61 * SECOND);
        assertThat(schedule.due(62 * SECOND, true, 0)).as("asked: not again at once").isFalse();

        // the snapshot is taken (every member counts it): the interval runs from then, whoever leads
        assertThat(schedule.due(63 * SECOND, false, 1)).isFalse();
        assertThat(schedule.due(122 * SECOND, true, 1)).isFalse();
        assertThat(schedule.due(123 * SECOND, true, 1)).isTrue();
    }
}

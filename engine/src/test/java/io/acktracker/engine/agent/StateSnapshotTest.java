package io.acktracker.engine.agent;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.acktracker.engine.Trackers.START_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A replica's snapshot: a tracker loaded from another's {@link StateSnapshot} in the middle of a random run (pending
 * messages, retries with jitter, expiries, tombstones) reaches the same state and tells the same outcomes as the
 * original under the same commands that follow; a damaged snapshot, or one loaded into a tracker that has already
 * applied commands, is refused.
 */
class StateSnapshotTest
{
    private final List<AckTracker> opened = new ArrayList<>();

    @AfterEach
    void close()
    {
        opened.forEach(AckTracker::close);
    }

    private AckTracker open(final TestClock clock, final Trackers.Outcomes outcomes)
    {
        final TrackerConfig config = Trackers.config(clock, outcomes).defaultMaxAttempts(3)
            .earlyAckWindowNs(1_000_000_000L);
        final AckTracker tracker = AckTracker.open(config);
        opened.add(tracker);
        return tracker;
    }

    @Test
    void shouldContinueExactlyAsTheOriginalAfterLoadingItsSnapshot()
    {
        final TestClock originalClock = new TestClock(START_NS);
        final Trackers.Outcomes originalOutcomes = new Trackers.Outcomes();
        final TrackerAgent original = open(originalClock, originalOutcomes).agent();
        final SplittableRandom random = new SplittableRandom(7);
        for (int step = 0; step < 1_000; step++)
        {
            apply(original, originalClock, random);
        }

        final ImageWriter snapshot = new ImageWriter(1 << 16);
        StateSnapshot.write(original, snapshot);
        final TestClock replicaClock = new TestClock(originalClock.nanoTime());
        final Trackers.Outcomes replicaOutcomes = new Trackers.Outcomes();
        final TrackerAgent replica = open(replicaClock, replicaOutcomes).agent();
        StateSnapshot.load(replica, snapshot.buffer(), 0, snapshot.length());
        assertThat(image(replica).firstDifference(image(original))).isNull();

        final int toldBefore = originalOutcomes.count();
        final long seed = random.nextLong();
        final SplittableRandom originalSteps = new SplittableRandom(seed);
        final SplittableRandom replicaSteps = new SplittableRandom(seed);
        for (int step = 0; step < 1_000; step++)
        {
            apply(original, originalClock, originalSteps);
            apply(replica, replicaClock, replicaSteps);
            if (step % 100 == 0 || step == 999)
            {
                assertThat(image(replica).firstDifference(image(original))).as("after step %d", step).isNull();
            }
        }
        assertThat(replicaOutcomes.seen).isEqualTo(originalOutcomes.seen.subList(toldBefore,
            originalOutcomes.count()));
        assertThat(replicaOutcomes.count()).isPositive();
    }

    @Test
    void shouldRefuseADamagedSnapshotOrATrackerThatAppliedCommands()
    {
        final TestClock clock = new TestClock(START_NS);
        final TrackerAgent original = open(clock, new Trackers.Outcomes()).agent();
        original.track(1, 0b11);
        final ImageWriter snapshot = new ImageWriter(1 << 16);
        StateSnapshot.write(original, snapshot);

        final TrackerAgent used = open(clock, new Trackers.Outcomes()).agent();
        used.track(2, 0b1);
        assertThatThrownBy(() -> StateSnapshot.load(used, snapshot.buffer(), 0, snapshot.length()))
            .isInstanceOf(TrackerException.class).hasMessageContaining("fresh tracker");

        final TrackerAgent fresh = open(clock, new Trackers.Outcomes()).agent();
        assertThatThrownBy(() -> StateSnapshot.load(fresh, snapshot.buffer(), 0, snapshot.length() - 1))
            .isInstanceOf(TrackerException.class).hasMessageContaining("damaged");
    }

    /** One random command or a passage of time, the same for both trackers when their generators are. */
    private static void apply(final TrackerAgent agent, final TestClock clock, final SplittableRandom random)
    {
        final long id = 1 + random.nextInt(500);
        final int roll = random.nextInt(10);
        if (roll < 4)
        {
            agent.track(id, 1 + random.nextInt(15));
        }
        else if (roll < 7)
        {
            agent.recordAck(id, random.nextInt(4));
        }
        else if (roll < 8)
        {
            agent.recordNack(id, random.nextInt(4));
        }
        else
        {
            clock.advanceMs(random.nextInt(400));
        }
        agent.doWork();
    }

    private static StateImage image(final TrackerAgent agent)
    {
        final StateImage image = new StateImage();
        agent.appendState(image);
        return image;
    }
}

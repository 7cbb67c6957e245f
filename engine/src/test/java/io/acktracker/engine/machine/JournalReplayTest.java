package io.acktracker.engine.machine;

import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.CommandJournal;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.journal.JournalConfig;
import io.acktracker.engine.journal.JournalReader;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.machine.DeterminismTest.Engine;
import io.acktracker.engine.machine.DeterminismTest.Op;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.testing.Property;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A journaled engine rebuilds, at each start, exactly the state it had when it stopped, and then behaves exactly as
 * an engine that never stopped: random sequences of every kind of command (those of {@link DeterminismTest}) go to
 * an in-memory reference engine and to an engine with a journal (fed through the synchronous API, or through the
 * command queue where there is a queued way in) that is closed and opened again, replaying its
 * journal, two to four times per sequence. Time passes one millisecond per duty cycle in both, so most ticks are
 * idle ticks at a moving time, which the journal leaves out: the replay proves leaving them out changes nothing
 * but the clock, which the first tick after the start moves to where it was.
 * <ul>
 *     <li>after every step: the same result, the same state image, the same effects;</li>
 *     <li>at each restart: the state image after the replay equals the image before the stop.</li>
 * </ul>
 */
class JournalReplayTest
{
    @Test
    void shouldRebuildTheStateBeforeEachRestartAndThenBehaveAsIfNeverStopped()
    {
        Property.forAll(DeterminismTest.ops()).tries(40).check((ops) -> run(ops, false));
    }

    @Test
    void shouldRebuildTheStateOfCommandsThatCameThroughTheQueue()
    {
        Property.forAll(DeterminismTest.ops()).tries(30).check((ops) -> run(ops, true));
    }

    @Test
    @Tag("long")
    void shouldRebuildTheStateBeforeEachRestartAndThenBehaveAsIfNeverStoppedLong()
    {
        Property.forAll(DeterminismTest.ops()).tries(1_000).check((ops) -> run(ops, false));
        Property.forAll(DeterminismTest.ops()).tries(1_000).check((ops) -> run(ops, true));
    }

    private static void run(final List<Op> ops, final boolean queued)
    {
        final Path dir = tempDir();
        final TestClock clock = new TestClock(Trackers.START_NS);
        final int restartEvery = Math.max(10, ops.size() / 3);
        Engine journaled = new Engine(queued, dir, clock, true, (config) -> config.checkpointAtClose(false));
        try (Engine reference = new Engine(false, null, new TestClock(Trackers.START_NS), true))
        {
            int referenceEffectsFrom = 0;
            int restarts = 0;
            int step = 0;
            for (final Op op : ops)
            {
                final String where = "step " + step + " " + op + " after " + restarts + " restarts";
                final Result expected = reference.apply(op);
                assertThat(journaled.apply(op)).as(where).isEqualTo(expected);
                reference.assertIdleTickChangesNothing(where);
                journaled.assertIdleTickChangesNothing(where);

                final StateImage image = reference.image();
                assertThat(image.firstDifference(journaled.image())).as(where).isNull();
                final byte[] referenceEffects = queued ? reference.effectsWithoutRefusals() : reference.effects();
                assertThat(queued ? journaled.effectsWithoutRefusals() : journaled.effects())
                    .as(where + " effects")
                    .isEqualTo(Arrays.copyOfRange(referenceEffects, referenceEffectsFrom, referenceEffects.length));

                if (++step % restartEvery == 0)
                {
                    final StateImage before = journaled.image();
                    final Engine stopped = journaled;
                    stopped.close();
                    journaled = new Engine(queued, dir, clock, true, (config) -> config.checkpointAtClose(false));
                    journaled.keepHandles(stopped);
                    // the replay ends at the last command the journal holds; the idle ticks after it moved only the
                    // clock, which the first duty cycle (RESTARTED, then an idle tick) moves to the same time
                    journaled.assertIdleTickChangesNothing(where + ", restarted");
                    assertThat(before.firstDifference(journaled.image()))
                        .as(where + ": the state replayed from the journal").isNull();
                    referenceEffectsFrom = referenceEffects.length;
                    restarts++;
                }
            }
            journaled.close();
            assertIdleTicksLeftOut(dir, reference.tracker().counters().values().get(TrackerCounter.DUTY_CYCLES));
        }
        finally
        {
            journaled.close();
            delete(dir);
        }
    }

    /** Most duty cycles end in an idle tick: the journal holds far fewer ticks than there were cycles. */
    private static void assertIdleTicksLeftOut(final Path dir, final long dutyCycles)
    {
        final long[] ticks = new long[2];
        final JournalConfig config =
            new JournalConfig().directory(dir.resolve(CommandJournal.DIRECTORY)).segmentLength(64 * 1024);
        final JournalReader reader = JournalReader.open(config);
        reader.replay(reader.startPosition(),
            (type, timestampNs, clientId, clientSequence, buffer, offset, length, position) ->
            {
                ticks[0] += CommandLayout.TICK == type ? 1 : 0;
                ticks[1]++;
            });
        assertThat(ticks[1]).as("frames").isPositive();
        assertThat(ticks[0]).as("ticks journaled of " + dutyCycles + " duty cycles").isLessThan(dutyCycles / 2);
    }

    private static Path tempDir()
    {
        try
        {
            return Files.createTempDirectory("journal-replay");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void delete(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}

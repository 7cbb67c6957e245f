package io.acktracker.engine.machine;

import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.machine.DeterminismTest.Engine;
import io.acktracker.engine.machine.DeterminismTest.Op;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A child JVM for {@link JournaledEngineKillTest}: a journaled engine (the {@link DeterminismTest} engine, on a test
 * clock that moves a millisecond per duty cycle) fed random sequences of every kind of command until it is killed,
 * taking a checkpoint after one command in ten (so kills land in checkpoints too, and old segments are deleted).
 * After each command, once the engine is idle, it appends one line to a report file: the journal position, the
 * clock and a hash of the exact state image at that point. The report is written without a sync: a kill leaves
 * the page cache, and so every line, to the parent.
 * <p>
 * Arguments: data directory, seed, report file.
 */
public final class JournaledOpsChild
{
    private JournaledOpsChild()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path dataDir = Path.of(args[0]);
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
        final TestClock clock = new TestClock(Trackers.START_NS);
        try (FileOutputStream report = new FileOutputStream(args[2], true);
            Engine engine = new Engine(false, dataDir, clock, true))
        {
            System.out.println("READY");
            System.out.flush();
            long step = 0;
            while (true)
            {
                final List<Op> ops = DeterminismTest.ops().next(random);
                for (final Op op : ops)
                {
                    engine.apply(op);
                    engine.assertIdleTickChangesNothing("step " + step++);
                    if (random.nextInt(10) == 0)
                    {
                        // a checkpoint at exactly the position reported next (the cycle taking it is idle)
                        engine.tracker().agent().requestCheckpoint();
                        engine.tracker().agent().doWork();
                    }
                    final String line = engine.tracker().journalStatus().appendPosition() + " " + clock.nanoTime() +
                        " " + JournaledEngineKillTest.hash(engine.image()) + "\n";
                    report.write(line.getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
    }
}

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TrackerConfig;

/** Cost of an idle duty cycle with N failed messages held for dead-letter room (the queue holds 1). */
public class HeldIdle
{
    public static void main(final String[] args)
    {
        final int held = Integer.parseInt(args[0]);
        final TrackerConfig config = new TrackerConfig().capacity(held + 16).tombstoneCapacity(16).dlqCapacity(1)
            .destinations("a").recordAttemptHistory(false).recordServiceTime(false);
        try (AckTracker tracker = AckTracker.open(config))
        {
            for (long id = 0; id <= held; id++)
            {
                tracker.agent().track(id, 1);
                tracker.agent().recordReject(id, 0, 7);
            }
            for (int i = 0; i < 2_000; i++)
            {
                tracker.agent().doWork();
            }
            final int cycles = held >= 100_000 ? 200 : 20_000;
            final long start = System.nanoTime();
            for (int i = 0; i < cycles; i++)
            {
                tracker.agent().doWork();
            }
            final double ns = (double)(System.nanoTime() - start) / cycles;
            System.out.printf("held %,d: idle duty cycle %,.0f ns (mean of %,d)%n", held, ns, cycles);
        }
    }
}

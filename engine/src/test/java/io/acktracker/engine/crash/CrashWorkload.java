package io.acktracker.engine.crash;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;

import java.io.File;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The child process of the crash test: a persisted tracker under load through its real API (tracks, acks, nacks,
 * rejects, cumulative acks, timeouts and retries on the real clock), journaling what it did and the outcomes it saw
 * until it is killed.
 */
public final class CrashWorkload
{
    static final int DESTINATIONS = 4;

    private CrashWorkload()
    {
    }

    static TrackerConfig config(final Path dataDir, final Journal journal, final boolean journaled)
    {
        return new TrackerConfig()
            .dataDir(dataDir)
            .journal(journaled)
            // small segments: a kill often lands during a rollover or while the helper prepares the next segment
            .journalSegmentLength(1024 * 1024)
            // frequent checkpoints: a cycle lives 0.1-1 s, so many kills land while one is copied or written, and
            // every start restores one and replays only the journal after it
            .checkpointIntervalBytes(256 * 1024)
            .checkpointIntervalNs(TimeUnit.MILLISECONDS.toNanos(150))
            .capacity(200_000)
            .tombstoneCapacity(50_000)
            .tombstoneWindowNs(TimeUnit.MILLISECONDS.toNanos(300))
            .defaultAckTimeoutNs(TimeUnit.MILLISECONDS.toNanos(150))
            .defaultTtlNs(TimeUnit.MILLISECONDS.toNanos(1_500))
            .defaultMaxAttempts(3)
            // dead letters retire after 5 s, so a thousand cycles keep tracking at full rate instead of filling the
            // 100k dead-letter queue and then the table with the failures it holds (both refusals are tested alone)
            .dlqRetentionNs(TimeUnit.SECONDS.toNanos(5))
            .defaultBackoff(Backoff.exponential(TimeUnit.MILLISECONDS.toNanos(20), 2, TimeUnit.MILLISECONDS.toNanos(200)))
            .destinations("d0", "d1", "d2", "d3")
            .errorHandler(Throwable::printStackTrace)
            .outcomeListener((id, outcome, reason, latencyNs, attempts, replay) ->
                journal.append(Journal.OUTCOME, replay ? 1 : 0, id, outcome.ordinal(), reason.ordinal()));
    }

    public static void main(final String[] args)
    {
        final Path dataDir = Path.of(args[0]);
        final long seed = Long.parseLong(args[2]);
        final long firstId = Long.parseLong(args[3]);
        final long throttleNs = args.length > 4 ? Long.parseLong(args[4]) : 0;
        final boolean journaled = args.length > 5 && "journal".equals(args[5]);
        try (Journal journal = new Journal(new File(args[1]), Journal.CAPACITY);
            AckTracker tracker = AckTracker.open(config(dataDir, journal, journaled)))
        {
            final TrackerAgent agent = tracker.agent();
            final SplittableRandom random = new SplittableRandom(seed);
            final TrackRequest request = new TrackRequest();
            final long[] live = new long[4096];
            int liveCount = 0;
            long nextId = firstId;
            System.out.println("READY");
            System.out.flush();

            while (true)
            {
                for (int i = 0; i < 8; i++)
                {
                    final long id = nextId++;
                    final long destinations = 1 + random.nextLong((1L << DESTINATIONS) - 1);
                    final int required = 1 + random.nextInt(Long.bitCount(destinations));
                    request.reset().messageId(id).destinations(destinations).requiredAcks(required);
                    if (random.nextInt(4) == 0)
                    {
                        request.stream(7, id);
                    }
                    if (Result.OK == agent.track(request))
                    {
                        journal.append(Journal.TRACK, 0, id, destinations, required);
                        if (liveCount < live.length)
                        {
                            live[liveCount++] = id;
                        }
                        else
                        {
                            live[random.nextInt(live.length)] = id;
                        }
                    }
                }

                for (int i = 0; i < 12 && liveCount > 0; i++)
                {
                    final long id = live[random.nextInt(liveCount)];
                    final int destination = random.nextInt(DESTINATIONS);
                    final int action = random.nextInt(100);
                    if (action < 85)
                    {
                        final Result result = agent.recordAck(id, destination);
                        if (Result.OK == result || Result.COMPLETED == result)
                        {
                            journal.append(Journal.ACK, 0, id, destination, 0);
                        }
                    }
                    else if (action < 97)
                    {
                        agent.recordNack(id, destination);
                    }
                    else if (action < 98)
                    {
                        agent.recordReject(id, destination, 13);
                    }
                    else
                    {
                        agent.recordCumulativeAck(7, destination, id - random.nextInt(50));
                    }
                }
                agent.doWork();
                if (throttleNs > 0)
                {
                    final long until = System.nanoTime() + throttleNs;
                    while (System.nanoTime() - until < 0)
                    {
                        agent.doWork();
                    }
                }
            }
        }
    }
}

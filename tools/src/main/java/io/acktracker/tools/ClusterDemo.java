package io.acktracker.tools;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.tools.FailoverReport.Kill;
import io.acktracker.transport.EmbeddedDriver;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.client.TrackerLinkSettings;
import io.aeron.Aeron;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayQueue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code acktracker demo --cluster}: three members of a replicated tracker on this host, each a process of its own
 * ({@link ClusterMembers}), a sender and two destinations as clients with sessions over the cluster's ingress and
 * egress (the same helpers as over plain Aeron, switched by their link settings). Tracks go at a fixed rate, each
 * needing both destinations' acks; a destination acks a Track once the sender's session says it was applied. Part
 * way (or {@code --kills} times, evenly spread) the leader's process is SIGKILLed and started again from its
 * directory. At the end, with no new Tracks, it waits (bounded) for the outcome of every Track the cluster confirmed,
 * and prints for each kill how long the election took and how long no completion came, then the reconciliation:
 * every confirmed Track told its outcome once, none lost, none twice.
 * <p>
 * Threading: the command's thread runs the clients' duty cycle; each member's output is read by a thread of its own.
 */
final class ClusterDemo
{
    private static final long PROGRESS_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(90);
    /** Aeron's mark-file liveness timeout (10 s) and a margin: how long after its kill a member starts again. */
    private static final long MARK_FILE_AGE_NS = TimeUnit.SECONDS.toNanos(11);
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long MESSAGE_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(10);

    private final PrintWriter out;
    private final int rate;
    private final long durationNs;
    private final int kills;
    /** A member's process ended by itself, or was not back long after a kill: the run fails. */
    private boolean memberTrouble;
    private final long leaderTimeoutNs;
    private final Path keepDir;

    /** Per Track id: how many outcomes the sender was told (ids 1..sent). */
    private int[] told;
    private final Long2LongHashMap sentAtNs = new Long2LongHashMap(0);
    private final Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
    private long outcomes;
    private long lastCompletionNs;
    private long notCompleted;
    /** Per Track id: its session sequence; the Tracks the cluster confirmed run 1..confirmedThrough. */
    private long[] sequences;
    private long nextId = 1;
    private long confirmedThrough;

    ClusterDemo(
        final PrintWriter out, final int rate, final long durationNs, final int kills, final long leaderTimeoutNs,
        final Path keepDir)
    {
        this.out = out;
        this.rate = rate;
        this.durationNs = durationNs;
        this.kills = kills;
        this.leaderTimeoutNs = leaderTimeoutNs;
        this.keepDir = keepDir;
    }

    int run() throws InterruptedException
    {
        final Path dir = directory();
        final int portBase = 30_000 + 1_000 * ThreadLocalRandom.current().nextInt(20);
        final Path config = write(dir.resolve("tracker.yaml"), String.join("\n", "name: cluster-demo",
            "destinations: [a, b]", "capacity: " + Math.max(4096, (long)rate * 60), "max.clients: 8",
            "outbox.capacity: " + powerOfTwoAtLeast(Math.max(4096, (long)rate * 60)), "early.ack.window: 5s", ""));
        final ClusterMembers members = new ClusterMembers(dir, config, portBase, leaderTimeoutNs);
        EmbeddedDriver driver = null;
        Aeron aeron = null;
        TrackerClient sender = null;
        DestinationClient[] destinations = new DestinationClient[0];
        try
        {
            out.printf("cluster demo: 3 members on localhost (ports %d-%d), leader timeout %s; %,d Tracks/s for %s, " +
                "each needing the acks of 2 destinations; the leader SIGKILLed %d time%s%n", portBase + 1,
                portBase + 205, Durations.format(leaderTimeoutNs), rate, Durations.format(durationNs), kills,
                1 == kills ? "" : "s");
            out.flush();
            for (int id = 0; id < ClusterMembers.SIZE; id++)
            {
                members.start(id);
            }
            try
            {
                awaitUntil(() -> members.allRunning() && members.leader() >= 0 || members.anyExited(),
                    START_TIMEOUT_NS, "the members to start and elect a leader");
                if (members.anyExited())
                {
                    throw new TrackerException("cluster demo: a member exited at its start");
                }
            }
            catch (final TrackerException ex)
            {
                throw new TrackerException(ex.getMessage() + "; their last words:" + members.lastLines(5));
            }
            out.printf("members started, member %d leads%n", members.leader());
            out.flush();

            driver = EmbeddedDriver.launch(EmbeddedDriver.context("cluster-demo"));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            final TrackerLinkSettings link = TrackerLinkSettings.cluster(members.ingressEndpoints());
            final LongArrayQueue[] toAck = { new LongArrayQueue(), new LongArrayQueue() };
            sender = new TrackerClient(aeron, link, new SenderHandler(),
                new ClientSession.Settings(ClientSession.Settings.idOf("demo-sender"), "demo-sender")
                    .maxUnconfirmed(Math.max(4096, Integer.highestOneBit(rate) << 1)));
            destinations = new DestinationClient[] {
                new DestinationClient(aeron, link, "a", 0, (id, outcome, reason, latencyNs, attempts, replay) -> { }, null,
                    new ClientSession.Settings(ClientSession.Settings.idOf("demo-a"), "demo-a")),
                new DestinationClient(aeron, link, "b", 1, (id, outcome, reason, latencyNs, attempts, replay) -> { }, null,
                    new ClientSession.Settings(ClientSession.Settings.idOf("demo-b"), "demo-b")) };
            final TrackerClient client = sender;
            final DestinationClient[] acking = destinations;
            awaitUntil(() -> poll(client, acking) >= 0 && client.session().isBound() &&
                acking[0].publisher().session().isBound() && acking[1].publisher().session().isBound(),
                START_TIMEOUT_NS, "the clients' sessions to bind");

            members.markCpu();
            final long clientCpuStartNs = clientCpuNs();
            final long startNs = System.nanoTime();
            final List<Kill> done = drive(members, sender, destinations, toAck);
            drain(sender, destinations, toAck);
            if (!memberTrouble && members.anyExited())
            {
                // a restarted member that could not rejoin fails the run, even when it ended after the last kill
                memberTrouble = true;
                out.printf("a member's process ended by itself; the members' last lines:%s%n", members.lastLines(5));
            }
            final long cpuNs = members.cpuSinceMarkNs();
            final long clientCpuNs = clientCpuNs() - clientCpuStartNs;
            final long wallNs = System.nanoTime() - startNs;
            final int result = report(done, members.leadersElected());
            out.printf("CPU (user + system, as the OS counts it per process): the three members %.1f s in all, " +
                "%,.0f us per completed Track (%.0f%% of a core each on average over %.1f s); this process (the " +
                "clients and their media driver) %.1f s%n", cpuNs / 1e9, outcomes > 0 ? cpuNs / 1e3 / outcomes : 0.0,
                100.0 * cpuNs / ClusterMembers.SIZE / wallNs, wallNs / 1e9, clientCpuNs / 1e9);
            out.flush();
            return result;
        }
        finally
        {
            CloseHelper.quietCloseAll(sender);
            CloseHelper.quietCloseAll(destinations);
            CloseHelper.quietCloseAll(aeron, driver, members);
            if (null == keepDir)
            {
                delete(dir);
            }
        }
    }

    /** Send at the rate for the duration, killing the leader on schedule; returns the kills done. */
    private List<Kill> drive(
        final ClusterMembers members, final TrackerClient sender, final DestinationClient[] destinations,
        final LongArrayQueue[] toAck) throws InterruptedException
    {
        final int total = (int)Math.min(Integer.MAX_VALUE - 1, rate * durationNs / TimeUnit.SECONDS.toNanos(1));
        told = new int[total + 1];
        sequences = new long[total + 1];
        final TrackRequest request = new TrackRequest();
        final List<Kill> done = new ArrayList<>();
        Kill pending = null;
        long killWaitSinceNs = 0;
        int restartMember = -1;
        long restartDueNs = 0;
        final long startNs = System.nanoTime();
        long nextProgressNs = startNs + PROGRESS_NS;
        while (true)
        {
            final long nowNs = System.nanoTime();
            final long elapsedNs = nowNs - startNs;
            if (elapsedNs >= durationNs && (nextId > total || elapsedNs - durationNs > START_TIMEOUT_NS))
            {
                // all sent, or the cluster took no more for a long while after the end: report what there is
                break;
            }
            int work = poll(sender, destinations);
            // Tracks at the rate, as far as the session's window takes them
            final long due = Math.min(total, rate * elapsedNs / TimeUnit.SECONDS.toNanos(1));
            while (nextId <= due)
            {
                final long sequence = sender.tryTrack(request.reset().messageId(nextId).destinations(0b11)
                    .ackTimeoutNs(MESSAGE_TIMEOUT_NS).ttlNs(MESSAGE_TIMEOUT_NS));
                if (sequence <= 0)
                {
                    break;
                }
                sequences[(int)nextId] = sequence;
                sentAtNs.put(nextId, nowNs);
                nextId++;
                work++;
            }
            work += queueConfirmed(sender, toAck);
            work += ack(destinations, toAck);

            // the kill schedule: evenly spread, one at a time, only with all three members up
            final boolean killDue = null == pending && done.size() < kills &&
                elapsedNs >= durationNs * (done.size() + 1) / (kills + 1);
            if (!memberTrouble && (members.anyExited() ||
                killDue && 0 != killWaitSinceNs && nowNs - killWaitSinceNs > START_TIMEOUT_NS))
            {
                // a member that ended by itself, or one not back long after its restart, stops the kills: said
                // once, with every member's last words, and the run fails when it cannot do the kills asked for
                memberTrouble = true;
                out.printf("%5.1f s  %s; the members' last lines:%s%n", elapsedNs / 1e9, members.anyExited() ?
                    "a member's process ended by itself" : "kill " + (done.size() + 1) + " is due but a member " +
                    "has not been back (running and its role said) for " +
                    TimeUnit.NANOSECONDS.toSeconds(START_TIMEOUT_NS) + " s", members.lastLines(5));
                out.flush();
            }
            killWaitSinceNs = killDue && !members.allRunning() ? (0 == killWaitSinceNs ? nowNs : killWaitSinceNs) : 0;
            if (killDue && members.allRunning())
            {
                pending = new Kill();
                pending.member = members.leader();
                if (pending.member >= 0)
                {
                    final long pid = members.pid(pending.member);
                    pending.atNs = System.nanoTime();
                    members.kill(pending.member);
                    out.printf("%5.1f s  member %d (the leader, pid %d) SIGKILLed%n", elapsedNs / 1e9,
                        pending.member, pid);
                    out.flush();
                    // Aeron refuses to start a member over mark files that were active within 10 s: the killed
                    // member starts again once its predecessor's have aged, as a supervisor would have to wait
                    restartMember = pending.member;
                    restartDueNs = System.nanoTime() + MARK_FILE_AGE_NS;
                }
                else
                {
                    pending = null;
                }
            }
            if (restartMember >= 0 && System.nanoTime() - restartDueNs >= 0)
            {
                members.start(restartMember);
                restartMember = -1;
            }
            if (null != pending)
            {
                final int leader = members.leader();
                if (0 == pending.electedNs && leader >= 0 && leader != pending.member)
                {
                    pending.electedNs = System.nanoTime();
                    pending.newLeader = leader;
                }
                // the first completion from the new leader: outcomes already on their way from the dead one when it
                // died arrive before the election and say nothing of the failover
                if (0 != pending.electedNs && 0 == pending.resumedNs && lastCompletionNs - pending.electedNs > 0)
                {
                    pending.resumedNs = lastCompletionNs;
                }
                if (0 != pending.electedNs && 0 != pending.resumedNs)
                {
                    out.printf("%5.1f s  member %d elected %,d ms after the kill; completions resumed after %,d ms%n",
                        (System.nanoTime() - startNs) / 1e9, pending.newLeader,
                        TimeUnit.NANOSECONDS.toMillis(pending.electedNs - pending.atNs),
                        TimeUnit.NANOSECONDS.toMillis(pending.resumedNs - pending.atNs));
                    out.flush();
                    done.add(pending);
                    pending = null;
                }
            }
            if (nowNs - nextProgressNs >= 0)
            {
                nextProgressNs += PROGRESS_NS;
                out.printf("%5.1f s  %,d Tracks sent, %,d confirmed applied, %,d outcomes%n", elapsedNs / 1e9,
                    nextId - 1, confirmedThrough, outcomes);
                out.flush();
            }
            if (0 == work)
            {
                Thread.onSpinWait();
                Thread.yield();
            }
        }
        if (null != pending)
        {
            done.add(pending);
        }
        return done;
    }

    /** Wait (bounded) until every Track taken was confirmed, acked and told its outcome. */
    private void drain(final TrackerClient sender, final DestinationClient[] destinations,
        final LongArrayQueue[] toAck) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final int work = poll(sender, destinations) + queueConfirmed(sender, toAck) + ack(destinations, toAck);
            if (confirmedThrough == nextId - 1 && toAck[0].isEmpty() && toAck[1].isEmpty() && allTold())
            {
                return;
            }
            if (0 == work)
            {
                Thread.sleep(1);
            }
        }
    }

    /** A destination acks a Track once the cluster confirmed it applied (as a real one is sent it after). */
    private int queueConfirmed(final TrackerClient sender, final LongArrayQueue[] toAck)
    {
        int work = 0;
        while (confirmedThrough + 1 < nextId && sender.session().isApplied(sequences[(int)confirmedThrough + 1]))
        {
            confirmedThrough++;
            toAck[0].addLong(confirmedThrough);
            toAck[1].addLong(confirmedThrough);
            work++;
        }
        return work;
    }

    private boolean allTold()
    {
        for (int id = 1; id < nextId; id++)
        {
            if (0 == told[id])
            {
                return false;
            }
        }
        return true;
    }

    private static int poll(final TrackerClient sender, final DestinationClient[] destinations)
    {
        int work = sender.poll(64);
        for (final DestinationClient destination : destinations)
        {
            work += destination.poll(64);
        }
        return work;
    }

    private static int ack(final DestinationClient[] destinations, final LongArrayQueue[] toAck)
    {
        int work = 0;
        for (int d = 0; d < destinations.length; d++)
        {
            while (!toAck[d].isEmpty() && destinations[d].publisher().tryAck(toAck[d].peekLong()) > 0)
            {
                toAck[d].pollLong();
                work++;
            }
        }
        return work;
    }

    private int report(final List<Kill> done, final int leadersElected)
    {
        long missing = 0;
        long twice = 0;
        for (int id = 1; id < nextId; id++)
        {
            missing += 0 == told[id] ? 1 : 0;
            twice += told[id] > 1 ? 1 : 0;
        }
        FailoverReport.print(out, done, leadersElected);
        out.println("Outcomes");
        out.printf("  %,d Tracks sent, %,d confirmed applied by the cluster, %,d outcomes told to the sender%n",
            nextId - 1, confirmedThrough, outcomes);
        out.printf("  %,d without an outcome, %,d told twice, %,d not COMPLETED%n", missing, twice, notCompleted);
        out.printf("  completion latency (Track sent to outcome): p50 %s, p99 %s, p99.9 %s, max %s (n=%,d)%n",
            Durations.format(latency.getValueAtPercentile(50)), Durations.format(latency.getValueAtPercentile(99)),
            Durations.format(latency.getValueAtPercentile(99.9)), Durations.format(latency.getMaxValue()),
            latency.getTotalCount());
        final boolean kept = 0 == missing && 0 == twice;
        out.println(kept ? "Nothing confirmed was lost and every Track ended exactly once." :
            "THE PROMISE WAS BROKEN: see the counts above.");
        if (done.size() < kills)
        {
            // the promise may have held, but not across the failovers asked for: the run did not do its job
            out.printf("ONLY %d OF THE %d KILLS ASKED FOR WERE DONE: a killed member was not back in time (see " +
                "above); a longer --duration gives rejoining members more time%n", done.size(), kills);
        }
        if (memberTrouble)
        {
            out.println("A MEMBER DID NOT COME BACK after its kill (see above)");
        }
        out.flush();
        return kept && done.size() == kills && !memberTrouble ? 0 : 1;
    }

    private final class SenderHandler implements TrackerClientHandler
    {
        public void onOutcome(
            final long messageId,
            final Outcome outcome,
            final FailureReason reason,
            final long latencyNs,
            final int attempts,
            final boolean replay)
        {
            if (messageId > 0 && messageId < told.length)
            {
                told[(int)messageId]++;
                outcomes++;
                final long nowNs = System.nanoTime();
                lastCompletionNs = nowNs;
                notCompleted += Outcome.COMPLETED == outcome ? 0 : 1;
                final long sentNs = sentAtNs.remove(messageId);
                if (0 != sentNs)
                {
                    latency.recordValue(Math.min(latency.getHighestTrackableValue(), nowNs - sentNs));
                }
            }
        }
    }

    private Path directory()
    {
        try
        {
            return null != keepDir ? Files.createDirectories(keepDir) : Files.createTempDirectory("acktracker-cluster");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the cluster's directory", ex);
        }
    }

    private static long clientCpuNs()
    {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    private static long powerOfTwoAtLeast(final long value)
    {
        return Long.highestOneBit(value - 1) << 1;
    }

    private static Path write(final Path file, final String text)
    {
        try
        {
            return Files.writeString(file, text);
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
            // best effort: a temp directory
        }
    }

    private static void awaitUntil(final java.util.function.BooleanSupplier condition, final long timeoutNs,
        final String what) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new TrackerException("cluster demo: timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}

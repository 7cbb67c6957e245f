package io.acktracker.cluster;

import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.TransportCounter;
import io.aeron.cluster.ClusterControl;
import io.aeron.exceptions.AeronException;
import io.aeron.cluster.service.Cluster;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.File;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Three members of a replicated tracker in this JVM, each with its own media driver, archive, consensus module and
 * service, in its own directory, on loopback ports: Aeron's test support is not on Maven Central, so this is the
 * small harness the tests need. A member is stopped (its container, consensus module, archive and driver closed) and
 * started again from its directory; errors of every component are collected.
 */
final class ClusterRig implements AutoCloseable
{
    static final List<String> HOSTS = List.of("localhost", "localhost", "localhost");
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    final int portBase = 20_000 + 1_000 * ThreadLocalRandom.current().nextInt(30);
    final File dir;
    final ClusterNode[] nodes = new ClusterNode[HOSTS.size()];
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final List<Throwable> warnings = new CopyOnWriteArrayList<>();
    private final Supplier<TransportConfig> transport;

    ClusterRig(final File dir)
    {
        this(dir, true);
    }

    /**
     * @param dir    where the members' directories go.
     * @param launch whether to launch the members in this JVM (false: a test runs them as processes).
     */
    ClusterRig(final File dir, final boolean launch)
    {
        this(dir, launch, TransportConfig::new);
    }

    /**
     * @param dir       where the members' directories go.
     * @param launch    whether to launch the members in this JVM (false: a test runs them as processes).
     * @param transport each member's protocol settings (keys, for one), the same on every member.
     */
    ClusterRig(final File dir, final boolean launch, final Supplier<TransportConfig> transport)
    {
        this.dir = dir;
        this.transport = transport;
        for (int id = 0; launch && id < nodes.length; id++)
        {
            start(id);
        }
    }

    static TrackerConfig trackerSettings()
    {
        // acks and tracks come from different clients, merged into the log in no set order: an ack may come first
        return new TrackerConfig().capacity(4096).destinations("a", "b").randomSeed(20261203L)
            .maxClients(8).outboxCapacity(4096).earlyAckWindowNs(TimeUnit.SECONDS.toNanos(5));
    }

    void start(final int id)
    {
        final TrackerClusteredService service = new TrackerClusteredService(
            ClusterRig::trackerSettings, transport.get(), TimeUnit.MILLISECONDS.toNanos(10));
        nodes[id] = ClusterNode.launch(settings(id, portBase, new File(dir, "member-" + id)), service, this::onError);
    }

    /**
     * A test member's settings: a leader silent for 3 s is replaced (the tuned 1 s makes needless elections on a
     * loaded 2-core machine).
     */
    static ClusterNode.Settings settings(final int id, final int portBase, final File dir)
    {
        return new ClusterNode.Settings(id, HOSTS, portBase, dir, TimeUnit.SECONDS.toNanos(3),
            TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.SECONDS.toNanos(1));
    }

    void stop(final int id)
    {
        CloseHelper.close(nodes[id]);
        nodes[id] = null;
    }

    private void onError(final Throwable error)
    {
        if (error instanceof AeronException && AeronException.Category.WARN == ((AeronException)error).category())
        {
            // a member stopped on purpose is missed by the others (leader heartbeat timeout, log recording stopped)
            warnings.add(error);
            return;
        }
        errors.add(error);
        System.err.println("cluster member error: " + error);
        error.printStackTrace();
    }

    /**
     * Each member's role and what its engine and protocol counted, for a failure's message.
     *
     * @return one line per member.
     */
    String describe()
    {
        final StringBuilder out = new StringBuilder();
        for (int id = 0; id < nodes.length; id++)
        {
            out.append("\nmember ").append(id).append(": ");
            if (null == nodes[id] || null == nodes[id].service().agent())
            {
                out.append("stopped");
                continue;
            }
            final TrackerClusteredService service = nodes[id].service();
            final io.acktracker.engine.metrics.Counters engine = service.agent().counters();
            final io.acktracker.transport.TransportCounters transport = service.transportCounters();
            out.append(service.role());
            for (final TrackerCounter counter : new TrackerCounter[]{ TrackerCounter.TRACKED, TrackerCounter.ACKS,
                TrackerCounter.COMPLETED, TrackerCounter.ORPHAN_ACKS, TrackerCounter.LATE_ACKS })
            {
                out.append(' ').append(counter).append('=').append(engine.value(counter));
            }
            for (final TransportCounter counter : new TransportCounter[]{ TransportCounter.FRAMES_RECEIVED,
                TransportCounter.MALFORMED_FRAMES, TransportCounter.HELLOS_REFUSED, TransportCounter.UNBOUND_REFUSED })
            {
                out.append(' ').append(counter).append('=').append(transport.value(counter));
            }
        }
        return out.toString();
    }

    String ingressEndpoints()
    {
        return ClusterNode.ingressEndpoints(HOSTS, portBase);
    }

    /**
     * The member that leads now, waiting (bounded) for an election to end.
     *
     * @return its id.
     */
    int awaitLeader()
    {
        final int[] leader = {-1};
        awaitUntil(() ->
        {
            for (int id = 0; id < nodes.length; id++)
            {
                if (null != nodes[id] && Cluster.Role.LEADER == role(id))
                {
                    leader[0] = id;
                    return true;
                }
            }
            return false;
        }, "a leader");
        return leader[0];
    }

    Cluster.Role role(final int id)
    {
        return nodes[id].service().role();
    }

    /**
     * Ask the leader for a snapshot and wait until every running member took it.
     */
    void snapshot()
    {
        final long[] before = requestSnapshot();
        awaitUntil(() -> tookSnapshot(before), "a snapshot on every member");
    }

    /**
     * Ask the leader for a snapshot and return at once, with what {@link #tookSnapshot} compares against.
     *
     * @return each member's snapshot count before the request.
     */
    long[] requestSnapshot()
    {
        final int leader = awaitLeader();
        final long[] before = new long[nodes.length];
        for (int id = 0; id < nodes.length; id++)
        {
            before[id] = null == nodes[id] ? 0 : nodes[id].consensusModule().snapshotCounter().get();
        }
        final AtomicCounter toggle = nodes[leader].consensusModule().controlToggleCounter();
        awaitUntil(() -> ClusterControl.ToggleState.SNAPSHOT.toggle(toggle), "the snapshot toggle");
        return before;
    }

    /**
     * Whether every running member took a snapshot since {@link #requestSnapshot}.
     *
     * @param before what it returned.
     * @return true when all did.
     */
    boolean tookSnapshot(final long[] before)
    {
        for (int id = 0; id < nodes.length; id++)
        {
            if (null != nodes[id] && nodes[id].consensusModule().snapshotCounter().get() <= before[id])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Every running member's last snapshot, for a failure's message and for comparing them.
     *
     * @return one digest per member, null for a stopped member or one that took none.
     */
    TrackerClusteredService.SnapshotDigest[] lastSnapshots()
    {
        final TrackerClusteredService.SnapshotDigest[] digests =
            new TrackerClusteredService.SnapshotDigest[nodes.length];
        for (int id = 0; id < nodes.length; id++)
        {
            digests[id] = null == nodes[id] ? null : nodes[id].service().lastSnapshot();
        }
        return digests;
    }

    static void awaitUntil(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting for " + what + serviceThreads());
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Where each member's service thread is, for a failure's message: a service that does not return is stuck. */
    static String serviceThreads()
    {
        final StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) ->
        {
            if (thread.getName().startsWith("clustered-service"))
            {
                out.append("\n").append(thread.getName()).append(':');
                for (int i = 0; i < Math.min(12, stack.length); i++)
                {
                    out.append("\n    at ").append(stack[i]);
                }
            }
        });
        return out.toString();
    }

    public void close()
    {
        for (int id = 0; id < nodes.length; id++)
        {
            CloseHelper.quietClose(nodes[id]);
            nodes[id] = null;
        }
    }
}

package io.acktracker.engine.agent;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.command.CommandProxy;
import io.acktracker.engine.command.CommandValidator;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.lease.LeaseSecret;
import io.acktracker.engine.machine.TrackerStateMachine;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.DestinationLatencies;
import io.acktracker.engine.metrics.CountersFile;
import io.acktracker.engine.metrics.LatencyRecorder;
import io.acktracker.engine.metrics.RecordingPhase;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.store.DataDirectory;
import io.acktracker.engine.store.StoreLayout;
import io.acktracker.engine.store.TrackerTables;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The running parts of one tracker, assembled and torn down in order: the data directory and its tables (or
 * off-heap memory), the counters, the destination registry, the command queue and its proxy, the state machine and
 * the agent that owns it, the agent's thread (or the host's invoker), and the optional periodic msync. The agent
 * recovers in its {@code onStart}, on the agent thread; the runtime waits for that and throws when it fails, so a
 * damaged store is loud at start, never a tracker that quietly serves nothing.
 * <p>
 * Threading: built and closed by one thread; the accessors from any thread.
 */
public final class TrackerRuntime implements AutoCloseable
{
    private final TrackerConfig config;
    private final DataDirectory dataDirectory;
    private final boolean ownsDataDirectory;
    private final TrackerTables tables;
    private final Counters counters;
    private final DestinationRegistry registry;
    private final RecordingPhase recordingPhase = new RecordingPhase();
    private final LatencyRecorder completionLatency = new LatencyRecorder(recordingPhase);
    private final LatencyRecorder serviceTime = new LatencyRecorder(recordingPhase);
    private final LatencyRecorder leaseHoldTime = new LatencyRecorder(recordingPhase);
    private final DestinationLatencies ackLatency = new DestinationLatencies(recordingPhase);
    private final ManyToOneRingBuffer commandBuffer;
    private final ManyToOneConcurrentArrayQueue<Consumer<TrackerAgent>> adminQueue =
        new ManyToOneConcurrentArrayQueue<>(1024);
    private final OutcomeWaiters waiters;
    private final CommandProxy proxy;
    private final CommandValidator validator;
    private final TrackerAgent agent;
    private final TrackerFailure failure = new TrackerFailure();
    private final AgentRunner runner;
    private final AgentInvoker invoker;
    private final Thread syncThread;
    private final CommandJournal journal;
    private volatile boolean closed;

    /**
     * Assemble and start a tracker: recovered and ready when this returns.
     *
     * @param config    concluded configuration.
     * @param ownThread run the agent on its own thread; otherwise the host invokes it.
     * @throws TrackerException when the store cannot be opened or recovery fails (everything opened is closed).
     */
    public TrackerRuntime(final TrackerConfig config, final boolean ownThread)
    {
        this(config, ownThread, null);
    }

    /**
     * Assemble and start a tracker, in a data directory the caller already holds or in the configured one.
     *
     * @param config    concluded configuration.
     * @param ownThread run the agent on its own thread; otherwise the host invokes it.
     * @param held      a data directory the caller opened and will close after this runtime, or null to open (and
     *                  close) the configured one.
     * @throws TrackerException when the store cannot be opened or recovery fails (everything opened is closed).
     */
    public TrackerRuntime(final TrackerConfig config, final boolean ownThread, final DataDirectory held)
    {
        this.config = config;
        this.ownsDataDirectory = null == held;
        DataDirectory dataDirectory = held;
        TrackerTables tables = null;
        Counters counters = null;
        CommandJournal journal = null;
        long incarnation = 1;
        long seed;
        long startNs = config.epochClock().nanoTime();
        List<String> persistedDestinations = List.of();
        try
        {
            if (null == dataDirectory && null != config.dataDir())
            {
                dataDirectory = DataDirectory.open(config.dataDir());
            }
            if (null != dataDirectory && config.journal())
            {
                dataDirectory.requireStoreKind(StoreLayout.STORE_JOURNAL);
                // the journal's first frame before any other file: a directory with files holds a journal to
                // replay, and one whose start crashed before them holds at most a genesis, which replays to nothing
                journal = CommandJournal.open(dataDirectory.dir(), config, TrackerStateMachine.seed(config, 1),
                    startNs, !dataDirectory.isFresh());
                dataDirectory.recordStoreKind(StoreLayout.STORE_JOURNAL);
                tables = TrackerTables.open(null, config, false);
                persistedDestinations = dataDirectory.loadDestinations();
                incarnation = dataDirectory.nextIncarnation();
                dataDirectory.markRunning();
            }
            else if (null != dataDirectory)
            {
                dataDirectory.requireStoreKind(StoreLayout.STORE_TABLES);
                tables = TrackerTables.open(dataDirectory, config, !dataDirectory.wasCleanShutdown());
                persistedDestinations = dataDirectory.loadDestinations();
                dataDirectory.recordSizing(config.capacity(), config.tombstoneCapacity());
                incarnation = dataDirectory.nextIncarnation();
                dataDirectory.recordStoreKind(StoreLayout.STORE_TABLES);
                dataDirectory.markRunning();
            }
            else
            {
                tables = TrackerTables.open(null, config, false);
            }
            config.notices().accept(reservation(config, tables, dataDirectory, null != journal));
            seed = null != journal ? journal.seed() : TrackerStateMachine.seed(config, incarnation);
            startNs = null != journal ? journal.startNs() : startNs;

            final int maxCounters = TrackerCounter.values().length + 64;
            counters = new Counters(null == config.countersFile() ? CountersFile.inMemory(maxCounters) :
                CountersFile.create(config.countersFile().toFile(), maxCounters), config.name());
            if (null != journal)
            {
                counters.set(TrackerCounter.CHECKPOINTS_DAMAGED, journal.damagedCheckpoints());
            }
            registry = new DestinationRegistry(persistedDestinations,
                null == dataDirectory ? null : dataDirectory::appendDestination,
                config.openRegistry(),
                config.destinations());

            commandBuffer = new ManyToOneRingBuffer(
                new UnsafeBuffer(ByteBuffer.allocateDirect(config.commandBufferTotalLength())));
            proxy = new CommandProxy(commandBuffer, counters);
            validator = new CommandValidator(registry, config.messageClasses().keySet(), config.maxMetadataLength(),
                config.leaseMaxVisibilityNs(), config.leaseMaxExtensionNs());
            waiters = new OutcomeWaiters(config.waiterExecutor());
            final Effects effects = new Effects();
            final TrackerStateMachine machine = new TrackerStateMachine(config, registry, tables, validator, counters,
                effects, completionLatency, leaseHoldTime, ackLatency,
                LeaseSecret.load(null == dataDirectory ? null : dataDirectory.dir(), config.leaseSecret()),
                seed, startNs);
            agent = new TrackerAgent(config, machine, validator, registry, counters, effects, serviceTime, recordingPhase,
                commandBuffer, adminQueue, waiters, failure, journal);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(journal, counters, null == tables ? null : tables::close,
                ownsDataDirectory ? dataDirectory : null);
            throw ex;
        }
        this.journal = journal;
        this.dataDirectory = dataDirectory;
        this.tables = tables;
        this.counters = counters;

        final TrackerAgent runAgent = agent;
        final org.agrona.ErrorHandler agentErrors = runAgent::onRunnerError;
        runner = ownThread ?
            new AgentRunner(config.idleStrategy(), agentErrors, counters.get(TrackerCounter.ERRORS), agent) : null;
        invoker = ownThread ? null : new AgentInvoker(agentErrors, counters.get(TrackerCounter.ERRORS), agent);
        syncThread = config.syncIntervalNs() > 0 && null != dataDirectory && null == journal ?
            new Thread(this::syncLoop, config.name() + "-sync") : null;
        try
        {
            if (ownThread)
            {
                AgentRunner.startOnThread(runner);
            }
            else
            {
                invoker.start();
            }
            awaitStart();
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }
        if (null != syncThread)
        {
            syncThread.setDaemon(true);
            syncThread.start();
        }
    }

    /** {@return the concluded configuration} */
    public TrackerConfig config()
    {
        return config;
    }

    /**
     * The data directory, or null in memory.
     *
     * @return the directory.
     */
    public DataDirectory dataDirectory()
    {
        return dataDirectory;
    }

    /** {@return the Chronicle Map tables} */
    public TrackerTables tables()
    {
        return tables;
    }

    /** {@return the tracker's counters} */
    public Counters counters()
    {
        return counters;
    }

    /** {@return the destination registry} */
    public DestinationRegistry registry()
    {
        return registry;
    }

    /** {@return the track-to-outcome latency of completed messages} */
    public LatencyRecorder completionLatency()
    {
        return completionLatency;
    }

    /** {@return the time the agent spends applying a command} */
    public LatencyRecorder serviceTime()
    {
        return serviceTime;
    }

    /** {@return how long leases are held before they are settled} */
    public LatencyRecorder leaseHoldTime()
    {
        return leaseHoldTime;
    }

    /** {@return each destination's ack latency, from an attempt's send to its ack} */
    public DestinationLatencies ackLatency()
    {
        return ackLatency;
    }

    /**
     * Queue of tasks other threads run on the agent thread.
     *
     * @return the queue.
     */
    public ManyToOneConcurrentArrayQueue<Consumer<TrackerAgent>> adminQueue()
    {
        return adminQueue;
    }

    /** {@return the futures waiting for outcomes (trackAsync, lease)} */
    public OutcomeWaiters waiters()
    {
        return waiters;
    }

    /** {@return the proxy that writes commands from other threads into the agent's queue} */
    public CommandProxy proxy()
    {
        return proxy;
    }

    /** {@return the validator of command arguments, before they are queued or applied} */
    public CommandValidator validator()
    {
        return validator;
    }

    /**
     * The command journal, or null when the state is not journaled.
     *
     * @return the journal.
     */
    public CommandJournal journal()
    {
        return journal;
    }

    /** {@return the agent} */
    public TrackerAgent agent()
    {
        return agent;
    }

    /**
     * Whether the agent stopped on a fault, and why. Any thread.
     *
     * @return the failure holder.
     */
    public TrackerFailure failure()
    {
        return failure;
    }

    /**
     * Whether the calling thread is the one running the agent: the agent's own thread, or any thread of a
     * host-driven tracker (the host drives it, so a call between duty cycles cannot race it).
     *
     * @return true on the agent's thread or when the host drives the agent.
     */
    public boolean onAgentThread()
    {
        return null == runner || runner.thread() == Thread.currentThread();
    }

    /**
     * The invoker of a host-driven tracker, null when it runs its own thread.
     *
     * @return the invoker.
     */
    public AgentInvoker invoker()
    {
        return invoker;
    }

    /**
     * Stop the agent, apply the commands already queued, fail the futures still waiting, close the tables and mark
     * a clean stop (only after a start that succeeded: a failed recovery leaves the directory to be recovered
     * again). Idempotent. A host-driven tracker must not be invoked concurrently.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;

        if (null != runner)
        {
            runner.close();
        }
        if (null != syncThread && syncThread.isAlive())
        {
            syncThread.interrupt();
            try
            {
                syncThread.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        final boolean started = agent.started().isDone() && !agent.started().isCompletedExceptionally();
        try
        {
            for (int i = 0; started && !failure.isFailed() && i < 10_000 && agent.doWork() > 0 && commandBuffer.size() > 0; i++)
            {
                Thread.onSpinWait();
            }
        }
        catch (final RuntimeException ex)
        {
            config.errorHandler().onError(ex);
        }
        if (null != invoker)
        {
            invoker.close();
        }

        waiters.failAll(new TrackerException("tracker closed before the outcome"));
        if (null != journal)
        {
            try
            {
                agent.closeCheckpoints(started && !failure.isFailed());
                journal.close();
            }
            catch (final RuntimeException ex)
            {
                config.errorHandler().onError(ex);
            }
        }
        tables.close();
        if (null != dataDirectory && started && !failure.isFailed())
        {
            try
            {
                dataDirectory.markCleanShutdown();
            }
            catch (final RuntimeException ex)
            {
                // not fatal: without the marker the next start recovers as after a crash
                config.errorHandler().onError(new TrackerException("the tables are closed but the clean stop could " +
                    "not be recorded (the next start recovers as after a crash): " + ex.getMessage(), ex));
            }
        }
        CloseHelper.quietCloseAll(counters, ownsDataDirectory ? dataDirectory : null);
    }

    private void awaitStart()
    {
        try
        {
            agent.started().get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new TrackerException("interrupted while the tracker recovered", ex);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            throw cause instanceof TrackerException ? (TrackerException)cause :
                new TrackerException("the tracker could not start: " + cause, cause);
        }
    }

    /**
     * The one line that says what the open reserved, so a capacity of millions is never a silent gigabyte.
     */
    private static String reservation(
        final TrackerConfig config, final TrackerTables tables, final DataDirectory dir, final boolean journal)
    {
        final String where = null == dir || journal ? "of off-heap memory" :
            "on disk in " + dir.dir() + " (allocated in full at open)";
        return String.format(Locale.ROOT, "capacity %,d pending + %,d tombstones: the tables take %,d MiB %s%s",
            config.capacity(), config.tombstoneCapacity(),
            (tables.reservedBytes() + (1 << 20) - 1) >> 20, where,
            journal ? "; the journal and its checkpoints grow in " + dir.dir() : "");
    }

    private void syncLoop()
    {
        final long intervalMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(config.syncIntervalNs()));
        while (!closed && !Thread.currentThread().isInterrupted())
        {
            try
            {
                Thread.sleep(intervalMs);
                tables.sync();
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            catch (final RuntimeException ex)
            {
                if (!closed)
                {
                    config.errorHandler().onError(ex);
                }
            }
        }
    }
}

package io.acktracker.engine.api;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Everything a tracker is built from, in one place, with defaults; validated once by {@link #conclude()}.
 * Accessors follow the Aeron style: {@code capacity()} reads, {@code capacity(value)} sets and returns this.
 * <p>
 * Threading: build on one thread, then hand to {@link io.acktracker.engine.AckTracker}; do not change it afterwards.
 * <p>
 * Why this file is long: one place for every setting, with its default, its Javadoc and its check in {@code
 * conclude()}, the way Aeron's contexts are written.
 */
public final class TrackerConfig
{
    private String name = "acktracker";
    private Path dataDir;
    private Path countersFile;
    private int capacity = 100_000;
    private int tombstoneCapacity = -1;
    private long tombstoneWindowNs = TimeUnit.SECONDS.toNanos(10);
    private long defaultAckTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    private long defaultTtlNs = TimeUnit.SECONDS.toNanos(60);
    private boolean openRegistry = true;
    private final List<String> destinations = new ArrayList<>();
    private final List<TrackerExtension> extensions = new ArrayList<>();
    private int commandBufferLength = 1 << 20;
    private int commandLimit = 1024;
    private boolean prefetchCommands = true;
    private int timerBudget = 4096;
    private int housekeepingBudget = 1024;
    private long orphanCheckIntervalNs = TimeUnit.SECONDS.toNanos(10);
    private long syncIntervalNs = 0;
    private boolean journal;
    private int journalSegmentLength = 64 * 1024 * 1024;
    private long checkpointIntervalBytes = 256L * 1024 * 1024;
    private long checkpointIntervalNs = TimeUnit.MINUTES.toNanos(5);
    private boolean checkpointAtClose = true;
    private EpochNanoClock epochClock = new OffsetEpochNanoClock();
    private NanoClock nanoClock = new SystemNanoClock();
    private long randomSeed = new SecureRandom().nextLong();
    private IdleStrategy idleStrategy;
    private OutcomeListener outcomeListener;
    private RefusalListener refusalListener;
    private ErrorHandler errorHandler;
    private Consumer<String> notices;
    private boolean recordServiceTime = true;
    private int defaultMaxAttempts = 3;
    private int defaultPriority = 0;
    private Backoff defaultBackoff = Backoff.exponential(TimeUnit.MILLISECONDS.toNanos(100), 2.0,
        TimeUnit.SECONDS.toNanos(10)).withJitter(Backoff.Jitter.FULL);
    private final Map<Integer, MessageClass> messageClasses = new HashMap<>();
    private int retryBudget = 1024;
    private CircuitBreakerConfig circuitBreaker = CircuitBreakerConfig.defaults();
    private CircuitListener circuitListener;
    private RedeliveryListener redeliveryListener;
    private int dlqCapacity = 100_000;
    private long dlqRetentionNs = TimeUnit.DAYS.toNanos(7);
    private int dlqReplayBudget = 256;
    private boolean deadLetterExpired = true;
    private boolean dlqEvictOldest = true;
    private int maxMetadataLength = 256;
    private boolean recordAttemptHistory = true;
    private int leaseMaxDeliveries = 5;
    private int leaseMaxExtensions = 10;
    private long leaseMaxExtensionNs = TimeUnit.MINUTES.toNanos(5);
    private long leaseMaxVisibilityNs = TimeUnit.HOURS.toNanos(12);
    private long earlyAckWindowNs = 0;
    private int earlyAckCapacity = 65_536;
    private int maxClients = 256;
    private int outboxCapacity = 8192;
    private ConfirmationListener confirmationListener;
    private Executor waiterExecutor = ForkJoinPool.commonPool();
    private byte[] leaseSecret;
    private boolean concluded;

    /**
     * Check every value and fill derived defaults. Called by the tracker; calling twice is harmless.
     *
     * @return this.
     * @throws TrackerException when a value is out of range.
     */
    public TrackerConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(capacity > 0, "capacity must be positive: " + capacity);
        if (tombstoneCapacity < 0)
        {
            tombstoneCapacity = capacity;
        }
        require((long)capacity + tombstoneCapacity < Integer.MAX_VALUE / 2, "capacity too large");
        require(tombstoneWindowNs >= 0, "tombstone window must not be negative");
        require(defaultAckTimeoutNs > 0, "default ack timeout must be positive");
        require(defaultTtlNs > 0, "default TTL must be positive (use Long.MAX_VALUE for none)");
        require(commandLimit > 0 && timerBudget > 0 && housekeepingBudget > 0, "budgets must be positive");
        require(Integer.bitCount(commandBufferLength) == 1 && commandBufferLength >= 4096,
            "command buffer length must be a power of two >= 4096: " + commandBufferLength);
        require(orphanCheckIntervalNs > 0, "orphan check interval must be positive");
        require(syncIntervalNs >= 0, "sync interval must not be negative");
        require(!journal || null != dataDir, "a journal needs a data directory");
        require(Integer.bitCount(journalSegmentLength) == 1 && journalSegmentLength >= 64 * 1024 &&
            journalSegmentLength <= 1 << 30, "journal segment length must be a power of two, 64 KiB to 1 GiB: " +
            journalSegmentLength);
        require(checkpointIntervalBytes >= 0, "checkpoint interval in bytes must not be negative (0 for none): " +
            checkpointIntervalBytes);
        require(checkpointIntervalNs >= 0, "checkpoint interval in time must not be negative (0 for none): " +
            checkpointIntervalNs);
        require(null != name && !name.isBlank(), "name must not be blank");
        require(defaultMaxAttempts >= 1 && defaultMaxAttempts <= TrackRequest.MAX_ATTEMPTS,
            "default max attempts must be 1.." + TrackRequest.MAX_ATTEMPTS);
        require(defaultPriority >= Byte.MIN_VALUE && defaultPriority <= Byte.MAX_VALUE, "priority must be -128..127");
        require(null != defaultBackoff, "default backoff is required");
        require(retryBudget > 0 && dlqReplayBudget > 0, "retry and replay budgets must be positive");
        require(dlqCapacity > 0, "dead-letter capacity must be positive");
        require(dlqRetentionNs > 0, "dead-letter retention must be positive");
        require(maxMetadataLength >= 0 && maxMetadataLength <= 16 * 1024, "max metadata length must be 0..16384");
        require(!messageClasses.containsKey(0), "message class 0 is the tracker's defaults; use ids 1..65535");
        require(leaseMaxDeliveries >= 1 && leaseMaxDeliveries <= 0xFFFF, "lease max deliveries must be 1..65535");
        require(leaseMaxExtensions >= 0 && leaseMaxExtensions <= 0xFFFF, "lease max extensions must be 0..65535");
        require(leaseMaxExtensionNs > 0 && leaseMaxVisibilityNs > 0, "lease limits must be positive");
        require(earlyAckWindowNs >= 0 && earlyAckCapacity > 0, "early ack window and capacity must not be negative");
        require(maxClients >= 0 && maxClients <= 65_536, "max clients must be 0..65536: " + maxClients);
        require(Integer.bitCount(outboxCapacity) == 1 && outboxCapacity >= 16 && outboxCapacity <= 1 << 24,
            "outbox capacity must be a power of two, 16..16777216: " + outboxCapacity);
        require(null != waiterExecutor, "waiter executor is required");
        require(null == leaseSecret || 16 == leaseSecret.length, "lease secret must be 16 bytes");
        if (null == circuitListener)
        {
            circuitListener = (destination, from, to, nowNs) -> {};
        }
        if (null == redeliveryListener)
        {
            redeliveryListener = (messageId, destination, attempt) -> {};
        }
        if (null == idleStrategy)
        {
            idleStrategy = new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
        }
        if (null == outcomeListener)
        {
            outcomeListener = (id, outcome, reason, latencyNs, attempts, replay) -> {};
        }
        if (null == refusalListener)
        {
            refusalListener = (command, id, result) -> {};
        }
        if (null == errorHandler)
        {
            errorHandler = (throwable) -> throwable.printStackTrace(System.err);
        }
        if (null == notices)
        {
            final String prefix = "acktracker '" + name + "': ";
            notices = (line) -> System.err.println(prefix + line);
        }
        if (null == countersFile && null != dataDir)
        {
            countersFile = dataDir.resolve("counters.dat");
        }
        concluded = true;
        return this;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new TrackerException("invalid configuration: " + message);
        }
    }

    /**
     * Length of the command ring buffer including its trailer.
     *
     * @return bytes.
     */
    public int commandBufferTotalLength()
    {
        return commandBufferLength + RingBufferDescriptor.TRAILER_LENGTH;
    }

    /**
     * Name used in counter labels and thread names.
     *
     * @return the setting.
     */
    public String name()
    {
        return name;
    }

    /**
     * Name used in counter labels and thread names.
     *
     * @param name the name.
     * @return this.
     */
    public TrackerConfig name(final String name)
    {
        this.name = name;
        return this;
    }

    /**
     * Directory for persisted tables; null (the default) keeps everything off-heap in memory.
     *
     * @return the setting.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * Directory for persisted tables; null (the default) keeps everything off-heap in memory.
     *
     * @param dataDir the directory.
     * @return this.
     */
    public TrackerConfig dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    /**
     * File for counters other processes can read; defaults to {@code counters.dat} in the data directory, and to memory
     * only when there is none.
     *
     * @return the setting.
     */
    public Path countersFile()
    {
        return countersFile;
    }

    /**
     * File for counters other processes can read; defaults to {@code counters.dat} in the data directory, and to
     * memory only when there is none.
     *
     * @param countersFile the file.
     * @return this.
     */
    public TrackerConfig countersFile(final Path countersFile)
    {
        this.countersFile = countersFile;
        return this;
    }

    /**
     * Most pending messages; a track beyond it is refused with CAPACITY_EXCEEDED.
     *
     * @return the setting.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Most pending messages; a track beyond it is refused with CAPACITY_EXCEEDED. Fixed when the table is created.
     * <p>
     * The store is sized for it (and {@link #tombstoneCapacity(int)}) at open, whatever the load: with a
     * {@link #dataDir(Path)} the table files are allocated on disk in full (not sparse), without one the same in
     * off-heap memory. {@code capacity(1_000_000)} with the default tombstones takes 768 MiB. The open
     * announces the figure in one line through {@link #notices(Consumer)}.
     *
     * @param capacity messages.
     * @return this.
     */
    public TrackerConfig capacity(final int capacity)
    {
        this.capacity = capacity;
        return this;
    }

    /**
     * Most finished messages kept as tombstones (defaults to the capacity).
     *
     * @return the setting.
     */
    public int tombstoneCapacity()
    {
        return tombstoneCapacity;
    }

    /**
     * Most finished messages kept as tombstones (defaults to the capacity). When full, the oldest is dropped early.
     *
     * @param tombstoneCapacity entries.
     * @return this.
     */
    public TrackerConfig tombstoneCapacity(final int tombstoneCapacity)
    {
        this.tombstoneCapacity = tombstoneCapacity;
        return this;
    }

    /**
     * How long a finished id is remembered, so late acks are told from unknown ones and the id is not reused.
     *
     * @return the setting.
     */
    public long tombstoneWindowNs()
    {
        return tombstoneWindowNs;
    }

    /**
     * How long a finished id is remembered, so late acks are told from unknown ones and the id is not reused.
     *
     * @param tombstoneWindowNs nanoseconds; 0 forgets at once.
     * @return this.
     */
    public TrackerConfig tombstoneWindowNs(final long tombstoneWindowNs)
    {
        this.tombstoneWindowNs = tombstoneWindowNs;
        return this;
    }

    /**
     * Ack timeout per attempt for tracks that set none.
     *
     * @return nanoseconds.
     */
    public long defaultAckTimeoutNs()
    {
        return defaultAckTimeoutNs;
    }

    /**
     * Ack timeout per attempt for tracks that set none.
     *
     * @param defaultAckTimeoutNs nanoseconds.
     * @return this.
     */
    public TrackerConfig defaultAckTimeoutNs(final long defaultAckTimeoutNs)
    {
        this.defaultAckTimeoutNs = defaultAckTimeoutNs;
        return this;
    }

    /**
     * Time to live for tracks that set none.
     *
     * @return nanoseconds.
     */
    public long defaultTtlNs()
    {
        return defaultTtlNs;
    }

    /**
     * Time to live for tracks that set none.
     *
     * @param defaultTtlNs nanoseconds.
     * @return this.
     */
    public TrackerConfig defaultTtlNs(final long defaultTtlNs)
    {
        this.defaultTtlNs = defaultTtlNs;
        return this;
    }

    /**
     * Whether unknown destination names register on first use (true) or are refused (false).
     *
     * @return the setting.
     */
    public boolean openRegistry()
    {
        return openRegistry;
    }

    /**
     * Whether unknown destination names register on first use (true) or are refused (false).
     *
     * @param openRegistry open or closed.
     * @return this.
     */
    public TrackerConfig openRegistry(final boolean openRegistry)
    {
        this.openRegistry = openRegistry;
        return this;
    }

    /**
     * Register destination names up front, ids in the order given.
     *
     * @return the setting.
     */
    public List<String> destinations()
    {
        return destinations;
    }

    /**
     * Register destination names up front, ids in the order given.
     *
     * @param names destination names.
     * @return this.
     */
    public TrackerConfig destinations(final String... names)
    {
        destinations.addAll(List.of(names));
        return this;
    }

    /**
     * Capacity of the command queue from other threads, a power of two in bytes.
     *
     * @return the setting.
     */
    public int commandBufferLength()
    {
        return commandBufferLength;
    }

    /**
     * Capacity of the command queue from other threads, a power of two in bytes.
     *
     * @param commandBufferLength bytes.
     * @return this.
     */
    public TrackerConfig commandBufferLength(final int commandBufferLength)
    {
        this.commandBufferLength = commandBufferLength;
        return this;
    }

    /**
     * Most queued commands drained per duty cycle.
     *
     * @return the setting.
     */
    public int commandLimit()
    {
        return commandLimit;
    }

    /**
     * Most queued commands drained per duty cycle.
     *
     * @param commandLimit commands.
     * @return this.
     */
    public TrackerConfig commandLimit(final int commandLimit)
    {
        this.commandLimit = commandLimit;
        return this;
    }

    /**
     * Before applying the commands queued from other threads, make a first pass over them (up to {@link
     * #commandLimit()}) that looks up each one's message in the id index and reads its record, changing nothing, so the
     * cache misses of the batch overlap instead of stalling one command at a time.
     *
     * @return the setting.
     */
    public boolean prefetchCommands()
    {
        return prefetchCommands;
    }

    /**
     * Before applying the commands queued from other threads, make a first pass over them (up to
     * {@link #commandLimit()}) that looks up each one's message in the id index and reads its record, changing
     * nothing, so the cache misses of the batch overlap instead of stalling one command at a time. Default on
     * (BENCHMARKS.md has the measurement).
     *
     * @param prefetchCommands whether to make the first pass.
     * @return this.
     */
    public TrackerConfig prefetchCommands(final boolean prefetchCommands)
    {
        this.prefetchCommands = prefetchCommands;
        return this;
    }

    /**
     * Most deadlines handled per duty cycle; the rest wait for the next cycle.
     *
     * @return the setting.
     */
    public int timerBudget()
    {
        return timerBudget;
    }

    /**
     * Most deadlines handled per duty cycle; the rest wait for the next cycle.
     *
     * @param timerBudget deadlines.
     * @return this.
     */
    public TrackerConfig timerBudget(final int timerBudget)
    {
        this.timerBudget = timerBudget;
        return this;
    }

    /**
     * Most housekeeping steps (tombstone removal, cumulative-ack application, orphan checks) per duty cycle.
     *
     * @return the setting.
     */
    public int housekeepingBudget()
    {
        return housekeepingBudget;
    }

    /**
     * Most housekeeping steps (tombstone removal, cumulative-ack application, orphan checks) per duty cycle.
     *
     * @param housekeepingBudget steps.
     * @return this.
     */
    public TrackerConfig housekeepingBudget(final int housekeepingBudget)
    {
        this.housekeepingBudget = housekeepingBudget;
        return this;
    }

    /**
     * How often a sweep checks that every pending record has a deadline scheduled.
     *
     * @return the setting.
     */
    public long orphanCheckIntervalNs()
    {
        return orphanCheckIntervalNs;
    }

    /**
     * How often a sweep checks that every pending record has a deadline scheduled.
     *
     * @param orphanCheckIntervalNs nanoseconds.
     * @return this.
     */
    public TrackerConfig orphanCheckIntervalNs(final long orphanCheckIntervalNs)
    {
        this.orphanCheckIntervalNs = orphanCheckIntervalNs;
        return this;
    }

    /**
     * Optional msync of the persisted tables every interval, from a background thread, to bound what a power loss can
     * take.
     *
     * @return the setting.
     */
    public long syncIntervalNs()
    {
        return syncIntervalNs;
    }

    /**
     * Optional msync of the persisted tables every interval, from a background thread, to bound what a power loss
     * can take. 0 (default) leaves flushing to the OS: a process crash loses nothing, a power loss can lose recent
     * writes.
     *
     * @param syncIntervalNs nanoseconds, 0 for none.
     * @return this.
     */
    public TrackerConfig syncIntervalNs(final long syncIntervalNs)
    {
        this.syncIntervalNs = syncIntervalNs;
        return this;
    }

    /**
     * Durability from a command journal instead of tables written in place: every command the state machine applies
     * (except ticks that change nothing) is appended, in order, to mapped segment files in the data directory's {@code
     * journal/} before its effects are told; the tables live in memory, and a start replays the journal from its first
     * frame, which rebuilds exactly the state before the stop or crash.
     *
     * @return the setting.
     */
    public boolean journal()
    {
        return journal;
    }

    /**
     * Durability from a command journal instead of tables written in place: every command the state machine
     * applies (except ticks that change nothing) is appended, in order, to mapped segment files in the data
     * directory's {@code journal/} before its effects are told; the tables live in memory, and a start replays the
     * journal from its first frame, which rebuilds exactly the state before the stop or crash. Outcomes reached but
     * not known to be told are then told again, as replays. Needs a {@link #dataDir(Path)}; a directory keeps the
     * kind of store it was created with. The behaviour settings (capacities, timeouts, policies, budgets) are part of
     * the journal: a start with other values is refused, naming them. With {@link #syncIntervalNs(long)} above 0 a
     * helper thread msyncs the journal every interval (a power loss takes at most that much); a process crash loses
     * nothing applied. Default off.
     *
     * @param journal whether to keep the state in a journal.
     * @return this.
     */
    public TrackerConfig journal(final boolean journal)
    {
        this.journal = journal;
        return this;
    }

    /**
     * Length of one journal segment file, a power of two from 64 KiB to 1 GiB; each is allocated, zeroed and touched by
     * a helper thread before the agent writes into it.
     *
     * @return the setting.
     */
    public int journalSegmentLength()
    {
        return journalSegmentLength;
    }

    /**
     * Length of one journal segment file, a power of two from 64 KiB to 1 GiB; each is allocated, zeroed and
     * touched by a helper thread before the agent writes into it. Default 64 MiB.
     *
     * @param journalSegmentLength bytes.
     * @return this.
     */
    public TrackerConfig journalSegmentLength(final int journalSegmentLength)
    {
        this.journalSegmentLength = journalSegmentLength;
        return this;
    }

    /**
     * With a {@link #journal(boolean) journal}: take a checkpoint (the whole state, exactly, in the data directory's
     * {@code checkpoints/}) once the journal has grown this much since the last one, so a start restores it and replays
     * only the journal after it, and segments below the older of the two kept checkpoints are deleted.
     *
     * @return the setting.
     */
    public long checkpointIntervalBytes()
    {
        return checkpointIntervalBytes;
    }

    /**
     * With a {@link #journal(boolean) journal}: take a checkpoint (the whole state, exactly, in the data directory's
     * {@code checkpoints/}) once the journal has grown this much since the last one, so a start restores it and
     * replays only the journal after it, and segments below the older of the two kept checkpoints are deleted. The
     * agent pauses for the image of the small structures; the records (224 bytes per slot) are copied on write into
     * an off-heap block the helper thread keeps (up to 1.5x the slots, touched ahead), and the helper writes the
     * files. 0 for none (then the journal grows until a time-based or closing checkpoint). Default 256 MiB.
     *
     * @param checkpointIntervalBytes journal bytes, 0 for none.
     * @return this.
     */
    public TrackerConfig checkpointIntervalBytes(final long checkpointIntervalBytes)
    {
        this.checkpointIntervalBytes = checkpointIntervalBytes;
        return this;
    }

    /**
     * With a {@link #journal(boolean) journal}: take a checkpoint this long after the last one when the journal grew
     * since (time of the {@link #epochClock(EpochNanoClock) epoch clock}); see {@link #checkpointIntervalBytes(long)}.
     *
     * @return the setting.
     */
    public long checkpointIntervalNs()
    {
        return checkpointIntervalNs;
    }

    /**
     * With a {@link #journal(boolean) journal}: take a checkpoint this long after the last one when the journal grew
     * since (time of the {@link #epochClock(EpochNanoClock) epoch clock}); see
     * {@link #checkpointIntervalBytes(long)}. A clean close always takes one. 0 for none. Default 5 minutes.
     *
     * @param checkpointIntervalNs nanoseconds, 0 for none.
     * @return this.
     */
    public TrackerConfig checkpointIntervalNs(final long checkpointIntervalNs)
    {
        this.checkpointIntervalNs = checkpointIntervalNs;
        return this;
    }

    /**
     * With a {@link #journal(boolean) journal}: take a checkpoint at a clean close, so the next start restores it and
     * replays nothing.
     *
     * @return the setting.
     */
    public boolean checkpointAtClose()
    {
        return checkpointAtClose;
    }

    /**
     * With a {@link #journal(boolean) journal}: take a checkpoint at a clean close, so the next start restores it and
     * replays nothing. Off, a start replays the journal from the last checkpoint taken while running (or from its
     * first frame): for tests and benchmarks of the replay. Default on.
     *
     * @param checkpointAtClose whether to.
     * @return this.
     */
    public TrackerConfig checkpointAtClose(final boolean checkpointAtClose)
    {
        this.checkpointAtClose = checkpointAtClose;
        return this;
    }

    /**
     * Wall clock for deadlines (persisted as absolute epoch nanoseconds).
     *
     * @return the setting.
     */
    public EpochNanoClock epochClock()
    {
        return epochClock;
    }

    /**
     * Wall clock for deadlines (persisted as absolute epoch nanoseconds). The default, Agrona's
     * {@code OffsetEpochNanoClock}, reads {@code System.nanoTime()} against an epoch offset resampled hourly and
     * allocates nothing per read (the JDK's {@code Instant}-based clock allocates on every call). Inject a settable
     * clock in tests.
     *
     * @param epochClock the clock.
     * @return this.
     */
    public TrackerConfig epochClock(final EpochNanoClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    /**
     * Monotonic clock for service-time measurement.
     *
     * @return the setting.
     */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * Monotonic clock for service-time measurement.
     *
     * @param nanoClock the clock.
     * @return this.
     */
    public TrackerConfig nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * Seed of the tracker's random generator (jitter, lease nonces), for deterministic runs.
     *
     * @return the setting.
     */
    public long randomSeed()
    {
        return randomSeed;
    }

    /**
     * Seed of the tracker's random generator (jitter, lease nonces), for deterministic runs. The generator's state is
     * part of the engine's state; a tracker persisted in a data directory mixes the directory's incarnation (one more
     * at every open) into the seed, so nonces never repeat across restarts even with a fixed seed.
     *
     * @param randomSeed seed.
     * @return this.
     */
    public TrackerConfig randomSeed(final long randomSeed)
    {
        this.randomSeed = randomSeed;
        return this;
    }

    /**
     * Idle strategy of the tracker's own thread, when it runs one.
     *
     * @return the setting.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * Idle strategy of the tracker's own thread, when it runs one.
     *
     * @param idleStrategy the strategy.
     * @return this.
     */
    public TrackerConfig idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * Told of every outcome, on the agent thread.
     *
     * @return the setting.
     */
    public OutcomeListener outcomeListener()
    {
        return outcomeListener;
    }

    /**
     * Told of every outcome, on the agent thread.
     *
     * @param outcomeListener the listener.
     * @return this.
     */
    public TrackerConfig outcomeListener(final OutcomeListener outcomeListener)
    {
        this.outcomeListener = outcomeListener;
        return this;
    }

    /**
     * Told when a command queued by another thread is refused, on the agent thread.
     *
     * @return the setting.
     */
    public RefusalListener refusalListener()
    {
        return refusalListener;
    }

    /**
     * Told when a command queued by another thread is refused, on the agent thread.
     *
     * @param refusalListener the listener.
     * @return this.
     */
    public TrackerConfig refusalListener(final RefusalListener refusalListener)
    {
        this.refusalListener = refusalListener;
        return this;
    }

    /**
     * Receives unexpected errors; the duty cycle carries on.
     *
     * @return the setting.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * Receives unexpected errors; the duty cycle carries on.
     *
     * @param errorHandler the handler.
     * @return this.
     */
    public TrackerConfig errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * Where the tracker's one-line notices go: what it reserves at open (see {@link #capacity(int)}).
     *
     * @return the sink.
     */
    public Consumer<String> notices()
    {
        return notices;
    }

    /**
     * Where the tracker's one-line notices go, such as the disk or memory it reserves at open. Default: standard
     * error, as {@code acktracker '<name>': <notice>}. Called on the thread that opens the tracker.
     *
     * @param notices the sink, e.g. a logger's {@code info}.
     * @return this.
     */
    public TrackerConfig notices(final Consumer<String> notices)
    {
        this.notices = notices;
        return this;
    }

    /**
     * Extensions run inside the agent's duty cycle (a transport).
     *
     * @return the extensions, in the order added.
     */
    public List<TrackerExtension> extensions()
    {
        return extensions;
    }

    /**
     * Add work to run inside the agent's duty cycle (for example the Aeron transport).
     *
     * @param extension the extension.
     * @return this.
     */
    public TrackerConfig extension(final TrackerExtension extension)
    {
        extensions.add(extension);
        return this;
    }

    /**
     * Attempts per destination for messages of no class (1..15, including the first send; 1 means no retries).
     *
     * @return the setting.
     */
    public int defaultMaxAttempts()
    {
        return defaultMaxAttempts;
    }

    /**
     * Attempts per destination for messages of no class (1..15, including the first send; 1 means no retries).
     *
     * @param defaultMaxAttempts attempts.
     * @return this.
     */
    public TrackerConfig defaultMaxAttempts(final int defaultMaxAttempts)
    {
        this.defaultMaxAttempts = defaultMaxAttempts;
        return this;
    }

    /**
     * Retry priority for tracks that set none.
     *
     * @return -128..127, higher first.
     */
    public int defaultPriority()
    {
        return defaultPriority;
    }

    /**
     * Retry priority for tracks that set none.
     *
     * @param defaultPriority -128..127, higher first.
     * @return this.
     */
    public TrackerConfig defaultPriority(final int defaultPriority)
    {
        this.defaultPriority = defaultPriority;
        return this;
    }

    /**
     * Backoff for messages of no class (default: exponential 100 ms x2 up to 10 s, full jitter).
     *
     * @return the setting.
     */
    public Backoff defaultBackoff()
    {
        return defaultBackoff;
    }

    /**
     * Backoff for messages of no class (default: exponential 100 ms x2 up to 10 s, full jitter).
     *
     * @param defaultBackoff the backoff.
     * @return this.
     */
    public TrackerConfig defaultBackoff(final Backoff defaultBackoff)
    {
        this.defaultBackoff = defaultBackoff;
        return this;
    }

    /**
     * Message classes by id.
     *
     * @return the classes.
     */
    public Map<Integer, MessageClass> messageClasses()
    {
        return messageClasses;
    }

    /**
     * Register a message class whose defaults a track can name.
     *
     * @param messageClass the class (id 1..65535).
     * @return this.
     */
    public TrackerConfig messageClass(final MessageClass messageClass)
    {
        messageClasses.put(messageClass.id(), messageClass);
        return this;
    }

    /**
     * Most redeliveries (and resumed parked ones) issued per duty cycle, and most retry-queue entries looked at (an
     * entry whose message was acked or finished since it was queued counts too); the rest wait for the next cycle,
     * highest priority first, so a retry storm cannot starve ack processing.
     *
     * @return the setting.
     */
    public int retryBudget()
    {
        return retryBudget;
    }

    /**
     * Most redeliveries (and resumed parked ones) issued per duty cycle, and most retry-queue entries looked at (an
     * entry whose message was acked or finished since it was queued counts too); the rest wait for the next cycle,
     * highest priority first, so a retry storm cannot starve ack processing.
     *
     * @param retryBudget redeliveries.
     * @return this.
     */
    public TrackerConfig retryBudget(final int retryBudget)
    {
        this.retryBudget = retryBudget;
        return this;
    }

    /**
     * When a destination's circuit opens and how it recovers.
     *
     * @return the setting.
     */
    public CircuitBreakerConfig circuitBreaker()
    {
        return circuitBreaker;
    }

    /**
     * When a destination's circuit opens and how it recovers.
     *
     * @param circuitBreaker the thresholds.
     * @return this.
     */
    public TrackerConfig circuitBreaker(final CircuitBreakerConfig circuitBreaker)
    {
        this.circuitBreaker = circuitBreaker;
        return this;
    }

    /**
     * Told of circuit state changes, on the agent thread.
     *
     * @return the setting.
     */
    public CircuitListener circuitListener()
    {
        return circuitListener;
    }

    /**
     * Told of circuit state changes, on the agent thread.
     *
     * @param circuitListener the listener.
     * @return this.
     */
    public TrackerConfig circuitListener(final CircuitListener circuitListener)
    {
        this.circuitListener = circuitListener;
        return this;
    }

    /**
     * Told of every redelivery to make (message, destination, attempt), on the agent thread: the host (or the Aeron
     * transport) sends the message again.
     *
     * @return the setting.
     */
    public RedeliveryListener redeliveryListener()
    {
        return redeliveryListener;
    }

    /**
     * Told of every redelivery to make (message, destination, attempt), on the agent thread: the host (or the Aeron
     * transport) sends the message again.
     *
     * @param redeliveryListener the listener.
     * @return this.
     */
    public TrackerConfig redeliveryListener(final RedeliveryListener redeliveryListener)
    {
        this.redeliveryListener = redeliveryListener;
        return this;
    }

    /**
     * Most dead letters per dead-letter queue (one per stream plus the default one).
     *
     * @return the setting.
     */
    public int dlqCapacity()
    {
        return dlqCapacity;
    }

    /**
     * Most dead letters per dead-letter queue (one per stream plus the default one). When full, new dead letters
     * are refused (DLQ_FULL, counted) and the message stays FAILED in the pending table until there is room.
     *
     * @param dlqCapacity dead letters.
     * @return this.
     */
    public TrackerConfig dlqCapacity(final int dlqCapacity)
    {
        this.dlqCapacity = dlqCapacity;
        return this;
    }

    /**
     * How long a dead letter is kept.
     *
     * @return nanoseconds.
     */
    public long dlqRetentionNs()
    {
        return dlqRetentionNs;
    }

    /**
     * How long a dead letter is kept.
     *
     * @param dlqRetentionNs nanoseconds.
     * @return this.
     */
    public TrackerConfig dlqRetentionNs(final long dlqRetentionNs)
    {
        this.dlqRetentionNs = dlqRetentionNs;
        return this;
    }

    /**
     * Most dead letters replayed per duty cycle (replay is rate-limited).
     *
     * @return the setting.
     */
    public int dlqReplayBudget()
    {
        return dlqReplayBudget;
    }

    /**
     * Most dead letters replayed per duty cycle (replay is rate-limited).
     *
     * @param dlqReplayBudget replays.
     * @return this.
     */
    public TrackerConfig dlqReplayBudget(final int dlqReplayBudget)
    {
        this.dlqReplayBudget = dlqReplayBudget;
        return this;
    }

    /**
     * What a full dead-letter queue does with a new dead letter.
     *
     * @return the setting.
     */
    public boolean dlqEvictOldest()
    {
        return dlqEvictOldest;
    }

    /**
     * What a full dead-letter queue does with a new dead letter. True (the default): it removes its oldest dead
     * letter to make room, counted ({@code DLQ_EVICTED}, and {@code evictedOldest} in the queue's stats), so failed
     * messages never pile up in the pending table. False: it refuses the new one and the message stays FAILED in the
     * pending table (held, {@code DLQ_HELD}) until room appears: no dead letter is ever lost, but an operator who
     * does not replay or delete dead letters lets held messages fill the table until every Track is refused. Part of
     * a journal's settings.
     *
     * @param dlqEvictOldest true to evict the oldest, false to hold.
     * @return this.
     */
    public TrackerConfig dlqEvictOldest(final boolean dlqEvictOldest)
    {
        this.dlqEvictOldest = dlqEvictOldest;
        return this;
    }

    /**
     * Whether EXPIRED messages go to the dead-letter queue too (default true); FAILED ones always do.
     *
     * @return the setting.
     */
    public boolean deadLetterExpired()
    {
        return deadLetterExpired;
    }

    /**
     * Whether EXPIRED messages go to the dead-letter queue too (default true); FAILED ones always do.
     *
     * @param deadLetterExpired on or off.
     * @return this.
     */
    public TrackerConfig deadLetterExpired(final boolean deadLetterExpired)
    {
        this.deadLetterExpired = deadLetterExpired;
        return this;
    }

    /**
     * Longest user metadata a track may carry (default 256 bytes); longer is refused with METADATA_TOO_LARGE.
     *
     * @return the setting.
     */
    public int maxMetadataLength()
    {
        return maxMetadataLength;
    }

    /**
     * Longest user metadata a track may carry (default 256 bytes); longer is refused with METADATA_TOO_LARGE.
     *
     * @param maxMetadataLength bytes.
     * @return this.
     */
    public TrackerConfig maxMetadataLength(final int maxMetadataLength)
    {
        this.maxMetadataLength = maxMetadataLength;
        return this;
    }

    /**
     * Whether each timeout, nack, reject, redelivery and park is kept in the message's attempt history (a Chronicle
     * write on the retry path, not on the ack path).
     *
     * @return the setting.
     */
    public boolean recordAttemptHistory()
    {
        return recordAttemptHistory;
    }

    /**
     * Whether each timeout, nack, reject, redelivery and park is kept in the message's attempt history (a Chronicle
     * write on the retry path, not on the ack path).
     *
     * @param recordAttemptHistory on or off.
     * @return this.
     */
    public TrackerConfig recordAttemptHistory(final boolean recordAttemptHistory)
    {
        this.recordAttemptHistory = recordAttemptHistory;
        return this;
    }

    /**
     * Leases a message may go through: past this many expired or nacked leases it fails (MAX_DELIVERIES) and goes to
     * the dead-letter queue.
     *
     * @return the setting.
     */
    public int leaseMaxDeliveries()
    {
        return leaseMaxDeliveries;
    }

    /**
     * Leases a message may go through: past this many expired or nacked leases it fails (MAX_DELIVERIES) and goes
     * to the dead-letter queue.
     *
     * @param leaseMaxDeliveries deliveries.
     * @return this.
     */
    public TrackerConfig leaseMaxDeliveries(final int leaseMaxDeliveries)
    {
        this.leaseMaxDeliveries = leaseMaxDeliveries;
        return this;
    }

    /**
     * Extensions allowed per lease.
     *
     * @return the setting.
     */
    public int leaseMaxExtensions()
    {
        return leaseMaxExtensions;
    }

    /**
     * Extensions allowed per lease.
     *
     * @param leaseMaxExtensions extensions.
     * @return this.
     */
    public TrackerConfig leaseMaxExtensions(final int leaseMaxExtensions)
    {
        this.leaseMaxExtensions = leaseMaxExtensions;
        return this;
    }

    /**
     * Longest single extension.
     *
     * @return the setting.
     */
    public long leaseMaxExtensionNs()
    {
        return leaseMaxExtensionNs;
    }

    /**
     * Longest single extension.
     *
     * @param leaseMaxExtensionNs nanoseconds.
     * @return this.
     */
    public TrackerConfig leaseMaxExtensionNs(final long leaseMaxExtensionNs)
    {
        this.leaseMaxExtensionNs = leaseMaxExtensionNs;
        return this;
    }

    /**
     * Longest visibility timeout of a lease.
     *
     * @return the setting.
     */
    public long leaseMaxVisibilityNs()
    {
        return leaseMaxVisibilityNs;
    }

    /**
     * Longest visibility timeout of a lease.
     *
     * @param leaseMaxVisibilityNs nanoseconds.
     * @return this.
     */
    public TrackerConfig leaseMaxVisibilityNs(final long leaseMaxVisibilityNs)
    {
        this.leaseMaxVisibilityNs = leaseMaxVisibilityNs;
        return this;
    }

    /**
     * How long an ack for a message not tracked yet is held in case its Track is still on its way (0, the default,
     * counts it as an orphan at once).
     *
     * @return the setting.
     */
    public long earlyAckWindowNs()
    {
        return earlyAckWindowNs;
    }

    /**
     * How long an ack for a message not tracked yet is held in case its Track is still on its way (0, the default,
     * counts it as an orphan at once). Over Aeron, acks and Tracks come on different sessions and can overtake each
     * other: the transport's service sets a few milliseconds.
     *
     * @param earlyAckWindowNs nanoseconds.
     * @return this.
     */
    public TrackerConfig earlyAckWindowNs(final long earlyAckWindowNs)
    {
        this.earlyAckWindowNs = earlyAckWindowNs;
        return this;
    }

    /**
     * Most message ids with early acks held at once; beyond it an early ack is an orphan at once.
     *
     * @return the setting.
     */
    public int earlyAckCapacity()
    {
        return earlyAckCapacity;
    }

    /**
     * Most message ids with early acks held at once; beyond it an early ack is an orphan at once.
     *
     * @param earlyAckCapacity ids.
     * @return this.
     */
    public TrackerConfig earlyAckCapacity(final int earlyAckCapacity)
    {
        this.earlyAckCapacity = earlyAckCapacity;
        return this;
    }

    /**
     * Most client sessions (senders, destinations and consumers that number their commands to have each applied exactly
     * once; see {@code SESSION_OPEN}).
     *
     * @return the setting.
     */
    public int maxClients()
    {
        return maxClients;
    }

    /**
     * Most client sessions (senders, destinations and consumers that number their commands to have each applied
     * exactly once; see {@code SESSION_OPEN}). Each session costs its outbox ({@link #outboxCapacity(int)} × 32
     * bytes, off-heap, allocated when it opens) and the tracker keeps 4 bytes per slot to know which client tracked
     * each message. 0 turns sessions off. Part of a journal's settings. Default 256.
     *
     * @param maxClients sessions.
     * @return this.
     */
    public TrackerConfig maxClients(final int maxClients)
    {
        this.maxClients = maxClients;
        return this;
    }

    /**
     * Who hears, once per duty cycle, which client sessions had commands applied (a transport sends these back as
     * confirmations).
     *
     * @return the setting.
     */
    public ConfirmationListener confirmationListener()
    {
        return confirmationListener;
    }

    /**
     * Who hears, once per duty cycle, which client sessions had commands applied (a transport sends these back as
     * confirmations). Default none.
     *
     * @param confirmationListener the listener, or null.
     * @return this.
     */
    public TrackerConfig confirmationListener(final ConfirmationListener confirmationListener)
    {
        this.confirmationListener = confirmationListener;
        return this;
    }

    /**
     * Entries in each client's outbox, a power of two: what the tracker keeps for a client until the client confirms it
     * (its messages' outcomes and redeliveries, the refusals of its numbered commands).
     *
     * @return the setting.
     */
    public int outboxCapacity()
    {
        return outboxCapacity;
    }

    /**
     * Entries in each client's outbox, a power of two: what the tracker keeps for a client until the client confirms
     * it (its messages' outcomes and redeliveries, the refusals of its numbered commands). A client's messages
     * without an outcome each hold one entry, so this also bounds a sender's messages in flight plus outcomes it has
     * not confirmed: beyond it its next command is refused OUTBOX_FULL, without using its sequence. Part of a
     * journal's settings. Default 8192 (256 KiB per client).
     *
     * @param outboxCapacity entries.
     * @return this.
     */
    public TrackerConfig outboxCapacity(final int outboxCapacity)
    {
        this.outboxCapacity = outboxCapacity;
        return this;
    }

    /**
     * Whether the agent times every command (two clock reads per command).
     *
     * @return the setting.
     */
    public boolean recordServiceTime()
    {
        return recordServiceTime;
    }

    /**
     * Whether the agent times every command (two clock reads per command).
     *
     * @param recordServiceTime on or off.
     * @return this.
     */
    public TrackerConfig recordServiceTime(final boolean recordServiceTime)
    {
        this.recordServiceTime = recordServiceTime;
        return this;
    }

    /**
     * Where the futures of {@link io.acktracker.engine.AckTracker#trackAsync} and {@link
     * io.acktracker.engine.AckTracker#lease} complete, so a caller's dependent stages ({@code thenAccept} and the like)
     * never run on the agent thread.
     *
     * @return the setting.
     */
    public Executor waiterExecutor()
    {
        return waiterExecutor;
    }

    /**
     * Where the futures of {@link io.acktracker.engine.AckTracker#trackAsync} and
     * {@link io.acktracker.engine.AckTracker#lease} complete, so a caller's
     * dependent stages ({@code thenAccept} and the like) never run on the agent thread. Default: the common
     * fork-join pool. {@code Runnable::run} completes them on the agent thread: only for stages that never block.
     *
     * @param waiterExecutor the executor.
     * @return this.
     */
    public TrackerConfig waiterExecutor(final Executor waiterExecutor)
    {
        this.waiterExecutor = waiterExecutor;
        return this;
    }

    /**
     * The configured lease secret, or null to use (or create) the data directory's.
     *
     * @return a copy of the secret, or null.
     */
    public byte[] leaseSecret()
    {
        return null == leaseSecret ? null : leaseSecret.clone();
    }

    /**
     * The 16-byte key of the receipt handles' MAC, instead of the one generated into the data directory (or a fresh
     * one in memory): for trackers that must accept each other's handles, and for determinism checks.
     *
     * @param leaseSecret 16 bytes; copied.
     * @return this.
     */
    public TrackerConfig leaseSecret(final byte[] leaseSecret)
    {
        this.leaseSecret = null == leaseSecret ? null : leaseSecret.clone();
        return this;
    }
}

package io.acktracker.engine.agent;

import io.acktracker.engine.api.MessageClass;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.checkpoint.CheckpointManifest;
import io.acktracker.engine.checkpoint.CheckpointStore;
import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.journal.Journal;
import io.acktracker.engine.journal.JournalAppender;
import io.acktracker.engine.journal.JournalConfig;
import io.acktracker.engine.journal.JournalCorruptException;
import io.acktracker.engine.journal.JournalCounters;
import io.acktracker.engine.journal.JournalEnd;
import io.acktracker.engine.journal.JournalFrameDescriptor;
import io.acktracker.engine.journal.JournalReader;
import io.acktracker.engine.journal.JournalStatus;
import io.acktracker.engine.machine.TrackerStateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The tracker's command journal ({@link TrackerConfig#journal(boolean)}): every command the state machine applies,
 * appended in the order applied, so that a start rebuilds exactly the state before a stop or a crash by applying
 * them again from the first.
 * <p>
 * The first frame is the <b>genesis</b> ({@link CommandLayout#JOURNAL_GENESIS}): the random seed and start time the
 * machine was built with, and the behaviour settings as text, one {@code key=value} per line. A start reads it
 * before building the machine, builds it the same way, and refuses settings that differ (naming each), since the
 * same commands under other settings would reach another state than the one whose outcomes were told.
 * <pre>
 * GENESIS body:  0 seed long   8 start ns long   16 format int   20 settings length int   24 settings (UTF-8)
 * </pre>
 * Each command frame is claimed before the command is applied (so a full journal refuses the command before it
 * changes anything), committed after it with the command's {@link Result} ordinal in the header's reserved field,
 * and only then are its effects told: an effect is never told for a command the journal may not hold. A tick that
 * did nothing is cancelled instead of committed: replaying without it reaches the same state (the journal replay
 * test checks it). A replay checks every command gets the result it had; a difference is a fault, never ignored.
 * <p>
 * <b>Checkpoints</b> ({@link CheckpointStore}, taken by the agent's {@code Checkpointer}): a start restores the
 * newest checkpoint whose manifest and CRCs check (damaged ones are reported to the error handler, counted and
 * passed over) and replays the journal from its position only. Its manifest carries the genesis values too, since
 * segments below the older kept checkpoint are deleted, the genesis frame with them; its settings are checked as
 * the genesis frame's are. A journal whose start was deleted with no valid checkpoint left is refused.
 * <p>
 * Threading: {@link #open} on the thread building the tracker; {@link #replayInto}, the claims and {@link #close}
 * on the agent thread (or, for close, after it stopped); {@link #status()} and {@link #counters()} from any thread.
 * The journal's helper ({@code <name>-journal}) runs on its own thread from the replay to the close.
 * <p>
 * Why this file is long: opening (genesis frame, settings check, choice of the checkpoint to start from) and replay
 * belong together, since what is replayed depends on what was found; the appending itself is in the journal package.
 */
public final class CommandJournal implements AutoCloseable
{
    /** The journal's directory in the data directory. */
    public static final String DIRECTORY = "journal";

    private static final int GENESIS_SEED_OFFSET = 0;
    private static final int GENESIS_START_OFFSET = 8;
    private static final int GENESIS_FORMAT_OFFSET = 16;
    private static final int GENESIS_SETTINGS_LENGTH_OFFSET = 20;
    private static final int GENESIS_SETTINGS_OFFSET = 24;
    private static final int FORMAT = 1;

    private final String name;
    private final ErrorHandler errorHandler;
    private final JournalConfig journalConfig;
    private final JournalReader reader;
    private final boolean fresh;
    private final long seed;
    private final long startNs;
    private final String settings;
    private final CheckpointStore checkpoints;
    private final CheckpointManifest checkpoint;
    private final int damagedCheckpoints;
    private Journal journal;
    private JournalAppender appender;
    private AgentRunner helperRunner;
    private long replayedFrames;
    private long replayedFrom;
    private long replayPosition;

    private CommandJournal(
        final String name,
        final ErrorHandler errorHandler,
        final JournalConfig journalConfig,
        final JournalReader reader,
        final boolean fresh,
        final long seed,
        final long startNs,
        final String settings,
        final CheckpointStore checkpoints,
        final CheckpointManifest checkpoint,
        final int damagedCheckpoints)
    {
        this.settings = settings;
        this.checkpoints = checkpoints;
        this.checkpoint = checkpoint;
        this.damagedCheckpoints = damagedCheckpoints;
        this.name = name;
        this.errorHandler = errorHandler;
        this.journalConfig = journalConfig;
        this.reader = reader;
        this.fresh = fresh;
        this.seed = seed;
        this.startNs = startNs;
    }

    /**
     * Open the journal of a data directory and read its genesis; a new journal gets one now, from the given seed
     * and start time.
     *
     * @param dataDir      the data directory.
     * @param config       the tracker's configuration.
     * @param freshSeed    the machine's seed when the journal is new.
     * @param freshStartNs the machine's start time when the journal is new.
     * @param mustExist    the directory was used before, so an empty journal is damage, not a new start.
     * @return the journal, ready for {@link #replayInto}.
     * @throws TrackerException when the journal is damaged, or was written with other behaviour settings.
     */
    public static CommandJournal open(
        final Path dataDir,
        final TrackerConfig config,
        final long freshSeed,
        final long freshStartNs,
        final boolean mustExist)
    {
        final Path directory = dataDir.resolve(DIRECTORY);
        final JournalConfig journalConfig = new JournalConfig()
            .directory(directory)
            .segmentLength(config.journalSegmentLength())
            .syncIntervalNs(config.syncIntervalNs());
        final CheckpointStore checkpoints = new CheckpointStore(dataDir.resolve(CheckpointStore.DIRECTORY));
        final JournalReader reader;
        final long[] genesis = new long[2];
        final String[] written = new String[1];
        try
        {
            // a checkpoint a crash interrupted is not a checkpoint
            checkpoints.removeUnfinished();
            reader = JournalReader.open(journalConfig);
            if (0 == reader.startPosition())
            {
                reader.readFirst((type, timestampNs, clientId, clientSequence, buffer, offset, length, position) ->
                    written[0] = readGenesis(directory, type, buffer, offset, length, genesis));
            }
        }
        catch (final JournalCorruptException | UncheckedIOException ex)
        {
            throw new TrackerException("the journal in " + directory + " cannot be read: " + ex.getMessage(), ex);
        }

        final String settings = settings(config);
        final int[] damaged = new int[1];
        final CheckpointManifest checkpoint =
            newestCheckpoint(checkpoints, reader.startPosition(), config.errorHandler(), damaged);
        if (null != checkpoint)
        {
            requireSettings("checkpoint " + checkpoints.path(checkpoint.position()), checkpoint.settings(), settings);
            if (null != written[0] && (genesis[0] != checkpoint.seed() || genesis[1] != checkpoint.startNs()))
            {
                throw new TrackerException("checkpoint " + checkpoints.path(checkpoint.position()) + " was taken " +
                    "from another journal than the one in " + directory + " (its seed or start time differ)");
            }
        }
        if (null == written[0] && reader.startPosition() != 0)
        {
            if (null == checkpoint)
            {
                throw new TrackerException("the journal in " + directory + " starts at position " +
                    reader.startPosition() + " (its start was deleted after a checkpoint) and no valid checkpoint " +
                    "is left in " + checkpoints.directory() + ": there is nothing to recover the state from; " +
                    "restore the checkpoints or move the data directory aside");
            }
            return new CommandJournal(config.name(), config.errorHandler(), journalConfig, reader, false,
                checkpoint.seed(), checkpoint.startNs(), settings, checkpoints, checkpoint, damaged[0]);
        }
        if (null == written[0])
        {
            if (mustExist)
            {
                throw new TrackerException("the journal in " + directory + " holds no genesis frame (it is empty " +
                    "or its start is damaged), but the data directory was used: there is nothing to recover the " +
                    "state from; restore the journal or move the data directory aside");
            }
            final CommandJournal journal = new CommandJournal(config.name(), config.errorHandler(), journalConfig,
                reader, true, freshSeed, freshStartNs, settings, checkpoints, null, damaged[0]);
            journal.writeGenesis(settings);
            return journal;
        }
        requireSettings("the journal in " + directory, written[0], settings);
        return new CommandJournal(config.name(), config.errorHandler(), journalConfig, reader, false,
            genesis[0], genesis[1], settings, checkpoints, checkpoint, damaged[0]);
    }

    /**
     * The newest checkpoint whose manifest and files check and whose position the journal still holds; each damaged
     * one passed over is reported and counted (recovery then starts from an older one, or from the journal's start).
     */
    private static CheckpointManifest newestCheckpoint(
        final CheckpointStore checkpoints,
        final long journalStart,
        final ErrorHandler errorHandler,
        final int[] damaged)
    {
        for (final long position : checkpoints.positions())
        {
            if (position < journalStart)
            {
                continue;
            }
            try
            {
                return checkpoints.verify(position);
            }
            catch (final TrackerException ex)
            {
                damaged[0]++;
                errorHandler.onError(new TrackerException(ex.getMessage() + "; passed over, recovering from an " +
                    "older checkpoint or the journal", ex));
            }
        }
        return null;
    }

    private static void requireSettings(final String what, final String written, final String settings)
    {
        final String differences = differences(written, settings);
        if (!differences.isEmpty())
        {
            throw new TrackerException(what + " was written with other behaviour " +
                "settings, and the same commands under these would reach another state: " + differences +
                "; start with the journal's settings");
        }
    }

    /**
     * @return the seed the machine must be built with.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * @return the start time the machine must be built with.
     */
    public long startNs()
    {
        return startNs;
    }

    /**
     * @return the behaviour settings text the journal is bound to.
     */
    public String settings()
    {
        return settings;
    }

    /**
     * @return the checkpoints beside the journal.
     */
    public CheckpointStore checkpoints()
    {
        return checkpoints;
    }

    /**
     * @return the position of the checkpoint this start recovered from, or -1 when it replayed the whole journal.
     */
    public long recoveredFrom()
    {
        return null == checkpoint ? -1 : checkpoint.position();
    }

    /**
     * @return damaged checkpoints passed over at this start.
     */
    public int damagedCheckpoints()
    {
        return damagedCheckpoints;
    }

    /**
     * Ask the journal's helper to delete the segments wholly below a position (a kept checkpoint's). Agent thread.
     *
     * @param position the position.
     */
    public void deleteSegmentsBelow(final long position)
    {
        journal.deleteSegmentsBelow(position);
    }

    /**
     * @return whether the journal was new at this start (nothing to replay).
     */
    public boolean isFresh()
    {
        return fresh;
    }

    /**
     * Replay every journaled command into a machine built from the genesis (recovered, before any other command),
     * dropping their effects; then open the journal for appending at its end and start its helper thread.
     *
     * @param machine the machine.
     * @param effects the machine's effects, discarded after each command.
     * @throws TrackerException when the journal is damaged or a command does not get the result it had.
     */
    public void replayInto(final TrackerStateMachine machine, final Effects effects)
    {
        if (null == journal)
        {
            final JournalEnd end;
            try
            {
                if (null != checkpoint)
                {
                    checkpoints.restore(checkpoint, machine::restore);
                }
                replayedFrom = null != checkpoint ? checkpoint.position() : reader.startPosition();
                end = reader.replay(replayedFrom,
                    (type, timestampNs, clientId, clientSequence, buffer, offset, length, position) ->
                    {
                        replayPosition = position;
                        if (CommandLayout.JOURNAL_GENESIS != type)
                        {
                            replay(machine, type, timestampNs, buffer, offset, length, position);
                            effects.discard();
                            machine.sessions().discardConfirmations();
                        }
                    });
            }
            catch (final JournalCorruptException | IllegalArgumentException ex)
            {
                throw new TrackerException("the journal in " + journalConfig.directory() + " is damaged" +
                    (null == checkpoint ? "" : " or does not reach checkpoint " + checkpoint.position()) + ": " +
                    ex.getMessage(), ex);
            }
            openForAppending(end);
        }
        startHelper();
    }

    /**
     * Claim a frame for a command about to be applied and copy its body in. Agent thread.
     *
     * @param type        command type.
     * @param timestampNs the time it is applied at.
     * @param buffer      holding its body.
     * @param offset      where the body starts.
     * @param length      bytes of body.
     * @return false when the journal cannot take it now (the next segment is not ready): nothing was written.
     */
    public boolean claim(
        final int type, final long timestampNs, final DirectBuffer buffer, final int offset, final int length)
    {
        if (appender.claim(type, timestampNs, 0, 0, length) < 0)
        {
            return false;
        }
        if (length > 0)
        {
            appender.claimBuffer().putBytes(appender.claimBodyOffset(), buffer, offset, length);
        }
        return true;
    }

    /**
     * Commit the claimed frame: the command is in the journal from here on. Agent thread.
     *
     * @param result what the command's application returned.
     */
    public void commit(final Result result)
    {
        appender.commit(result.ordinal());
    }

    /**
     * Take the claim back: the command changed nothing worth replaying (an idle tick), or it failed half way and
     * the tracker stops. Agent thread.
     */
    public void cancel()
    {
        if (appender.hasClaim())
        {
            appender.cancel();
        }
    }

    /**
     * @return the journal position after the last committed frame; agent thread.
     */
    public long position()
    {
        return appender.position();
    }

    /**
     * @return where the start's replay began: the restored checkpoint's position, or the journal's start.
     */
    public long replayedFrom()
    {
        return replayedFrom;
    }

    /**
     * @return frames replayed at the start (commands and the genesis).
     */
    public long replayedFrames()
    {
        return replayedFrames;
    }

    /**
     * @return positions and segment preparation health; any thread, once replayed.
     */
    public JournalStatus status()
    {
        return journal.status();
    }

    /**
     * @return the journal's refusals and helper work; any thread, once replayed.
     */
    public JournalCounters counters()
    {
        return journal.counters();
    }

    /**
     * Stop the helper and close the journal (msyncing what was appended when group commit is on). After the agent
     * stopped.
     */
    public void close()
    {
        if (null != helperRunner)
        {
            helperRunner.close();
            helperRunner = null;
        }
        if (null != journal)
        {
            journal.close();
        }
    }

    /**
     * The behaviour settings a journal is bound to: everything the machine's results depend on.
     *
     * @param config the configuration.
     * @return {@code key=value} lines, in a fixed order.
     */
    static String settings(final TrackerConfig config)
    {
        final Map<String, Object> values = new LinkedHashMap<>();
        values.put("capacity", config.capacity());
        values.put("tombstoneCapacity", config.tombstoneCapacity());
        values.put("tombstoneWindowNs", config.tombstoneWindowNs());
        values.put("defaultAckTimeoutNs", config.defaultAckTimeoutNs());
        values.put("defaultTtlNs", config.defaultTtlNs());
        values.put("defaultMaxAttempts", config.defaultMaxAttempts());
        values.put("defaultPriority", config.defaultPriority());
        values.put("defaultBackoff", config.defaultBackoff());
        for (final MessageClass messageClass : new TreeMap<>(config.messageClasses()).values())
        {
            values.put("messageClass." + messageClass.id(), messageClass);
        }
        values.put("timerBudget", config.timerBudget());
        values.put("retryBudget", config.retryBudget());
        values.put("housekeepingBudget", config.housekeepingBudget());
        values.put("orphanCheckIntervalNs", config.orphanCheckIntervalNs());
        values.put("circuitBreaker", config.circuitBreaker());
        values.put("dlqCapacity", config.dlqCapacity());
        values.put("dlqRetentionNs", config.dlqRetentionNs());
        values.put("dlqReplayBudget", config.dlqReplayBudget());
        values.put("dlqEvictOldest", config.dlqEvictOldest());
        values.put("deadLetterExpired", config.deadLetterExpired());
        values.put("maxMetadataLength", config.maxMetadataLength());
        values.put("recordAttemptHistory", config.recordAttemptHistory());
        values.put("leaseMaxDeliveries", config.leaseMaxDeliveries());
        values.put("leaseMaxExtensions", config.leaseMaxExtensions());
        values.put("leaseMaxExtensionNs", config.leaseMaxExtensionNs());
        values.put("leaseMaxVisibilityNs", config.leaseMaxVisibilityNs());
        values.put("earlyAckWindowNs", config.earlyAckWindowNs());
        values.put("earlyAckCapacity", config.earlyAckCapacity());
        values.put("maxClients", config.maxClients());
        values.put("outboxCapacity", config.outboxCapacity());
        final StringBuilder text = new StringBuilder();
        values.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    private static String differences(final String written, final String current)
    {
        final Map<String, String> before = parse(written);
        final Map<String, String> now = parse(current);
        final List<String> differences = new ArrayList<>();
        final TreeMap<String, String> keys = new TreeMap<>(before);
        now.forEach(keys::putIfAbsent);
        for (final String key : keys.keySet())
        {
            final String was = before.get(key);
            final String is = now.get(key);
            if (null == was ? null != is : !was.equals(is))
            {
                differences.add(key + " was " + (null == was ? "not set" : was) + ", now " +
                    (null == is ? "not set" : is));
            }
        }
        return String.join("; ", differences);
    }

    private static Map<String, String> parse(final String text)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String line : text.split("\n"))
        {
            final int equals = line.indexOf('=');
            if (equals > 0)
            {
                values.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return values;
    }

    private static String readGenesis(
        final Path directory,
        final int type,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long[] genesis)
    {
        if (CommandLayout.JOURNAL_GENESIS != type || length < GENESIS_SETTINGS_OFFSET ||
            FORMAT != buffer.getInt(offset + GENESIS_FORMAT_OFFSET))
        {
            throw new TrackerException("the journal in " + directory + " does not start with a genesis frame " +
                "of format " + FORMAT + " (its first frame is " + CommandLayout.name(type) + ", " + length +
                " bytes): not a tracker journal, or one of another version");
        }
        final int settingsLength = buffer.getInt(offset + GENESIS_SETTINGS_LENGTH_OFFSET);
        if (settingsLength < 0 || GENESIS_SETTINGS_OFFSET + settingsLength > length)
        {
            throw new TrackerException("the journal's genesis frame in " + directory + " is damaged: settings of " +
                settingsLength + " bytes in a body of " + length);
        }
        genesis[0] = buffer.getLong(offset + GENESIS_SEED_OFFSET);
        genesis[1] = buffer.getLong(offset + GENESIS_START_OFFSET);
        return buffer.getStringWithoutLengthUtf8(offset + GENESIS_SETTINGS_OFFSET, settingsLength);
    }

    private void writeGenesis(final String settings)
    {
        openForAppending(reader.replay(0, (type, timestampNs, clientId, clientSequence, b, o, l, p) -> { }));
        final byte[] text = settings.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[GENESIS_SETTINGS_OFFSET + text.length]);
        body.putLong(GENESIS_SEED_OFFSET, seed);
        body.putLong(GENESIS_START_OFFSET, startNs);
        body.putInt(GENESIS_FORMAT_OFFSET, FORMAT);
        body.putInt(GENESIS_SETTINGS_LENGTH_OFFSET, text.length);
        body.putBytes(GENESIS_SETTINGS_OFFSET, text);
        if (appender.append(CommandLayout.JOURNAL_GENESIS, startNs, 0, 0, body, 0, body.capacity()) < 0)
        {
            close();
            throw new TrackerException("cannot write the genesis frame of the journal in " +
                journalConfig.directory() + " (settings of " + text.length + " bytes)");
        }
    }

    private void replay(
        final TrackerStateMachine machine,
        final int type,
        final long timestampNs,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long position)
    {
        final int written = buffer.getInt(
            offset - JournalFrameDescriptor.BODY_OFFSET + JournalFrameDescriptor.RESERVED_OFFSET);
        final Result result = machine.apply(timestampNs, type, buffer, offset, length);
        replayedFrames++;
        if (result.ordinal() != written)
        {
            throw new TrackerException("replaying the journal in " + journalConfig.directory() + " diverged at " +
                "position " + position + ": " + CommandLayout.name(type) + " applied at " + timestampNs +
                " gave " + result + ", when it was journaled it gave " +
                (written >= 0 && written < Result.values().length ? Result.values()[written] : "#" + written) +
                ": the engine or its settings changed in a way the journal cannot follow");
        }
    }

    private void openForAppending(final JournalEnd end)
    {
        try
        {
            journal = Journal.open(journalConfig, end);
        }
        catch (final UncheckedIOException ex)
        {
            throw new TrackerException("cannot open the journal in " + journalConfig.directory() +
                " for appending: " + ex.getMessage(), ex);
        }
        appender = journal.appender();
    }

    private void startHelper()
    {
        if (null == helperRunner)
        {
            helperRunner = new AgentRunner(
                new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1)),
                errorHandler, null, journal.helperAgent());
            final Thread thread = new Thread(helperRunner, name + "-journal");
            thread.setDaemon(true);
            thread.start();
        }
    }
}

package io.acktracker.engine.machine;

import io.acktracker.engine.api.DestinationHealthView;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.ReplayMode;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.command.CommandValidator;
import io.acktracker.engine.dlq.DeadLetterQueue;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.health.DestinationHealth;
import io.acktracker.engine.lease.SipHash;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.metrics.DestinationLatencies;
import io.acktracker.engine.metrics.LatencyRecorder;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.pending.SlotFiller;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.store.BlobBytes;
import io.acktracker.engine.store.BlobTable;
import io.acktracker.engine.store.TrackerTables;
import io.acktracker.engine.stream.Streams;
import io.acktracker.engine.timer.DeadlineIndex;
import io.acktracker.engine.util.SeededRandom;
import org.agrona.DirectBuffer;

import java.util.EnumSet;

import static io.acktracker.engine.command.CommandLayout.*;
import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * The tracker as a deterministic state machine: {@link #apply} takes one command (a type id and a body in the
 * {@link io.acktracker.engine.command.CommandLayout}) and the time it is applied at, and changes the state through
 * the parts that own it; what the outside world must hear goes to {@link Effects}. Time comes only from the command's
 * timestamp and randomness only from the engine's seeded generator, so the same commands from the same state give
 * the same state and the same effects, byte for byte ({@link #appendState}).
 * <p>
 * The parts, each owning its own state and given what it needs here: {@link Records} (records, id index,
 * tombstone queue), the {@link DeadlineIndex}, {@link DestinationHealth}, {@link Streams}, the dead-letter queues,
 * and the rules: tracking, answers (ack, nack, reject), cumulative acks, timeouts, retries, leases, dead letters,
 * tombstones, the finishing of a message, housekeeping and recovery. This class only wires them and routes
 * commands; the order of a tick's work is fixed in {@link #tick}.
 * <p>
 * Every command's arguments are checked first by the same {@link CommandValidator} the edges use; a refusal changes
 * nothing and is counted.
 * <p>
 * Agent thread only.
 * <p>
 * Why this file is long: the wiring of every part and the one switch that routes each command type to the part that
 * applies it; the rules are in the parts.
 */
public final class TrackerStateMachine
{
    /**
     * Counters that are not part of the state: the agent's and the process's own (cycles, errors, back pressure),
     * and refusals the edges count too, on the caller's thread, for commands that never reach the machine (and so
     * are never journaled): invalid requests and spoofed cumulative acks.
     */
    private static final EnumSet<TrackerCounter> NOT_STATE = EnumSet.of(
        INVALID_REQUESTS, SPOOFED_ACKS, BACK_PRESSURED, COMMANDS, DUTY_CYCLES, HEARTBEAT_MS, SNAPSHOTS, ERRORS,
        LISTENER_ERRORS, TRACKER_FAILED, REFUSED_TRACKER_FAILED, CHECKPOINTS, CHECKPOINT_PAUSE_US,
        CHECKPOINTS_DAMAGED, CHECKPOINT_AGENT_COPIES);

    private final CommandClock clock;
    private final SeededRandom random;
    private final CommandValidator validator;
    private final Counters counters;
    private final TrackerTables tables;
    private final Records records;
    private final DeadlineIndex deadlines;
    private final DestinationHealth health;
    private final Streams streams = new Streams();
    private final EarlyAcks earlyAcks;
    private final ActiveLeases activeLeases;
    private final Tombstones tombstones;
    private final DeadLetters deadLetters;
    private final Retries retries;
    private final Leases leases;
    private final Answers answers;
    private final StreamAcks streamAcks;
    private final Tracking tracking;
    private final Timeouts timeouts;
    private final Housekeeping housekeeping;
    private final Recovery recovery;
    private final ClientSessions sessions;
    private final Effects effects;
    private final int timerBudget;
    private final int retryBudget;
    private final TrackRequest track = new TrackRequest();
    private final ReceiptHandle handle = new ReceiptHandle();
    private final ReceiptHandle granted = new ReceiptHandle();
    private final BlobBytes extrasCopy = new BlobBytes(1024);
    private final PendingRecord view = new PendingRecord();
    private long knownDestinations;
    private boolean recovered;
    private int lastDeleted;
    private int lastTickWork;

    /**
     * A state machine over opened tables.
     *
     * @param config            concluded configuration.
     * @param registry          destination registry.
     * @param tables            the opened tables.
     * @param validator         the argument checks shared with the edges.
     * @param counters          system counters.
     * @param effects           where effects are queued.
     * @param completionLatency track-to-completion latency.
     * @param leaseHoldTime     lease grant to settlement.
     * @param ackLatency        each destination's ack latency, from an attempt's send to its ack.
     * @param leaseMac          keyed MAC of receipt handles.
     * @param seed              seed of the machine's random generator (see {@link #seed}).
     * @param startNs           time of the start (epoch ns), before any command.
     */
    public TrackerStateMachine(
        final TrackerConfig config,
        final DestinationRegistry registry,
        final TrackerTables tables,
        final CommandValidator validator,
        final Counters counters,
        final Effects effects,
        final LatencyRecorder completionLatency,
        final LatencyRecorder leaseHoldTime,
        final DestinationLatencies ackLatency,
        final SipHash leaseMac,
        final long seed,
        final long startNs)
    {
        this.clock = new CommandClock(startNs);
        this.random = new SeededRandom(seed);
        // the machine checks destinations against its own copy of the registry, so a command's result depends only
        // on the commands before it (KNOWN_DESTINATIONS among them), never on when another thread registered a name
        this.validator = validator.withKnownDestinations(() -> knownDestinations);
        this.counters = counters;
        this.tables = tables;
        this.effects = effects;
        this.timerBudget = config.timerBudget();
        this.retryBudget = config.retryBudget();
        final int housekeepingBudget = config.housekeepingBudget();

        records = new Records(tables.pending(), config.capacity(), config.tombstoneCapacity(), counters);
        deadlines = new DeadlineIndex(records.slotCapacity(), startNs);
        sessions = new ClientSessions(config.maxClients(), config.outboxCapacity(), records.slotCapacity(), counters);
        health = new DestinationHealth(config.circuitBreaker(), tables.state(), effects, registry,
            counters.get(CIRCUITS_OPEN), counters.get(CIRCUIT_TRANSITIONS));
        earlyAcks = new EarlyAcks(config.earlyAckCapacity(), config.earlyAckWindowNs(),
            new HeldAckFates(sessions, counters));
        activeLeases = new ActiveLeases(counters);
        final Policies policies = new Policies(config);
        final AttemptHistory history = new AttemptHistory(config.recordAttemptHistory(), tables.extras(), clock);
        tombstones = new Tombstones(records, effects, counters, config.tombstoneCapacity(),
            config.tombstoneWindowNs());
        final Admission admission = new Admission(records, tombstones, deadlines, clock);
        final DeadLetterQueue queue = new DeadLetterQueue(tables.deadLetters(), tables.state(), config.dlqCapacity(),
            config.dlqRetentionNs(), config.dlqEvictOldest());
        deadLetters = new DeadLetters(records, queue, tables.extras(), admission, streams, health, tombstones, effects,
            counters, clock, config.dlqReplayBudget());
        final Finisher finisher = new Finisher(config.deadLetterExpired(), records, deadlines, health, activeLeases,
            streams, deadLetters, tombstones, tables.extras(), effects, counters, completionLatency, clock);
        retries = new Retries(records, deadlines, health, finisher, history, policies, random, effects, counters,
            clock);
        leases = new Leases(config, records, finisher, retries, history, activeLeases, policies, random, leaseMac,
            leaseHoldTime, effects, counters, clock);
        answers = new Answers(records, health, ackLatency, finisher, retries, earlyAcks, sessions, history, counters, clock);
        streamAcks = new StreamAcks(records, streams, tables.streamOffsets(), health, finisher, counters,
            housekeepingBudget);
        tracking = new Tracking(policies, records, admission, streams, earlyAcks, tables.extras(), health, finisher,
            counters, clock);
        timeouts = new Timeouts(records, deadlines, finisher, leases, retries);
        housekeeping = new Housekeeping(records, tombstones, streams, streamAcks, health, deadLetters, earlyAcks,
            deadlines, counters, housekeepingBudget, config.orphanCheckIntervalNs(), startNs);
        recovery = new Recovery(records, deadlines, streams, tables.streamOffsets(), retries, health, activeLeases,
            deadLetters, tombstones, housekeeping, tables.extras(), counters, startNs);
    }

    /**
     * The seed of a machine's random generator: the configured seed mixed with the incarnation (how many times the
     * state has been started), so a restart that rebuilds the state from tables does not repeat the jitter of the
     * run before it.
     *
     * @param config      the configuration (its seed).
     * @param incarnation how many times this state has been started.
     * @return the seed.
     */
    public static long seed(final TrackerConfig config, final long incarnation)
    {
        return SeededRandom.mix(config.randomSeed(), incarnation);
    }

    /**
     * Rebuild the in-memory parts from the tables; once, before the first command. Tells nothing: outcomes found
     * untold are queued to be told by housekeeping.
     */
    public void recover()
    {
        if (!recovered)
        {
            recovered = true;
            recovery.run();
        }
    }

    /**
     * Apply one command.
     *
     * @param timestampNs the time it is applied at (epoch ns): the only time the machine knows.
     * @param type        its type id.
     * @param buffer      holding its body.
     * @param offset      where the body starts.
     * @param length      the body's length.
     * @return the result: OK, COMPLETED or HELD when applied, a refusal (which changed nothing) otherwise.
     */
    public Result apply(
        final long timestampNs, final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        clock.set(timestampNs);
        final int mark = effects.mark();
        final Result result = (type & SEQUENCED) != 0 ?
            applyNumbered(type & ~SEQUENCED, buffer, offset, length) : applyCommand(type, buffer, offset, length, -1, 0);
        sessions.route(effects, mark, records);
        return result;
    }

    /**
     * A command numbered by a client: applied only if its sequence is the next one the client's session expects and
     * its outbox has room for what it may owe (a refusal, or a tracked message's outcome); then the sequence is used
     * whatever the result, and a refusal is kept in the client's outbox. A resend, a gap, an unknown client or a full
     * outbox changes nothing and is counted.
     */
    private Result applyNumbered(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < SEQUENCE_TRAILER_LENGTH || type < TRACK || type > ORPHAN_SWEEP)
        {
            return invalid(Result.INVALID_ARGUMENT);
        }
        final int bodyLength = length - SEQUENCE_TRAILER_LENGTH;
        final long sequence = buffer.getLong(offset + bodyLength + TRAILER_SEQUENCE_OFFSET);
        final int index = sessions.admit(buffer.getLong(offset + bodyLength + TRAILER_CLIENT_OFFSET), sequence);
        switch (index)
        {
            case ClientSessions.UNKNOWN:
                return Result.UNKNOWN_CLIENT;
            case ClientSessions.DUPLICATE:
                return Result.DUPLICATE_COMMAND;
            case ClientSessions.GAP:
                return Result.SEQUENCE_GAP;
            case ClientSessions.FULL:
                return Result.OUTBOX_FULL;
            default:
                break;
        }
        final Result result = applyCommand(type, buffer, offset, bodyLength, index, sequence);
        sessions.applied(index, sequence);
        if (result.isRefusal())
        {
            // every client command that has a subject has at least 16 bytes of body; a shorter one was refused
            sessions.refused(index, type, bodyLength >= 16 ? subjectId(buffer, offset, type) : 0, result, sequence);
        }
        return result;
    }

    private Result applyCommand(
        final int type, final DirectBuffer buffer, final int offset, final int length, final int client,
        final long sequence)
    {
        switch (type)
        {
            case TRACK:
            {
                final Result result = applyTrack(buffer, offset, length);
                if (Result.OK == result)
                {
                    sessions.tracked(tracking.lastSlot(), client);
                }
                return result;
            }
            case ACK:
            {
                if (length < ACK_LENGTH)
                {
                    return invalid(Result.INVALID_ARGUMENT);
                }
                final int destination = buffer.getInt(offset + ACK_DESTINATION_OFFSET);
                final Result invalid = validator.answer(destination);
                return Result.OK != invalid ? invalid(invalid) :
                    answers.ack(buffer.getLong(offset + ACK_MESSAGE_ID_OFFSET), destination, client, sequence);
            }
            case NACK:
            {
                if (length < NACK_LENGTH)
                {
                    return invalid(Result.INVALID_ARGUMENT);
                }
                final int destination = buffer.getInt(offset + NACK_DESTINATION_OFFSET);
                final long delayNs = buffer.getLong(offset + NACK_DELAY_OFFSET);
                final Result invalid = validator.nack(destination, delayNs);
                return Result.OK != invalid ? invalid(invalid) : answers.nack(
                    buffer.getLong(offset + NACK_MESSAGE_ID_OFFSET), destination, delayNs,
                    buffer.getInt(offset + NACK_CODE_OFFSET));
            }
            case REJECT:
            {
                if (length < REJECT_LENGTH)
                {
                    return invalid(Result.INVALID_ARGUMENT);
                }
                final int destination = buffer.getInt(offset + REJECT_DESTINATION_OFFSET);
                final Result invalid = validator.answer(destination);
                return Result.OK != invalid ? invalid(invalid) : answers.reject(
                    buffer.getLong(offset + REJECT_MESSAGE_ID_OFFSET), destination,
                    buffer.getInt(offset + REJECT_CODE_OFFSET));
            }
            case CUMULATIVE_ACK:
            {
                if (length < CUMULATIVE_LENGTH)
                {
                    return invalid(Result.INVALID_ARGUMENT);
                }
                final int destination = buffer.getInt(offset + CUMULATIVE_DESTINATION_OFFSET);
                if (Result.OK != validator.cumulativeAck(destination))
                {
                    counters.increment(SPOOFED_ACKS);
                    return Result.SPOOFED_DESTINATION;
                }
                return streamAcks.cumulativeAck(buffer.getInt(offset + CUMULATIVE_STREAM_ID_OFFSET), destination,
                    buffer.getLong(offset + CUMULATIVE_OFFSET_OFFSET));
            }
            case LEASE:
            {
                if (length < LEASE_LENGTH)
                {
                    return invalid(Result.INVALID_ARGUMENT);
                }
                final long visibilityNs = buffer.getLong(offset + LEASE_VISIBILITY_OFFSET);
                final Result invalid = validator.lease(visibilityNs);
                return Result.OK != invalid ? invalid(invalid) : leases.lease(
                    buffer.getLong(offset + LEASE_MESSAGE_ID_OFFSET), buffer.getLong(offset + LEASE_CONSUMER_OFFSET),
                    visibilityNs, granted);
            }
            case LEASE_ACK:
            case LEASE_NACK:
            case LEASE_EXTEND:
            case LEASE_REJECT:
                return applySettle(type, buffer, offset, length);
            case DEAD_LETTER_REPLAY:
            case DEAD_LETTER_DELETE:
                return applyDeadLetters(type, buffer, offset, length);
            case ORPHAN_SWEEP:
                housekeeping.requestOrphanSweep(clock.nowNs());
                return Result.OK;
            case TICK:
                lastTickWork = tick();
                return Result.OK;
            case OUTCOME_TOLD:
                // one outcome told, or several gathered over a batch of commands: (message id, slot) each
                if (length < TOLD_LENGTH || length % TOLD_LENGTH != 0)
                {
                    return invalid(Result.INVALID_ARGUMENT);
                }
                for (int at = offset, end = offset + length; at < end; at += TOLD_LENGTH)
                {
                    tombstones.onTold(buffer.getLong(at + TOLD_MESSAGE_ID_OFFSET), buffer.getInt(at + TOLD_SLOT_OFFSET));
                }
                return Result.OK;
            case KNOWN_DESTINATIONS:
            {
                if (length < KNOWN_LENGTH)
                {
                    return invalid(Result.INVALID_ARGUMENT);
                }
                final long mask = buffer.getLong(offset + KNOWN_MASK_OFFSET);
                if ((knownDestinations & ~mask) != 0)
                {
                    // registrations are never taken back
                    return invalid(Result.INVALID_ARGUMENT);
                }
                knownDestinations = mask;
                return Result.OK;
            }
            case RESTARTED:
                tellUntold();
                return Result.OK;
            case SESSION_OPEN:
                return length < SESSION_LENGTH ? invalid(Result.INVALID_ARGUMENT) : sessions.open(
                    buffer.getLong(offset + SESSION_CLIENT_OFFSET), buffer.getLong(offset + SESSION_APPLIED_OFFSET),
                    buffer.getLong(offset + SESSION_OUTBOX_CONFIRMED_OFFSET));
            case OUTBOX_CONFIRM:
                return length < OUTBOX_CONFIRM_LENGTH ? invalid(Result.INVALID_ARGUMENT) : sessions.confirmOutbox(
                    buffer.getLong(offset + OUTBOX_CONFIRM_CLIENT_OFFSET),
                    buffer.getLong(offset + OUTBOX_CONFIRM_THROUGH_OFFSET));
            default:
                return invalid(Result.INVALID_ARGUMENT);
        }
    }

    /**
     * The client sessions: confirmations to drain once per duty cycle, outboxes to read.
     *
     * @return the sessions.
     */
    public ClientSessions sessions()
    {
        return sessions;
    }

    /**
     * The destinations this machine accepts (as the last KNOWN_DESTINATIONS command set them).
     *
     * @return bitset of destination ids.
     */
    public long knownDestinations()
    {
        return knownDestinations;
    }

    /**
     * The receipt handle of the lease the last LEASE command granted.
     *
     * @return the handle (overwritten by the next lease).
     */
    public ReceiptHandle grantedHandle()
    {
        return granted;
    }

    /**
     * Dead letters the last DEAD_LETTER_DELETE command deleted.
     *
     * @return the count.
     */
    public int lastDeleted()
    {
        return lastDeleted;
    }

    /**
     * Work the last TICK did (deadlines fired, redeliveries, housekeeping slices), 0 when it found nothing to do.
     *
     * @return the work count.
     */
    public int lastTickWork()
    {
        return lastTickWork;
    }

    /**
     * The time of the last command applied.
     *
     * @return epoch ns.
     */
    public long nowNs()
    {
        return clock.nowNs();
    }

    /**
     * Messages tracked and not finished.
     *
     * @return the count.
     */
    public int pendingCount()
    {
        return records.pendingCount();
    }

    /**
     * Finished messages still remembered as tombstones.
     *
     * @return the count.
     */
    public int tombstoneCount()
    {
        return records.tombstoneCount();
    }

    /**
     * Due redeliveries waiting for the retry budget.
     *
     * @return the count.
     */
    public int queuedRetries()
    {
        return retries.queued();
    }

    /**
     * Health and circuit state of a destination; a view of plain fields, readable from any thread.
     *
     * @param destination id.
     * @return a snapshot.
     */
    public DestinationHealthView destinationHealth(final int destination)
    {
        return health.view(destination);
    }

    /**
     * The records part (reads).
     *
     * @return the records.
     */
    public Records records()
    {
        return records;
    }

    /**
     * The first pass over a batch: read what applying a command on a message will read (its index entry, every line
     * of its record, its deadline links), so the cache misses of a batch are taken together. Changes nothing.
     *
     * @param messageId the command's message.
     * @return a value depending on what was read (the caller keeps it, so the reads are not optimised away).
     */
    public long touch(final long messageId)
    {
        final long entry = records.entryOf(messageId);
        if (Records.MISSING_ENTRY == entry)
        {
            return entry;
        }
        final int slot = Records.slotOfEntry(entry);
        return records.touchEntry(entry) + (slot < records.slotCapacity() ? deadlines.touch(slot) : 0);
    }

    /**
     * The deadline index, for tests and diagnostics.
     *
     * @return the index.
     */
    public DeadlineIndex deadlines()
    {
        return deadlines;
    }

    /**
     * The dead letters, for queries (changes go through commands).
     *
     * @return the dead letters.
     */
    public DeadLetters deadLetters()
    {
        return deadLetters;
    }

    /**
     * The leases, for queries (changes go through commands).
     *
     * @return the leases.
     */
    public Leases leases()
    {
        return leases;
    }

    /**
     * Held messages the dead-letter part looked at in the last tick (bounded by the housekeeping budget).
     *
     * @return the count.
     */
    public int lastHeldVisits()
    {
        return deadLetters.lastVisits();
    }

    /**
     * Append the whole state, canonically ordered, to an image: two machines that applied the same commands from the
     * same state append the same bytes. Allocates; not for the hot path.
     *
     * @param image the image.
     */
    public void appendState(final StateImage image)
    {
        image.section("clock").putLong(clock.nowNs()).putLong(random.state());
        image.section("destinations").putLong(knownDestinations);
        final long[] ids = records.sortedIds();
        image.section("records").putInt(ids.length).putInt(records.pendingCount());
        for (final long messageId : ids)
        {
            final int slot = records.slotOf(messageId);
            final PendingRecord record = view.wrap(records.address(slot));
            image.putLong(messageId).putBytes(record.buffer(), 0, PendingRecord.LENGTH)
                .putLong(deadlines.isScheduled(slot) ? deadlines.deadline(slot) : Long.MIN_VALUE);
            if (record.hasFlag2(PendingRecord.FLAG2_HAS_EXTRAS) && tables.extras().get(messageId, extrasCopy))
            {
                image.putBytes(extrasCopy.buffer(), 0, extrasCopy.length());
            }
            else
            {
                image.putInt(-1);
            }
        }
        records.appendTombstones(image);
        retries.appendState(image);
        streams.appendState(image);
        image.section("stream offsets");
        tables.streamOffsets().forEachSorted((streamId, destination, offset) ->
            image.putInt(streamId).putInt(destination).putLong(offset));
        deadLetters.appendState(image);
        health.appendState(image);
        earlyAcks.appendState(image);
        image.section("leases").putLong(activeLeases.active());
        housekeeping.appendState(image);
        sessions.appendState(image, records);
        image.section("counters");
        for (final TrackerCounter counter : TrackerCounter.values())
        {
            if (!NOT_STATE.contains(counter))
            {
                image.putLong(counters.value(counter));
            }
        }
    }

    /**
     * Append the whole state, exactly, to an image a checkpoint restores from ({@link #restore}): unlike
     * {@link #appendState} nothing is sorted or rebuilt, every order that decides later behaviour is kept (free-slot
     * stack, bucket order, wheels, rings, queues, cursors, the random state). The records' content is not in it: the
     * caller copies each of {@code records().createdSlots()} slots from {@code records().address(slot)}. Between
     * commands only. Allocates while the writer grows; not for the hot path.
     *
     * @param out the image.
     */
    public void dump(final ImageWriter out)
    {
        dumpParts(out);
        tables.extras().dump(out);
        tables.deadLetters().dump(out);
        dumpLastTables(out);
    }

    /**
     * The first part of {@link #dump}: everything before the message-keyed tables ({@link #copiedTables()}), which a
     * checkpoint copies on write instead of in its pause. Between commands only.
     *
     * @param out the image.
     */
    public void dumpParts(final ImageWriter out)
    {
        out.section(ImageSections.MACHINE).putLong(clock.nowNs()).putLong(random.state()).putLong(knownDestinations)
            .putInt(lastDeleted).putInt(lastTickWork);
        records.dump(out);
        deadlines.dump(out);
        health.dump(out);
        streams.dump(out);
        earlyAcks.dump(out);
        activeLeases.dump(out);
        retries.dump(out);
        deadLetters.dump(out);
        housekeeping.dump(out);
        sessions.dump(out);
        out.section(ImageSections.COUNTERS);
        for (final TrackerCounter counter : TrackerCounter.values())
        {
            if (!NOT_STATE.contains(counter))
            {
                out.putInt(counter.id()).putLong(counters.value(counter));
            }
        }
        out.putInt(-1);
    }

    /**
     * The last part of {@link #dump}, after the message-keyed tables: the small keyed tables (circuit states and
     * totals, at most {@code StoreLayout.STATE_ENTRIES}; stream offsets) and the end. Between commands only.
     *
     * @param out the image.
     */
    public void dumpLastTables(final ImageWriter out)
    {
        tables.state().dump(out);
        tables.streamOffsets().dump(out);
        out.section(ImageSections.END);
    }

    /**
     * @return the message-keyed tables, in the order {@link #dump} writes them between {@link #dumpParts} and
     * {@link #dumpLastTables}: extras, then dead letters.
     */
    public BlobTable[] copiedTables()
    {
        return new BlobTable[]{ tables.extras(), tables.deadLetters() };
    }

    /**
     * Restore the whole state from a {@link #dump} image, into a machine built from the same genesis (seed, start,
     * settings) and given no command yet: afterwards it is the machine that was dumped, and the same commands give
     * the same results, state and effects.
     *
     * @param in      the image.
     * @param created slots the checkpoint's pending table holds.
     * @param filler  writes each slot's record.
     * @throws io.acktracker.engine.api.TrackerException when the image does not fit this machine.
     */
    public void restore(final ImageReader in, final int created, final SlotFiller filler)
    {
        recovered = true;
        in.section(ImageSections.MACHINE, "machine");
        clock.set(in.getLong());
        random.state(in.getLong());
        knownDestinations = in.getLong();
        lastDeleted = in.getInt();
        lastTickWork = in.getInt();
        records.restore(in, created, filler);
        deadlines.restore(in);
        health.restore(in);
        streams.restore(in);
        earlyAcks.restore(in);
        activeLeases.restore(in);
        retries.restore(in);
        deadLetters.restore(in);
        housekeeping.restore(in);
        sessions.restore(in);
        in.section(ImageSections.COUNTERS, "counters");
        for (int id = in.getInt(); id >= 0; id = in.getInt())
        {
            counters.set(TrackerCounter.byId(id), in.getLong());
        }
        tables.extras().restore(in);
        tables.deadLetters().restore(in);
        tables.state().restore(in);
        tables.streamOffsets().restore(in);
        in.section(ImageSections.END, "end");
        if (!in.isAtEnd())
        {
            throw new io.acktracker.engine.api.TrackerException("the checkpoint image has " +
                "bytes after its end: written by another version");
        }
    }

    /**
     * RESTARTED: every finished record whose outcome was queued to be told ({@link PendingRecord#FLAG_TELLING}) but
     * not known to be told before the state was rebuilt is told again, as a replay, in slot order. Its record stays
     * until an OUTCOME_TOLD says the telling happened.
     */
    private void tellUntold()
    {
        final int slots = records.createdSlots();
        for (int slot = 0; slot < slots; slot++)
        {
            final PendingRecord record = view.wrap(records.address(slot));
            if (RecordStatus.isFinal(record.status()) && record.hasFlag(PendingRecord.FLAG_TELLING) &&
                !record.hasFlag(PendingRecord.FLAG_NOTIFIED))
            {
                tombstones.tellAgain(slot, record);
            }
        }
    }

    private int tick()
    {
        final long nowNs = clock.nowNs();
        int work = deadlines.poll(nowNs, timeouts, timerBudget);
        work += retries.redeliver(retryBudget);
        work += housekeeping.doWork(nowNs);
        return work;
    }

    private Result applyTrack(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < TRACK_LENGTH)
        {
            return invalid(Result.INVALID_ARGUMENT);
        }
        final int flags = buffer.getInt(offset + TRACK_FLAGS_OFFSET);
        final TrackRequest request = track.reset()
            .messageId(buffer.getLong(offset + TRACK_MESSAGE_ID_OFFSET))
            .destinations(buffer.getLong(offset + TRACK_DESTINATIONS_OFFSET))
            .ackTimeoutNs(buffer.getLong(offset + TRACK_ACK_TIMEOUT_OFFSET))
            .ttlNs(buffer.getLong(offset + TRACK_TTL_OFFSET))
            .requiredAcks(buffer.getInt(offset + TRACK_REQUIRED_ACKS_OFFSET))
            .priority(buffer.getShort(offset + TRACK_PRIORITY_OFFSET))
            .messageClass(buffer.getInt(offset + TRACK_MESSAGE_CLASS_OFFSET))
            .maxAttempts(buffer.getShort(offset + TRACK_MAX_ATTEMPTS_OFFSET));
        final int metadataLength = buffer.getInt(offset + TRACK_METADATA_LENGTH_OFFSET);
        if (metadataLength > length - TRACK_LENGTH)
        {
            return invalid(Result.METADATA_TOO_LARGE);
        }
        if (0 != metadataLength)
        {
            request.metadata(buffer, offset + TRACK_METADATA_OFFSET, metadataLength);
        }
        if ((flags & TRACK_FLAG_HAS_STREAM) != 0)
        {
            request.stream(
                buffer.getInt(offset + TRACK_STREAM_ID_OFFSET), buffer.getLong(offset + TRACK_SEQUENCE_OFFSET));
        }
        final Result invalid = validator.track(request);
        if (Result.OK != invalid)
        {
            return invalid(invalid);
        }
        return tracking.track(request, (flags & TRACK_FLAG_HAS_WAITER) != 0);
    }

    private Result applySettle(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < SETTLE_LENGTH)
        {
            return invalid(Result.INVALID_ARGUMENT);
        }
        final long argument = buffer.getLong(offset + SETTLE_ARGUMENT_OFFSET);
        final Result invalid = validator.settle(type, argument);
        if (Result.OK != invalid)
        {
            return invalid(invalid);
        }
        handle.decode(buffer, offset + SETTLE_HANDLE_OFFSET);
        switch (type)
        {
            case LEASE_ACK:
                return leases.ack(handle);
            case LEASE_NACK:
                return leases.nack(handle, argument);
            case LEASE_EXTEND:
                return leases.extend(handle, argument);
            default:
                return leases.reject(handle, buffer.getInt(offset + SETTLE_CODE_OFFSET));
        }
    }

    private Result applyDeadLetters(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        final int count = length < DEAD_LETTER_IDS_OFFSET ? -1 : buffer.getInt(offset + DEAD_LETTER_COUNT_OFFSET);
        final int mode = length < DEAD_LETTER_IDS_OFFSET ? -1 : buffer.getInt(offset + DEAD_LETTER_MODE_OFFSET);
        if (count < 0 || length < deadLetterLength(count) ||
            (DEAD_LETTER_REPLAY == type && (mode < 0 || mode >= ReplayMode.values().length)))
        {
            return invalid(Result.INVALID_ARGUMENT);
        }
        if (DEAD_LETTER_REPLAY == type && (buffer.getInt(offset + DEAD_LETTER_FLAGS_OFFSET) & REPLAY_FLAG_NOW) != 0)
        {
            return 1 != count ? invalid(Result.INVALID_ARGUMENT) :
                deadLetters.replayOne(buffer.getLong(offset + DEAD_LETTER_IDS_OFFSET), ReplayMode.values()[mode]);
        }
        if (DEAD_LETTER_REPLAY == type)
        {
            deadLetters.requestReplay(buffer, offset + DEAD_LETTER_IDS_OFFSET, count, mode);
        }
        else
        {
            lastDeleted = deadLetters.delete(buffer, offset + DEAD_LETTER_IDS_OFFSET, count);
        }
        return Result.OK;
    }

    private Result invalid(final Result result)
    {
        counters.increment(INVALID_REQUESTS);
        return result;
    }
}

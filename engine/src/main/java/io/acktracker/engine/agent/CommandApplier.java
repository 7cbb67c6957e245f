package io.acktracker.engine.agent;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.machine.TrackerStateMachine;
import io.acktracker.engine.metrics.Counters;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import static io.acktracker.engine.metrics.TrackerCounter.BACK_PRESSURED;

/**
 * How the agent applies one command to the state machine: first KNOWN_DESTINATIONS when the registry has a name the
 * machine does not, then the command, each through the command journal when the state is journaled (claim, apply,
 * commit with the result, or cancel for a tick that did nothing or a command that failed half way). A journal that
 * cannot take a command is back pressure: nothing is applied and the caller gets null. OUTCOME_TOLD commands the
 * journal could not take wait, in order, in a backlog the agent applies first in its next cycles.
 * <p>
 * Inside a batch of queued commands ({@link #beginToldBatch()}), the outcomes told are gathered and applied as one
 * OUTCOME_TOLD command listing them all (up to {@link #TOLD_BATCH}) at the batch's end: one journal frame instead of
 * one per outcome (a quarter of the frames and a fifth of the journal's bytes when each message takes a track, two
 * acks and its telling).
 * <p>
 * Allocation-free except the backlog's growth under back pressure. Agent thread only.
 */
final class CommandApplier
{
    private final TrackerStateMachine machine;
    private final CommandJournal journal;
    private final DestinationRegistry registry;
    private final Counters counters;
    /** Most outcomes told gathered into one OUTCOME_TOLD command. */
    static final int TOLD_BATCH = 64;

    private final MutableDirectBuffer toldCommand = new UnsafeBuffer(new byte[CommandLayout.TOLD_LENGTH]);
    private final MutableDirectBuffer toldBatch = new UnsafeBuffer(new byte[TOLD_BATCH * CommandLayout.TOLD_LENGTH]);
    private int toldBatched;
    private boolean batchingTold;
    private final MutableDirectBuffer knownCommand = new UnsafeBuffer(new byte[CommandLayout.KNOWN_LENGTH]);
    private final LongArrayList toldBacklog = new LongArrayList();

    CommandApplier(
        final TrackerStateMachine machine,
        final CommandJournal journal,
        final DestinationRegistry registry,
        final Counters counters)
    {
        this.machine = machine;
        this.journal = journal;
        this.registry = registry;
        this.counters = counters;
    }

    /**
     * Apply one command: first the registry's new destinations, then the command; each journaled when the state is.
     *
     * @param nowNs the cycle's time.
     * @return the result, or null when the journal cannot take the command now (nothing was applied).
     */
    Result apply(final long nowNs, final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        return syncKnownDestinations(nowNs) ? applyJournaled(nowNs, type, buffer, offset, length) : null;
    }

    /**
     * An outcome was told: apply OUTCOME_TOLD now, or keep it for the next cycles when the journal cannot take it
     * (the record stays till then).
     */
    void outcomeTold(final long nowNs, final long messageId, final int slot)
    {
        // the backlog is empty whenever outcomes are batched (a refused batch goes into it whole): order is kept
        if (batchingTold && toldBacklog.isEmpty())
        {
            final int at = toldBatched * CommandLayout.TOLD_LENGTH;
            toldBatch.putLong(at + CommandLayout.TOLD_MESSAGE_ID_OFFSET, messageId);
            toldBatch.putInt(at + CommandLayout.TOLD_SLOT_OFFSET, slot);
            if (++toldBatched == TOLD_BATCH)
            {
                flushTold(nowNs);
            }
            return;
        }
        if (!toldBacklog.isEmpty() || !applyOutcomeTold(nowNs, messageId, slot))
        {
            toldBacklog.addLong(messageId);
            toldBacklog.addLong(slot);
        }
    }

    /**
     * A batch of queued commands starts: outcomes told from now on are gathered until {@link #endToldBatch}.
     */
    void beginToldBatch()
    {
        batchingTold = true;
    }

    /**
     * The batch ends: apply the outcomes told in it as one OUTCOME_TOLD.
     *
     * @param nowNs the cycle's time.
     */
    void endToldBatch(final long nowNs)
    {
        flushTold(nowNs);
        batchingTold = false;
    }

    /**
     * @return true when outcomes told are gathered and not applied yet (their records are still in the table).
     */
    boolean hasToldBatched()
    {
        return toldBatched > 0;
    }

    /**
     * Apply the outcomes told gathered so far as one OUTCOME_TOLD; when the journal cannot take it they go into the
     * backlog, in order.
     *
     * @param nowNs the cycle's time.
     */
    void flushTold(final long nowNs)
    {
        final int count = toldBatched;
        if (0 == count)
        {
            return;
        }
        toldBatched = 0;
        if (null == applyJournaled(nowNs, CommandLayout.OUTCOME_TOLD, toldBatch, 0, count * CommandLayout.TOLD_LENGTH))
        {
            for (int i = 0; i < count; i++)
            {
                final int at = i * CommandLayout.TOLD_LENGTH;
                toldBacklog.addLong(toldBatch.getLong(at + CommandLayout.TOLD_MESSAGE_ID_OFFSET));
                toldBacklog.addLong(toldBatch.getInt(at + CommandLayout.TOLD_SLOT_OFFSET));
            }
            counters.increment(BACK_PRESSURED);
        }
    }

    /**
     * Apply the OUTCOME_TOLD commands the journal could not take when their outcomes were told, oldest first.
     *
     * @param nowNs the cycle's time.
     * @return true when none is left.
     */
    boolean applyToldBacklog(final long nowNs)
    {
        if (toldBacklog.isEmpty())
        {
            return true;
        }
        int applied = 0;
        final int size = toldBacklog.size();
        while (applied < size &&
            applyOutcomeTold(nowNs, toldBacklog.getLong(applied), (int)toldBacklog.getLong(applied + 1)))
        {
            applied += 2;
        }
        if (applied == size)
        {
            toldBacklog.clear();
            return true;
        }
        if (applied > 0)
        {
            toldBacklog.subList(0, applied).clear();
        }
        counters.increment(BACK_PRESSURED);
        return false;
    }

    private boolean applyOutcomeTold(final long nowNs, final long messageId, final int slot)
    {
        toldCommand.putLong(CommandLayout.TOLD_MESSAGE_ID_OFFSET, messageId);
        toldCommand.putInt(CommandLayout.TOLD_SLOT_OFFSET, slot);
        return null != applyJournaled(nowNs, CommandLayout.OUTCOME_TOLD, toldCommand, 0, CommandLayout.TOLD_LENGTH);
    }

    /**
     * Claim the command's journal frame, apply it, then commit the frame (before anything is told of its effects),
     * or cancel it for a tick that did nothing or a command that failed half way.
     */
    private Result applyJournaled(
        final long nowNs, final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == journal)
        {
            return machine.apply(nowNs, type, buffer, offset, length);
        }
        if (!journal.claim(type, nowNs, buffer, offset, length))
        {
            return null;
        }
        final Result result;
        try
        {
            result = machine.apply(nowNs, type, buffer, offset, length);
        }
        catch (final RuntimeException | Error ex)
        {
            journal.cancel();
            throw ex;
        }
        if (CommandLayout.TICK == type && 0 == machine.lastTickWork())
        {
            journal.cancel();
        }
        else
        {
            journal.commit(result);
        }
        return result;
    }

    /**
     * Give the machine the registry's destinations when another thread registered one since the last command: a
     * KNOWN_DESTINATIONS command, applied before the command that may use the new id. A thread that registers a name
     * and then queues a command publishes the registration first (the registry's volatile snapshot), so the agent,
     * having read the command, sees the name here.
     */
    private boolean syncKnownDestinations(final long nowNs)
    {
        final long machineKnown = machine.knownDestinations();
        final long known = registry.knownMask() | machineKnown;
        if (known == machineKnown)
        {
            return true;
        }
        knownCommand.putLong(CommandLayout.KNOWN_MASK_OFFSET, known);
        return null != applyJournaled(
            nowNs, CommandLayout.KNOWN_DESTINATIONS, knownCommand, 0, CommandLayout.KNOWN_LENGTH);
    }
}

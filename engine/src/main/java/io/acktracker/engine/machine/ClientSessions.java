package io.acktracker.engine.machine;

import io.acktracker.engine.api.ClientOutboxes;
import io.acktracker.engine.api.CommandType;
import io.acktracker.engine.api.ConfirmationListener;
import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.state.ImageReader;
import io.acktracker.engine.state.ImageSections;
import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.state.StateImage;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.command.CommandLayout;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * The session state of the clients that number their commands (senders, destinations, consumers): what makes the
 * tracker apply each client command exactly once and lose nothing it owes a client, across resends, reconnects and
 * restarts. Part of the machine's state, so it is journaled with the commands and restored from checkpoints: a crash
 * can never separate a command's effect from its sequence.
 * <p>
 * Per client (a stable 64-bit id, at most {@code maxClients}):
 * <ul>
 *   <li><b>applied through</b>: the highest sequence applied. The next command must carry exactly the one after it:
 *   at or below is a resend (changes nothing, counted, confirmed again), above is a gap (a frame was lost on the way:
 *   refused, the client resends from its first unconfirmed command).</li>
 *   <li><b>its outbox</b> ({@link Outboxes}): the outcomes of the messages it tracked, their redeliveries, and the
 *   refusals of its numbered commands, kept until the client confirms them (OUTBOX_CONFIRM, or its SESSION_OPEN),
 *   so a client that comes back after a crash of either side is sent everything after its last confirmation. A
 *   numbered command is admitted only while the outbox has room for what it may owe (its refusal or its message's
 *   outcome); otherwise it is refused {@link Result#OUTBOX_FULL} without using its sequence, and the client resends
 *   it once it confirmed what it was sent.</li>
 * </ul>
 * Which client tracked the message in a slot is kept per slot: positive while its outcome is owed, negated once the
 * outcome is in the outbox (so the outcome told again after a restart is flagged as kept, not kept twice), and
 * overwritten by the next track into the slot.
 * <p>
 * Confirmations ("applied through N") are not state: the clients that had a numbered command in a cycle are
 * collected and drained once per duty cycle ({@link #drainConfirmations}).
 * <p>
 * Machine (agent) thread only; the read methods are for a transport running on the agent thread.
 */
public final class ClientSessions implements ClientOutboxes
{
    /** {@link #admit}: the client has no session. (Any value >= 0 is the client's index: apply the command.) */
    static final int UNKNOWN = -1;
    /** {@link #admit}: a resend of a command already applied. */
    static final int DUPLICATE = -2;
    /** {@link #admit}: the sequence skips one. */
    static final int GAP = -3;
    /** {@link #admit}: no room in the client's outbox for what the command may owe it. */
    static final int FULL = -4;

    private final int maxClients;
    private final Counters counters;
    private final Outboxes outboxes;
    private final Long2LongHashMap indexById = new Long2LongHashMap(-1);
    private final long[] clientIds;
    private final long[] appliedThrough;
    private final boolean[] confirmationDue;
    private final IntArrayList confirmationsDue = new IntArrayList();
    private final int[] clientOfSlot;
    private final EntryDecoder entryDecoder = new EntryDecoder();
    private int clients;

    /**
     * Sessions for up to {@code maxClients} clients.
     *
     * @param maxClients     most clients; 0 turns sessions off (SESSION_OPEN is refused CLIENTS_FULL).
     * @param outboxCapacity entries per client outbox, a power of two.
     * @param slotCapacity   slots of the records.
     * @param counters       system counters.
     */
    ClientSessions(final int maxClients, final int outboxCapacity, final int slotCapacity, final Counters counters)
    {
        this.maxClients = maxClients;
        this.counters = counters;
        this.outboxes = new Outboxes(maxClients, outboxCapacity, counters);
        this.clientIds = new long[maxClients];
        this.appliedThrough = new long[maxClients];
        this.confirmationDue = new boolean[maxClients];
        // allocated only when sessions are on: 4 bytes per slot
        this.clientOfSlot = maxClients > 0 ? new int[slotCapacity] : new int[0];
    }

    /**
     * SESSION_OPEN: a client (re)binds. An unknown client gets a session whose applied-through is what the client
     * says an earlier tracker confirmed to it, and an outbox starting after what it confirmed. A client claiming more
     * applied commands than this state holds (a state that was lost, or a new store) is taken at its word and counted
     * as adopted: loud, because exactly once cannot be promised across such a loss. Then the outbox entries the
     * client confirms are released.
     *
     * @return OK, CLIENTS_FULL, or INVALID_ARGUMENT (negative numbers, or a confirmation beyond the outbox).
     */
    Result open(final long clientId, final long clientAppliedThrough, final long clientOutboxConfirmed)
    {
        if (clientAppliedThrough < 0 || clientOutboxConfirmed < 0)
        {
            counters.increment(INVALID_REQUESTS);
            return Result.INVALID_ARGUMENT;
        }
        int index = indexOf(clientId);
        if (index < 0)
        {
            if (clients == maxClients)
            {
                counters.increment(SESSIONS_REFUSED);
                return Result.CLIENTS_FULL;
            }
            index = add(clientId);
            outboxes.open(index, clientOutboxConfirmed);
        }
        else if (!outboxes.confirm(index, clientOutboxConfirmed))
        {
            counters.increment(INVALID_REQUESTS);
            return Result.INVALID_ARGUMENT;
        }
        if (clientAppliedThrough > appliedThrough[index])
        {
            appliedThrough[index] = clientAppliedThrough;
            counters.increment(SESSIONS_ADOPTED);
        }
        counters.increment(SESSIONS_OPENED);
        dueConfirmation(index);
        return Result.OK;
    }

    /**
     * OUTBOX_CONFIRM: the client received its outbox through an entry; those entries are released. Idempotent.
     *
     * @return OK, UNKNOWN_CLIENT, or INVALID_ARGUMENT for a confirmation beyond what was written.
     */
    Result confirmOutbox(final long clientId, final long through)
    {
        final int index = indexOf(clientId);
        if (index < 0)
        {
            counters.increment(UNKNOWN_CLIENT_COMMANDS);
            return Result.UNKNOWN_CLIENT;
        }
        if (!outboxes.confirm(index, through))
        {
            counters.increment(INVALID_REQUESTS);
            return Result.INVALID_ARGUMENT;
        }
        return Result.OK;
    }

    /**
     * May the next numbered command of a client be applied? Changes nothing unless the answer is a resend (then a
     * confirmation is due again); every refusal is counted.
     *
     * @return the client's index (apply it, then {@link #applied}), or UNKNOWN, DUPLICATE, GAP or FULL.
     */
    int admit(final long clientId, final long sequence)
    {
        final int index = indexOf(clientId);
        if (index < 0)
        {
            counters.increment(UNKNOWN_CLIENT_COMMANDS);
            return UNKNOWN;
        }
        final long expected = appliedThrough[index] + 1;
        if (sequence < expected)
        {
            counters.increment(DUPLICATE_COMMANDS);
            dueConfirmation(index);
            return DUPLICATE;
        }
        if (sequence > expected)
        {
            counters.increment(SEQUENCE_GAPS);
            return GAP;
        }
        if (!outboxes.hasRoom(index))
        {
            counters.increment(OUTBOX_FULL_REFUSALS);
            return FULL;
        }
        return index;
    }

    /**
     * The admitted command was applied (whatever its result): its sequence is used.
     *
     * @param index    the client's index from {@link #admit}.
     * @param sequence the command's sequence.
     */
    void applied(final int index, final long sequence)
    {
        appliedThrough[index] = sequence;
        dueConfirmation(index);
    }

    /**
     * The refusal of a client's numbered command, kept in its outbox (admission left room for it).
     */
    void refused(final int index, final int commandType, final long subjectId, final Result result,
        final long sequence)
    {
        outboxes.appendRefusal(index, commandType, subjectId, result.ordinal(), sequence);
    }

    /** A numbered ack was held as an early ack: an entry reserved for its refusal (admission left room for it). */
    void heldAck(final int index)
    {
        outboxes.reserve(index);
    }

    /** A held numbered ack's window ended first: refused UNKNOWN_MESSAGE in its reserved entry, so it acks again. */
    void heldAckDropped(final int index, final long messageId, final long sequence)
    {
        outboxes.release(index);
        outboxes.appendRefusal(index, CommandLayout.ACK, messageId, Result.UNKNOWN_MESSAGE.ordinal(), sequence);
    }

    /** A held numbered ack was applied with its message: its reservation is free. */
    void heldAckApplied(final int index)
    {
        outboxes.release(index);
    }

    /**
     * A TRACK was accepted into a slot: with a client, its outcome is owed to that client and an outbox entry is
     * reserved for it; without, the slot forgets any earlier owner.
     *
     * @param slot  the record's slot.
     * @param index the client's index, or -1 for none.
     */
    void tracked(final int slot, final int index)
    {
        if (0 == clientOfSlot.length)
        {
            return;
        }
        clientOfSlot[slot] = index + 1;
        if (index >= 0)
        {
            outboxes.reserve(index);
        }
    }

    /**
     * Route the effects a command queued from a mark on: an outcome of a client's message goes into its outbox, once,
     * and the effect is flagged {@link Effects#FLAG_OUTBOX} (so is the same outcome told again after a restart); a
     * redelivery of a client's message is kept there too while an unreserved entry is free (counted when not: the
     * message's next timeout redelivers it again, nothing is lost).
     *
     * @param effects the machine's effects.
     * @param mark    {@link Effects#mark()} before the command.
     * @param records to find a redelivered message's slot.
     */
    void route(final Effects effects, final int mark, final Records records)
    {
        if (0 == clients)
        {
            return;
        }
        for (int position = mark, end = effects.mark(); position < end; position += Effects.ENTRY_LENGTH)
        {
            final int type = effects.typeAt(position);
            if (Effects.OUTCOME == type)
            {
                final int slot = effects.slotAt(position);
                final int owner = clientOfSlot[slot];
                if (0 != owner)
                {
                    effects.addOutcomeFlag(position, Effects.FLAG_OUTBOX);
                }
                if (owner > 0)
                {
                    clientOfSlot[slot] = -owner;
                    outboxes.appendOutcome(owner - 1, effects.buffer(), position);
                }
            }
            else if (Effects.REDELIVERY == type)
            {
                final int slot = records.slotOf(effects.idAt(position));
                final int owner = Records.MISSING == slot ? 0 : clientOfSlot[slot];
                if (owner > 0 && !outboxes.appendRedelivery(owner - 1, effects.buffer(), position))
                {
                    counters.increment(OUTBOX_REDELIVERIES_NOT_KEPT);
                }
            }
        }
    }

    /**
     * Hand the confirmations due this cycle to a listener, one per client that had a numbered command or opened its
     * session, then forget them.
     *
     * @param listener receives them.
     * @return how many.
     */
    public int drainConfirmations(final ConfirmationListener listener)
    {
        final int count = confirmationsDue.size();
        for (int i = 0; i < count; i++)
        {
            final int index = confirmationsDue.getInt(i);
            confirmationDue[index] = false;
            listener.onConfirmed(clientIds[index], appliedThrough[index], outboxes.written(index));
        }
        confirmationsDue.clear();
        return count;
    }

    /** Forget the confirmations due (a replay: nobody waits for them). */
    public void discardConfirmations()
    {
        for (int i = 0, count = confirmationsDue.size(); i < count; i++)
        {
            confirmationDue[confirmationsDue.getInt(i)] = false;
        }
        confirmationsDue.clear();
    }

    public int indexOf(final long clientId)
    {
        return (int)indexById.get(clientId);
    }

    public int clientCount()
    {
        return clients;
    }

    public long clientId(final int index)
    {
        return clientIds[index];
    }

    public long appliedThrough(final int index)
    {
        return appliedThrough[index];
    }

    public long outboxWritten(final int index)
    {
        return outboxes.written(index);
    }

    public long outboxConfirmed(final int index)
    {
        return outboxes.confirmed(index);
    }

    public void readEntry(final int index, final long number, final EntryHandler handler)
    {
        entryDecoder.handler = handler;
        entryDecoder.sequence = outboxes.refusalSequence(index, number);
        outboxes.read(index, number, entryDecoder);
    }

    /**
     * The clients' outboxes, to read (changes go through commands).
     *
     * @return the outboxes.
     */
    public Outboxes outboxes()
    {
        return outboxes;
    }

    void dump(final ImageWriter out)
    {
        out.section(ImageSections.SESSIONS).putInt(clients);
        for (int index = 0; index < clients; index++)
        {
            out.putLong(clientIds[index]).putLong(appliedThrough[index]);
            outboxes.dump(out, index);
        }
        if (0 == clients)
        {
            // no client ever had a session: no slot has an owner (tracked() writes 0), so the table-sized array is
            // not scanned in the checkpoint's pause (about 1 ms at 1M slots)
            out.putInt(0);
            return;
        }
        // one pass: the count goes before the pairs, so its place is filled in after them
        final int countAt = out.length();
        out.putInt(0);
        int owned = 0;
        for (int slot = 0; slot < clientOfSlot.length; slot++)
        {
            final int owner = clientOfSlot[slot];
            if (0 != owner)
            {
                out.putInt(slot).putInt(owner);
                owned++;
            }
        }
        out.buffer().putInt(countAt, owned);
    }

    void restore(final ImageReader in)
    {
        in.section(ImageSections.SESSIONS, "sessions");
        final int count = in.getInt();
        if (count > maxClients)
        {
            throw new TrackerException("the checkpoint holds " + count + " client sessions, more than maxClients " +
                maxClients);
        }
        for (int i = 0; i < count; i++)
        {
            final int index = add(in.getLong());
            appliedThrough[index] = in.getLong();
            outboxes.restore(in, index);
        }
        for (int i = 0, owned = in.getInt(); i < owned; i++)
        {
            final int slot = in.getInt();
            clientOfSlot[slot] = in.getInt();
        }
    }

    /**
     * Append the sessions canonically: per client its numbers and kept entries, then the owner of each live message
     * by message id (slots may differ between two machines with the same state).
     */
    void appendState(final StateImage image, final Records records)
    {
        image.section("sessions").putInt(clients);
        for (int index = 0; index < clients; index++)
        {
            image.putLong(clientIds[index]).putLong(appliedThrough[index]);
            outboxes.appendState(image, index);
        }
        image.section("message owners");
        for (final long messageId : records.sortedIds())
        {
            final int slot = records.slotOf(messageId);
            final int owner = slot < clientOfSlot.length ? clientOfSlot[slot] : 0;
            if (0 != owner)
            {
                image.putLong(messageId).putLong(clientIds[Math.abs(owner) - 1]).putInt(owner < 0 ? 1 : 0);
            }
        }
    }

    private int add(final long clientId)
    {
        final int index = clients++;
        counters.set(CLIENT_SESSIONS, clients);
        indexById.put(clientId, index);
        clientIds[index] = clientId;
        return index;
    }

    private void dueConfirmation(final int index)
    {
        if (!confirmationDue[index])
        {
            confirmationDue[index] = true;
            confirmationsDue.addInt(index);
        }
    }

    /** From the effect layout of an outbox entry to the API's types, allocation-free. */
    private static final class EntryDecoder implements Effects.Handler
    {
        private static final Outcome[] OUTCOMES = Outcome.values();
        private static final Result[] RESULTS = Result.values();

        private EntryHandler handler;
        private long sequence;

        public void onOutcome(
            final long messageId, final int outcome, final int reason, final long latencyNs, final int attempts,
            final int flags, final int slot)
        {
            handler.onOutcome(messageId, OUTCOMES[outcome], FailureReason.of(reason), latencyNs, attempts);
        }

        public void onRedelivery(final long messageId, final int destination, final int attempt)
        {
            handler.onRedelivery(messageId, destination, attempt);
        }

        public void onRefusal(final int commandType, final long id, final int result, final int flags)
        {
            handler.onRefusal(CommandType.of(commandType), id, RESULTS[result], sequence);
        }

        public void onCircuit(final int destination, final int from, final int to, final long nowNs)
        {
            // never in an outbox
        }
    }
}

package io.acktracker.engine.effect;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What applying a command produced for the outside world, queued in order until the command is complete: outcomes,
 * redeliveries, refusals of queued commands and circuit changes. The state machine only appends; the agent drains
 * after each command and tells the listeners. Nothing outside the engine runs while a command is half applied, so a
 * listener that calls back into the tracker always finds consistent state, and the effects of a command can be
 * journaled (or replicated) before anyone sees them.
 * <p>
 * Each effect is a fixed 32-byte entry; enums travel as ordinals so this package depends on nothing else:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |             type              |              a                |  0
 *  |                            id                                 |  8
 *  |                            time                               | 16
 *  |              b                |              c                | 24
 *  +---------------------------------------------------------------+
 *  OUTCOME     a = outcome | reason &lt;&lt; 8 | flags &lt;&lt; 16, id = message, time = latency, b = attempts,
 *              c = the record's slot (so the record is found again without a lookup once told)
 *  REDELIVERY  a = destination, id = message, b = attempt
 *  REFUSAL     a = command type, id = message or stream, b = result ordinal, c = flags (time = the refused
 *              command's client sequence, in a client's outbox only)
 *  CIRCUIT     a = destination, time = when, b = from ordinal, c = to ordinal
 * </pre>
 * A client's outbox ({@code machine.Outboxes}) keeps entries in this same layout, so the static {@link #decode} reads
 * both.
 * <p>
 * The buffer grows when one command produces more effects than ever before (bounded by the per-cycle budgets), then
 * stays: steady state allocates nothing.
 * <p>
 * Agent thread only.
 */
public final class Effects
{
    /** A message reached its outcome (or an outcome is told again after recovery). */
    public static final int OUTCOME = 1;
    /** A message must be sent again to a destination (or is available to consumers again). */
    public static final int REDELIVERY = 2;
    /** A queued command was refused. */
    public static final int REFUSAL = 3;
    /** A destination's circuit changed state. */
    public static final int CIRCUIT = 4;

    /** Outcome flag: told again after a restart. */
    public static final int FLAG_REPLAY = 1;
    /** Outcome flag: a per-message listener or future waits for it. Refusal flag: a future waits for the track. */
    public static final int FLAG_WAITER = 2;

    /**
     * Outcome flag: the outcome is kept in its sender's outbox (a client session), which is how that sender is told
     * of it; other listeners hear it as before.
     */
    public static final int FLAG_OUTBOX = 4;

    /** Length of one entry. */
    public static final int ENTRY_LENGTH = 32;

    private static final int TYPE_OFFSET = 0;
    private static final int A_OFFSET = 4;
    private static final int ID_OFFSET = 8;
    private static final int TIME_OFFSET = 16;
    private static final int B_OFFSET = 24;
    private static final int C_OFFSET = 28;

    /** Receives effects as they are drained. */
    public interface Handler
    {
        /**
         * A message reached its outcome.
         *
         * @param messageId message.
         * @param outcome   outcome ordinal.
         * @param reason    failure reason ordinal.
         * @param latencyNs track to outcome.
         * @param attempts  highest attempt.
         * @param flags     {@link #FLAG_REPLAY}, {@link #FLAG_WAITER}.
         * @param slot      the record's slot, which stays the message's until the outcome is told.
         */
        void onOutcome(long messageId, int outcome, int reason, long latencyNs, int attempts, int flags, int slot);

        /**
         * A message must be redelivered.
         *
         * @param messageId   message.
         * @param destination destination id, or the consumer marker.
         * @param attempt     attempt number of the redelivery.
         */
        void onRedelivery(long messageId, int destination, int attempt);

        /**
         * A queued command was refused.
         *
         * @param commandType command type id.
         * @param id          message id, or stream id for a cumulative ack.
         * @param result      result ordinal.
         * @param flags       {@link #FLAG_WAITER}.
         */
        void onRefusal(int commandType, long id, int result, int flags);

        /**
         * A circuit changed state.
         *
         * @param destination destination id.
         * @param from        previous state ordinal.
         * @param to          new state ordinal.
         * @param nowNs       when.
         */
        void onCircuit(int destination, int from, int to, long nowNs);
    }

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256 * ENTRY_LENGTH);
    private int writePosition;
    private int readPosition;
    private boolean draining;

    /**
     * Queue an outcome.
     *
     * @param messageId message.
     * @param outcome   outcome ordinal.
     * @param reason    failure reason ordinal.
     * @param latencyNs track to outcome.
     * @param attempts  highest attempt.
     * @param flags     {@link #FLAG_REPLAY}, {@link #FLAG_WAITER}.
     * @param slot      the record's slot.
     */
    public void outcome(
        final long messageId, final int outcome, final int reason, final long latencyNs, final int attempts,
        final int flags, final int slot)
    {
        append(OUTCOME, outcome | (reason << 8) | (flags << 16), messageId, latencyNs, attempts, slot);
    }

    /**
     * Queue a redelivery.
     *
     * @param messageId   message.
     * @param destination destination id, or the consumer marker.
     * @param attempt     attempt number.
     */
    public void redelivery(final long messageId, final int destination, final int attempt)
    {
        append(REDELIVERY, destination, messageId, 0, attempt, 0);
    }

    /**
     * Queue the refusal of a queued command.
     *
     * @param commandType command type id.
     * @param id          message or stream id.
     * @param result      result ordinal.
     * @param flags       {@link #FLAG_WAITER}.
     */
    public void refusal(final int commandType, final long id, final int result, final int flags)
    {
        append(REFUSAL, commandType, id, 0, result, flags);
    }

    /**
     * Queue a circuit change.
     *
     * @param destination destination id.
     * @param from        previous state ordinal.
     * @param to          new state ordinal.
     * @param nowNs       when.
     */
    public void circuit(final int destination, final int from, final int to, final long nowNs)
    {
        append(CIRCUIT, destination, 0, nowNs, from, to);
    }

    /**
     * Drop every queued effect untold: a replay rebuilds state whose effects were told (or are told again by
     * RESTARTED) before.
     */
    public void discard()
    {
        writePosition = 0;
        readPosition = 0;
    }

    /**
     * Effects queued and not drained yet.
     *
     * @return the count.
     */
    public int size()
    {
        return (writePosition - readPosition) / ENTRY_LENGTH;
    }

    /**
     * Hand every queued effect to a handler, oldest first, including effects the handler's own calls into the
     * tracker queue meanwhile. A drain called from inside a handler returns 0 at once: the outer drain delivers.
     *
     * @param handler receives the effects; an exception from it propagates and leaves later effects queued.
     * @return effects delivered.
     */
    public int drain(final Handler handler)
    {
        if (draining || readPosition == writePosition)
        {
            return 0;
        }
        draining = true;
        int count = 0;
        try
        {
            while (readPosition < writePosition)
            {
                final int offset = readPosition;
                readPosition += ENTRY_LENGTH;
                count++;
                deliver(offset, handler);
            }
            readPosition = 0;
            writePosition = 0;
        }
        finally
        {
            draining = false;
        }
        return count;
    }

    /**
     * The write position, to find the effects queued after it ({@link #typeAt} and the like, positions from the mark
     * to the next mark in steps of {@link #ENTRY_LENGTH}).
     *
     * @return the position.
     */
    public int mark()
    {
        return writePosition;
    }

    /**
     * Type of the effect at a position.
     *
     * @param position from {@link #mark()}, in steps of {@link #ENTRY_LENGTH}.
     * @return the effect type.
     */
    public int typeAt(final int position)
    {
        return buffer.getInt(position + TYPE_OFFSET);
    }

    /**
     * Message id of the effect at a position.
     *
     * @param position from {@link #mark()}, in steps of {@link #ENTRY_LENGTH}.
     * @return the message id.
     */
    public long idAt(final int position)
    {
        return buffer.getLong(position + ID_OFFSET);
    }

    /**
     * The slot an outcome effect carries.
     *
     * @param position the entry's position.
     * @return the slot.
     */
    public int slotAt(final int position)
    {
        return buffer.getInt(position + C_OFFSET);
    }

    /**
     * Add a flag to a queued outcome.
     *
     * @param position the entry's position.
     * @param flag     the flag.
     */
    public void addOutcomeFlag(final int position, final int flag)
    {
        buffer.putInt(position + A_OFFSET, buffer.getInt(position + A_OFFSET) | (flag << 16));
    }

    /**
     * The queue's buffer, to copy entries from.
     *
     * @return the buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Write a refusal entry, with the sequence of the refused command (kept in the time field), into another buffer
     * in this layout.
     *
     * @param target      the buffer.
     * @param offset      where the entry starts.
     * @param commandType the refused command's type.
     * @param id          its message or stream id.
     * @param result      the result ordinal.
     * @param sequence    its client sequence.
     */
    public static void encodeRefusal(
        final MutableDirectBuffer target, final int offset, final int commandType, final long id, final int result,
        final long sequence)
    {
        encode(target, offset, REFUSAL, commandType, id, sequence, result, 0);
    }

    /**
     * The sequence a refusal entry written by {@link #encodeRefusal} holds.
     *
     * @param source the buffer.
     * @param offset the entry.
     * @return the sequence, 0 for any other entry.
     */
    public static long refusalSequence(final DirectBuffer source, final int offset)
    {
        return REFUSAL == source.getInt(offset + TYPE_OFFSET) ? source.getLong(offset + TIME_OFFSET) : 0;
    }

    /**
     * Zero the slot field of an entry in this layout.
     *
     * @param target the buffer.
     * @param offset the entry.
     */
    public static void clearSlot(final MutableDirectBuffer target, final int offset)
    {
        if (OUTCOME == target.getInt(offset + TYPE_OFFSET))
        {
            target.putInt(offset + C_OFFSET, 0);
        }
    }

    /**
     * Hand one entry in this layout, from any buffer, to a handler.
     *
     * @param source  the buffer.
     * @param offset  the entry.
     * @param handler receives it.
     */
    public static void decode(final DirectBuffer source, final int offset, final Handler handler)
    {
        final int a = source.getInt(offset + A_OFFSET);
        final long id = source.getLong(offset + ID_OFFSET);
        final long time = source.getLong(offset + TIME_OFFSET);
        final int b = source.getInt(offset + B_OFFSET);
        final int c = source.getInt(offset + C_OFFSET);
        switch (source.getInt(offset + TYPE_OFFSET))
        {
            case OUTCOME:
                handler.onOutcome(id, a & 0xFF, (a >>> 8) & 0xFF, time, b, a >>> 16, c);
                break;
            case REDELIVERY:
                handler.onRedelivery(id, a, b);
                break;
            case REFUSAL:
                handler.onRefusal(a, id, b, c);
                break;
            default:
                handler.onCircuit(a, b, c, time);
        }
    }

    private void deliver(final int offset, final Handler handler)
    {
        decode(buffer, offset, handler);
    }

    private static void encode(
        final MutableDirectBuffer target, final int offset, final int type, final int a, final long id,
        final long time, final int b, final int c)
    {
        target.putInt(offset + TYPE_OFFSET, type);
        target.putInt(offset + A_OFFSET, a);
        target.putLong(offset + ID_OFFSET, id);
        target.putLong(offset + TIME_OFFSET, time);
        target.putInt(offset + B_OFFSET, b);
        target.putInt(offset + C_OFFSET, c);
    }

    private void append(final int type, final int a, final long id, final long time, final int b, final int c)
    {
        final int offset = writePosition;
        buffer.checkLimit(offset + ENTRY_LENGTH);
        encode(buffer, offset, type, a, id, time, b, c);
        writePosition = offset + ENTRY_LENGTH;
    }
}

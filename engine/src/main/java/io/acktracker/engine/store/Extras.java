package io.acktracker.engine.store;

import io.acktracker.engine.api.AttemptEvent;
import io.acktracker.engine.api.AttemptEventType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layout of a message's extras inside a blob: its user metadata, its last attempts (a ring of
 * {@link #HISTORY_CAPACITY}), and the last error of each destination that had one. Kept in the extras table while
 * the message is pending and copied into its dead letter when it dies.
 * <pre>
 *   0 metadata length (short) | history count (byte) | history next (byte) | last-error count (byte) | pad
 *   8 history ring: 16 entries x 16 bytes
 * 264 last errors: count x 16 bytes (one per destination)
 *     metadata bytes
 *
 * entry: 0 time ns (long) | 8 destination (byte) | 9 type (byte) | 10 attempt (byte) | 11 pad | 12 code (int)
 * </pre>
 * Static helpers over a buffer and a base offset; allocation-free except the read-out methods for people.
 */
public final class Extras
{
    /** Attempts kept per message. */
    public static final int HISTORY_CAPACITY = 16;
    /** Length of one history or last-error entry. */
    public static final int ENTRY_LENGTH = 16;

    private static final int METADATA_LENGTH_OFFSET = 0;
    private static final int HISTORY_COUNT_OFFSET = 2;
    private static final int HISTORY_NEXT_OFFSET = 3;
    private static final int LAST_ERROR_COUNT_OFFSET = 4;
    private static final int HISTORY_OFFSET = 8;
    private static final int LAST_ERRORS_OFFSET = HISTORY_OFFSET + HISTORY_CAPACITY * ENTRY_LENGTH;

    /** Length of empty extras. */
    public static final int EMPTY_LENGTH = LAST_ERRORS_OFFSET;

    private Extras()
    {
    }

    /**
     * Write empty extras with metadata at {@code base}.
     *
     * @param blob           holder to write into; its length is set.
     * @param base           offset of the extras in the blob.
     * @param metadata       source of the metadata, or null.
     * @param metadataOffset offset in the source.
     * @param metadataLength length, 0 for none.
     */
    public static void init(
        final BlobBytes blob,
        final int base,
        final DirectBuffer metadata,
        final int metadataOffset,
        final int metadataLength)
    {
        blob.length(base + EMPTY_LENGTH + metadataLength);
        final MutableDirectBuffer buffer = blob.buffer();
        buffer.setMemory(base, EMPTY_LENGTH, (byte)0);
        buffer.putShort(base + METADATA_LENGTH_OFFSET, (short)metadataLength);
        if (metadataLength > 0)
        {
            buffer.putBytes(base + EMPTY_LENGTH, metadata, metadataOffset, metadataLength);
        }
    }

    /**
     * Length of the extras at {@code base}.
     *
     * @param buffer holding them.
     * @param base   offset.
     * @return bytes.
     */
    public static int length(final DirectBuffer buffer, final int base)
    {
        return EMPTY_LENGTH + buffer.getByte(base + LAST_ERROR_COUNT_OFFSET) * ENTRY_LENGTH +
            metadataLength(buffer, base);
    }

    /**
     * Length of the metadata in the extras at {@code base}.
     *
     * @param buffer holding them.
     * @param base   offset.
     * @return bytes; 0 for none.
     */
    public static int metadataLength(final DirectBuffer buffer, final int base)
    {
        return buffer.getShort(base + METADATA_LENGTH_OFFSET) & 0xFFFF;
    }

    /**
     * Offset of the metadata bytes.
     *
     * @param buffer holding the extras.
     * @param base   offset.
     * @return offset of the first metadata byte.
     */
    public static int metadataOffset(final DirectBuffer buffer, final int base)
    {
        return base + EMPTY_LENGTH + buffer.getByte(base + LAST_ERROR_COUNT_OFFSET) * ENTRY_LENGTH;
    }

    /**
     * Record an event: into the history ring, and as the destination's last error when it is one.
     *
     * @param blob        holder (its length may grow by one entry).
     * @param base        offset of the extras.
     * @param timeNs      when.
     * @param destination destination id.
     * @param type        what happened.
     * @param attempt     the destination's attempt number.
     * @param code        error code or 0.
     */
    public static void addEvent(
        final BlobBytes blob,
        final int base,
        final long timeNs,
        final int destination,
        final AttemptEventType type,
        final int attempt,
        final int code)
    {
        MutableDirectBuffer buffer = blob.buffer();
        final int next = buffer.getByte(base + HISTORY_NEXT_OFFSET);
        putEntry(buffer, base + HISTORY_OFFSET + next * ENTRY_LENGTH, timeNs, destination, type, attempt, code);
        buffer.putByte(base + HISTORY_NEXT_OFFSET, (byte)((next + 1) % HISTORY_CAPACITY));
        final int count = buffer.getByte(base + HISTORY_COUNT_OFFSET);
        if (count < HISTORY_CAPACITY)
        {
            buffer.putByte(base + HISTORY_COUNT_OFFSET, (byte)(count + 1));
        }

        if (!type.isError())
        {
            return;
        }
        final int errors = buffer.getByte(base + LAST_ERROR_COUNT_OFFSET);
        for (int i = 0; i < errors; i++)
        {
            final int offset = base + LAST_ERRORS_OFFSET + i * ENTRY_LENGTH;
            if (buffer.getByte(offset + 8) == destination)
            {
                putEntry(buffer, offset, timeNs, destination, type, attempt, code);
                return;
            }
        }

        // a new destination with an error: make room before the metadata
        final int metadataLength = metadataLength(buffer, base);
        final int oldEnd = base + LAST_ERRORS_OFFSET + errors * ENTRY_LENGTH;
        blob.length(blob.length() + ENTRY_LENGTH);
        buffer = blob.buffer();
        if (metadataLength > 0)
        {
            buffer.putBytes(oldEnd + ENTRY_LENGTH, buffer, oldEnd, metadataLength);
        }
        putEntry(buffer, oldEnd, timeNs, destination, type, attempt, code);
        buffer.putByte(base + LAST_ERROR_COUNT_OFFSET, (byte)(errors + 1));
    }

    private static void putEntry(
        final MutableDirectBuffer buffer,
        final int offset,
        final long timeNs,
        final int destination,
        final AttemptEventType type,
        final int attempt,
        final int code)
    {
        buffer.putLong(offset, timeNs);
        buffer.putByte(offset + 8, (byte)destination);
        buffer.putByte(offset + 9, (byte)type.ordinal());
        buffer.putByte(offset + 10, (byte)attempt);
        buffer.putByte(offset + 11, (byte)0);
        buffer.putInt(offset + 12, code);
    }

    private static AttemptEvent entry(final DirectBuffer buffer, final int offset)
    {
        return new AttemptEvent(buffer.getLong(offset), buffer.getByte(offset + 8),
            AttemptEventType.of(buffer.getByte(offset + 9)), buffer.getByte(offset + 10), buffer.getInt(offset + 12));
    }

    /**
     * The history, oldest first.
     *
     * @param buffer holding the extras.
     * @param base   offset.
     * @return a new list.
     */
    public static List<AttemptEvent> history(final DirectBuffer buffer, final int base)
    {
        final int count = buffer.getByte(base + HISTORY_COUNT_OFFSET);
        final int next = buffer.getByte(base + HISTORY_NEXT_OFFSET);
        final List<AttemptEvent> events = new ArrayList<>(count);
        final int first = count < HISTORY_CAPACITY ? 0 : next;
        for (int i = 0; i < count; i++)
        {
            events.add(entry(buffer, base + HISTORY_OFFSET + ((first + i) % HISTORY_CAPACITY) * ENTRY_LENGTH));
        }
        return events;
    }

    /**
     * The last error of each destination that had one.
     *
     * @param buffer holding the extras.
     * @param base   offset.
     * @return a new map of destination id to event.
     */
    public static Map<Integer, AttemptEvent> lastErrors(final DirectBuffer buffer, final int base)
    {
        final int errors = buffer.getByte(base + LAST_ERROR_COUNT_OFFSET);
        final Map<Integer, AttemptEvent> result = new LinkedHashMap<>();
        for (int i = 0; i < errors; i++)
        {
            final AttemptEvent event = entry(buffer, base + LAST_ERRORS_OFFSET + i * ENTRY_LENGTH);
            result.put(event.destination(), event);
        }
        return result;
    }

    /**
     * The metadata.
     *
     * @param buffer holding the extras.
     * @param base   offset.
     * @return a new array.
     */
    public static byte[] metadata(final DirectBuffer buffer, final int base)
    {
        final byte[] metadata = new byte[metadataLength(buffer, base)];
        buffer.getBytes(metadataOffset(buffer, base), metadata);
        return metadata;
    }
}

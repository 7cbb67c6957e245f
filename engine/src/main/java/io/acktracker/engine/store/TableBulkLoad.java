package io.acktracker.engine.store;

import io.acktracker.engine.record.PendingRecord;
import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import org.agrona.UnsafeApi;

/**
 * Loads a pending table written to a file (a checkpoint's {@code pending.cmap}) into a fresh in-memory table in one
 * block copy, instead of one Chronicle insert per slot (about 0.6 µs each measured here: 0.6-0.8 s at 1M slots,
 * most of a start from a checkpoint).
 * <p>
 * Why it is sound: two Chronicle Maps built by the same builder (the same entries, so the same segments, tier size
 * and offsets) lay out their memory identically from the segment headers on, and entries refer to each other by
 * offsets within their segment, never by address; a persisted map's memory is its file mapped from offset 0, with a
 * self-bootstrapping header before the global mutable state that an in-memory map keeps at offset 0. So copying the
 * global mutable state and everything from the segment headers to the end of the main tiers makes the in-memory map
 * the file's map, and a record at offset {@code o} of the file's mapping is at offset {@code o} of the in-memory
 * map's. Only a main area is copied: a map with extra tiers (a segment overflowed) is not loaded this way.
 * <p>
 * What is checked (a Chronicle version that lays maps out otherwise is refused, never loaded half right): before the
 * copy, both maps' geometry (size, segments, tier size, segment headers' offset) and that neither has extra tiers
 * and the target is empty; the caller checks each slot's offset against the source map's own lookup for a sample
 * ({@link #offsetOf}); after the copy, the entry count and the same sample looked up in the target.
 * <p>
 * Threading: the thread restoring a fresh tracker, before its agent runs.
 */
public final class TableBulkLoad
{
    private TableBulkLoad()
    {
    }

    /**
     * Whether {@code from} can be copied into {@code to} in one block.
     *
     * @param from a table opened from a file.
     * @param to   a fresh, empty in-memory table.
     * @return true when both have the same geometry, neither has extra tiers, and {@code to} is empty.
     */
    public static boolean fits(final PendingTable from, final PendingTable to)
    {
        if (!(from.map() instanceof VanillaChronicleHash) || !(to.map() instanceof VanillaChronicleHash) ||
            0 != to.map().longSize())
        {
            return false;
        }
        final VanillaChronicleHash<?, ?, ?, ?> source = hash(from.map());
        final VanillaChronicleHash<?, ?, ?, ?> target = hash(to.map());
        final VanillaGlobalMutableState sourceState = source.globalMutableState();
        final VanillaGlobalMutableState targetState = target.globalMutableState();
        return source.sizeInBytesWithoutTiers() == target.sizeInBytesWithoutTiers() &&
            source.segments() == target.segments() &&
            source.tierSize == target.tierSize &&
            sourceState.getSegmentHeadersOffset() == targetState.getSegmentHeadersOffset() &&
            0 == sourceState.getExtraTiersInUse() && 0 == sourceState.getAllocatedExtraTierBulks() &&
            0 == targetState.getExtraTiersInUse() && 0 == targetState.getAllocatedExtraTierBulks() &&
            source.headerSize + VanillaChronicleHash.RESERVED_GLOBAL_MUTABLE_STATE_BYTES <=
                sourceState.getSegmentHeadersOffset();
    }

    /**
     * Whether a table holds everything in its main area (no segment overflowed into an extra tier).
     *
     * @param table the table.
     * @return true when it has no extra tiers.
     */
    public static boolean mainAreaOnly(final PendingTable table)
    {
        if (!(table.map() instanceof VanillaChronicleHash))
        {
            return false;
        }
        final VanillaGlobalMutableState state = hash(table.map()).globalMutableState();
        return 0 == state.getExtraTiersInUse() && 0 == state.getAllocatedExtraTierBulks();
    }

    /**
     * Copy {@code from}'s global mutable state and main area into {@code to}; {@link #fits} first.
     *
     * @param from the source table.
     * @param to   the target table, empty.
     */
    public static void copy(final PendingTable from, final PendingTable to)
    {
        final VanillaChronicleHash<?, ?, ?, ?> source = hash(from.map());
        final VanillaChronicleHash<?, ?, ?, ?> target = hash(to.map());
        UnsafeApi.copyMemory(source.bsAddress() + source.headerSize, target.bsAddress() + target.headerSize,
            VanillaChronicleHash.RESERVED_GLOBAL_MUTABLE_STATE_BYTES);
        final long segmentHeaders = source.globalMutableState().getSegmentHeadersOffset();
        UnsafeApi.copyMemory(source.bsAddress() + segmentHeaders, target.bsAddress() + segmentHeaders,
            source.sizeInBytesWithoutTiers() - segmentHeaders);
    }

    /**
     * A record's offset in a table's main area (what a checkpoint stores per slot, the same in the file and in a
     * table loaded from it).
     *
     * @param table   the table.
     * @param address its record's address.
     * @return the offset, or -1 when the address is not in the main area.
     */
    public static long offsetOf(final PendingTable table, final long address)
    {
        final VanillaChronicleHash<?, ?, ?, ?> hash = hash(table.map());
        final long offset = address - hash.bsAddress();
        return offset >= hash.globalMutableState().getSegmentHeadersOffset() &&
            offset <= hash.sizeInBytesWithoutTiers() - PendingRecord.LENGTH ? offset : -1;
    }

    /**
     * A record's address from its offset in the main area ({@link #offsetOf}).
     *
     * @param table  the table.
     * @param offset the offset.
     * @return the address, or -1 when the offset is not in the main area.
     */
    public static long addressOf(final PendingTable table, final long offset)
    {
        final VanillaChronicleHash<?, ?, ?, ?> hash = hash(table.map());
        return offset >= hash.globalMutableState().getSegmentHeadersOffset() &&
            offset <= hash.sizeInBytesWithoutTiers() - PendingRecord.LENGTH ? hash.bsAddress() + offset : -1;
    }

    private static VanillaChronicleHash<?, ?, ?, ?> hash(final ChronicleMap<?, ?> map)
    {
        return (VanillaChronicleHash<?, ?, ?, ?>)map;
    }
}

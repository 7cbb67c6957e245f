package io.acktracker.engine.store;

import io.acktracker.engine.state.ImageWriter;
import io.acktracker.engine.util.ChunkedMemory;
import org.agrona.BitUtil;
import org.agrona.UnsafeApi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link BlobTable}'s content at a checkpoint's position P, copied by copy-on-write key by key, so the agent's
 * pause does not walk the table (100,000 dead letters or 1M messages with metadata took hundreds of ms to seconds).
 * <p>
 * The idea: at P the agent only turns the hook on ({@link #begin}). Before the agent first changes a key (a put or a
 * remove, under the key's segment lock, before the change), it appends that key's pre-image to a log: its bytes, or
 * "absent" when the put inserts it; later changes of the same key save nothing (a set of the keys touched since P).
 * The helper thread meanwhile walks the live Chronicle map segment by segment, reading each key with its live value
 * under the segment's lock ({@link #collect}), and only then reads the log ({@link #write}); the value at P of a
 * key is its pre-image when one was saved, else the live value read. Why that is exact: a key's first change comes after its pre-image is published (a release store of the log's length),
 * so a live read that saw the change also sees, through the segment lock, a log long enough to hold the pre-image;
 * a live read that did not see the change read the value at P. Keys gone from the live map at the read come back
 * from their pre-image; keys whose pre-image is "absent" were inserted after P and are left out. The entries are
 * written in ascending key order, as {@link BlobTable#dump} writes them, so the image is byte for byte the one the
 * stopped table gives.
 * <p>
 * The agent never waits for the helper, except that a change may wait for the segment lock while the helper walks
 * that segment, as any reader of the table makes it. Nor does it wait for the helper at a safepoint: the helper's
 * bulk memory work goes in steps ({@link ChunkedMemory}) and its memory comes from {@code malloc}, never from a
 * direct buffer zeroed in one call.
 * <p>
 * Allocation: the agent's side is allocation-free in steady state: the log is one off-heap block and the touched
 * keys an open-addressing set, both sized by the helper between checkpoints ({@link #reserve}) to twice what the
 * last checkpoint needed. A copy that outgrows them makes the agent allocate: a log block twice as large (the old
 * one is kept until the copy ends, since the helper may be reading it) or a set twice as large. The helper's side,
 * the walk and the merge, is a {@link TableWalk}.
 * <p>
 * Threading: {@link #begin}, {@link #isActive}, {@link #firstChange}, {@link #save} and {@link #end} on the agent
 * thread (the table's writer); {@link #reserve}, {@link #collect} and {@link #write} on the one helper thread the
 * checkpoint is handed to ({@link #reserve} only while no copy is under way); {@link #isComplete} from any thread.
 */
public final class BlobTableCopy implements AutoCloseable
{
    /** Log entry: key (long), value length (int, {@link #ABSENT} for none), the value's bytes. */
    static final int ENTRY_HEADER = Long.BYTES + Integer.BYTES;
    static final int ABSENT = -1;
    static final int MIN_LOG_BYTES = 64 * 1024;
    static final int MIN_TOUCHED = 1024;
    static final long BYTES_BASE = UnsafeApi.arrayBaseOffset(byte[].class);
    private static final VarHandle LOG_LENGTH;

    static
    {
        try
        {
            LOG_LENGTH = MethodHandles.lookup().findVarHandle(BlobTableCopy.class, "logLength", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** An off-heap log block; replaced, never resized in place, so a reader of the old one stays safe. */
    private static final class Block
    {
        final long address;
        final long capacity;

        Block(final long capacity)
        {
            this(UnsafeApi.allocateMemory(capacity), capacity);
        }

        Block(final long address, final long capacity)
        {
            this.address = address;
            this.capacity = capacity;
        }
    }

    private final BlobTable table;

    // agent side
    private final BlobBytes preImage = new BlobBytes(1024);
    private final List<Block> retired = new ArrayList<>();
    private boolean active;
    private int epoch;
    private long[] touchedKeys = new long[MIN_TOUCHED];
    private int[] touchedEpochs = new int[MIN_TOUCHED];
    private int touched;
    private long lastLogBytes;
    private int lastTouched;
    @SuppressWarnings("unused") // through LOG_LENGTH
    private volatile long logLength;
    private volatile Block log;
    private volatile long[] preparedKeys;
    private volatile int[] preparedEpochs;
    private volatile boolean complete;

    // helper side
    private final TableWalk walk = new TableWalk();

    BlobTableCopy(final BlobTable table)
    {
        this.table = table;
        this.log = new Block(MIN_LOG_BYTES);
    }

    /**
     * The checkpoint (agent, in its pause): from now on the copy stands for the table as it is, and each key's first
     * change saves its pre-image.
     */
    public void begin()
    {
        if (null != preparedKeys)
        {
            // the helper sized these between checkpoints: the agent only swaps them in
            touchedKeys = preparedKeys;
            touchedEpochs = preparedEpochs;
            preparedKeys = null;
            preparedEpochs = null;
            epoch = 0;
        }
        if (Integer.MAX_VALUE == epoch)
        {
            Arrays.fill(touchedEpochs, 0);
            epoch = 0;
        }
        epoch++;
        touched = 0;
        LOG_LENGTH.setRelease(this, 0L);
        complete = false;
        // the helper's walk starts over (the helper is handed the copy after this, through its executor)
        walk.reset();
        active = true;
    }

    /**
     * @return whether a copy is under way, so the table's changes must call {@link #firstChange} (agent thread).
     */
    boolean isActive()
    {
        return active;
    }

    /**
     * Whether this is the key's first change since the checkpoint (agent thread, under the key's segment lock,
     * before the change); the caller then {@link #save}s its pre-image.
     *
     * @param key the key about to change.
     * @return true the first time for a key.
     */
    boolean firstChange(final long key)
    {
        // linear probing; a slot belongs to this copy only when its epoch is the copy's, so nothing is cleared
        final int mask = touchedKeys.length - 1;
        int index = hash(key) & mask;
        while (epoch == touchedEpochs[index])
        {
            if (key == touchedKeys[index])
            {
                return false;
            }
            index = (index + 1) & mask;
        }
        touchedKeys[index] = key;
        touchedEpochs[index] = epoch;
        if (++touched > touchedKeys.length >> 1)
        {
            growTouched(touchedKeys.length << 1);
        }
        return true;
    }

    /**
     * Append a key's pre-image and publish it (agent thread, before the change it precedes).
     *
     * @param key   the key.
     * @param value its bytes at the checkpoint, or null when it was absent; only read during the call.
     */
    void save(final long key, final BlobBytes value)
    {
        final int length = null == value ? ABSENT : value.length();
        final long at = logLength;
        final long end = at + ENTRY_HEADER + Math.max(0, length);
        Block block = log;
        if (end > block.capacity)
        {
            block = growLog(block, at, end);
        }
        UnsafeApi.putLong(block.address + at, key);
        UnsafeApi.putInt(block.address + at + Long.BYTES, length);
        if (length > 0)
        {
            UnsafeApi.copyMemory(value.bytes, BYTES_BASE, null, block.address + at + ENTRY_HEADER, length);
        }
        // the release store publishes the entry before the change that follows it under the segment lock
        LOG_LENGTH.setRelease(this, end);
    }

    /**
     * @return a holder the table reads a pre-image into (agent thread).
     */
    BlobBytes preImageHolder()
    {
        return preImage;
    }

    /**
     * The copy is written ({@link #isComplete}) or abandoned: the hook goes off and the blocks the log outgrew are
     * freed (agent thread, once the helper no longer reads).
     */
    public void end()
    {
        active = false;
        lastLogBytes = logLength;
        lastTouched = touched;
        for (final Block block : retired)
        {
            UnsafeApi.freeMemory(block.address);
        }
        retired.clear();
    }

    /**
     * @return whether the last copy needed more room than half of what {@link #reserve} would give it (agent
     * thread, no copy under way).
     */
    public boolean needsReserve()
    {
        return logBytesWanted() > log.capacity || (null == preparedKeys && touchedWanted() > touchedKeys.length);
    }

    /**
     * Between checkpoints (helper thread, no copy under way): a log of twice the last copy's pre-images, its pages
     * touched, and a touched-key set for twice its keys, handed to the agent at the next {@link #begin}.
     */
    public void reserve()
    {
        final long logBytes = logBytesWanted();
        final Block current = log;
        if (logBytes > current.capacity)
        {
            final Block grown = new Block(logBytes);
            // the agent writes pre-images here: its pages faulted in now, in steps (see ChunkedMemory)
            ChunkedMemory.zero(grown.address, logBytes);
            log = grown;
            UnsafeApi.freeMemory(current.address);
        }
        final int keys = touchedWanted();
        if (keys > touchedKeys.length)
        {
            preparedEpochs = new int[keys];
            preparedKeys = new long[keys];
        }
    }

    /**
     * The helper's walk of the live map, part of it per call: each segment's keys and values read under its lock, so
     * a call holds one segment at a time and the walk is one lookup-free pass (not a key walk and then a get per
     * key). A test's executor runs the copy in such steps between the agent's changes.
     *
     * @param part  which part of the segments, from 0.
     * @param parts parts in all; the last one walks what is left.
     */
    public void collect(final int part, final int parts)
    {
        walk.collect(table, part, parts);
    }

    /**
     * The helper's last step: walk what is left, then read the pre-images saved so far, and append the table as it
     * was at the checkpoint to the image, exactly as {@link BlobTable#dump} does; then {@link #isComplete}.
     * <p>
     * No maps: the live entries and the pre-images are each sorted by key (their offsets alongside) and merged. A
     * key with a pre-image takes it (skipped when it was absent at the checkpoint); a key without one takes its live
     * value.
     *
     * @param out the image.
     */
    public void write(final ImageWriter out)
    {
        walk.collect(table, 0, 1);
        // the log's length only after every live read: see the class comment
        final long published = (long)LOG_LENGTH.getAcquire(this);
        walk.write(out, log.address, published);
        complete = true;
    }

    /**
     * @return whether the copy under way is in the image (any thread).
     */
    public boolean isComplete()
    {
        return complete;
    }

    /**
     * @return keys the agent saved a pre-image of in the copy under way or the last one (agent thread).
     */
    public int touched()
    {
        return touched;
    }

    /** Free the log (no copy under way). */
    public void close()
    {
        end();
        final Block block = log;
        if (0 != block.capacity)
        {
            UnsafeApi.freeMemory(block.address);
            log = new Block(0, 0);
        }
        walk.close();
    }

    private long logBytesWanted()
    {
        return Math.max(MIN_LOG_BYTES, 2 * lastLogBytes);
    }

    private int touchedWanted()
    {
        // twice the keys at a load of at most a half: a quarter
        return Math.max(MIN_TOUCHED, BitUtil.findNextPositivePowerOfTwo(4 * lastTouched));
    }

    private Block growLog(final Block block, final long used, final long needed)
    {
        // rare: the copy outgrew what the helper reserved; the old block stays for a helper reading it
        final Block grown = new Block(Math.max(needed, block.capacity << 1));
        UnsafeApi.copyMemory(block.address, grown.address, used);
        retired.add(block);
        log = grown;
        return grown;
    }

    private void growTouched(final int capacity)
    {
        final long[] oldKeys = touchedKeys;
        final int[] oldEpochs = touchedEpochs;
        touchedKeys = new long[capacity];
        touchedEpochs = new int[capacity];
        final int mask = capacity - 1;
        for (int i = 0; i < oldKeys.length; i++)
        {
            if (epoch == oldEpochs[i])
            {
                int index = hash(oldKeys[i]) & mask;
                while (epoch == touchedEpochs[index])
                {
                    index = (index + 1) & mask;
                }
                touchedKeys[index] = oldKeys[i];
                touchedEpochs[index] = epoch;
            }
        }
    }

    private static int hash(final long key)
    {
        final long mixed = key * 0x9E3779B97F4A7C15L;
        return (int)(mixed ^ (mixed >>> 32));
    }
}

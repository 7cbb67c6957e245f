package io.acktracker.engine.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps destination names to the small ids (0..63) that records hold in their destination bitsets.
 * <p>
 * Ids are stable for the life of a data directory: registrations are appended to a file there (through an
 * {@link Appender}), since persisted records refer to destinations by id. An open registry registers unknown names
 * on first use; a closed one refuses them. A tracker serves at most {@link #MAX_DESTINATIONS} destinations; shard by tracker for more.
 * <p>
 * Threading: any thread. Lookups read an immutable snapshot; registration is synchronised (cold path).
 */
public final class DestinationRegistry
{
    /** Most destinations a tracker serves: one bit each in a 64-bit set. */
    public static final int MAX_DESTINATIONS = 64;
    /** Longest name. */
    public static final int MAX_NAME_LENGTH = 64;
    /** Returned for a name that is not registered. */
    public static final int UNKNOWN = -1;

    private final boolean open;
    private final Appender appender;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), new String[0]);

    private record Snapshot(Map<String, Integer> ids, String[] names)
    {
    }

    /**
     * Where registrations persist: called with each new name before it is given an id, so a name whose write
     * failed is never handed out.
     * <p>
     * Threading: called under the registry's lock.
     */
    @FunctionalInterface
    public interface Appender
    {
        /**
         * Persist one registration.
         *
         * @param name the new name.
         */
        void append(String name);
    }

    /**
     * A registry holding the names already persisted, then the given ones.
     *
     * @param persisted names read back from the data directory, in id order (checked by the reader).
     * @param appender  where new registrations persist, or null for memory only.
     * @param open      whether unknown names register on first use.
     * @param names     names to register up front, in id order after the persisted ones.
     */
    public DestinationRegistry(
        final List<String> persisted, final Appender appender, final boolean open, final List<String> names)
    {
        this.open = open;
        this.appender = appender;
        for (final String name : persisted)
        {
            append(name, false);
        }
        for (final String name : names)
        {
            register(name);
        }
    }

    /**
     * Register a name (or find it when registered), whether or not the registry is open.
     *
     * @param name destination name.
     * @return its id.
     * @throws TrackerException when the name is invalid or the registry is full.
     */
    public synchronized int register(final String name)
    {
        final Integer existing = snapshot.ids.get(name);
        if (null != existing)
        {
            return existing;
        }
        validate(name);
        return append(name, true);
    }

    /**
     * Id of a name, registering it when the registry is open.
     *
     * @param name destination name.
     * @return its id, or {@link #UNKNOWN} when unknown and the registry is closed or full.
     */
    public int resolve(final String name)
    {
        final Integer existing = snapshot.ids.get(name);
        if (null != existing)
        {
            return existing;
        }
        if (!open || !isValidName(name))
        {
            return UNKNOWN;
        }
        synchronized (this)
        {
            if (snapshot.names.length >= MAX_DESTINATIONS)
            {
                return UNKNOWN;
            }
            return register(name);
        }
    }

    /**
     * Id of a registered name, never registering.
     *
     * @param name destination name.
     * @return its id or {@link #UNKNOWN}.
     */
    public int id(final String name)
    {
        final Integer existing = snapshot.ids.get(name);
        return null == existing ? UNKNOWN : existing;
    }

    /**
     * Name of an id.
     *
     * @param id destination id.
     * @return its name, or null when not registered.
     */
    public String name(final int id)
    {
        final String[] names = snapshot.names;
        return id >= 0 && id < names.length ? names[id] : null;
    }

    /**
     * Number of registered destinations.
     *
     * @return the count.
     */
    public int size()
    {
        return snapshot.names.length;
    }

    /**
     * Bitset with one bit per registered id.
     *
     * @return the mask of known ids.
     */
    public long knownMask()
    {
        final int size = snapshot.names.length;
        return size >= 64 ? -1L : (1L << size) - 1;
    }

    /**
     * Whether unknown names are registered on first use (else only configured ones resolve).
     *
     * @return true when open.
     */
    public boolean isOpen()
    {
        return open;
    }

    /**
     * Registered names in id order.
     *
     * @return a copy.
     */
    public List<String> names()
    {
        return List.of(snapshot.names);
    }

    /**
     * Bitset of ids, for {@link TrackRequest#destinations(long)}.
     *
     * @param ids destination ids in 0..63.
     * @return the bitset.
     */
    public static long mask(final int... ids)
    {
        long mask = 0;
        for (final int id : ids)
        {
            if (id < 0 || id >= MAX_DESTINATIONS)
            {
                throw new IllegalArgumentException("destination id out of range: " + id);
            }
            mask |= 1L << id;
        }
        return mask;
    }

    /**
     * Whether a name may be registered: 1..{@link #MAX_NAME_LENGTH} printable ASCII characters, no spaces.
     *
     * @param name a candidate.
     * @return true when valid.
     */
    public static boolean isValidName(final String name)
    {
        if (null == name || name.isEmpty() || name.length() > MAX_NAME_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c <= ' ' || c > '~')
            {
                return false;
            }
        }
        return true;
    }

    private static void validate(final String name)
    {
        if (!isValidName(name))
        {
            throw new TrackerException("invalid destination name '" + name +
                "': 1.." + MAX_NAME_LENGTH + " printable ASCII characters, no spaces");
        }
    }

    private int append(final String name, final boolean persist)
    {
        final Snapshot current = snapshot;
        if (current.names.length >= MAX_DESTINATIONS)
        {
            throw new TrackerException("destination registry is full (" + MAX_DESTINATIONS +
                " destinations): cannot add '" + name + "'");
        }
        final int id = current.names.length;
        if (persist && null != appender)
        {
            appender.append(name);
        }
        final Map<String, Integer> ids = new HashMap<>(current.ids);
        ids.put(name, id);
        final String[] names = Arrays.copyOf(current.names, id + 1);
        names[id] = name;
        snapshot = new Snapshot(Map.copyOf(ids), names);
        return id;
    }

    /**
     * Names of the destinations in a bitset, for display.
     *
     * @param mask bitset of ids.
     * @return the names.
     */
    public List<String> names(final long mask)
    {
        final List<String> result = new ArrayList<>();
        for (long bits = mask; bits != 0; bits &= bits - 1)
        {
            final int id = Long.numberOfTrailingZeros(bits);
            final String name = name(id);
            result.add(null == name ? "#" + id : name);
        }
        return result;
    }
}

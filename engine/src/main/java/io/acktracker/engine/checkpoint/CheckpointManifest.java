package io.acktracker.engine.checkpoint;

import io.acktracker.engine.api.TrackerException;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A checkpoint's {@code manifest.properties}, written last (its presence in a renamed directory means the rest is
 * complete): the format, the journal position the image corresponds to, the genesis values (the journal's first
 * segment may be deleted, and with it the genesis frame), the number of slots of the pending table, and each data
 * file's length and CRC32C.
 * <pre>
 * format=1
 * position=&lt;journal position P: replay resumes here&gt;
 * seed=&lt;machine seed&gt;   startNs=&lt;machine start&gt;   settings=&lt;behaviour settings, key=value lines&gt;
 * createdSlots=&lt;slots in pending.cmap&gt;
 * files=pending.cmap,state.bin
 * file.&lt;name&gt;.length=...   file.&lt;name&gt;.crc32c=...
 * </pre>
 * Immutable; any thread.
 */
public final class CheckpointManifest
{
    /** The layout this code writes and reads. */
    public static final int FORMAT = 1;

    private final long position;
    private final long seed;
    private final long startNs;
    private final String settings;
    private final int createdSlots;
    private final Map<String, long[]> files;

    /**
     * A manifest.
     *
     * @param position     journal position of the image.
     * @param seed         the machine's seed.
     * @param startNs      the machine's start time.
     * @param settings     the behaviour settings text.
     * @param createdSlots slots in the pending table file.
     * @param files        file name to {length, crc32c}, in order.
     */
    public CheckpointManifest(
        final long position,
        final long seed,
        final long startNs,
        final String settings,
        final int createdSlots,
        final Map<String, long[]> files)
    {
        this.position = position;
        this.seed = seed;
        this.startNs = startNs;
        this.settings = settings;
        this.createdSlots = createdSlots;
        this.files = files;
    }

    /**
     * Parse a manifest's text.
     *
     * @param text the file's content.
     * @param where the checkpoint, for messages.
     * @return the manifest.
     * @throws TrackerException when a key is missing or malformed, or the format is another.
     */
    public static CheckpointManifest parse(final String text, final String where)
    {
        final Properties properties = new Properties();
        try
        {
            properties.load(new StringReader(text));
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new TrackerException(where + ": the manifest cannot be read: " + ex.getMessage(), ex);
        }
        final long format = number(properties, "format", where);
        if (FORMAT != format)
        {
            throw new TrackerException(where + ": checkpoint format " + format + ", this version reads " + FORMAT);
        }
        final Map<String, long[]> files = new LinkedHashMap<>();
        for (final String name : string(properties, "files", where).split(","))
        {
            files.put(name, new long[]{
                number(properties, "file." + name + ".length", where),
                number(properties, "file." + name + ".crc32c", where) });
        }
        return new CheckpointManifest(
            number(properties, "position", where),
            number(properties, "seed", where),
            number(properties, "startNs", where),
            string(properties, "settings", where),
            (int)number(properties, "createdSlots", where),
            files);
    }

    /**
     * @return the manifest as file content.
     */
    public byte[] toBytes()
    {
        final StringBuilder text = new StringBuilder("# acktracker checkpoint manifest (written last)\n");
        final Properties one = new Properties();
        final List<String> names = new ArrayList<>(files.keySet());
        line(text, one, "format", String.valueOf(FORMAT));
        line(text, one, "position", String.valueOf(position));
        line(text, one, "seed", String.valueOf(seed));
        line(text, one, "startNs", String.valueOf(startNs));
        line(text, one, "createdSlots", String.valueOf(createdSlots));
        line(text, one, "settings", settings);
        line(text, one, "files", String.join(",", names));
        for (final String name : names)
        {
            line(text, one, "file." + name + ".length", String.valueOf(files.get(name)[0]));
            line(text, one, "file." + name + ".crc32c", String.valueOf(files.get(name)[1]));
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Journal position of the image: replay resumes here.
     *
     * @return the position.
     */
    public long position()
    {
        return position;
    }

    /**
     * The machine's seed.
     *
     * @return the seed.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * The machine's start time.
     *
     * @return epoch ns.
     */
    public long startNs()
    {
        return startNs;
    }

    /**
     * The behaviour settings the image was made under.
     *
     * @return key=value lines.
     */
    public String settings()
    {
        return settings;
    }

    /**
     * Slots in the pending table file.
     *
     * @return the count.
     */
    public int createdSlots()
    {
        return createdSlots;
    }

    /**
     * @return file name to {length, crc32c}.
     */
    public Map<String, long[]> files()
    {
        return files;
    }

    private static void line(final StringBuilder text, final Properties one, final String key, final String value)
    {
        // Properties escapes the value (the settings hold newlines); one key at a time keeps the order
        one.clear();
        one.setProperty(key, value);
        final StringWriter writer = new StringWriter();
        try
        {
            one.store(writer, null);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final String stored = writer.toString();
        // store() starts with a date comment line: keep only the entry
        text.append(stored.substring(stored.indexOf('\n') + 1));
    }

    private static String string(final Properties properties, final String key, final String where)
    {
        final String value = properties.getProperty(key);
        if (null == value)
        {
            throw new TrackerException(where + ": the manifest has no " + key);
        }
        return value;
    }

    private static long number(final Properties properties, final String key, final String where)
    {
        try
        {
            return Long.parseLong(string(properties, key, where).trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new TrackerException(where + ": the manifest's " + key + " is not a number");
        }
    }
}

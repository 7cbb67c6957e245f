package io.acktracker.transport.service;

import io.acktracker.engine.store.DataDirectory;
import io.acktracker.engine.store.StoreLayout;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.TransportConfig;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The standalone service's settings: every key, its default and its meaning in one place, read from (lowest to
 * highest precedence) the defaults, a properties or YAML file, {@code -Dacktracker.<key>=...} system properties,
 * and {@code --<key>=value} flags. Unknown keys in the file or flags are refused, so a typo does not silently fall
 * back to a default; system properties are read only for known keys (others may belong to other components).
 * <p>
 * Durations take a unit ({@code 250ms}, {@code 5s}, {@code 2m}; {@code ns}, {@code us}, {@code h} too); sizes may
 * end in {@code k}, {@code m} or {@code g}.
 * <p>
 * Threading: build and read on one thread.
 */
public final class ServiceConfig
{
    /** Prefix of the service's system properties. */
    public static final String SYSTEM_PROPERTY_PREFIX = "acktracker.";

    /** Every key with its default ("" for none) and one line of help. */
    private static final String[][] KEYS = {
        {"name", "acktracker", "tracker name: counter labels and thread names"},
        {"data.dir", "", "directory for the persisted tables and counters; none keeps everything in memory"},
        {"capacity", "100000", "most pending messages"},
        {"destinations", "", "destination names to register up front (comma separated), ids in that order"},
        {"registry.open", "true", "register unknown destination names on first use"},
        {"ack.timeout", "5s", "default ack timeout"},
        {"ttl", "60s", "default time to live"},
        {"tombstone.window", "10s", "how long finished ids are remembered"},
        {"early.ack.window", "50ms", "hold an ack that overtook its Track (another session) this long"},
        {"max.clients", "256", "most client sessions (senders, destinations, consumers numbering their commands for " +
            "exactly once); each holds an outbox of outbox.capacity x 32 bytes off-heap"},
        {"outbox.capacity", "8192", "entries each client's outbox keeps until the client confirms them (power of " +
            "two): its messages without an outcome plus outcomes it has not confirmed; beyond, its commands are " +
            "refused OUTBOX_FULL and it resends"},
        {"store", "auto", "journal (state in memory, every command appended to a journal in data.dir, checkpoints, " +
            "replayed at start: what exactly once across restarts needs), tables (records written in place in " +
            "data.dir), or auto: the kind an existing data.dir holds, journal for a new one"},
        {"checkpoint.interval", "256m", "journal store: take a checkpoint once the journal grew this much since the " +
            "last one (counted across restarts), so a start replays at most about this much; 0 for none"},
        {"checkpoint.interval.time", "5m", "journal store: also take one this long after the last when the journal " +
            "grew; 0 for none"},
        {"sync.interval", "0s", "msync the tables (or the journal: group commit) this often (0: leave it to the OS)"},
        {"idle.strategy", "backoff", "tracker thread idle strategy: backoff, yielding, sleeping or busy-spin"},
        {"driver", "embedded", "embedded (own media driver) or external (the driver at aeron.dir)"},
        {"driver.threading", "SHARED", "embedded driver threading: SHARED, SHARED_NETWORK or DEDICATED"},
        {"driver.term.length", "16m", "embedded driver term length for IPC and UDP publications"},
        {"inbound.channel", Protocol.DEFAULT_CHANNEL, "channel commands arrive on"},
        {"inbound.stream", Integer.toString(Protocol.DEFAULT_INBOUND_STREAM_ID), "stream id commands arrive on"},
        {"outbound.channel", Protocol.DEFAULT_CHANNEL, "channel outcomes and redeliveries leave on"},
        {"outbound.stream", Integer.toString(Protocol.DEFAULT_OUTBOUND_STREAM_ID), "outbound stream id"},
        {"fragment.limit", "256", "most inbound frames per duty cycle"},
        {"inbound.prefetch", Boolean.toString(new TransportConfig().inboundPrefetch()), "before each inbound poll, " +
            "walk its frames once and touch the records they name, so the poll finds them in cache (changes no " +
            "result; see BENCHMARKS.md)"},
        {"backlog.capacity", "1m", "outbound backlog bytes at which inbound polling stops"},
        {"backlog.when.not.connected", "false", "keep outbound frames while no subscriber is connected"},
        {"outbound.stall.timeout", "2s", "report a stall (counter, gauge, one warning naming the slowest " +
            "subscriber) when the outbound publication publishes nothing for this long with frames waiting"},
        {"destination.keys.file", "", "owner-only file of per-destination keys, one name=key per line: a " +
            "destination with a key must prove its name at hello (HMAC over a tracker nonce); others are bound " +
            "unauthenticated"},
        {"lease.timeout", "30s", "visibility timeout of a lease that asks for the default (Aeron Lease, HTTP lease)"},
        {"http.enabled", "false", "serve the HTTP edge"},
        {"http.host", "127.0.0.1", "HTTP bind address; anything but loopback needs http.tls.keystore and is " +
            "warned about"},
        {"http.port", "8080", "HTTP port (0 picks a free one)"},
        {"http.token.file", "", "bearer token file (created 0600 with a new random token when missing); " +
            "default: http.token in data.dir, or with no data.dir a new one per run in a private temporary " +
            "directory, printed at start and deleted at stop"},
        {"http.reads", "auto", "who may GET /metrics, /stats, /messages/status: auto (open on loopback, the " +
            "token elsewhere), open, or token"},
        {"http.allowed.origins", "", "Origin values allowed on requests (comma separated, e.g. " +
            "https://ops.example.com); any other Origin is refused 403"},
        {"http.allowed.hosts", "", "names the Host header may carry besides the bound address and localhost " +
            "(name: any port, name:port: that port); any other Host is refused 421"},
        {"http.register.destinations", "false", "allow POST /destinations to register new destination names " +
            "(no other HTTP request registers one)"},
        {"http.threads", "8", "HTTP worker threads"},
        {"http.queue", "128", "HTTP requests waiting for a worker before more are answered 503"},
        {"http.max.connections", "256", "most open HTTP connections (JVM-wide: the JDK server's)"},
        {"http.read.timeout", "5s", "a request must arrive within this of its first byte, and a response be " +
            "taken within it, or the connection is closed"},
        {"http.idle.timeout", "30s", "an HTTP connection with no request in progress is closed after this " +
            "(whole seconds; JVM-wide: the JDK server's)"},
        {"http.tls.keystore", "", "PKCS12 or JKS keystore with the server's key: the edge serves HTTPS " +
            "(required off loopback)"},
        {"http.tls.keystore.password", "", "the keystore's (and its key's) password; keep it in a 0600 config " +
            "file rather than on the command line"},
    };

    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * The defaults.
     */
    public ServiceConfig()
    {
        for (final String[] key : KEYS)
        {
            values.put(key[0], key[1]);
        }
    }

    /**
     * Settings from files, system properties and flags. Flags: {@code --config=<file>} (or {@code --config <file>})
     * names a properties or YAML file; {@code --<key>=<value>} sets a key.
     *
     * @param args       command line flags.
     * @param properties system properties.
     * @return the settings.
     * @throws IllegalArgumentException for an unknown key, a malformed flag or a bad file.
     */
    public static ServiceConfig load(final String[] args, final Properties properties)
    {
        final ServiceConfig config = new ServiceConfig();
        final Map<String, String> flags = new LinkedHashMap<>();
        String file = properties.getProperty(SYSTEM_PROPERTY_PREFIX + "config");
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2)
            {
                throw new IllegalArgumentException("expected --key=value, got: " + arg);
            }
            final int equals = arg.indexOf('=');
            final String key;
            final String value;
            if (equals < 0)
            {
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException("missing value for " + arg);
                }
                key = arg.substring(2);
                value = args[++i];
            }
            else
            {
                key = arg.substring(2, equals);
                value = arg.substring(equals + 1);
            }
            if ("config".equals(key))
            {
                file = value;
            }
            else
            {
                flags.put(key, value);
            }
        }

        if (null != file)
        {
            config.putAll(ConfigSource.read(Path.of(file)), "file " + file);
        }
        for (final String name : properties.stringPropertyNames())
        {
            final String key = name.substring(Math.min(name.length(), SYSTEM_PROPERTY_PREFIX.length()));
            if (name.startsWith(SYSTEM_PROPERTY_PREFIX) && config.values.containsKey(key))
            {
                config.set(name.substring(SYSTEM_PROPERTY_PREFIX.length()), properties.getProperty(name),
                    "system property " + name);
            }
        }
        config.putAll(flags, "flag");
        return config;
    }

    /**
     * Set one key.
     *
     * @param key   a known key.
     * @param value its value.
     * @return this.
     * @throws IllegalArgumentException for an unknown key.
     */
    public ServiceConfig set(final String key, final String value)
    {
        return set(key, value, "setting");
    }

    private ServiceConfig set(final String key, final String value, final String source)
    {
        if (!values.containsKey(key))
        {
            throw new IllegalArgumentException("unknown " + source + " key '" + key + "'; known keys: " +
                String.join(", ", values.keySet()));
        }
        values.put(key, value.strip());
        return this;
    }

    private void putAll(final Map<String, String> settings, final String source)
    {
        for (final Map.Entry<String, String> entry : settings.entrySet())
        {
            set(entry.getKey(), entry.getValue(), source);
        }
    }

    /**
     * A value as text.
     *
     * @param key a known key.
     * @return the value, "" when unset.
     */
    public String get(final String key)
    {
        final String value = values.get(key);
        if (null == value)
        {
            throw new IllegalArgumentException("unknown key '" + key + "'");
        }
        return value;
    }

    /**
     * Every key and value, in definition order.
     *
     * @return a copy.
     */
    public Map<String, String> values()
    {
        return new LinkedHashMap<>(values);
    }

    /**
     * One line of help per key.
     *
     * @return the help text.
     */
    public static String help()
    {
        final StringBuilder help = new StringBuilder();
        for (final String[] key : KEYS)
        {
            help.append(String.format("  --%-30s %s%s%n", key[0] + "=", key[2],
                key[1].isEmpty() ? "" : " (default " + key[1] + ")"));
        }
        return help.toString();
    }

    String name()
    {
        return get("name");
    }

    Path dataDir()
    {
        final String dir = get("data.dir");
        return dir.isEmpty() ? null : Path.of(dir);
    }

    /**
     * Whether the state is kept in a command journal ({@code store=journal}) rather than tables.
     *
     * @return true for a journal store.
     * @throws IllegalArgumentException naming the key for any other value, or a journal without a data directory.
     */
    boolean journalStore()
    {
        final String value = get("store").toLowerCase(Locale.ROOT);
        if (!"tables".equals(value) && !"journal".equals(value) && !"auto".equals(value))
        {
            throw invalid("store", "expected auto, journal or tables");
        }
        if ("journal".equals(value) && null == dataDir())
        {
            throw invalid("store", "a journal store needs data.dir");
        }
        if ("auto".equals(value))
        {
            // a directory keeps the kind it was created with; a new one gets the journal
            return null != dataDir() && !StoreLayout.STORE_TABLES.equals(existingStoreKind());
        }
        return "journal".equals(value);
    }

    private String existingStoreKind()
    {
        return java.nio.file.Files.isDirectory(dataDir()) ? DataDirectory.storeKind(dataDir()) : null;
    }

    int integer(final String key)
    {
        try
        {
            return Math.toIntExact(size(key));
        }
        catch (final ArithmeticException ex)
        {
            throw invalid(key, "too large");
        }
    }

    boolean bool(final String key)
    {
        final String value = get(key).toLowerCase(Locale.ROOT);
        if (!"true".equals(value) && !"false".equals(value))
        {
            throw invalid(key, "expected true or false");
        }
        return "true".equals(value);
    }

    List<String> list(final String key)
    {
        final String value = get(key);
        return value.isEmpty() ? List.of() : List.of(value.split("\\s*,\\s*"));
    }

    long size(final String key)
    {
        final String value = get(key).toLowerCase(Locale.ROOT);
        long multiplier = 1;
        String digits = value;
        if (value.endsWith("k") || value.endsWith("m") || value.endsWith("g"))
        {
            multiplier = value.endsWith("k") ? 1024 : value.endsWith("m") ? 1024 * 1024 : 1024 * 1024 * 1024;
            digits = value.substring(0, value.length() - 1);
        }
        try
        {
            return Math.multiplyExact(Long.parseLong(digits), multiplier);
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            throw invalid(key, "expected a number, optionally ending in k, m or g");
        }
    }

    long durationNs(final String key)
    {
        final String value = get(key).toLowerCase(Locale.ROOT);
        final String[][] units = {{"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"},
            {"m", "60000000000"}, {"h", "3600000000000"}};
        for (final String[] unit : units)
        {
            if (value.endsWith(unit[0]))
            {
                final String digits = value.substring(0, value.length() - unit[0].length());
                if (!digits.isEmpty() && Character.isDigit(digits.charAt(digits.length() - 1)))
                {
                    try
                    {
                        return Math.multiplyExact(Long.parseLong(digits), Long.parseLong(unit[1]));
                    }
                    catch (final NumberFormatException | ArithmeticException ex)
                    {
                        throw invalid(key, "bad duration");
                    }
                }
            }
        }
        throw invalid(key, "expected a duration with a unit, e.g. 250ms or 5s");
    }

    IdleStrategy idleStrategy()
    {
        switch (get("idle.strategy").toLowerCase(Locale.ROOT))
        {
            case "backoff":
                return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
                    TimeUnit.MILLISECONDS.toNanos(1));
            case "yielding":
                return new YieldingIdleStrategy();
            case "sleeping":
                return new SleepingMillisIdleStrategy(1);
            case "busy-spin":
                return new BusySpinIdleStrategy();
            default:
                throw invalid("idle.strategy", "expected backoff, yielding, sleeping or busy-spin");
        }
    }

    boolean embeddedDriver()
    {
        switch (get("driver").toLowerCase(Locale.ROOT))
        {
            case "embedded":
                return true;
            case "external":
                return false;
            default:
                throw invalid("driver", "expected embedded or external");
        }
    }

    ThreadingMode threadingMode()
    {
        try
        {
            return ThreadingMode.valueOf(get("driver.threading").toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid("driver.threading", "expected SHARED, SHARED_NETWORK or DEDICATED");
        }
    }

    private IllegalArgumentException invalid(final String key, final String why)
    {
        return new IllegalArgumentException("invalid " + key + "='" + get(key) + "': " + why);
    }
}

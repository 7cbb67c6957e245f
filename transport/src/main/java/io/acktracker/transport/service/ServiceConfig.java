package io.acktracker.transport.service;

import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.store.DataDirectory;
import io.acktracker.engine.store.StoreLayout;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.http.HttpEdgeConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The standalone service's settings, read from (lowest to highest precedence) the defaults, a YAML, JSON or
 * properties file ({@link ConfigSource}), {@code -Dacktracker.<key>=...} system properties, and {@code --<key>=value}
 * flags. The keys are {@link ServiceKeys}'; each default is the one of the config object that owns the setting, so
 * nothing here repeats a default. Unknown keys in the file or flags are refused (with the closest known key), so a
 * typo does not silently fall back to a default; system properties are read only for known keys (others may belong to
 * other components).
 * <p>
 * {@link #validate()} parses every value and runs the owners' checks ({@code conclude()}); a refusal names the key,
 * its value and where it came from. Durations take a unit ({@code 250ms}, {@code 5s}, {@code 2m}; {@code ns},
 * {@code us}, {@code h} too); sizes may end in {@code k}, {@code m} or {@code g}.
 * <p>
 * Threading: build and read on one thread.
 */
public final class ServiceConfig
{
    /** Prefix of the service's system properties. */
    public static final String SYSTEM_PROPERTY_PREFIX = "acktracker.";

    private static final String DEFAULT = "default";

    /** A value as written and where it came from. */
    private record Setting(String text, String source)
    {
    }

    private final Map<String, Setting> settings = new LinkedHashMap<>();

    /**
     * The defaults.
     */
    public ServiceConfig()
    {
    }

    /**
     * Settings from files, system properties and flags. Flags: {@code --config=<file>} (or {@code --config <file>})
     * names a YAML, JSON or properties file; {@code --<key>=<value>} sets a key.
     *
     * @param args       command line flags.
     * @param properties system properties.
     * @return the settings, not yet validated.
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
            else if (null != flags.put(key, value))
            {
                throw new IllegalArgumentException("flag --" + key + " given twice");
            }
        }

        if (null != file)
        {
            for (final Map.Entry<String, String> entry : ConfigSource.read(Path.of(file)).entrySet())
            {
                config.set(entry.getKey(), entry.getValue(), "file " + file);
            }
        }
        for (final String name : properties.stringPropertyNames())
        {
            if (name.startsWith(SYSTEM_PROPERTY_PREFIX) && !name.equals(SYSTEM_PROPERTY_PREFIX + "config"))
            {
                final String key = name.substring(SYSTEM_PROPERTY_PREFIX.length());
                if (isKnown(key))
                {
                    config.set(key, properties.getProperty(name), "system property " + name);
                }
            }
        }
        for (final Map.Entry<String, String> entry : flags.entrySet())
        {
            config.set(entry.getKey(), entry.getValue(), "flag --" + entry.getKey());
        }
        return config;
    }

    private static boolean isKnown(final String key)
    {
        try
        {
            return null != ServiceKeys.find(key);
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
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
        final ServiceKeys.Bound bound;
        try
        {
            bound = ServiceKeys.find(key);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("invalid key '" + key + "' (" + source + "): " + ex.getMessage());
        }
        if (null == bound)
        {
            final String closest = ServiceKeys.closest(key);
            throw new IllegalArgumentException("unknown key '" + key + "' (" + source + ")" +
                (null == closest ? "" : "; did you mean '" + closest + "'?"));
        }
        settings.put(key, new Setting(value.strip(), source));
        return this;
    }

    /**
     * A value as text: as set, else the default.
     *
     * @param key a known key.
     * @return the value, "" when none.
     * @throws IllegalArgumentException for an unknown key.
     */
    public String get(final String key)
    {
        final Setting setting = settings.get(key);
        if (null != setting)
        {
            return setting.text();
        }
        final ServiceKeys.Bound bound = ServiceKeys.find(key);
        if (null == bound)
        {
            throw new IllegalArgumentException("unknown key '" + key + "'");
        }
        return bound.key().isPerClass() || bound.key().hasDefaultNote() ? "" : bound.key().defaultText();
    }

    /**
     * Every key of no message class with its value, then the message classes' keys that are set, in reference order.
     *
     * @return a copy.
     */
    public Map<String, String> values()
    {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final ConfigKey<?> key : ServiceKeys.all())
        {
            if (!key.isPerClass())
            {
                values.put(key.name(), get(key.name()));
            }
        }
        for (final Map.Entry<String, Setting> entry : settings.entrySet())
        {
            values.putIfAbsent(entry.getKey(), entry.getValue().text());
        }
        return values;
    }

    /**
     * Parse every value and run the owners' checks, without starting anything.
     *
     * @return this.
     * @throws IllegalArgumentException naming the key, its value and where it came from.
     */
    public ServiceConfig validate()
    {
        final ConfigTargets targets = build(settings);
        try
        {
            conclude(targets);
        }
        catch (final RuntimeException ex)
        {
            throw attribute(ex);
        }
        return this;
    }

    /**
     * Fresh engine settings from these keys, as the service would start its tracker (without what the service adds
     * itself: the store's journal, the clock, the error handler, the transport): for another host of the engine, such
     * as a cluster member.
     *
     * @return a new config.
     * @throws IllegalArgumentException naming the key, when a setting is invalid.
     */
    public TrackerConfig newTrackerConfig()
    {
        return targets().tracker;
    }

    /**
     * Fresh protocol settings from these keys (sessions, backlog, lease timeout, channels), as the service would
     * start its transport without an Aeron client or files: for another host of the engine, such as a cluster member.
     *
     * @return a new config.
     * @throws IllegalArgumentException naming the key, when a setting is invalid.
     */
    public TransportConfig newTransportConfig()
    {
        return targets().transport;
    }

    /**
     * The HTTP edge's settings from these keys when {@code http.enabled} is true, concluded, as the service would
     * start its edge: for another host of the engine, such as a cluster member.
     *
     * @param defaultTokenFile the bearer token's file when {@code http.token.file} is not set (the service's is in
     *                         its data directory), or null for a temporary one.
     * @return a new config, or null when {@code http.enabled} is false.
     * @throws IllegalArgumentException naming the key, when a setting is invalid.
     */
    public HttpEdgeConfig newHttpEdgeConfig(final Path defaultTokenFile)
    {
        final ConfigTargets targets = targets();
        if (!targets.service.httpEnabled)
        {
            return null;
        }
        final Path tokenFile = targets.service.httpTokenFile;
        return targets.http.tokenFile(null != tokenFile ? tokenFile : defaultTokenFile).conclude();
    }

    /**
     * Fresh, validated config objects to start a service from (the owners' {@code conclude()} is left to them).
     *
     * @return the targets.
     */
    ConfigTargets targets()
    {
        validate();
        return build(settings).finish();
    }

    private static ConfigTargets build(final Map<String, Setting> settings)
    {
        final ConfigTargets targets = new ConfigTargets();
        for (final Map.Entry<String, Setting> entry : settings.entrySet())
        {
            final ServiceKeys.Bound bound = ServiceKeys.find(entry.getKey());
            try
            {
                bound.key().apply(targets, bound.id(), entry.getValue().text());
            }
            catch (final IllegalArgumentException ex)
            {
                throw invalid(entry.getKey(), entry.getValue(), ex.getMessage());
            }
        }
        return targets;
    }

    private static void conclude(final ConfigTargets targets)
    {
        targets.finish();
        targets.service.conclude();
        targets.tracker.conclude();
        targets.transport.conclude();
        if (targets.service.httpEnabled)
        {
            targets.http.conclude();
        }
    }

    /**
     * The key to blame for a refusal by an owner's check, which names its field, not our key: the first key whose
     * removal makes the settings pass, else the first that fails on its own, else all that were set.
     */
    private IllegalArgumentException attribute(final RuntimeException failure)
    {
        for (final Map.Entry<String, Setting> entry : settings.entrySet())
        {
            if (reason(failure).startsWith("invalid " + entry.getKey() + "="))
            {
                return invalid(entry.getKey(), entry.getValue(), reason(failure));
            }
        }
        for (final String key : settings.keySet())
        {
            final Map<String, Setting> without = new LinkedHashMap<>(settings);
            without.remove(key);
            if (passes(without, false))
            {
                return invalid(key, settings.get(key), reason(failure));
            }
        }
        for (final Map.Entry<String, Setting> entry : settings.entrySet())
        {
            final Map<String, Setting> alone = new LinkedHashMap<>();
            alone.put(entry.getKey(), entry.getValue());
            if (!passes(alone, build(settings).service.httpEnabled))
            {
                return invalid(entry.getKey(), entry.getValue(), reason(failure));
            }
        }
        final List<String> sources = new ArrayList<>();
        settings.forEach((key, setting) -> sources.add(key + " (" + setting.source() + ")"));
        return new IllegalArgumentException("invalid settings: " + reason(failure) + "; set: " +
            String.join(", ", sources));
    }

    private static boolean passes(final Map<String, Setting> settings, final boolean httpEnabled)
    {
        try
        {
            final ConfigTargets targets = build(settings);
            targets.service.httpEnabled |= httpEnabled;
            conclude(targets);
            return true;
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    private static String reason(final RuntimeException failure)
    {
        final String message = null == failure.getMessage() ? failure.toString() : failure.getMessage();
        for (final String prefix : new String[]{"invalid configuration: ", "invalid transport configuration: "})
        {
            if (message.startsWith(prefix))
            {
                return message.substring(prefix.length());
            }
        }
        return message;
    }

    private static IllegalArgumentException invalid(final String key, final Setting setting, final String why)
    {
        final String where = " (" + setting.source() + ")";
        if (why.startsWith("invalid " + key + "="))
        {
            return new IllegalArgumentException(why + where);
        }
        return new IllegalArgumentException("invalid " + key + "='" + setting.text() + "': " + why + where);
    }

    /**
     * One line of help per key.
     *
     * @return the help text.
     */
    public static String help()
    {
        final StringBuilder help = new StringBuilder();
        for (final ConfigKey<?> key : ServiceKeys.all())
        {
            final String defaultText = key.defaultText();
            help.append(String.format("  --%-30s %s%s%n", key.name() + "=", key.help(),
                defaultText.isEmpty() ? "" : " (default " + defaultText + ")"));
        }
        return help.toString();
    }

    /**
     * The effective settings, one {@code key: value} line each (YAML: it reads back as a config file), with where
     * each value came from; passwords are never printed.
     *
     * @return the text.
     */
    public String effective()
    {
        final StringBuilder out = new StringBuilder();
        for (final Map.Entry<String, String> entry : values().entrySet())
        {
            final Setting setting = settings.get(entry.getKey());
            final ServiceKeys.Bound bound = ServiceKeys.find(entry.getKey());
            if (null == setting && bound.key().hasDefaultNote())
            {
                out.append("# ").append(entry.getKey()).append(": ").append(bound.key().defaultText())
                    .append("    # default").append(System.lineSeparator());
                continue;
            }
            String value = entry.getValue();
            if (entry.getKey().endsWith("password"))
            {
                value = value.isEmpty() ? "" : "<hidden>";
            }
            out.append(entry.getKey()).append(": ").append(yamlScalar(value)).append("    # ")
                .append(null == setting ? DEFAULT : setting.source()).append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String yamlScalar(final String value)
    {
        if (value.matches("[A-Za-z0-9._/+-]+"))
        {
            return value;
        }
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
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
     * @throws IllegalArgumentException naming the key for a journal without a data directory.
     */
    boolean journalStore()
    {
        final ConfigTargets targets = build(settings);
        final ServiceOptions options = targets.service;
        if (ServiceOptions.Store.JOURNAL == options.store && null == options.dataDir)
        {
            throw new IllegalArgumentException("invalid store='journal': a journal store needs data.dir");
        }
        if (ServiceOptions.Store.AUTO == options.store)
        {
            // a directory keeps the kind it was created with; a new one gets the journal
            return null != options.dataDir && !StoreLayout.STORE_TABLES.equals(existingStoreKind(options.dataDir));
        }
        return ServiceOptions.Store.JOURNAL == options.store;
    }

    private static String existingStoreKind(final Path dataDir)
    {
        return Files.isDirectory(dataDir) ? DataDirectory.storeKind(dataDir) : null;
    }
}

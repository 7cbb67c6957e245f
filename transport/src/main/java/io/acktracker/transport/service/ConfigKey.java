package io.acktracker.transport.service;

/**
 * One setting of the service: its name, type, help, and how it reads and writes the config object that owns it. The
 * default is never written here: it is read from a fresh {@link ConfigTargets}, that is from the owner's own field
 * initialisers ({@code TrackerConfig}, {@code TransportConfig}, {@code HttpEdgeConfig}, {@link ServiceOptions}).
 * A key of a message class has {@value #ID} in its name and is bound to a class id when used.
 * <p>
 * Threading: any thread; immutable.
 *
 * @param <V> the value's type.
 */
final class ConfigKey<V>
{
    /** The placeholder of a message class id in a key's name. */
    static final String ID = "<id>";

    /** Reads a key's value from the targets. */
    @FunctionalInterface
    interface Getter<V>
    {
        V get(ConfigTargets targets, int id);
    }

    /** Writes a key's value into the targets. */
    @FunctionalInterface
    interface Setter<V>
    {
        void set(ConfigTargets targets, int id, V value);
    }

    private final String section;
    private final String name;
    private final ValueType<V> type;
    private final String help;
    private final String defaultNote;
    private final Getter<V> getter;
    private final Setter<V> setter;

    ConfigKey(
        final String section,
        final String name,
        final ValueType<V> type,
        final String help,
        final String defaultNote,
        final Getter<V> getter,
        final Setter<V> setter)
    {
        this.section = section;
        this.name = name;
        this.type = type;
        this.help = help;
        this.defaultNote = defaultNote;
        this.getter = getter;
        this.setter = setter;
    }

    String section()
    {
        return section;
    }

    String name()
    {
        return name;
    }

    ValueType<V> type()
    {
        return type;
    }

    String help()
    {
        return help;
    }

    /**
     * Whether the default is a note saying what applies rather than a value.
     *
     * @return true for a note.
     */
    boolean hasDefaultNote()
    {
        return null != defaultNote;
    }

    boolean isPerClass()
    {
        return name.contains(ID);
    }

    /**
     * The default as a setting, from a fresh set of config objects; for a key with no value of its own (a message
     * class field, a random seed) the note saying what applies.
     *
     * @return the default's text, "" for none.
     */
    String defaultText()
    {
        return null != defaultNote ? defaultNote : valueText(new ConfigTargets(), 0);
    }

    /**
     * The key's value in the targets, as a setting.
     *
     * @param targets the config objects.
     * @param id      message class id, for a per-class key.
     * @return the text, "" for none.
     */
    String valueText(final ConfigTargets targets, final int id)
    {
        final V value = getter.get(targets, id);
        return null == value ? "" : type.format(value);
    }

    /**
     * Parse a setting and write it into the targets.
     *
     * @param targets the config objects.
     * @param id      message class id, for a per-class key.
     * @param text    the setting.
     * @throws IllegalArgumentException with the reason only.
     */
    void apply(final ConfigTargets targets, final int id, final String text)
    {
        setter.set(targets, id, type.parse(text));
    }
}

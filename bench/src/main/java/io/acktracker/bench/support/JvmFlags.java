package io.acktracker.bench.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The JVM flags every benchmark JVM needs (Agrona, Chronicle Map), read from {@code acktracker-bench.properties},
 * which Maven filters from the parent pom's {@code acktracker.jvm.flags} property: that property stays the one
 * place they are written down.
 * <p>
 * Any thread.
 */
public final class JvmFlags
{
    /** Classpath resource holding the filtered flags. */
    public static final String RESOURCE = "/acktracker-bench.properties";

    /** Flags Java 24+ wants for Unsafe and native access (Java 17 refuses the second one). */
    static final List<String> JAVA_24_FLAGS = List.of(
        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    private JvmFlags()
    {
    }

    /**
     * The flags from the parent pom, plus the Java 24+ ones when the given JVM feature version needs them.
     *
     * @param javaFeature feature version of the JVM that will get the flags, e.g. 17 or 25.
     * @return the flags, one per element.
     */
    public static List<String> forJava(final int javaFeature)
    {
        final List<String> flags = new ArrayList<>(fromPom());
        if (javaFeature >= 24)
        {
            flags.addAll(JAVA_24_FLAGS);
        }
        return flags;
    }

    /**
     * The flags for a JVM of the same version as this one.
     *
     * @return the flags, one per element.
     */
    public static List<String> forThisJava()
    {
        return forJava(Runtime.version().feature());
    }

    /**
     * The flags exactly as the parent pom's {@code acktracker.jvm.flags} property holds them.
     *
     * @return the flags, one per element.
     * @throws IllegalStateException when the resource is missing or was not filtered by Maven.
     */
    public static List<String> fromPom()
    {
        final Properties properties = new Properties();
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath: build with Maven");
            }
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        final String flags = properties.getProperty("jvm.flags", "").trim();
        if (flags.isEmpty() || flags.contains("${"))
        {
            throw new IllegalStateException(RESOURCE + " was not filtered by Maven: jvm.flags=" + flags);
        }
        return List.copyOf(Arrays.asList(flags.split("\\s+")));
    }
}

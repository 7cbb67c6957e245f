package io.acktracker.transport.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the service's settings as flat {@code dotted.key -> value} pairs from a YAML ({@code .yaml}, {@code .yml}),
 * JSON ({@code .json}) or properties file (anything else). YAML and JSON are read by Jackson: nested maps flatten to
 * dotted keys ({@code http:} then {@code   port: 8080} is {@code http.port}, and flat dotted keys work too), a list of
 * scalars becomes a comma separated value ({@code [a, b]} is {@code a,b}), and a list of maps each with an
 * {@code id} becomes keys under that id ({@code message.classes: [{id: 1, ttl: 5s}]} is
 * {@code message.classes.1.ttl}). A key given twice is refused, whether twice in one map (Jackson's strict duplicate
 * detection) or once nested and once dotted; so is a duplicate in a properties file. Null values are left out (the
 * default applies).
 * <p>
 * Threading: any thread; stateless.
 */
public final class ConfigSource
{
    private static final ObjectMapper YAML = configure(YAMLMapper.builder(new YAMLFactory()));
    private static final ObjectMapper JSON = configure(JsonMapper.builder());

    private ConfigSource()
    {
    }

    private static <M extends ObjectMapper, B extends com.fasterxml.jackson.databind.cfg.MapperBuilder<M, B>> M
        configure(final B builder)
    {
        return builder
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    }

    /**
     * Read a file by its extension.
     *
     * @param file the file.
     * @return settings in file order.
     * @throws IllegalArgumentException naming the file for a malformed one or a key given twice.
     * @throws UncheckedIOException when it cannot be read.
     */
    public static Map<String, String> read(final Path file)
    {
        final String text;
        try
        {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read configuration " + file, ex);
        }
        final String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try
        {
            if (name.endsWith(".yaml") || name.endsWith(".yml"))
            {
                return parseYaml(text);
            }
            return name.endsWith(".json") ? parseJson(text) : parseProperties(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Parse YAML.
     *
     * @param text the text.
     * @return settings flattened to dotted keys.
     * @throws IllegalArgumentException with the line for malformed YAML or a key given twice.
     */
    public static Map<String, String> parseYaml(final String text)
    {
        return flatten(tree(YAML, text));
    }

    /**
     * Parse JSON.
     *
     * @param text the text.
     * @return settings flattened to dotted keys.
     * @throws IllegalArgumentException with the line for malformed JSON or a key given twice.
     */
    public static Map<String, String> parseJson(final String text)
    {
        return flatten(tree(JSON, text));
    }

    /**
     * Parse properties text.
     *
     * @param text the text.
     * @return settings in file order.
     * @throws IllegalArgumentException for a key given twice.
     */
    public static Map<String, String> parseProperties(final String text)
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        final Properties properties = new Properties()
        {
            private static final long serialVersionUID = 1L;

            public synchronized Object put(final Object key, final Object value)
            {
                final String name = key.toString().strip();
                if (null != settings.put(name, value.toString().strip()))
                {
                    throw new IllegalArgumentException("key '" + name + "' given twice");
                }
                return null;
            }
        };
        try (Reader reader = new StringReader(text))
        {
            properties.load(reader);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return settings;
    }

    private static JsonNode tree(final ObjectMapper mapper, final String text)
    {
        try
        {
            final JsonNode root = mapper.readTree(text);
            if (null == root || root.isMissingNode() || root.isNull())
            {
                return mapper.createObjectNode();
            }
            if (!root.isObject())
            {
                throw new IllegalArgumentException("expected a map of settings (key: value) at the top");
            }
            return root;
        }
        catch (final JsonProcessingException ex)
        {
            final String where = null == ex.getLocation() ? "" : "line " + ex.getLocation().getLineNr() + ": ";
            throw new IllegalArgumentException(where + ex.getOriginalMessage());
        }
    }

    private static Map<String, String> flatten(final JsonNode root)
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        flatten("", root, settings);
        return settings;
    }

    private static void flatten(final String prefix, final JsonNode node, final Map<String, String> settings)
    {
        if (node.isObject())
        {
            for (final Map.Entry<String, JsonNode> field : node.properties())
            {
                flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), settings);
            }
        }
        else if (node.isArray() && node.size() > 0 && node.get(0).isObject())
        {
            for (int i = 0; i < node.size(); i++)
            {
                final JsonNode element = node.get(i);
                final JsonNode id = element.get("id");
                if (!element.isObject() || null == id || !id.isValueNode())
                {
                    throw new IllegalArgumentException(prefix + "[" + i + "]: each item of a list of maps needs " +
                        "an id (e.g. '- id: 1')");
                }
                final String itemPrefix = prefix + "." + id.asText();
                for (final Map.Entry<String, JsonNode> field : element.properties())
                {
                    if (!"id".equals(field.getKey()))
                    {
                        flatten(itemPrefix + "." + field.getKey(), field.getValue(), settings);
                    }
                }
                if (element.size() == 1)
                {
                    // a class with nothing but its id still exists, with the tracker's defaults
                    put(settings, itemPrefix + ".name", "class-" + id.asText());
                }
            }
        }
        else if (node.isArray())
        {
            final StringBuilder list = new StringBuilder();
            for (final JsonNode item : node)
            {
                if (!item.isValueNode())
                {
                    throw new IllegalArgumentException(prefix + ": a list holds either values or maps with an id");
                }
                list.append(list.length() > 0 ? "," : "").append(item.asText());
            }
            put(settings, prefix, list.toString());
        }
        else if (!node.isNull())
        {
            put(settings, prefix, node.asText());
        }
    }

    private static void put(final Map<String, String> settings, final String key, final String value)
    {
        if (null != settings.put(key, value))
        {
            throw new IllegalArgumentException("key '" + key + "' given twice (nested and dotted)");
        }
    }
}

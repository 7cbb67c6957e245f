package io.acktracker.transport.service;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the service's settings as flat {@code dotted.key -> value} pairs from a {@code .properties} file, or from a
 * YAML file in the subset a configuration needs: nested maps by indentation ({@code http:} then
 * {@code   port: 8080} is {@code http.port}), scalars (optionally quoted), lists written {@code [a, b]} or as
 * {@code - a} lines (read as {@code a,b}), and {@code #} comments. Anchors, multi-line strings and the rest of
 * YAML are refused with the line number rather than misread.
 * <p>
 * Threading: any thread; stateless.
 */
public final class ConfigSource
{
    private ConfigSource()
    {
    }

    /**
     * Read a file by its extension: {@code .yaml}/{@code .yml} as YAML, anything else as properties.
     *
     * @param file the file.
     * @return settings in file order.
     */
    public static Map<String, String> read(final Path file)
    {
        try
        {
            final String text = Files.readString(file, StandardCharsets.UTF_8);
            final String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            return name.endsWith(".yaml") || name.endsWith(".yml") ? parseYaml(text) : parseProperties(text);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read configuration " + file, ex);
        }
    }

    /**
     * Parse properties text.
     *
     * @param text the text.
     * @return settings.
     */
    public static Map<String, String> parseProperties(final String text)
    {
        final Properties properties = new Properties();
        try (Reader reader = new StringReader(text))
        {
            properties.load(reader);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final Map<String, String> settings = new LinkedHashMap<>();
        for (final String key : properties.stringPropertyNames())
        {
            settings.put(key.strip(), properties.getProperty(key).strip());
        }
        return settings;
    }

    /**
     * Parse the YAML subset.
     *
     * @param text the text.
     * @return settings flattened to dotted keys.
     * @throws IllegalArgumentException at the first line outside the subset.
     */
    public static Map<String, String> parseYaml(final String text)
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        final Deque<int[]> indents = new ArrayDeque<>();
        final Deque<String> prefixes = new ArrayDeque<>();
        String listKey = null;
        int listIndent = -1;
        final List<String> listItems = new ArrayList<>();
        int lineNumber = 0;

        for (final String rawLine : text.split("\n", -1))
        {
            lineNumber++;
            final String line = stripComment(rawLine).stripTrailing();
            if (line.isBlank())
            {
                continue;
            }
            if (line.indexOf('\t') >= 0)
            {
                throw error(lineNumber, "tabs are not allowed for indentation");
            }
            final int indent = line.length() - line.stripLeading().length();
            final String content = line.strip();

            if (content.startsWith("- ") || "-".equals(content))
            {
                if (null == listKey || indent < listIndent)
                {
                    throw error(lineNumber, "list item without a key above it");
                }
                listItems.add(scalar(content.substring(1).strip(), lineNumber));
                continue;
            }
            if (null != listKey)
            {
                settings.put(listKey, String.join(",", listItems));
                listKey = null;
                listItems.clear();
            }

            while (!indents.isEmpty() && indent <= indents.peek()[0])
            {
                indents.pop();
                prefixes.pop();
            }
            final int colon = content.indexOf(':');
            if (colon <= 0 || (colon + 1 < content.length() && content.charAt(colon + 1) != ' '))
            {
                throw error(lineNumber, "expected 'key: value'");
            }
            final String key = (prefixes.isEmpty() ? "" : prefixes.peek() + ".") + content.substring(0, colon).strip();
            final String value = content.substring(colon + 1).strip();
            if (value.isEmpty())
            {
                indents.push(new int[]{indent});
                prefixes.push(key);
                listKey = key;
                listIndent = indent;
            }
            else if (value.startsWith("[") && value.endsWith("]"))
            {
                final List<String> items = new ArrayList<>();
                for (final String item : value.substring(1, value.length() - 1).split(","))
                {
                    if (!item.isBlank())
                    {
                        items.add(scalar(item.strip(), lineNumber));
                    }
                }
                settings.put(key, String.join(",", items));
            }
            else
            {
                settings.put(key, scalar(value, lineNumber));
            }
        }
        if (null != listKey)
        {
            settings.put(listKey, String.join(",", listItems));
        }
        settings.values().removeIf(String::isEmpty);
        return settings;
    }

    private static String scalar(final String value, final int lineNumber)
    {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") ||
            value.startsWith("'") && value.endsWith("'")))
        {
            return value.substring(1, value.length() - 1);
        }
        if (value.startsWith("&") || value.startsWith("*") || value.startsWith("|") || value.startsWith(">") ||
            value.startsWith("{") || value.startsWith("!"))
        {
            throw error(lineNumber, "unsupported YAML: " + value);
        }
        return value;
    }

    private static String stripComment(final String line)
    {
        boolean quoted = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (quoted)
            {
                quoted = c != quote;
            }
            else if (c == '"' || c == '\'')
            {
                quoted = true;
                quote = c;
            }
            else if (c == '#' && (0 == i || Character.isWhitespace(line.charAt(i - 1))))
            {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static IllegalArgumentException error(final int lineNumber, final String message)
    {
        return new IllegalArgumentException("configuration line " + lineNumber + ": " + message);
    }
}

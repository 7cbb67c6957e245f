package io.acktracker.transport.http;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, written from the format's specification (the
 * Prometheus docs' "Exposition formats", text-based format), for tests: it throws {@link IllegalArgumentException}
 * naming the line on anything a scraper could reject or misread, and on the conventions we hold ourselves to.
 * <ul>
 *   <li>line grammar: {@code # HELP name text}, {@code # TYPE name type}, other comments, and samples
 *   {@code name[{label="value",...}] value [timestamp]}; metric names {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, label names
 *   {@code [a-zA-Z_][a-zA-Z0-9_]*}, label values with only {@code \\}, {@code \"} and {@code \n} escaped, HELP text
 *   with only {@code \\} and {@code \n}; values as Go's ParseFloat reads them, {@code NaN}, {@code +Inf},
 *   {@code -Inf}; no trailing spaces; the body ends with a newline;</li>
 *   <li>one HELP and one TYPE per family, both before its first sample; every sample belongs to a typed family
 *   (histogram {@code _bucket}/{@code _sum}/{@code _count}, summary quantiles/{@code _sum}/{@code _count});
 *   a family's lines in one group; no series twice; no label twice in a sample;</li>
 *   <li>histograms: per series, {@code le} parses, ascends strictly, ends at {@code +Inf}; counts are cumulative
 *   (never decrease); the {@code +Inf} bucket equals {@code _count}; {@code _sum} and {@code _count} present;
 *   counters are never negative.</li>
 * </ul>
 */
public final class PrometheusTextParser
{
    /** Known types. */
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /**
     * One sample.
     *
     * @param name   the sample's name (e.g. {@code x_bucket}).
     * @param labels label name to value, sorted by name.
     * @param value  the value.
     */
    public record Sample(String name, Map<String, String> labels, double value)
    {
    }

    /**
     * One family.
     *
     * @param name    the family's name (as in TYPE).
     * @param type    its type.
     * @param help    its help text (unescaped).
     * @param samples its samples, in order.
     */
    public record Family(String name, String type, String help, List<Sample> samples)
    {
    }

    private final Map<String, String> types = new LinkedHashMap<>();
    private final Map<String, String> helps = new LinkedHashMap<>();
    private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
    private final Set<String> closed = new HashSet<>();
    private final Set<String> series = new HashSet<>();
    private String current;
    private int lineNumber;
    private String line;
    private int pos;

    private PrometheusTextParser()
    {
    }

    /**
     * Parse and check a body.
     *
     * @param body the exposition.
     * @return families by name, in the order met.
     * @throws IllegalArgumentException naming the first problem.
     */
    public static Map<String, Family> parse(final String body)
    {
        final PrometheusTextParser parser = new PrometheusTextParser();
        if (!body.isEmpty() && !body.endsWith("\n"))
        {
            throw new IllegalArgumentException("the body does not end with a newline");
        }
        for (final String text : body.split("\n", -1))
        {
            parser.lineNumber++;
            parser.line = text;
            parser.pos = 0;
            parser.line();
        }
        final Map<String, Family> families = new LinkedHashMap<>();
        for (final Map.Entry<String, String> entry : parser.types.entrySet())
        {
            final String name = entry.getKey();
            final List<Sample> list = parser.samples.getOrDefault(name, List.of());
            families.put(name, new Family(name, entry.getValue(), parser.helps.get(name), list));
            if ("histogram".equals(entry.getValue()))
            {
                checkHistogram(name, list);
            }
        }
        return families;
    }

    private void line()
    {
        if (line.isEmpty())
        {
            return;
        }
        if (line.endsWith(" ") || line.endsWith("\t"))
        {
            throw fail("trailing whitespace");
        }
        if (line.startsWith("#"))
        {
            comment();
            return;
        }
        sample();
    }

    private void comment()
    {
        final String[] parts = line.split(" ", 4);
        if (parts.length < 3 || !"#".equals(parts[0]) || !("HELP".equals(parts[1]) || "TYPE".equals(parts[1])))
        {
            return;
        }
        final String name = parts[2];
        checkMetricName(name);
        enter(name);
        if ("HELP".equals(parts[1]))
        {
            if (helps.containsKey(name))
            {
                throw fail("second HELP for " + name);
            }
            helps.put(name, unescapeHelp(parts.length > 3 ? parts[3] : ""));
            return;
        }
        if (parts.length != 4 || !TYPES.contains(parts[3]))
        {
            throw fail("bad TYPE line");
        }
        if (types.containsKey(name))
        {
            throw fail("second TYPE for " + name);
        }
        if (samples.containsKey(name))
        {
            throw fail("TYPE for " + name + " after its samples");
        }
        types.put(name, parts[3]);
    }

    private void sample()
    {
        final String name = token("metric name");
        checkMetricName(name);
        final Map<String, String> labels = new TreeMap<>();
        if (pos < line.length() && line.charAt(pos) == '{')
        {
            pos++;
            labels(labels);
        }
        expect(' ');
        final String valueText = token("value");
        final double value = parseValue(valueText);
        if (pos < line.length())
        {
            expect(' ');
            final String timestamp = token("timestamp");
            try
            {
                Long.parseLong(timestamp);
            }
            catch (final NumberFormatException ex)
            {
                throw fail("bad timestamp '" + timestamp + "'");
            }
        }
        if (pos != line.length())
        {
            throw fail("text after the sample");
        }
        final String family = familyOf(name, labels);
        enter(family);
        if ("counter".equals(types.get(family)) && value < 0)
        {
            throw fail("negative counter");
        }
        if (!series.add(name + labels))
        {
            throw fail("series twice: " + name + labels);
        }
        samples.computeIfAbsent(family, (k) -> new ArrayList<>()).add(new Sample(name, labels, value));
    }

    private String familyOf(final String name, final Map<String, String> labels)
    {
        if (types.containsKey(name))
        {
            final String type = types.get(name);
            if ("summary".equals(type) && !labels.containsKey("quantile"))
            {
                throw fail("summary sample without quantile");
            }
            if ("histogram".equals(type))
            {
                throw fail("histogram sample without a suffix");
            }
            return name;
        }
        for (final String suffix : new String[]{"_bucket", "_sum", "_count"})
        {
            if (name.endsWith(suffix))
            {
                final String base = name.substring(0, name.length() - suffix.length());
                final String type = types.get(base);
                if ("histogram".equals(type) || ("summary".equals(type) && !"_bucket".equals(suffix)))
                {
                    if ("_bucket".equals(suffix) && !labels.containsKey("le"))
                    {
                        throw fail("bucket without le");
                    }
                    return base;
                }
            }
        }
        throw fail("sample " + name + " of no typed family");
    }

    private void enter(final String family)
    {
        if (family.equals(current))
        {
            return;
        }
        if (closed.contains(family))
        {
            throw fail("lines of " + family + " not in one group");
        }
        if (null != current)
        {
            closed.add(current);
        }
        current = family;
    }

    private void labels(final Map<String, String> labels)
    {
        while (true)
        {
            if (pos < line.length() && line.charAt(pos) == '}')
            {
                pos++;
                return;
            }
            final int start = pos;
            while (pos < line.length() && line.charAt(pos) != '=')
            {
                pos++;
            }
            final String name = line.substring(start, pos);
            if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*") || name.startsWith("__"))
            {
                throw fail("bad label name '" + name + "'");
            }
            expect('=');
            expect('"');
            final StringBuilder value = new StringBuilder();
            while (true)
            {
                if (pos >= line.length())
                {
                    throw fail("unterminated label value");
                }
                final char c = line.charAt(pos++);
                if (c == '"')
                {
                    break;
                }
                if (c == '\\')
                {
                    final char e = pos < line.length() ? line.charAt(pos++) : ' ';
                    switch (e)
                    {
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        case 'n' -> value.append('\n');
                        default -> throw fail("bad escape \\" + e + " in a label value");
                    }
                }
                else
                {
                    value.append(c);
                }
            }
            if (null != labels.put(name, value.toString()))
            {
                throw fail("label " + name + " twice");
            }
            if (pos < line.length() && line.charAt(pos) == ',')
            {
                pos++;
            }
            else if (pos >= line.length() || line.charAt(pos) != '}')
            {
                throw fail("expected , or } after a label");
            }
        }
    }

    private String token(final String what)
    {
        final int start = pos;
        while (pos < line.length() && line.charAt(pos) != ' ' && line.charAt(pos) != '{')
        {
            pos++;
        }
        if (start == pos)
        {
            throw fail("missing " + what);
        }
        return line.substring(start, pos);
    }

    private void expect(final char c)
    {
        if (pos >= line.length() || line.charAt(pos) != c)
        {
            throw fail("expected '" + c + "' at column " + (pos + 1));
        }
        pos++;
    }

    private double parseValue(final String text)
    {
        switch (text)
        {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!text.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?"))
                {
                    throw fail("bad value '" + text + "'");
                }
                return Double.parseDouble(text);
        }
    }

    private void checkMetricName(final String name)
    {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*"))
        {
            throw fail("bad metric name '" + name + "'");
        }
    }

    private String unescapeHelp(final String text)
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c != '\\')
            {
                out.append(c);
                continue;
            }
            final char e = ++i < text.length() ? text.charAt(i) : ' ';
            if (e == '\\')
            {
                out.append('\\');
            }
            else if (e == 'n')
            {
                out.append('\n');
            }
            else
            {
                throw fail("bad escape \\" + e + " in HELP");
            }
        }
        return out.toString();
    }

    private IllegalArgumentException fail(final String why)
    {
        return new IllegalArgumentException("line " + lineNumber + ": " + why + ": " + line);
    }

    private static void checkHistogram(final String name, final List<Sample> list)
    {
        final Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        final Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        final Set<Map<String, String>> sums = new HashSet<>();
        for (final Sample sample : list)
        {
            final Map<String, String> key = new TreeMap<>(sample.labels());
            key.remove("le");
            if (sample.name().equals(name + "_bucket"))
            {
                buckets.computeIfAbsent(key, (k) -> new ArrayList<>()).add(sample);
            }
            else if (sample.name().equals(name + "_count"))
            {
                counts.put(key, sample.value());
            }
            else
            {
                sums.add(key);
            }
        }
        for (final Map.Entry<Map<String, String>, List<Sample>> entry : buckets.entrySet())
        {
            final String where = name + entry.getKey();
            double le = Double.NEGATIVE_INFINITY;
            double count = 0;
            for (final Sample bucket : entry.getValue())
            {
                final String text = bucket.labels().get("le");
                final double next = "+Inf".equals(text) ? Double.POSITIVE_INFINITY : Double.parseDouble(text);
                if (!(next > le))
                {
                    throw new IllegalArgumentException(where + ": le " + text + " does not ascend");
                }
                if (bucket.value() < count)
                {
                    throw new IllegalArgumentException(where + ": bucket le=" + text + " below the one before");
                }
                le = next;
                count = bucket.value();
            }
            if (le != Double.POSITIVE_INFINITY)
            {
                throw new IllegalArgumentException(where + ": no +Inf bucket");
            }
            if (!counts.containsKey(entry.getKey()) || counts.get(entry.getKey()) != count)
            {
                throw new IllegalArgumentException(where + ": +Inf bucket " + count + " is not _count " +
                    counts.get(entry.getKey()));
            }
            if (!sums.contains(entry.getKey()))
            {
                throw new IllegalArgumentException(where + ": no _sum");
            }
        }
        if (!buckets.keySet().containsAll(counts.keySet()))
        {
            throw new IllegalArgumentException(name + ": _count without buckets");
        }
    }
}

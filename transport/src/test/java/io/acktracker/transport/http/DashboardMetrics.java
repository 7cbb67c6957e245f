package io.acktracker.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a Grafana dashboard's PromQL uses: every {@code expr} of every panel target, and the
 * {@code label_values(metric, label)} queries of its variables. From each expression the label matchers
 * ({@code {...}}), strings, ranges ({@code [...]}), grouping lists ({@code by (...)}, {@code without (...)},
 * {@code on (...)}, {@code ignoring (...)}), function calls' names and PromQL's keywords are taken away; what
 * identifiers are left are metric names.
 */
public final class DashboardMetrics
{
    /** The dashboard, from a module's directory (where surefire runs the tests). */
    public static final Path DASHBOARD = Path.of("..", "docs", "grafana", "acktracker-dashboard.json");

    private static final Set<String> KEYWORDS = Set.of("sum", "avg", "min", "max", "count", "group", "stddev",
        "stdvar", "topk", "bottomk", "quantile", "count_values", "by", "without", "on", "ignoring", "group_left",
        "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");

    private DashboardMetrics()
    {
    }

    /**
     * Every {@code expr} in a dashboard.
     *
     * @param dashboard the JSON file.
     * @return the expressions, in document order.
     * @throws IOException when it cannot be read.
     */
    public static List<String> expressions(final Path dashboard) throws IOException
    {
        final JsonNode root = new ObjectMapper().readTree(dashboard.toFile());
        final List<String> exprs = new ArrayList<>();
        for (final JsonNode expr : root.findValues("expr"))
        {
            exprs.add(expr.asText());
        }
        for (final JsonNode definition : root.path("templating").findValues("definition"))
        {
            exprs.add(definition.asText());
        }
        return exprs;
    }

    /**
     * The metric names an expression reads.
     *
     * @param expr PromQL (with Grafana's variables).
     * @return the names, sorted.
     */
    public static Set<String> metricNames(final String expr)
    {
        final Set<String> names = new TreeSet<>();
        final Matcher labelValues = LABEL_VALUES.matcher(expr);
        if (labelValues.find())
        {
            names.add(labelValues.group(1));
            return names;
        }
        String text = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
            .replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^]]*]", " ")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
            .replaceAll("\\$\\w+", " ");
        text = text.replaceAll("[a-zA-Z_:][a-zA-Z0-9_:]*\\s*\\(", "(");
        final Matcher identifier = IDENTIFIER.matcher(text);
        while (identifier.find())
        {
            final String name = identifier.group();
            final int before = identifier.start() - 1;
            final boolean partOfNumber = before >= 0 && (Character.isDigit(text.charAt(before)) ||
                text.charAt(before) == '.');
            if (!KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT)) && !partOfNumber)
            {
                names.add(name);
            }
        }
        return names;
    }
}

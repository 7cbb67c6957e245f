package io.acktracker.transport.fuzz;

import io.acktracker.transport.TransportCounter;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a fuzzing run fed the inbound path and what came of it: inputs by generator or mutation, malformed frames by
 * the transport's kind counter, handled frames by template. Printed at the end of a run for RELIABILITY.md.
 */
final class FuzzStats
{
    private final String name;
    private final long startNs = System.nanoTime();
    private final Map<String, Long> inputs = new TreeMap<>();
    private final Map<String, Long> sources = new TreeMap<>();
    private final Map<TransportCounter, Long> malformed = new EnumMap<>(TransportCounter.class);
    private final Map<String, Long> handled = new TreeMap<>();
    private long total;

    FuzzStats(final String name)
    {
        this.name = name;
    }

    synchronized void input(final String kind, final WireFrame source)
    {
        inputs.merge(kind, 1L, Long::sum);
        sources.merge(null == source ? "none" : WireFrame.templateName(source.templateId()), 1L, Long::sum);
    }

    synchronized void malformed(final TransportCounter kind)
    {
        total++;
        malformed.merge(kind, 1L, Long::sum);
    }

    synchronized void handled(final int templateId)
    {
        total++;
        handled.merge(WireFrame.templateName(templateId), 1L, Long::sum);
    }

    synchronized long total()
    {
        return total;
    }

    synchronized long malformedTotal()
    {
        return malformed.values().stream().mapToLong(Long::longValue).sum();
    }

    synchronized String report(final String extra)
    {
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format("%n=== %s: %,d inputs in %.1f s (%,.0f/s): %,d malformed, %,d handled ===%n",
            name, total, seconds, total / Math.max(seconds, 1e-9), malformedTotal(), total - malformedTotal()));
        if (!inputs.isEmpty())
        {
            sb.append("inputs by kind:    ").append(inputs).append('\n');
            sb.append("made from:         ").append(sources).append('\n');
        }
        sb.append("malformed by kind: ");
        malformed.forEach((kind, count) -> sb.append(kind.name().replace("MALFORMED_", "")).append('=')
            .append(count).append(' '));
        sb.append('\n').append("handled by kind:   ").append(handled).append('\n');
        if (null != extra)
        {
            sb.append("tracker:           ").append(extra).append('\n');
        }
        return sb.toString();
    }
}

package io.acktracker.engine;

import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.CommandType;
import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.machine.TrackerStateMachine;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's layout shows its design and stays that way: no two packages depend on each other (directly or round
 * a loop), the composition and the parts keep their state private, and a source file over 500 lines says at its top
 * why it is long.
 */
class LayoutTest
{
    private static final Path SOURCES = Path.of("src/main/java");
    private static final String ROOT = "io.acktracker.engine";
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.acktracker\\.engine(?:\\.[a-z]\\w*)*)\\.[A-Z]");
    private static final int LONG_FILE_LINES = 500;
    private static final String LONG_FILE_REASON = "Why this file is long:";

    @Test
    void shouldHaveNoPackageCycles() throws IOException
    {
        final Map<String, TreeSet<String>> dependencies = new TreeMap<>();
        forEachSource((path, text) ->
        {
            final String from = packageOf(text);
            final TreeSet<String> to = dependencies.computeIfAbsent(from, (key) -> new TreeSet<>());
            // comments may name other packages ({@link}); only code counts
            final String code = text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
            final Matcher matcher = REFERENCE.matcher(code);
            while (matcher.find())
            {
                if (!matcher.group(1).equals(from))
                {
                    to.add(matcher.group(1));
                }
            }
        });

        assertThat(dependencies).containsKeys(ROOT + ".api", ROOT + ".command", ROOT + ".machine", ROOT + ".store");
        assertThat(cycles(dependencies)).as("package cycles in %s", dependencies).isEmpty();
        assertThat(dependencies.get(ROOT + ".api")).as("the vocabulary depends on no other part of the engine")
            .isEmpty();
    }

    @Test
    void shouldGiveEveryCommandTypeTheIdItHasInTheCommandLayout() throws Exception
    {
        for (final CommandType type : CommandType.values())
        {
            assertThat(CommandLayout.class.getField(type.name()).getInt(null)).as(type.name()).isEqualTo(type.id());
            assertThat(CommandType.of(type.id())).isSameAs(type);
        }
        assertThat(CommandLayout.MAX_TYPE).isEqualTo(CommandType.values().length);
    }

    @Test
    void shouldKeepTheStateOfTheAgentAndOfEveryPartPrivate() throws Exception
    {
        final List<Class<?>> owners = new ArrayList<>(List.of(TrackerAgent.class, TrackerStateMachine.class));
        forEachSource((path, text) ->
        {
            if (ROOT.concat(".machine").equals(packageOf(text)))
            {
                final String name = path.getFileName().toString().replace(".java", "");
                owners.add(load(ROOT + ".machine." + name));
            }
        });
        for (final Class<?> owner : owners)
        {
            for (final Field field : owner.getDeclaredFields())
            {
                if (!Modifier.isStatic(field.getModifiers()))
                {
                    assertThat(Modifier.isPrivate(field.getModifiers()))
                        .as(owner.getSimpleName() + "." + field.getName() + " is private").isTrue();
                }
            }
        }
        assertThat(owners).hasSizeGreaterThan(10);
    }

    @Test
    void shouldSayWhyALongFileIsLong() throws IOException
    {
        final List<String> unexplained = new ArrayList<>();
        forEachSource((path, text) ->
        {
            final long lines = text.lines().count();
            final int classStart = Math.max(0, text.indexOf("\npublic "));
            if (lines > LONG_FILE_LINES && !text.substring(0, classStart).contains(LONG_FILE_REASON))
            {
                unexplained.add(path + " (" + lines + " lines)");
            }
        });
        assertThat(unexplained).as("files over " + LONG_FILE_LINES + " lines without '" + LONG_FILE_REASON +
            "' in their class comment").isEmpty();
    }

    private static Class<?> load(final String name)
    {
        try
        {
            return Class.forName(name);
        }
        catch (final ClassNotFoundException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static String packageOf(final String text)
    {
        final Matcher matcher = PACKAGE.matcher(text);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    @FunctionalInterface
    private interface SourceVisitor
    {
        void visit(Path path, String text) throws IOException;
    }

    private static void forEachSource(final SourceVisitor visitor) throws IOException
    {
        try (Stream<Path> files = Files.walk(SOURCES))
        {
            for (final Path path : (Iterable<Path>)files.filter((p) -> p.toString().endsWith(".java"))::iterator)
            {
                visitor.visit(path, Files.readString(path));
            }
        }
    }

    /**
     * Strongly connected components with more than one package (Tarjan), each a cycle.
     */
    private static List<List<String>> cycles(final Map<String, TreeSet<String>> graph)
    {
        final Map<String, Integer> index = new HashMap<>();
        final Map<String, Integer> lowLink = new HashMap<>();
        final Deque<String> stack = new ArrayDeque<>();
        final List<List<String>> cycles = new ArrayList<>();
        final int[] counter = { 0 };
        for (final String node : graph.keySet())
        {
            if (!index.containsKey(node))
            {
                connect(node, graph, index, lowLink, stack, cycles, counter);
            }
        }
        return cycles;
    }

    private static void connect(
        final String node,
        final Map<String, TreeSet<String>> graph,
        final Map<String, Integer> index,
        final Map<String, Integer> lowLink,
        final Deque<String> stack,
        final List<List<String>> cycles,
        final int[] counter)
    {
        index.put(node, counter[0]);
        lowLink.put(node, counter[0]++);
        stack.push(node);
        for (final String next : graph.getOrDefault(node, new TreeSet<>()))
        {
            if (!index.containsKey(next))
            {
                connect(next, graph, index, lowLink, stack, cycles, counter);
                lowLink.put(node, Math.min(lowLink.get(node), lowLink.get(next)));
            }
            else if (stack.contains(next))
            {
                lowLink.put(node, Math.min(lowLink.get(node), index.get(next)));
            }
        }
        if (lowLink.get(node).equals(index.get(node)))
        {
            final List<String> component = new ArrayList<>();
            String member;
            do
            {
                member = stack.pop();
                component.add(member);
            }
            while (!member.equals(node));
            if (component.size() > 1)
            {
                cycles.add(component);
            }
        }
    }
}

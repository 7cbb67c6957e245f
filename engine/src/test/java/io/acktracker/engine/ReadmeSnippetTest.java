package io.acktracker.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Using the engine" section as a new user meets it: its Java block (the one after the
 * {@code <!-- readme-snippet} marker) compiles with javax.tools against the test class path and runs, as written, in a
 * child JVM with the project's flags; and the flags the section lists are the flags the build uses.
 * <p>
 * Threading: the test's thread.
 */
class ReadmeSnippetTest
{
    private static final String MARKER = "<!-- readme-snippet";
    private static final Path README = Path.of("..", "README.md");

    @TempDir
    Path temp;

    @Test
    void shouldCompileAndRunTheReadmeSnippetAsWritten() throws Exception
    {
        final String source = snippet(Files.readString(README, StandardCharsets.UTF_8));
        final Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
        assertThat(name.find()).as("the snippet is one public class with a main").isTrue();
        final Path classes = compile(name.group(1), source);

        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(projectFlags());
        if (Runtime.version().feature() >= 24)
        {
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        }
        command.addAll(List.of("-Xmx256m", "-cp", classes + File.pathSeparator + System.getProperty("java.class.path"),
            name.group(1), temp.resolve("orders-acks").toString()));
        final Path output = temp.resolve("output.txt");
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
            .start();
        final boolean exited = child.waitFor(120, TimeUnit.SECONDS);
        if (!exited)
        {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        final String printed = Files.readString(output, StandardCharsets.UTF_8);

        assertThat(exited).as("the snippet ends; it printed:\n%s", printed).isTrue();
        assertThat(child.exitValue()).as("exit code; it printed:\n%s", printed).isZero();
        assertThat(printed)
            .contains("order 42: COMPLETED", "order 43: COMPLETED", "order 43 is COMPLETED")
            .contains("acktracker 'acktracker': capacity 10,000 pending + 10,000 tombstones: the tables take ")
            .contains("MiB on disk in " + temp.resolve("orders-acks"))
            .doesNotContain("Exception");
    }

    @Test
    void shouldListEveryFlagTheBuildUsesInTheReadme() throws Exception
    {
        final String readme = Files.readString(README, StandardCharsets.UTF_8);
        final List<String> flags = projectFlags();
        assertThat(flags).as("the build passes acktracker.jvm.flags to the tests").isNotEmpty();
        for (final String flag : flags)
        {
            assertThat(readme).as("README names " + flag).contains("\n" + flag + "\n");
        }
        assertThat(readme).contains("--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow");
    }

    private static String snippet(final String readme)
    {
        final int marker = readme.indexOf(MARKER);
        assertThat(marker).as("README has a " + MARKER + " marker").isNotNegative();
        final int start = readme.indexOf("```java\n", marker);
        assertThat(start).as("a java block follows the marker").isNotNegative();
        final int end = readme.indexOf("\n```", start + 8);
        assertThat(readme.indexOf(MARKER, marker + 1)).as("one marked snippet").isNegative();
        return readme.substring(start + "```java\n".length(), end + 1);
    }

    private Path compile(final String className, final String source) throws IOException
    {
        final Path sources = Files.createDirectories(temp.resolve("src"));
        final Path classes = Files.createDirectories(temp.resolve("classes"));
        final Path file = Files.writeString(sources.resolve(className + ".java"), source);
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8))
        {
            final Boolean ok = javac.getTask(null, files, diagnostics,
                List.of("--release", "17", "-Xlint:all", "-Werror", "-proc:none",
                    "-classpath", System.getProperty("java.class.path"), "-d", classes.toString()),
                null, files.getJavaFileObjects(file)).call();
            assertThat(ok).as("the README snippet compiles: %s", diagnostics.getDiagnostics()).isTrue();
        }
        return classes;
    }

    private static List<String> projectFlags()
    {
        final List<String> flags = new ArrayList<>();
        for (final String flag : System.getProperty("acktracker.jvm.flags", "").split("\\s+"))
        {
            if (!flag.isBlank())
            {
                flags.add(flag);
            }
        }
        return flags;
    }
}

package io.acktracker.bench;

import io.acktracker.bench.compare.CompareMain;
import io.acktracker.bench.compare.PeerRun;
import io.acktracker.bench.plot.PercentilePlot;
import io.acktracker.bench.report.ReportMain;
import io.acktracker.bench.support.JvmFlags;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the shaded bench jar.
 * <pre>
 *   java -jar acktracker-bench.jar [JMH options] [benchmark regex]   JMH, forks get the acktracker JVM flags
 *   java -jar acktracker-bench.jar compare [options]                  peers side by side (see CompareMain)
 *   java -jar acktracker-bench.jar plot [options] file.hlog...        percentile plot PNG
 *   java -jar acktracker-bench.jar report [options]                   markdown tables from compare results
 *   java -jar acktracker-bench.jar flags                              print the JVM flags, one line
 * </pre>
 * The JVM flags come from the parent pom's {@code acktracker.jvm.flags} property (see {@link JvmFlags}); JMH forks
 * do not inherit the host's flags, so they are handed to JMH as {@code -jvmArgsPrepend}. Prepend rather than append
 * keeps each benchmark's own {@code @Fork(jvmArgsAppend = ...)} (heap sizes) in force.
 */
public final class BenchMain
{
    private BenchMain()
    {
    }

    /**
     * Dispatch on the first argument; anything that is not a command goes to JMH.
     *
     * @param args command line.
     * @throws Exception when the command fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final String command = args.length > 0 ? args[0] : "";
        final String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        switch (command)
        {
            case "compare":
                CompareMain.main(rest);
                break;

            case PeerRun.COMMAND:
                PeerRun.main(rest);
                break;

            case "plot":
                PercentilePlot.main(rest);
                break;

            case "report":
                ReportMain.main(rest);
                break;

            case "flags":
                System.out.println(String.join(" ", JvmFlags.forThisJava()));
                break;

            case "jmh":
                org.openjdk.jmh.Main.main(jmhArgs(rest, JvmFlags.forThisJava()));
                break;

            default:
                org.openjdk.jmh.Main.main(jmhArgs(args, JvmFlags.forThisJava()));
        }
    }

    /**
     * JMH arguments with the flags added as {@code -jvmArgsPrepend}, merged with one the user gave.
     *
     * @param args  JMH arguments as given.
     * @param flags JVM flags for the forks.
     * @return the arguments to hand to JMH.
     */
    public static String[] jmhArgs(final String[] args, final List<String> flags)
    {
        final List<String> result = new ArrayList<>(Arrays.asList(args));
        final String joined = String.join(" ", flags);
        final int at = result.indexOf("-jvmArgsPrepend");
        if (at >= 0 && at + 1 < result.size())
        {
            result.set(at + 1, joined + " " + result.get(at + 1));
        }
        else
        {
            result.add(0, joined);
            result.add(0, "-jvmArgsPrepend");
        }
        return result.toArray(new String[0]);
    }
}

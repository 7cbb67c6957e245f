package io.acktracker.tools;

import io.acktracker.engine.api.TrackerException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * HdrHistogram's percentile-distribution chart: latency against percentile, the percentile on a logarithmic
 * "nines" axis ({@code 1/(1-p)}: 0%, 90%, 99%, 99.9%, ... equally spaced), several runs on one chart, as a PNG.
 * <p>
 * The x values are plotted as {@code log10(1/(1-p))} on a linear axis labelled back in percent at whole decades:
 * XChart's logarithmic axis ignores a custom tick label function (it then falls back to linear ticks over the raw
 * range, which for 1..10^6 never finishes).
 */
@Command(name = "plot", mixinStandardHelpOptions = true,
    description = "Chart percentile distributions (.hgrm files, e.g. from 'acktracker load') into one PNG, " +
        "percentile on a log 'nines' axis.")
final class PlotCommand implements Callable<Integer>
{
    static final int MIN_SIDE = 200;
    static final int MAX_SIDE = 8000;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE.hgrm", description = "Percentile distributions to chart.")
    List<Path> files;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "CHART.png", description = "PNG to write.")
    Path output;

    @Option(names = "--width", paramLabel = "PIXELS",
        defaultValue = "1000", description = "Width in pixels (default ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--height", paramLabel = "PIXELS",
        defaultValue = "600", description = "Height in pixels (default ${DEFAULT-VALUE}).")
    int height;

    @Option(names = "--title", paramLabel = "TEXT",
        defaultValue = "Latency by percentile", description = "Chart title.")
    String title;

    @Option(names = "--label", paramLabel = "NAME",
        description = "Series name per file, in order (default: the file names).")
    List<String> labels;

    @Option(names = "--unit", paramLabel = "UNIT", defaultValue = "us",
        description = "Unit of the files' values, for the axis title (default ${DEFAULT-VALUE}: what load and " +
            "demo write).")
    String unit;

    @Option(names = "--log-latency", description = "Logarithmic latency axis too.")
    boolean logLatency;

    public Integer call() throws IOException
    {
        if (width < MIN_SIDE || width > MAX_SIDE || height < MIN_SIDE || height > MAX_SIDE)
        {
            throw new TrackerException("--width and --height must be " + MIN_SIDE + ".." + MAX_SIDE + " pixels");
        }
        if (null != labels && labels.size() > files.size())
        {
            throw new TrackerException("more --label names (" + labels.size() + ") than files (" + files.size() + ")");
        }
        final Path parent = output.toAbsolutePath().getParent();
        if (null != parent && !Files.isDirectory(parent))
        {
            throw new TrackerException("cannot write " + output + ": no such directory " + parent);
        }
        final List<HgrmFile> distributions = new ArrayList<>();
        for (final Path file : files)
        {
            distributions.add(HgrmFile.read(file));
        }

        System.setProperty("java.awt.headless", "true");
        final byte[] png = BitmapEncoder.getBitmapBytes(chart(distributions), BitmapEncoder.BitmapFormat.PNG);
        Files.write(output, png);
        spec.commandLine().getOut().printf("wrote %s (%dx%d, %d series)%n", output, width, height,
            distributions.size());
        spec.commandLine().getOut().flush();
        return 0;
    }

    private XYChart chart(final List<HgrmFile> distributions)
    {
        final XYChart chart = new XYChartBuilder()
            .width(width)
            .height(height)
            .title(title)
            .xAxisTitle("percentile")
            .yAxisTitle("latency (" + unit + ")")
            .build();
        chart.getStyler()
            .setxAxisTickLabelsFormattingFunction(PlotCommand::nines)
            .setYAxisLogarithmic(logLatency)
            .setLegendPosition(Styler.LegendPosition.InsideNW)
            .setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);

        double maxX = 1;
        final Set<String> names = new HashSet<>();
        for (int i = 0; i < distributions.size(); i++)
        {
            final HgrmFile distribution = distributions.get(i);
            final List<Double> xs = new ArrayList<>();
            final List<Double> ys = new ArrayList<>();
            for (int row = 0; row < distribution.values().length; row++)
            {
                final double percentile = distribution.percentiles()[row];
                if (percentile < 1.0)
                {
                    xs.add(Math.log10(1.0 / (1.0 - percentile)));
                    ys.add(logLatency ? Math.max(distribution.values()[row], 1e-3) : distribution.values()[row]);
                }
            }
            if (xs.isEmpty())
            {
                xs.add(0.0);
                ys.add(distribution.max());
            }
            maxX = Math.max(maxX, xs.get(xs.size() - 1));
            String name = null != labels && i < labels.size() ? labels.get(i) : distribution.label();
            name = String.format(Locale.ROOT, "%s (n=%,d, max %s %s)", name, distribution.totalCount(),
                trim(distribution.max()), unit);
            while (!names.add(name))
            {
                name = name + "'";
            }
            final XYSeries series = chart.addSeries(name, xs, ys);
            series.setMarker(SeriesMarkers.NONE);
        }
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(Math.ceil(maxX - 1e-9));
        return chart;
    }

    /**
     * Tick label of a point on the nines axis, {@code log10(1/(1-p))}, back to a percentage; whole decades only.
     *
     * @param x {@code log10(1/(1-p))}.
     * @return e.g. "99.9%" for 3, "" between decades.
     */
    static String nines(final Double x)
    {
        if (null == x || x < -1e-9 || Math.abs(x - Math.rint(x)) > 1e-6)
        {
            return "";
        }
        final double percent = 100.0 * (1.0 - Math.pow(10, -Math.rint(x)));
        return trim(percent) + "%";
    }

    private static String trim(final double value)
    {
        final String text = String.format(Locale.ROOT, "%.6f", value);
        final String trimmed = text.replaceAll("0+$", "");
        return trimmed.endsWith(".") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}

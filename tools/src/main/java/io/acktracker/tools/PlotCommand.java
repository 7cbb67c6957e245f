package io.acktracker.tools;

import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.IoFailures;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
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
 * "nines" axis ({@code 1/(1-p)}: 0%, 90%, 99%, 99.9%, ... equally spaced, the median marked), several runs on one
 * chart, as a PNG. Interval logs ({@code .hlog}) are read with HdrHistogram's {@code HistogramLogReader}; a
 * percentile distribution ({@code .hgrm}, any other name) has no reader in HdrHistogram, so {@link HgrmFile} parses
 * that text strictly.
 * <p>
 * The latency axis is in the unit the data calls for ({@link LatencyUnit#forMax}); the legend sits below the chart,
 * off the data, with each series' count, p99 and maximum rounded to three digits.
 * <p>
 * The x values are plotted as {@code log10(1/(1-p))} on a linear axis labelled back in percent at whole decades:
 * XChart's logarithmic axis ignores a custom tick label function (it then falls back to linear ticks over the raw
 * range, which for 1..10^6 never finishes), and XChart (3.8) places ticks itself, so the median, between two
 * decades, is a marked line rather than a tick.
 */
@Command(name = "plot", mixinStandardHelpOptions = true,
    description = "Chart latency distributions (.hlog interval logs and .hgrm percentile distributions, e.g. from " +
        "'acktracker load') into one PNG, percentile on a log 'nines' axis.")
final class PlotCommand implements Callable<Integer>
{
    static final int MIN_SIDE = 200;
    static final int MAX_SIDE = 8000;
    static final double MEDIAN_X = Math.log10(2);

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Interval logs (.hlog) or percentile " +
        "distributions (.hgrm) to chart.")
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
        description = "Unit of the .hgrm files' values: ns, us, ms or s (default ${DEFAULT-VALUE}: what load and " +
            "demo write). The chart picks its own unit.")
    String unit;

    @Option(names = "--hlog-unit", paramLabel = "UNIT", defaultValue = "ns",
        description = "Unit of the .hlog files' values (default ${DEFAULT-VALUE}: what load writes).")
    String hlogUnit;

    @Option(names = "--log-latency", description = "Logarithmic latency axis too.")
    boolean logLatency;

    public Integer call() throws IOException
    {
        Usage.require(spec, width >= MIN_SIDE && width <= MAX_SIDE && height >= MIN_SIDE && height <= MAX_SIDE,
            "--width and --height must be " + MIN_SIDE + ".." + MAX_SIDE + " pixels");
        Usage.require(spec, null == labels || labels.size() <= files.size(),
            "more --label names (" + (null == labels ? 0 : labels.size()) + ") than files (" + files.size() + ")");
        final LatencyUnit hgrmUnit = LatencyUnit.parse(unit);
        Usage.require(spec, null != hgrmUnit, "--unit must be ns, us, ms or s, not '" + unit + "'");
        final LatencyUnit logUnit = LatencyUnit.parse(hlogUnit);
        Usage.require(spec, null != logUnit, "--hlog-unit must be ns, us, ms or s, not '" + hlogUnit + "'");
        final Path parent = output.toAbsolutePath().getParent();
        if (null != parent && !Files.isDirectory(parent))
        {
            throw new TrackerException("cannot write " + output + ": no such directory " + parent);
        }
        final List<PercentileCurve> curves = new ArrayList<>();
        for (int i = 0; i < files.size(); i++)
        {
            final Path file = files.get(i);
            final String name = null != labels && i < labels.size() ? labels.get(i) : label(file);
            curves.add(isHlog(file) ? PercentileCurve.of(name, HlogFile.read(file), logUnit.ns()) :
                PercentileCurve.of(name, HgrmFile.read(file), hgrmUnit.ns()));
        }

        System.setProperty("java.awt.headless", "true");
        final XYChart chart = chart(curves);
        final byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        try
        {
            Files.write(output, png);
        }
        catch (final IOException ex)
        {
            throw new TrackerException("cannot write " + output + ": " + IoFailures.why(ex), ex);
        }
        spec.commandLine().getOut().printf("wrote %s (%dx%d, %d series, latency in %s)%n", output, width, height,
            curves.size(), axisUnit(curves).symbol());
        spec.commandLine().getOut().flush();
        return 0;
    }

    static boolean isHlog(final Path file)
    {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".hlog");
    }

    private static String label(final Path file)
    {
        final String name = file.getFileName().toString();
        final int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /**
     * The latency axis' unit: the one the largest value of every series calls for.
     *
     * @param curves the series.
     * @return the unit.
     */
    static LatencyUnit axisUnit(final List<PercentileCurve> curves)
    {
        double maxNs = 0;
        for (final PercentileCurve curve : curves)
        {
            maxNs = Math.max(maxNs, curve.maxNs());
        }
        return LatencyUnit.forMax(maxNs);
    }

    private XYChart chart(final List<PercentileCurve> curves)
    {
        final LatencyUnit axis = axisUnit(curves);
        final XYChart chart = new XYChartBuilder()
            .width(width)
            .height(height)
            .title(title)
            .xAxisTitle("percentile")
            .yAxisTitle("latency (" + axis.symbol() + ")")
            .build();
        chart.getStyler()
            .setxAxisTickLabelsFormattingFunction(PlotCommand::nines)
            .setYAxisDecimalPattern("#,##0.###")
            .setYAxisLogarithmic(logLatency)
            .setLegendPosition(Styler.LegendPosition.OutsideS)
            .setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);

        double maxX = 1;
        final Set<String> names = new HashSet<>();
        for (final PercentileCurve curve : curves)
        {
            final List<Double> xs = new ArrayList<>();
            final List<Double> ys = new ArrayList<>();
            for (int row = 0; row < curve.valuesNs().length; row++)
            {
                final double percentile = curve.percentiles()[row];
                if (percentile < 1.0)
                {
                    final double y = axis.of(curve.valuesNs()[row]);
                    xs.add(Math.log10(1.0 / (1.0 - percentile)));
                    ys.add(logLatency ? Math.max(y, 1e-3) : y);
                }
            }
            if (xs.isEmpty())
            {
                xs.add(0.0);
                ys.add(axis.of(curve.maxNs()));
            }
            maxX = Math.max(maxX, xs.get(xs.size() - 1));
            String name = curve.legend();
            while (!names.add(name))
            {
                name = name + "'";
            }
            final XYSeries series = chart.addSeries(name, xs, ys);
            series.setMarker(SeriesMarkers.NONE);
        }
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(Math.ceil(maxX - 1e-9));
        double maxY = 0;
        for (final PercentileCurve curve : curves)
        {
            maxY = Math.max(maxY, axis.of(curve.maxNs()));
        }
        chart.addAnnotation(new AnnotationLine(MEDIAN_X, true, false));
        chart.addAnnotation(new AnnotationText("50%", MEDIAN_X, maxY, false));
        chart.getStyler().setAnnotationTextPanelBorderColor(Color.WHITE);
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

package io.acktracker.bench.plot;

import io.acktracker.bench.compare.RunResult;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.HistogramLogReader;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Latency by percentile for several peers on one chart, in the usual HdrHistogram style: the x axis is
 * {@code 1 / (1 - percentile)} on a log scale, so 90%, 99%, 99.9%, 99.99% are evenly spaced; the y axis is the
 * latency in microseconds, also on a log scale because the peers differ by orders of magnitude. (The x axis is drawn
 * as {@code log10(1 / (1 - percentile))} on a linear axis with percentile labels: XChart's custom tick labels do
 * not work on a logarithmic axis.)
 * <pre>
 *   java -jar acktracker-bench.jar plot --out latency.png [--title "..."] name=run.hlog other=run2.hlog ...
 *   java -jar acktracker-bench.jar plot --dir results/compare-full-...     (one PNG per latency workload)
 * </pre>
 * Reads {@code .hlog} interval logs (values in ns) and sums their intervals.
 */
public final class PercentilePlot
{
    /** One clearly different colour per series, in peer order. */
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0x2ca02c), new Color(0x9467bd), new Color(0x17becf), new Color(0xd62728),
        new Color(0xff7f0e), new Color(0x8c564b), new Color(0x7f7f7f), new Color(0xe377c2), new Color(0xbcbd22) };

    /** log10 of 1 / (1 - 99.9999%): the right end of the x axis. */
    private static final double MAX_X = 6;

    private PercentilePlot()
    {
    }

    /**
     * Plot from the command line.
     *
     * @param args see the class comment.
     * @throws IOException when a file cannot be read or written.
     */
    public static void main(final String[] args) throws IOException
    {
        Path out = Paths.get("latency.png");
        String title = "Latency by percentile";
        final Map<String, Path> series = new TreeMap<>();
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--out":
                    out = Paths.get(args[++i]);
                    break;

                case "--title":
                    title = args[++i];
                    break;

                case "--dir":
                    plotLatencyGroups(Paths.get(args[++i]));
                    return;

                default:
                    final int at = args[i].indexOf('=');
                    final Path file = Paths.get(at > 0 ? args[i].substring(at + 1) : args[i]);
                    series.put(at > 0 ? args[i].substring(0, at) : file.getFileName().toString(), file);
            }
        }
        if (series.isEmpty())
        {
            throw new IllegalArgumentException("usage: plot --out file.png [--title t] name=file.hlog ... | --dir d");
        }
        final Map<String, Histogram> histograms = new TreeMap<>();
        for (final Map.Entry<String, Path> entry : series.entrySet())
        {
            histograms.put(entry.getKey(), readHlog(entry.getValue()));
        }
        plot(title, histograms, out);
        System.out.println("wrote " + out);
    }

    /**
     * One PNG per latency workload of a compare results directory, named after the workload.
     *
     * @param dir results directory.
     * @throws IOException when a file cannot be read or written.
     */
    public static void plotLatencyGroups(final Path dir) throws IOException
    {
        final Map<String, Map<String, Histogram>> groups = new TreeMap<>();
        final Map<String, String> titles = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files.filter((f) -> f.toString().endsWith(".properties"))::iterator)
            {
                final RunResult result = RunResult.read(file);
                if (!"latency".equals(result.get("workload")) || null == result.get("hlog"))
                {
                    continue;
                }
                final String group = result.get("group");
                groups.computeIfAbsent(group, (g) -> new TreeMap<>(PercentilePlot::byPeerOrder))
                    .put(result.get("peer"), readHlog(dir.resolve(result.get("hlog"))));
                titles.put(group, String.format("Ack-issued to outcome-observed, %s pending, %s destinations, " +
                    "%,.0f acks/s (corrected for coordinated omission)",
                    result.get("pending"), result.get("destinations"), result.number("targetAcksPerSecond")));
            }
        }
        for (final Map.Entry<String, Map<String, Histogram>> group : groups.entrySet())
        {
            final Path out = dir.resolve(group.getKey() + ".png");
            plot(titles.get(group.getKey()), group.getValue(), out);
            System.out.println("wrote " + out);
        }
    }

    private static int byPeerOrder(final String a, final String b)
    {
        final int order = Integer.compare(
            io.acktracker.bench.compare.Peers.order(a), io.acktracker.bench.compare.Peers.order(b));
        return 0 != order ? order : a.compareTo(b);
    }

    /**
     * Sum every interval of an {@code .hlog} file.
     *
     * @param file the log.
     * @return the total histogram (ns).
     */
    public static Histogram readHlog(final Path file)
    {
        final Histogram total = new Histogram(3_600_000_000_000L, 3);
        try
        {
            final HistogramLogReader reader = new HistogramLogReader(file.toFile());
            EncodableHistogram interval;
            while (null != (interval = reader.nextIntervalHistogram()))
            {
                total.add((Histogram)interval);
            }
            reader.close();
        }
        catch (final FileNotFoundException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return total;
    }

    /**
     * Draw the chart and write it as PNG.
     *
     * @param title      chart title.
     * @param histograms series name to histogram in ns.
     * @param out        PNG file.
     * @throws IOException when it cannot be written.
     */
    public static void plot(final String title, final Map<String, Histogram> histograms, final Path out)
        throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final XYChart chart = new XYChartBuilder()
            .width(1400)
            .height(800)
            .title(title)
            .xAxisTitle("Percentile")
            .yAxisTitle("Latency (microseconds, log scale)")
            .build();
        final var styler = chart.getStyler();
        styler.setYAxisLogarithmic(true);
        styler.setLegendPosition(Styler.LegendPosition.InsideNW);
        styler.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        styler.setxAxisTickLabelsFormattingFunction(PercentilePlot::percentileLabel);
        styler.setXAxisMax(MAX_X);
        styler.setXAxisMin(0.0);
        styler.setYAxisDecimalPattern("#,##0.###");
        styler.setSeriesColors(COLORS);
        styler.setChartBackgroundColor(Color.WHITE);

        for (final Map.Entry<String, Histogram> entry : histograms.entrySet())
        {
            final Histogram histogram = entry.getValue();
            if (0 == histogram.getTotalCount())
            {
                continue;
            }
            final List<Double> xs = new ArrayList<>();
            final List<Double> ys = new ArrayList<>();
            for (final HistogramIterationValue value : histogram.percentiles(5))
            {
                final double percentile = value.getPercentileLevelIteratedTo();
                final double x = percentile >= 100.0 ?
                    MAX_X : Math.min(MAX_X, Math.log10(100.0 / (100.0 - percentile)));
                xs.add(x);
                ys.add(Math.max(0.001, histogram.highestEquivalentValue(value.getValueIteratedTo()) / 1000.0));
                if (x >= MAX_X)
                {
                    break;
                }
            }
            final String name = String.format("%s (p99 %s, p99.99 %s, max %s)", entry.getKey(),
                micros(histogram.getValueAtPercentile(99)), micros(histogram.getValueAtPercentile(99.99)),
                micros(histogram.getMaxValue()));
            final XYSeries added = chart.addSeries(name, xs, ys);
            added.setMarker(SeriesMarkers.NONE);
            added.setLineWidth(2.0f);
        }

        final String path = out.toString();
        BitmapEncoder.saveBitmap(chart, path.endsWith(".png") ? path.substring(0, path.length() - 4) : path,
            BitmapEncoder.BitmapFormat.PNG);
    }

    private static String percentileLabel(final Double x)
    {
        final long nines = Math.round(x);
        if (Math.abs(x - nines) > 1e-6)
        {
            return "";
        }
        return 0 == nines ?
            "0%" : String.format("%." + Math.max(0, nines - 2) + "f%%", 100.0 - 100.0 / Math.pow(10, nines));
    }

    private static String micros(final long ns)
    {
        return ns < 10_000 ? String.format("%.1fus", ns / 1e3) :
            ns < 10_000_000 ? String.format("%.0fus", ns / 1e3) : String.format("%.0fms", ns / 1e6);
    }
}

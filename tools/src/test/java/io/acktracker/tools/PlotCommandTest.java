package io.acktracker.tools;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class PlotCommandTest
{
    private static final byte[] PNG_SIGNATURE = { (byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };

    @TempDir
    Path temp;

    private Path hgrm(final String name, final long seed, final boolean csv) throws IOException
    {
        final Histogram histogram = new Histogram(60_000_000_000L, 3);
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 200_000; i++)
        {
            final long base = 20_000 + random.nextInt(30_000);
            histogram.recordValue(random.nextInt(1000) == 0 ? base * 100 : base);
        }
        final Path file = temp.resolve(name);
        try (PrintStream out = new PrintStream(file.toFile()))
        {
            histogram.outputPercentileDistribution(out, 5, 1000.0, csv);
        }
        return file;
    }

    @Test
    void shouldChartSeveralRunsIntoAPngOfTheRequestedSize() throws IOException
    {
        final Path chart = temp.resolve("chart.png");
        final CliRunner cli = CliRunner.run("plot", hgrm("run-1.hgrm", 1, false).toString(),
            hgrm("run-2.hgrm", 2, false).toString(), hgrm("run-3.csv", 3, true).toString(),
            "-o", chart.toString(), "--width", "640", "--height", "400", "--title", "three runs");

        assertThat(cli.exitCode).as(cli.err()).isZero();
        assertThat(cli.out()).contains("wrote " + chart + " (640x400, 3 series, latency in ms)");
        final byte[] bytes = Files.readAllBytes(chart);
        assertThat(bytes).startsWith(PNG_SIGNATURE);
        final BufferedImage image = ImageIO.read(chart.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(400);
        assertThat(distinctColours(image)).as("axes, labels and three lines were drawn").isGreaterThan(8);
    }

    @Test
    void shouldReadHdrHistogramsPlainAndCsvDistributions() throws IOException
    {
        final HgrmFile plain = HgrmFile.read(hgrm("plain.hgrm", 7, false));
        final HgrmFile csv = HgrmFile.read(hgrm("csv.hgrm", 7, true));
        assertThat(plain.totalCount()).isEqualTo(200_000);
        assertThat(csv.totalCount()).isEqualTo(200_000);
        assertThat(plain.values().length).isEqualTo(csv.values().length).isGreaterThan(50);
        assertThat(plain.percentiles()[plain.percentiles().length - 1]).isEqualTo(1.0);
        assertThat(plain.max()).isEqualTo(csv.max()).isGreaterThan(1_000);
        assertThat(plain.label()).isEqualTo("plain");
    }

    @Test
    void shouldLabelTheNinesAxisAtWholeDecades()
    {
        assertThat(PlotCommand.nines(0.0)).isEqualTo("0%");
        assertThat(PlotCommand.nines(1.0)).isEqualTo("90%");
        assertThat(PlotCommand.nines(3.0)).isEqualTo("99.9%");
        assertThat(PlotCommand.nines(5.0)).isEqualTo("99.999%");
        assertThat(PlotCommand.nines(1.5)).isEmpty();
        assertThat(1.0 - Math.pow(10, -PlotCommand.MEDIAN_X)).as("the marked median").isCloseTo(0.5,
            org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void shouldRefuseBadInputWithOneLine() throws IOException
    {
        final Path chart = temp.resolve("chart.png");
        CliRunner cli = CliRunner.run("plot", temp.resolve("missing.hgrm").toString(), "-o", chart.toString());
        assertThat(cli.exitCode).isNotZero();
        assertThat(cli.err().strip()).isEqualTo("acktracker: no such file: " + temp.resolve("missing.hgrm"));

        final Path text = Files.writeString(temp.resolve("notes.hgrm"), "hello world\n");
        cli = CliRunner.run("plot", text.toString(), "-o", chart.toString());
        assertThat(cli.err()).contains("is not a percentile distribution").doesNotContain("at io.");
        assertThat(cli.err().strip().lines()).hasSize(1);

        cli = CliRunner.run("plot", hgrm("ok.hgrm", 1, false).toString(), "-o", chart.toString(), "--width", "5");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo("acktracker: --width and --height must be 200..8000 pixels " +
            "(see 'acktracker plot --help')");

        cli = CliRunner.run("plot", hgrm("ok.hgrm", 1, false).toString(), "-o", chart.toString(), "--unit", "hours");
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err()).contains("--unit must be ns, us, ms or s, not 'hours'");

        final Path notLog = Files.writeString(temp.resolve("notes.hlog"), "hello world\n");
        cli = CliRunner.run("plot", notLog.toString(), "-o", chart.toString());
        assertThat(cli.exitCode).isEqualTo(1);
        assertThat(cli.err().strip().lines()).hasSize(1);
        assertThat(cli.err()).contains(notLog.toString()).doesNotContain("at org.");

        cli = CliRunner.run("plot", hgrm("ok.hgrm", 1, false).toString(), "-o",
            temp.resolve("no/such/dir/chart.png").toString());
        assertThat(cli.err()).contains("no such directory");

        cli = CliRunner.run("plot", hgrm("ok.hgrm", 1, false).toString());
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err().strip().lines()).hasSize(1);
        assertThat(cli.err()).contains("Missing required option").contains("acktracker plot --help");
        assertThat(Files.exists(chart)).isFalse();
    }

    /** An interval log as HdrHistogram writes it: five one-second intervals of ns values, one in 1,000 slow. */
    private Path hlog(final String name, final long seed) throws IOException
    {
        final Path file = temp.resolve(name);
        final SplittableRandom random = new SplittableRandom(seed);
        try (PrintStream out = new PrintStream(file.toFile()))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(out);
            writer.outputLogFormatVersion();
            writer.outputStartTime(1_000_000L);
            writer.setBaseTime(1_000_000L);
            writer.outputLegend();
            for (int second = 0; second < 5; second++)
            {
                final Histogram interval = new Histogram(60_000_000_000L, 3);
                for (int i = 0; i < 10_000; i++)
                {
                    final long base = 200_000 + random.nextInt(300_000);
                    interval.recordValue(random.nextInt(1000) == 0 ? base * 10_000 : base);
                }
                interval.setStartTimeStamp(1_000_000L + second * 1000L);
                interval.setEndTimeStamp(1_000_000L + (second + 1) * 1000L);
                writer.outputIntervalHistogram(interval);
            }
        }
        return file;
    }

    @Test
    void shouldChartAnIntervalLogAndADistributionReadWithHdrHistogramsFormats() throws IOException
    {
        final Path log = hlog("load.hlog", 5);
        final Histogram total = HlogFile.read(log);
        assertThat(total.getTotalCount()).isEqualTo(50_000);
        assertThat(total.getMaxValue()).isGreaterThan(1_000_000_000L);

        final Path chart = temp.resolve("mixed.png");
        final CliRunner cli = CliRunner.run("plot", log.toString(), hgrm("run.hgrm", 1, false).toString(),
            "-o", chart.toString());
        assertThat(cli.exitCode).as(cli.err()).isZero();
        assertThat(cli.out()).as("max about 5 s: the axis in seconds, not 5E6 us")
            .contains("wrote " + chart + " (1000x600, 2 series, latency in s)");
        final BufferedImage image = ImageIO.read(chart.toFile());
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(Files.size(chart)).isGreaterThan(10_000);
        assertThat(distinctColours(image)).isGreaterThan(8);

        final PercentileCurve curve = PercentileCurve.of("load", total, 1);
        assertThat(curve.totalCount()).isEqualTo(50_000);
        assertThat(curve.legend()).matches("load \\(n=50,000, p99 \\d{3} us, max \\d(\\.\\d\\d?)? s\\)");
        assertThat(curve.percentiles()[curve.percentiles().length - 1]).isEqualTo(1.0);
    }

    @Test
    void shouldChooseTheLatencyUnitByTheDataAndRoundTheLegend()
    {
        assertThat(LatencyUnit.forMax(0)).isEqualTo(LatencyUnit.NS);
        assertThat(LatencyUnit.forMax(999)).isEqualTo(LatencyUnit.NS);
        assertThat(LatencyUnit.forMax(1_000)).isEqualTo(LatencyUnit.US);
        assertThat(LatencyUnit.forMax(412_000)).isEqualTo(LatencyUnit.US);
        assertThat(LatencyUnit.forMax(5_700_000)).isEqualTo(LatencyUnit.MS);
        assertThat(LatencyUnit.forMax(2.6e9)).isEqualTo(LatencyUnit.S);
        assertThat(LatencyUnit.S.of(2.6e9)).isEqualTo(2.6);

        assertThat(LatencyUnit.format(2.6e9)).isEqualTo("2.6 s");
        assertThat(LatencyUnit.format(1_234_567)).isEqualTo("1.23 ms");
        assertThat(LatencyUnit.format(412_345)).isEqualTo("412 us");
        assertThat(LatencyUnit.format(850)).isEqualTo("850 ns");
        assertThat(LatencyUnit.format(3_182_600)).isEqualTo("3.18 ms");
        assertThat(LatencyUnit.round3(99.96)).isEqualTo("100");
        assertThat(LatencyUnit.round3(0.00123)).isEqualTo("0.00123");
        assertThat(LatencyUnit.parse("\u00b5s")).isEqualTo(LatencyUnit.US);
        assertThat(LatencyUnit.parse("hours")).isNull();

        final Histogram histogram = new Histogram(3);
        for (int i = 1; i <= 1000; i++)
        {
            histogram.recordValue(i * 1_000L);
        }
        assertThat(PercentileCurve.of("known", histogram, 1).legend()).isEqualTo("known (n=1,000, p99 990 us, " +
            "max 1 ms)");
        assertThat(PlotCommand.axisUnit(java.util.List.of(PercentileCurve.of("known", histogram, 1))))
            .isEqualTo(LatencyUnit.MS);
        assertThat(PlotCommand.axisUnit(java.util.List.of(PercentileCurve.of("known", histogram, 1000))))
            .as("the same values in us").isEqualTo(LatencyUnit.S);
    }

    private static int distinctColours(final BufferedImage image)
    {
        final java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2)
        {
            for (int x = 0; x < image.getWidth(); x += 2)
            {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }
}

package io.acktracker.tools;

import org.HdrHistogram.Histogram;
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
        assertThat(cli.out()).contains("wrote " + chart + " (640x400, 3 series)");
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
        assertThat(cli.err().strip()).isEqualTo("acktracker: --width and --height must be 200..8000 pixels");

        cli = CliRunner.run("plot", hgrm("ok.hgrm", 1, false).toString(), "-o",
            temp.resolve("no/such/dir/chart.png").toString());
        assertThat(cli.err()).contains("no such directory");

        cli = CliRunner.run("plot", hgrm("ok.hgrm", 1, false).toString());
        assertThat(cli.exitCode).isEqualTo(2);
        assertThat(cli.err().strip().lines()).hasSize(1);
        assertThat(cli.err()).contains("Missing required option").contains("acktracker plot --help");
        assertThat(Files.exists(chart)).isFalse();
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

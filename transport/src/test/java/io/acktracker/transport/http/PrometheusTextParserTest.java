package io.acktracker.transport.http;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The test parser is only worth what it refuses: each case here is a body a scraper would reject or misread.
 */
class PrometheusTextParserTest
{
    private static final String HISTOGRAM = """
        # HELP h_seconds a histogram
        # TYPE h_seconds histogram
        h_seconds_bucket{d="a",le="0.1"} 1
        h_seconds_bucket{d="a",le="1.0"} 3
        h_seconds_bucket{d="a",le="+Inf"} 4
        h_seconds_count{d="a"} 4
        h_seconds_sum{d="a"} 2.5
        """;

    @Test
    void shouldReadFamiliesLabelsAndEscapes()
    {
        final Map<String, PrometheusTextParser.Family> families = PrometheusTextParser.parse("""
            # HELP c_total a \\\\ counter\\nwith two lines
            # TYPE c_total counter
            c_total{name="q\\"uote\\\\d\\n",z="1"} 3.0 1700000000000
            # TYPE g gauge
            g NaN
            # a comment
            """ + HISTOGRAM);

        assertThat(families.get("c_total").help()).isEqualTo("a \\\\ counter\\nwith two lines".translateEscapes());
        assertThat(families.get("c_total").samples().get(0).labels())
            .containsEntry("name", "q\"uote\\d\n").containsEntry("z", "1");
        assertThat(families.get("g").samples().get(0).value()).isNaN();
        assertThat(families.get("h_seconds").samples()).hasSize(5);
    }

    @Test
    void shouldRefuseBrokenHistograms()
    {
        refuse(HISTOGRAM.replace("} 3\n", "} 0\n"), "below the one before");
        refuse(HISTOGRAM.replace("le=\"1.0\"", "le=\"0.05\""), "does not ascend");
        refuse(HISTOGRAM.replace("count{d=\"a\"} 4", "count{d=\"a\"} 5"), "is not _count");
        refuse(HISTOGRAM.replace("h_seconds_bucket{d=\"a\",le=\"+Inf\"} 4\n", ""), "no +Inf bucket");
        refuse(HISTOGRAM.replace("h_seconds_sum{d=\"a\"} 2.5\n", ""), "no _sum");
        refuse(HISTOGRAM.replace("h_seconds_bucket{d=\"a\",le=\"0.1\"}", "h_seconds_bucket{d=\"a\"}"), "without le");
    }

    @Test
    void shouldRefuseMetadataOutOfPlace()
    {
        refuse("# TYPE x gauge\n# TYPE x gauge\nx 1\n", "second TYPE");
        refuse("# HELP x a\n# HELP x b\n# TYPE x gauge\nx 1\n", "second HELP");
        refuse("# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{a=\"b\"} 2\n", "not in one group");
        refuse("y 1\n", "of no typed family");
        refuse("# TYPE x wobbly\nx 1\n", "bad TYPE");
        refuse("# TYPE x gauge\nx 1\nx 2\n", "series twice");
    }

    @Test
    void shouldRefuseBadLines()
    {
        refuse("# TYPE x gauge\nx{a=\"b\\t\"} 1\n", "bad escape");
        refuse("# TYPE x gauge\nx{a=\"b\",a=\"c\"} 1\n", "twice");
        refuse("# TYPE x gauge\nx{1a=\"b\"} 1\n", "bad label name");
        refuse("# TYPE x gauge\nx{a=\"b\" 1\n", "expected , or }");
        refuse("# TYPE x gauge\nx 1,5\n", "bad value");
        refuse("# TYPE x gauge\nx 1 \n", "trailing whitespace");
        refuse("# TYPE x gauge\nx 1", "newline");
        refuse("# TYPE x-y gauge\n", "bad metric name");
        refuse("# TYPE x counter\nx -1\n", "negative counter");
    }

    private static void refuse(final String body, final String why)
    {
        assertThatThrownBy(() -> PrometheusTextParser.parse(body)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(why);
    }
}

package io.acktracker.transport.http;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: a Prometheus client registry of the edge's own (the tracker's {@link TrackerCollector}) and
 * one registry per JVM for the client's JVM and process metrics (registered once: their GC listeners are not
 * added again by every edge an embedder starts), written in the format the {@code Accept} header asks for: OpenMetrics text
 * when it names {@code application/openmetrics-text}, otherwise the Prometheus text format 0.0.4. The protobuf
 * format is not offered (its writer is not on the classpath); a request for it gets the text format.
 * <p>
 * Threading: any thread; every scrape reads the tracker afresh.
 */
final class MetricsExposition
{
    private static final PrometheusRegistry JVM = jvmRegistry();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();

    /**
     * A registry over the tracker's collector and the JVM's metrics.
     *
     * @param tracker the tracker's metrics.
     */
    MetricsExposition(final MultiCollector tracker)
    {
        registry.register(tracker);
    }

    private static PrometheusRegistry jvmRegistry()
    {
        final PrometheusRegistry jvm = new PrometheusRegistry();
        JvmMetrics.builder().register(jvm);
        return jvm;
    }

    /**
     * Scrape and write.
     *
     * @param accept the request's {@code Accept} header, or null.
     * @return 200 with the body and its content type.
     */
    HttpResponse scrape(final String accept)
    {
        ExpositionFormatWriter writer = formats.findWriter(null == accept ? "" : accept);
        if (!writer.isAvailable())
        {
            writer = formats.getPrometheusTextFormatWriter();
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        try
        {
            final MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
            registry.scrape().forEach(snapshots::metricSnapshot);
            JVM.scrape().forEach(snapshots::metricSnapshot);
            writer.write(out, snapshots.build());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return new HttpResponse(200, out.toString(StandardCharsets.UTF_8), writer.getContentType());
    }
}

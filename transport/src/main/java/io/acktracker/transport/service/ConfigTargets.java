package io.acktracker.transport.service;

import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.CircuitBreakerConfig;
import io.acktracker.engine.api.MessageClass;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.http.HttpEdgeConfig;

import java.util.Map;
import java.util.TreeMap;

/**
 * The objects the service's keys set: fresh {@link TrackerConfig}, {@link TransportConfig}, {@link HttpEdgeConfig}
 * and {@link ServiceOptions}, so a key's default is whatever the owner's fresh object holds. Immutable engine values
 * made of several keys (the backoff, the circuit breaker, each message class) are collected field by field and built
 * once by {@link #finish()}, so the order of the keys never matters (a base above the default maximum is fine when
 * the maximum is raised too).
 * <p>
 * Threading: one thread.
 */
final class ConfigTargets
{
    final TrackerConfig tracker = new TrackerConfig().earlyAckWindowNs(ServiceOptions.EARLY_ACK_WINDOW_NS);
    final TransportConfig transport = new TransportConfig();
    final HttpEdgeConfig http = new HttpEdgeConfig();
    final ServiceOptions service = new ServiceOptions();
    final BackoffSpec backoff = BackoffSpec.of(tracker.defaultBackoff());
    final CircuitSpec circuit = CircuitSpec.of(tracker.circuitBreaker());
    final Map<Integer, ClassSpec> classes = new TreeMap<>();
    private boolean finished;

    ClassSpec messageClass(final int id)
    {
        return classes.computeIfAbsent(id, ClassSpec::new);
    }

    /**
     * Build the values made of several keys into the tracker's config.
     *
     * @return this.
     * @throws IllegalArgumentException from the engine's checks.
     */
    ConfigTargets finish()
    {
        if (!finished)
        {
            finished = true;
            final Backoff defaultBackoff = backoff.build(null);
            tracker.defaultBackoff(defaultBackoff);
            tracker.circuitBreaker(circuit.build());
            for (final ClassSpec spec : classes.values())
            {
                tracker.messageClass(spec.build(tracker, backoff));
            }
        }
        return this;
    }

    /** A backoff field by field; a message class's fields left null take the tracker's. */
    static final class BackoffSpec
    {
        Backoff.Kind kind;
        Backoff.Jitter jitter;
        Long baseNs;
        Double multiplier;
        Long incrementNs;
        Long maxNs;

        static BackoffSpec of(final Backoff backoff)
        {
            final BackoffSpec spec = new BackoffSpec();
            spec.kind = backoff.kind();
            spec.jitter = backoff.jitter();
            spec.baseNs = backoff.baseNs();
            spec.multiplier = Backoff.Kind.EXPONENTIAL == backoff.kind() ? backoff.multiplier() : 2.0;
            spec.incrementNs = Backoff.Kind.LINEAR == backoff.kind() ? backoff.incrementNs() : backoff.baseNs();
            spec.maxNs = backoff.maxNs();
            return spec;
        }

        boolean isEmpty()
        {
            return null == kind && null == jitter && null == baseNs && null == multiplier && null == incrementNs &&
                null == maxNs;
        }

        Backoff build(final BackoffSpec parent)
        {
            final Backoff.Kind kind = null != this.kind ? this.kind : parent.kind;
            final long baseNs = null != this.baseNs ? this.baseNs : parent.baseNs;
            final long maxNs = null != this.maxNs ? this.maxNs : parent.maxNs;
            final Backoff backoff;
            switch (kind)
            {
                case LINEAR:
                    backoff = Backoff.linear(baseNs, null != incrementNs ? incrementNs : parent.incrementNs, maxNs);
                    break;
                case FIXED:
                    backoff = Backoff.fixed(baseNs);
                    break;
                default:
                    backoff = Backoff.exponential(baseNs, null != multiplier ? multiplier : parent.multiplier, maxNs);
                    break;
            }
            return backoff.withJitter(null != jitter ? jitter : parent.jitter);
        }
    }

    /** The circuit breaker field by field. */
    static final class CircuitSpec
    {
        int consecutiveFailures;
        double failureRateThreshold;
        int windowSize;
        int minimumSamples;
        long openCooldownNs;
        int halfOpenProbes;
        int successesToClose;
        double ewmaAlpha;

        static CircuitSpec of(final CircuitBreakerConfig config)
        {
            final CircuitSpec spec = new CircuitSpec();
            spec.consecutiveFailures = config.consecutiveFailures();
            spec.failureRateThreshold = config.failureRateThreshold();
            spec.windowSize = config.windowSize();
            spec.minimumSamples = config.minimumSamples();
            spec.openCooldownNs = config.openCooldownNs();
            spec.halfOpenProbes = config.halfOpenProbes();
            spec.successesToClose = config.successesToClose();
            spec.ewmaAlpha = config.ewmaAlpha();
            return spec;
        }

        CircuitBreakerConfig build()
        {
            return new CircuitBreakerConfig(consecutiveFailures, failureRateThreshold, windowSize, minimumSamples,
                openCooldownNs, halfOpenProbes, successesToClose, ewmaAlpha);
        }
    }

    /** A message class field by field; a field left null takes the tracker's default. */
    static final class ClassSpec
    {
        final int id;
        String name;
        Long ackTimeoutNs;
        Integer maxAttempts;
        Integer priority;
        Long ttlNs;
        final BackoffSpec backoff = new BackoffSpec();

        ClassSpec(final int id)
        {
            this.id = id;
        }

        MessageClass build(final TrackerConfig tracker, final BackoffSpec trackerBackoff)
        {
            return new MessageClass(id, null != name ? name : "class-" + id,
                null != ackTimeoutNs ? ackTimeoutNs : tracker.defaultAckTimeoutNs(),
                null != maxAttempts ? maxAttempts : tracker.defaultMaxAttempts(),
                null != priority ? priority : tracker.defaultPriority(),
                null != ttlNs ? ttlNs : tracker.defaultTtlNs(),
                backoff.isEmpty() ? tracker.defaultBackoff() : backoff.build(trackerBackoff));
        }
    }
}

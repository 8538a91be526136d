package dev.navis.controllers.podautoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Where the HPA controller reads per-pod resource usage (upstream's MetricsClient for resource metrics).
 * The real one reads metrics.k8s.io/v1beta1 PodMetrics ({@link ResourceMetricsApi}); tests feed values.
 */
public interface MetricsSource {

    /**
     * The usage of {@code resource} ("cpu", "memory") of every pod in {@code namespace} matching
     * {@code selector} (a label selector string), in thousandths of the resource's unit, by pod name.
     *
     * @throws MetricsException when the metrics cannot be read; its message is upstream's error text
     */
    Map<String, PodMetric> resourceMetrics(String resource, String namespace, String selector);

    /** One pod's usage (sum over its containers) and when and over which window it was measured. */
    record PodMetric(long milliValue, Instant timestamp, Duration window) {
    }

    /** A failure to read metrics, with upstream's message. */
    final class MetricsException extends RuntimeException {
        public MetricsException(String message) {
            super(message);
        }
    }
}

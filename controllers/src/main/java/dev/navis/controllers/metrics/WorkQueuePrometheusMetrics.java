package dev.navis.controllers.metrics;

import dev.navis.client.workqueue.WorkQueueMetricsProvider;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * client-go's work queue metrics (k8s.io/component-base/metrics/prometheus/workqueue) in Prometheus form,
 * each labelled {@code name=<queue>}: workqueue_depth, workqueue_adds_total, workqueue_queue_duration_seconds,
 * workqueue_work_duration_seconds, workqueue_retries_total, workqueue_unfinished_work_seconds and
 * workqueue_longest_running_processor_seconds. Install it with {@link WorkQueueMetricsProvider#set} before
 * the controllers are built.
 */
public final class WorkQueuePrometheusMetrics implements WorkQueueMetricsProvider {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    /** The live state of each named queue; a queue built again under a name (restart) replaces the old one. */
    private final Map<String, QueueState> queues = new ConcurrentHashMap<>();
    private final Counter adds;
    private final Counter retries;
    private final Histogram queueDuration;
    private final Histogram workDuration;

    public WorkQueuePrometheusMetrics() {
        adds = Counter.builder().name("workqueue_adds_total").help("Total number of adds handled by workqueue")
                .labelNames("name").register(registry);
        retries = Counter.builder().name("workqueue_retries_total").help("Total number of retries handled by workqueue")
                .labelNames("name").register(registry);
        // client-go's buckets: prometheus.ExponentialBuckets(10e-9, 10, 12)
        queueDuration = Histogram.builder().name("workqueue_queue_duration_seconds")
                .help("How long in seconds an item stays in workqueue before being requested.")
                .labelNames("name").classicOnly().classicExponentialUpperBounds(10e-9, 10, 12).register(registry);
        workDuration = Histogram.builder().name("workqueue_work_duration_seconds")
                .help("How long in seconds processing an item from workqueue takes.")
                .labelNames("name").classicOnly().classicExponentialUpperBounds(10e-9, 10, 12).register(registry);
        stateGauge("workqueue_depth", "Current depth of workqueue", s -> s.depth());
        stateGauge("workqueue_unfinished_work_seconds", "How many seconds of work has done that is in progress and "
                + "hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the "
                + "number of stuck threads by observing the rate at which this increases.",
                QueueState::unfinishedWorkSeconds);
        stateGauge("workqueue_longest_running_processor_seconds", "How many seconds has the longest running processor "
                + "for workqueue been running.", QueueState::longestRunningProcessorSeconds);
    }

    private void stateGauge(String name, String help, ToDoubleFunction<QueueState> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("name").callback(callback ->
                queues.forEach((queue, state) -> callback.call(value.applyAsDouble(state), queue))).register(registry);
    }

    @Override
    public QueueMetrics newQueue(String name, QueueState state) {
        queues.put(name, state);
        var added = adds.labelValues(name);
        var retried = retries.labelValues(name);
        var waited = queueDuration.labelValues(name);
        var worked = workDuration.labelValues(name);
        return new QueueMetrics() {
            @Override
            public void added() {
                added.inc();
            }

            @Override
            public void started(long waitedNanos) {
                waited.observe(waitedNanos / 1e9);
            }

            @Override
            public void finished(long workedNanos) {
                worked.observe(workedNanos / 1e9);
            }

            @Override
            public void retried() {
                retried.inc();
            }
        };
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every metric. */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
    }

    public String contentType() {
        return writer.getContentType();
    }
}

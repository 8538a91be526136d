package dev.navis.scheduler.metrics;

import dev.navis.scheduler.queue.SchedulingQueue;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * kube-scheduler's metrics under upstream's names, labels and buckets: schedule attempts and their
 * duration by result and profile, pending pods per sub-queue, pods entering each sub-queue by event,
 * end-to-end scheduling latency (SLI) by attempts, attempts per scheduled pod, extension point durations.
 */
public final class SchedulerMetrics implements SchedulingQueue.Listener, dev.navis.scheduler.framework.PreemptionMetrics {
    public static final String SCHEDULED = "scheduled";
    public static final String UNSCHEDULABLE = "unschedulable";
    public static final String ERROR = "error";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter scheduleAttempts;
    private final Histogram attemptDuration;
    private final Histogram algorithmDuration;
    private final Gauge pendingPods;
    private final Counter queueIncoming;
    private final Histogram sliDuration;
    private final Histogram podAttempts;
    private final Histogram extensionPointDuration;
    private final Gauge goroutines;
    // the labelled series a pod touches, looked up once: the client's labelValues builds a label list per call
    private final ConcurrentHashMap<Labels, CounterDataPoint> attemptCounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Labels, DistributionDataPoint> attemptDurations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Labels, DistributionDataPoint> extensionPointDurations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Labels, CounterDataPoint> incomingCounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, DistributionDataPoint> sliByAttempts = new ConcurrentHashMap<>();
    private final GaugeDataPoint bindingGoroutines;
    private final Counter preemptionAttempts;
    private final Histogram preemptionVictims;
    private final Histogram preemptionTaskDuration;
    private final Counter preemptionTasks;
    private final GaugeDataPoint[] pending = new GaugeDataPoint[4];

    private record Labels(String a, String b, String c) {
    }

    public SchedulerMetrics() {
        scheduleAttempts = Counter.builder().name("scheduler_schedule_attempts_total")
                .help("Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be "
                        + "scheduled, while 'error' means an internal scheduler problem.")
                .labelNames("result", "profile").register(registry);
        attemptDuration = Histogram.builder().name("scheduler_scheduling_attempt_duration_seconds")
                .help("Scheduling attempt latency in seconds (scheduling algorithm + binding)")
                .labelNames("result", "profile").classicOnly().classicExponentialUpperBounds(0.001, 2, 15)
                .register(registry);
        algorithmDuration = Histogram.builder().name("scheduler_scheduling_algorithm_duration_seconds")
                .help("Scheduling algorithm latency in seconds")
                .classicOnly().classicExponentialUpperBounds(0.001, 2, 15).register(registry);
        pendingPods = Gauge.builder().name("scheduler_pending_pods")
                .help("Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' "
                        + "means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods "
                        + "that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable "
                        + "pods that the scheduler never attempted to schedule because they are gated.")
                .labelNames("queue").register(registry);
        queueIncoming = Counter.builder().name("scheduler_queue_incoming_pods_total")
                .help("Number of pods added to scheduling queues by event and queue type.")
                .labelNames("queue", "event").register(registry);
        sliDuration = Histogram.builder().name("scheduler_pod_scheduling_sli_duration_seconds")
                .help("E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue "
                        + "and might involve multiple scheduling attempts.")
                .labelNames("attempts").classicOnly().classicExponentialUpperBounds(0.01, 2, 20).register(registry);
        podAttempts = Histogram.builder().name("scheduler_pod_scheduling_attempts")
                .help("Number of attempts to successfully schedule a pod.")
                .classicOnly().classicExponentialUpperBounds(1, 2, 5).register(registry);
        extensionPointDuration = Histogram.builder().name("scheduler_framework_extension_point_duration_seconds")
                .help("Latency for running all plugins of a specific extension point.")
                .labelNames("extension_point", "status", "profile").classicOnly()
                .classicExponentialUpperBounds(0.0001, 2, 12).register(registry);
        goroutines = Gauge.builder().name("scheduler_goroutines")
                .help("Number of running goroutines split by the work they do such as binding.")
                .labelNames("operation").register(registry);
        preemptionAttempts = Counter.builder().name("scheduler_preemption_attempts_total")
                .help("Total preemption attempts in the cluster till now").register(registry);
        preemptionVictims = Histogram.builder().name("scheduler_preemption_victims")
                .help("Number of selected preemption victims")
                .classicOnly().classicExponentialUpperBounds(1, 2, 7).register(registry);
        preemptionTaskDuration = Histogram.builder().name("scheduler_preemption_goroutines_duration_seconds")
                .help("Duration in seconds for running goroutines for the preemption.")
                .labelNames("result").classicOnly().classicExponentialUpperBounds(0.01, 2, 20).register(registry);
        preemptionTasks = Counter.builder().name("scheduler_preemption_goroutines_execution_total")
                .help("Number of preemption goroutines executed, by the result.")
                .labelNames("result").register(registry);
        String[] queues = {"active", "backoff", "unschedulable", "gated"};
        for (int i = 0; i < queues.length; i++) {
            pending[i] = pendingPods.labelValues(queues[i]);
            pending[i].set(0);
        }
        bindingGoroutines = goroutines.labelValues("binding");
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public void attempt(String result, String profile, double seconds) {
        Labels key = new Labels(result, profile, null);
        attemptCounts.computeIfAbsent(key, k -> scheduleAttempts.labelValues(k.a(), k.b())).inc();
        attemptDurations.computeIfAbsent(key, k -> attemptDuration.labelValues(k.a(), k.b())).observe(seconds);
    }

    public void algorithm(double seconds) {
        algorithmDuration.observe(seconds);
    }

    /** A pod was scheduled after {@code attempts} attempts, {@code seconds} after it was first queued. */
    public void podScheduled(int attempts, double seconds) {
        sliByAttempts.computeIfAbsent(attempts, a -> sliDuration.labelValues(Integer.toString(a))).observe(seconds);
        podAttempts.observe(attempts);
    }

    public void extensionPoint(String point, String status, String profile, double seconds) {
        extensionPointDurations.computeIfAbsent(new Labels(point, status, profile),
                k -> extensionPointDuration.labelValues(k.a(), k.b(), k.c())).observe(seconds);
    }

    public void bindingsInFlight(int count) {
        bindingGoroutines.set(count);
    }

    @Override
    public void attempt() {
        preemptionAttempts.inc();
    }

    @Override
    public void victims(int count) {
        preemptionVictims.observe(count);
    }

    @Override
    public void backgroundTask(String result, double seconds) {
        preemptionTaskDuration.labelValues(result).observe(seconds);
        preemptionTasks.labelValues(result).inc();
    }

    @Override
    public void counts(int active, int backoff, int unschedulable, int gated) {
        pending[0].set(active);
        pending[1].set(backoff);
        pending[2].set(unschedulable);
        pending[3].set(gated);
    }

    @Override
    public void incoming(String queue, String event) {
        incomingCounts.computeIfAbsent(new Labels(queue, event, null), k -> queueIncoming.labelValues(k.a(), k.b())).inc();
    }

    /** Every metric in Prometheus text format. */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
    }

    public String text() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public String contentType() {
        return writer.getContentType();
    }
}

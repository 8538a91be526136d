package dev.navis.apiserver.rest.metrics;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a kubelet's /metrics/resource answer into a {@link MetricsBatch}, as metrics-server decodes it: the node's
 * and containers' cumulative CPU seconds, working-set bytes and container start times, each stamped with the
 * sample's own timestamp (or the scrape time when it has none). Incomplete readings are dropped: a node or
 * container without CPU or memory, and a whole pod when one of its containers is incomplete.
 */
public final class ResourceMetricsDecoder {
    private ResourceMetricsDecoder() {
    }

    /** Readings of a node or container while they are being gathered. */
    private static final class Partial {
        Instant start;
        Instant time;
        long cpu;
        long memory;

        MetricsPoint point() {
            return new MetricsPoint(start, time, cpu, memory);
        }

        boolean complete() {
            return time != null && cpu > 0 && memory > 0;
        }
    }

    public static MetricsBatch decode(String nodeName, String text, Instant scrapeTime) {
        Partial node = new Partial();
        Map<String, Map<String, Partial>> pods = new HashMap<>();
        for (PrometheusText.Sample s : PrometheusText.parse(text)) {
            Instant time = s.timestampMillis() == null ? scrapeTime : Instant.ofEpochMilli(s.timestampMillis());
            switch (s.name()) {
                case "node_cpu_usage_seconds_total" -> {
                    node.cpu = (long) (s.value() * 1e9);
                    node.time = time;
                }
                case "node_memory_working_set_bytes" -> {
                    node.memory = (long) s.value();
                    node.time = time;
                }
                case "container_cpu_usage_seconds_total" -> {
                    Partial c = container(pods, s);
                    c.cpu = (long) (s.value() * 1e9);
                    c.time = time;
                }
                case "container_memory_working_set_bytes" -> {
                    Partial c = container(pods, s);
                    c.memory = (long) s.value();
                    c.time = time;
                }
                case "container_start_time_seconds" -> container(pods, s).start = instant(s.value());
                default -> {
                    // other series (pod totals, scrape errors) are not needed
                }
            }
        }
        MetricsBatch batch = MetricsBatch.empty();
        if (node.complete()) {
            batch.nodes().put(nodeName, node.point());
        }
        pods:
        for (Map.Entry<String, Map<String, Partial>> pod : pods.entrySet()) {
            Map<String, MetricsPoint> containers = new HashMap<>();
            for (Map.Entry<String, Partial> c : pod.getValue().entrySet()) {
                if (!c.getValue().complete()) {
                    continue pods;
                }
                containers.put(c.getKey(), c.getValue().point());
            }
            batch.pods().put(pod.getKey(), containers);
        }
        return batch;
    }

    /** Seconds since the epoch, split before scaling so that nanoseconds do not lose precision in a double. */
    private static Instant instant(double epochSeconds) {
        long seconds = (long) Math.floor(epochSeconds);
        return Instant.ofEpochSecond(seconds, Math.round((epochSeconds - seconds) * 1e9));
    }

    private static Partial container(Map<String, Map<String, Partial>> pods, PrometheusText.Sample s) {
        return pods.computeIfAbsent(MetricsBatch.podKey(s.label("namespace"), s.label("pod")), k -> new HashMap<>())
                .computeIfAbsent(s.label("container"), k -> new Partial());
    }
}

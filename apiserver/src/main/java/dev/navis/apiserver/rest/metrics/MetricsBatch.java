package dev.navis.apiserver.rest.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * The readings of one scrape: per node, and per pod ("namespace/name") per container name.
 */
public record MetricsBatch(Map<String, MetricsPoint> nodes, Map<String, Map<String, MetricsPoint>> pods) {

    public static MetricsBatch empty() {
        return new MetricsBatch(new HashMap<>(), new HashMap<>());
    }

    /** Adds another node's readings to this batch (a pod is reported by one node only). */
    public void add(MetricsBatch other) {
        nodes.putAll(other.nodes());
        other.pods().forEach(pods::putIfAbsent);
    }

    public static String podKey(String namespace, String name) {
        return namespace + "/" + name;
    }
}

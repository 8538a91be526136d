package dev.navis.cli.bench;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Map;
import java.util.TreeMap;

/**
 * The API server's {@code apiserver_request_total} summed by verb, resource and subresource: a benchmark takes
 * one before and one after its run and prints the difference per operation, which tells how many requests
 * each operation cost.
 */
public final class RequestCounts {
    private static final String REQUEST_COUNTER = "apiserver_request";
    private final Map<String, Double> counts;
    /** The same, 2xx answers only. */
    private final Map<String, Double> successful;

    private RequestCounts(Map<String, Double> counts, Map<String, Double> successful) {
        this.counts = counts;
        this.successful = successful;
    }

    public static RequestCounts of(PrometheusRegistry registry) {
        Map<String, Double> counts = new TreeMap<>();
        Map<String, Double> successful = new TreeMap<>();
        // only this counter: the benchmarks poll it while they measure, and collecting the whole registry (the
        // request latency histograms) cost this JVM about 1% of its CPU in bench controllers
        for (MetricSnapshot snapshot : registry.scrape(name -> name.startsWith(REQUEST_COUNTER)
                && (name.length() == REQUEST_COUNTER.length() || name.equals(REQUEST_COUNTER + "_total")))) {
            if (snapshot instanceof CounterSnapshot counter
                    && counter.getMetadata().getName().equals(REQUEST_COUNTER)) {
                for (CounterSnapshot.CounterDataPointSnapshot point : counter.getDataPoints()) {
                    counts.merge(key(point.getLabels()), point.getValue(), Double::sum);
                    String code = point.getLabels().get("code");
                    if (code != null && code.startsWith("2")) {
                        successful.merge(key(point.getLabels()), point.getValue(), Double::sum);
                    }
                }
            }
        }
        return new RequestCounts(counts, successful);
    }

    /** Requests of {@code verb} (e.g. POST) on {@code resource} (e.g. pods) answered with 2xx. */
    public long successful(String verb, String resource) {
        return Math.round(successful.getOrDefault(verb + " " + resource, 0.0));
    }

    private static String key(Labels labels) {
        String subresource = labels.get("subresource");
        return labels.get("verb") + " " + labels.get("resource")
                + (subresource == null || subresource.isEmpty() ? "" : "/" + subresource);
    }

    /** One line per verb and resource that grew since {@code before}: the count and the count per operation. */
    public String since(RequestCounts before, int operations, String operation) {
        StringBuilder out = new StringBuilder();
        double total = 0;
        for (Map.Entry<String, Double> e : counts.entrySet()) {
            double n = e.getValue() - before.counts.getOrDefault(e.getKey(), 0.0);
            if (n > 0) {
                total += n;
                out.append(String.format("  %-40s %9.0f  %6.2f per %s%n", e.getKey(), n, n / operations, operation));
            }
        }
        out.append(String.format("  %-40s %9.0f  %6.2f per %s%n", "all", total, total / operations, operation));
        return out.toString();
    }
}

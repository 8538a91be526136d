package dev.navis.proxy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-proxy's metrics under upstream's names and buckets (pkg/proxy/metrics), so its dashboards read them.
 */
public final class ProxyMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    final Histogram syncDuration;
    final Histogram fullSyncDuration;
    final Histogram partialSyncDuration;
    final Histogram networkProgramming;
    final Gauge lastSync;
    final Gauge lastQueued;
    final Counter endpointChanges;
    final Counter serviceChanges;
    final Counter syncFailures;

    public ProxyMetrics() {
        double[] syncBuckets = exponential(0.001, 2, 15);
        syncDuration = Histogram.builder().name("kubeproxy_sync_proxy_rules_duration_seconds")
                .help("SyncProxyRules latency in seconds").classicOnly().classicUpperBounds(syncBuckets)
                .register(registry);
        fullSyncDuration = Histogram.builder().name("kubeproxy_sync_full_proxy_rules_duration_seconds")
                .help("SyncProxyRules latency in seconds for full resyncs").classicOnly()
                .classicUpperBounds(syncBuckets).register(registry);
        partialSyncDuration = Histogram.builder().name("kubeproxy_sync_partial_proxy_rules_duration_seconds")
                .help("SyncProxyRules latency in seconds for partial resyncs").classicOnly()
                .classicUpperBounds(syncBuckets).register(registry);
        networkProgramming = Histogram.builder().name("kubeproxy_network_programming_duration_seconds")
                .help("In Cluster Network Programming Latency in seconds").classicOnly()
                .classicUpperBounds(networkProgrammingBuckets()).register(registry);
        lastSync = Gauge.builder().name("kubeproxy_sync_proxy_rules_last_timestamp_seconds")
                .help("The last time proxy rules were successfully synced").register(registry);
        lastQueued = Gauge.builder().name("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds")
                .help("The last time a sync of proxy rules was queued").register(registry);
        endpointChanges = Counter.builder().name("kubeproxy_sync_proxy_rules_endpoint_changes_total")
                .help("Cumulative proxy rules Endpoint changes").register(registry);
        serviceChanges = Counter.builder().name("kubeproxy_sync_proxy_rules_service_changes_total")
                .help("Cumulative proxy rules Service changes").register(registry);
        syncFailures = Counter.builder().name("kubeproxy_sync_proxy_rules_nftables_sync_failures_total")
                .help("Cumulative proxy nftables sync failures").register(registry);
    }

    /** The Prometheus text exposition of every metric. */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    public String text() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Observations of kubeproxy_network_programming_duration_seconds so far. */
    public long networkProgrammingCount() {
        return networkProgramming.collect().getDataPoints().getFirst().getCount();
    }

    /** Observations of kubeproxy_sync_proxy_rules_duration_seconds so far. */
    public long syncCount() {
        return syncDuration.collect().getDataPoints().getFirst().getCount();
    }

    private static double[] exponential(double start, double factor, int count) {
        double[] b = new double[count];
        for (int i = 0; i < count; i++) {
            b[i] = start * Math.pow(factor, i);
        }
        return b;
    }

    /** Upstream's: 0.25 s steps to 0.5, 1 s steps to 59, 5 s steps to 115, 30 s steps to 300. */
    private static double[] networkProgrammingBuckets() {
        List<Double> b = new ArrayList<>(List.of(0.25, 0.5));
        for (int i = 1; i <= 59; i++) {
            b.add((double) i);
        }
        for (int i = 0; i < 12; i++) {
            b.add(60.0 + 5 * i);
        }
        for (int i = 0; i < 7; i++) {
            b.add(120.0 + 30 * i);
        }
        return b.stream().mapToDouble(Double::doubleValue).toArray();
    }
}

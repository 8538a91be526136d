package dev.navis.apiserver.rest.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResourceMetricsDecoderTest {
    private static final Instant SCRAPE = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void decodesNodeAndContainers() {
        MetricsBatch b = ResourceMetricsDecoder.decode("n1", """
                container_cpu_usage_seconds_total{container="app",namespace="default",pod="web"} 2.5 1767225600500
                container_memory_working_set_bytes{container="app",namespace="default",pod="web"} 4096 1767225600500
                container_start_time_seconds{container="app",namespace="default",pod="web"} 1767225500.25 1767225600500
                node_cpu_usage_seconds_total 100.000000001 1767225601000
                node_memory_working_set_bytes 1048576 1767225601000
                pod_cpu_usage_seconds_total{namespace="default",pod="web"} 2.5 1767225600500
                resource_scrape_error 0
                """, SCRAPE);
        assertThat(b.nodes()).containsOnlyKeys("n1");
        assertThat(b.nodes().get("n1")).isEqualTo(new MetricsPoint(null, Instant.ofEpochMilli(1767225601000L),
                100_000_000_001L, 1048576));
        MetricsPoint app = b.pods().get("default/web").get("app");
        assertThat(app).isEqualTo(new MetricsPoint(Instant.parse("2026-01-01T00:00:00.25Z").minusSeconds(100),
                Instant.ofEpochMilli(1767225600500L), 2_500_000_000L, 4096));
    }

    @Test
    void dropsIncompleteReadings() {
        MetricsBatch b = ResourceMetricsDecoder.decode("n1", """
                container_cpu_usage_seconds_total{container="a",namespace="ns",pod="half"} 1
                container_memory_working_set_bytes{container="a",namespace="ns",pod="half"} 10
                container_cpu_usage_seconds_total{container="b",namespace="ns",pod="half"} 1
                container_cpu_usage_seconds_total{container="a",namespace="ns",pod="whole"} 1
                container_memory_working_set_bytes{container="a",namespace="ns",pod="whole"} 10
                node_cpu_usage_seconds_total 5
                """, SCRAPE);
        assertThat(b.nodes()).isEmpty();
        assertThat(b.pods()).containsOnlyKeys("ns/whole");
        assertThat(b.pods().get("ns/whole").get("a").timestamp()).isEqualTo(SCRAPE);
    }
}

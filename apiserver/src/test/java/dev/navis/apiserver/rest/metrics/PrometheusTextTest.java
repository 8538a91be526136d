package dev.navis.apiserver.rest.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void readsNamesLabelsValuesAndTimestamps() {
        List<PrometheusText.Sample> samples = PrometheusText.parse("""
                # HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
                # TYPE node_cpu_usage_seconds_total counter
                node_cpu_usage_seconds_total 357.35 1736000000123

                container_memory_working_set_bytes{container="c",namespace="ns",pod="p"} 1.2345e+06 1736000000456
                resource_scrape_error 0
                weird{a="x\\"y\\\\z\\n", b="2"} NaN
                """);
        assertThat(samples).hasSize(4);
        assertThat(samples.get(0)).isEqualTo(new PrometheusText.Sample("node_cpu_usage_seconds_total", Map.of(),
                357.35, 1736000000123L));
        assertThat(samples.get(1).labels()).containsExactly(Map.entry("container", "c"), Map.entry("namespace", "ns"),
                Map.entry("pod", "p"));
        assertThat(samples.get(1).value()).isEqualTo(1234500.0);
        assertThat(samples.get(2).timestampMillis()).isNull();
        assertThat(samples.get(3).label("a")).isEqualTo("x\"y\\z\n");
        assertThat(samples.get(3).label("b")).isEqualTo("2");
        assertThat(samples.get(3).value()).isNaN();
    }

    @Test
    void rejectsBrokenLines() {
        assertThatThrownBy(() -> PrometheusText.parse("m{a=\"1\" 2\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> PrometheusText.parse("m\n")).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.navis.apiserver.rest.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsStorageTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant STARTED = T0.minusSeconds(3600);

    private final MetricsStorage storage = new MetricsStorage(Duration.ofSeconds(15));

    private static MetricsBatch batch(String node, MetricsPoint nodePoint, String pod, Map<String, MetricsPoint> containers) {
        MetricsBatch b = MetricsBatch.empty();
        if (nodePoint != null) {
            b.nodes().put(node, nodePoint);
        }
        if (containers != null) {
            b.pods().put(pod, new HashMap<>(containers));
        }
        return b;
    }

    private static MetricsPoint at(Instant start, long secondsAfterT0, double cpuSeconds, long memory) {
        return new MetricsPoint(start, T0.plusSeconds(secondsAfterT0), (long) (cpuSeconds * 1e9), memory);
    }

    @Test
    void cpuIsTheCounterRateOverTheWindowAndMemoryTheLastWorkingSet() {
        storage.store(batch("n", at(null, 0, 100, 1000), "ns/p", Map.of("c", at(STARTED, 0, 10, 50))));
        assertThat(storage.node("n")).isNull();
        assertThat(storage.pod("ns", "p")).isNull();

        storage.store(batch("n", at(null, 15, 130, 2000), "ns/p", Map.of("c", at(STARTED, 15, 17.5, 60))));
        MetricsStorage.Usage node = storage.node("n");
        assertThat(node.cpuNanoCores()).isEqualTo(2_000_000_000L);
        assertThat(node.memoryBytes()).isEqualTo(2000);
        assertThat(node.window()).isEqualTo(Duration.ofSeconds(15));
        assertThat(node.timestamp()).isEqualTo(T0.plusSeconds(15));
        MetricsStorage.PodUsage pod = storage.pod("ns", "p");
        assertThat(pod.containers()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("c");
            assertThat(c.usage().cpuNanoCores()).isEqualTo(500_000_000L);
            assertThat(c.usage().memoryBytes()).isEqualTo(60);
        });
    }

    @Test
    void aRepeatedReadingKeepsThePreviousOne() {
        storage.store(batch("n", at(null, 0, 100, 1), null, null));
        storage.store(batch("n", at(null, 10, 101, 1), null, null));
        storage.store(batch("n", at(null, 10, 101, 1), null, null)); // the kubelet answered the same sample again
        assertThat(storage.node("n").cpuNanoCores()).isEqualTo(100_000_000L);
    }

    @Test
    void aRestartedContainerStartsOver() {
        storage.store(batch("n", null, "ns/p", Map.of("c", at(STARTED, 0, 50, 1))));
        storage.store(batch("n", null, "ns/p", Map.of("c", at(T0.plusSeconds(1), 60, 1, 1))));
        assertThat(storage.pod("ns", "p")).isNull();
    }

    @Test
    void aFreshContainerIsMeasuredFromItsStart() {
        storage.store(batch("n", null, "ns/p", Map.of("c", at(T0, 12, 6, 1))));
        assertThat(storage.pod("ns", "p").containers().get(0).usage().cpuNanoCores()).isEqualTo(500_000_000L);
        assertThat(storage.pod("ns", "p").window()).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void aPodMissingFromTheLatestScrapeIsForgottenAndACounterGoingBackIsSkipped() {
        storage.store(batch("n", at(null, 0, 100, 1), "ns/p", Map.of("c", at(STARTED, 0, 1, 1))));
        storage.store(batch("n", at(null, 15, 90, 1), null, null));
        assertThat(storage.pod("ns", "p")).isNull();
        assertThat(storage.node("n")).isNull();
    }

    @Test
    void goDurations() {
        assertThat(GoDuration.format(Duration.ofMillis(15003))).isEqualTo("15.003s");
        assertThat(GoDuration.format(Duration.ofSeconds(15))).isEqualTo("15s");
        assertThat(GoDuration.format(Duration.ofMillis(60500))).isEqualTo("1m0.5s");
        assertThat(GoDuration.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(GoDuration.format(Duration.ZERO)).isEqualTo("0s");
    }
}

package dev.navis.apiserver.rest.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last two readings of every node and container, from which usage is computed as metrics-server does: CPU is
 * the counter's increase divided by the time between the two readings (the window), memory is the last working set.
 * A container that restarted between readings (start time after the stored reading) starts over; one that started
 * less than a resolution ago (but at least 10 s) is measured from its start, where its counter was zero.
 */
public final class MetricsStorage {
    /** Below this age a fresh container's counter is too short-lived to give a meaningful rate. */
    static final Duration FRESH_CONTAINER_MIN_RESOLUTION = Duration.ofSeconds(10);

    /** Usage over a window ending at {@code timestamp}: CPU in nanocores, memory in bytes. */
    public record Usage(Instant timestamp, Duration window, long cpuNanoCores, long memoryBytes) {
    }

    public record ContainerUsage(String name, Usage usage) {
    }

    /** A pod's containers' usage; its timestamp and window are those of its earliest container reading. */
    public record PodUsage(Instant timestamp, Duration window, List<ContainerUsage> containers) {
    }

    private final Duration resolution;
    private Map<String, MetricsPoint> lastNodes = Map.of();
    private Map<String, MetricsPoint> prevNodes = Map.of();
    private Map<String, Map<String, MetricsPoint>> lastPods = Map.of();
    private Map<String, Map<String, MetricsPoint>> prevPods = Map.of();

    /** @param resolution how often the kubelets are scraped */
    public MetricsStorage(Duration resolution) {
        this.resolution = resolution;
    }

    /** Takes one scrape's readings; nodes and pods missing from it are forgotten. */
    public synchronized void store(MetricsBatch batch) {
        Map<String, MetricsPoint> nodesPrev = new HashMap<>();
        for (Map.Entry<String, MetricsPoint> e : batch.nodes().entrySet()) {
            MetricsPoint earlier = keptPrevious(e.getValue(), lastNodes.get(e.getKey()), prevNodes.get(e.getKey()));
            if (earlier != null) {
                nodesPrev.put(e.getKey(), earlier);
            }
        }
        Map<String, Map<String, MetricsPoint>> podsPrev = new HashMap<>();
        for (Map.Entry<String, Map<String, MetricsPoint>> pod : batch.pods().entrySet()) {
            Map<String, MetricsPoint> last = lastPods.getOrDefault(pod.getKey(), Map.of());
            Map<String, MetricsPoint> prev = prevPods.getOrDefault(pod.getKey(), Map.of());
            Map<String, MetricsPoint> containersPrev = new HashMap<>();
            for (Map.Entry<String, MetricsPoint> c : pod.getValue().entrySet()) {
                MetricsPoint now = c.getValue();
                MetricsPoint earlier;
                if (isFresh(now)) {
                    earlier = new MetricsPoint(now.startTime(), now.startTime(), 0, now.memoryBytes());
                } else {
                    MetricsPoint stored = last.get(c.getKey());
                    boolean restarted = stored == null || (now.startTime() != null
                            && !now.startTime().isBefore(stored.timestamp()));
                    earlier = restarted ? null : keptPrevious(now, stored, prev.get(c.getKey()));
                }
                if (earlier != null) {
                    containersPrev.put(c.getKey(), earlier);
                }
            }
            if (!containersPrev.isEmpty()) {
                podsPrev.put(pod.getKey(), containersPrev);
            }
        }
        lastNodes = Map.copyOf(batch.nodes());
        prevNodes = nodesPrev;
        lastPods = Map.copyOf(batch.pods());
        prevPods = podsPrev;
    }

    /** A container that started within the last resolution but at least 10 s ago. */
    private boolean isFresh(MetricsPoint p) {
        if (p.startTime() == null || !p.startTime().isBefore(p.timestamp())) {
            return false;
        }
        Duration age = Duration.between(p.startTime(), p.timestamp());
        return age.compareTo(resolution) < 0 && age.compareTo(FRESH_CONTAINER_MIN_RESOLUTION) >= 0;
    }

    /** Which earlier reading goes with {@code now}: the stored last one if {@code now} is newer, else the kept one. */
    private static MetricsPoint keptPrevious(MetricsPoint now, MetricsPoint last, MetricsPoint prev) {
        if (last == null) {
            return null;
        }
        if (now.timestamp().isAfter(last.timestamp())) {
            return last;
        }
        return prev != null && prev.timestamp().isBefore(now.timestamp()) ? prev : null;
    }

    /** The node's usage, or null until two readings are known. */
    public synchronized Usage node(String name) {
        MetricsPoint last = lastNodes.get(name);
        MetricsPoint prev = prevNodes.get(name);
        return last == null || prev == null ? null : usage(last, prev);
    }

    /** The pod's usage, or null until every container has two readings. */
    public synchronized PodUsage pod(String namespace, String name) {
        String key = MetricsBatch.podKey(namespace, name);
        Map<String, MetricsPoint> last = lastPods.get(key);
        Map<String, MetricsPoint> prev = prevPods.get(key);
        if (last == null || prev == null) {
            return null;
        }
        List<ContainerUsage> containers = new ArrayList<>();
        Usage earliest = null;
        for (Map.Entry<String, MetricsPoint> c : new TreeMap<>(last).entrySet()) {
            MetricsPoint before = prev.get(c.getKey());
            if (before == null) {
                return null;
            }
            Usage u = usage(c.getValue(), before);
            if (u == null) {
                continue;
            }
            containers.add(new ContainerUsage(c.getKey(), u));
            if (earliest == null || earliest.timestamp().isAfter(u.timestamp())) {
                earliest = u;
            }
        }
        return earliest == null ? null : new PodUsage(earliest.timestamp(), earliest.window(), containers);
    }

    /** CPU rate over the two readings; null when a counter went backwards or no time passed. */
    static Usage usage(MetricsPoint last, MetricsPoint prev) {
        if (last.startTime() != null && prev.startTime() != null && last.startTime().isBefore(prev.startTime())) {
            return null;
        }
        if (last.cumulativeCpuNanos() < prev.cumulativeCpuNanos()) {
            return null;
        }
        Duration window = Duration.between(prev.timestamp(), last.timestamp());
        if (window.isZero() || window.isNegative()) {
            return null;
        }
        double seconds = window.toNanos() / 1e9;
        long nanoCores = (long) ((last.cumulativeCpuNanos() - prev.cumulativeCpuNanos()) / seconds);
        return new Usage(last.timestamp(), window, nanoCores, last.memoryBytes());
    }
}

package dev.navis.controllers.podautoscaler;

import dev.navis.controllers.podautoscaler.MetricsSource.MetricsException;
import dev.navis.controllers.podautoscaler.MetricsSource.PodMetric;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upstream's ReplicaCalculator for resource metrics: the desired replica count from per-pod usage against a
 * utilization (percent of request) or average-value target, with a tolerance of 0.1, pods without metrics
 * assumed at the target (scale down) or idle (scale up), and unready pods counted idle on scale up.
 */
final class ReplicaCalculator {

    static final double TOLERANCE = 0.1;
    /** Upstream's --horizontal-pod-autoscaler-cpu-initialization-period. */
    static final Duration CPU_INITIALIZATION_PERIOD = Duration.ofMinutes(5);
    /** Upstream's --horizontal-pod-autoscaler-initial-readiness-delay. */
    static final Duration INITIAL_READINESS_DELAY = Duration.ofSeconds(30);

    /** The proposal: replicas, the utilization percent (utilization targets only) and the average usage. */
    record Result(int replicas, int utilization, long rawAverageMilli) {
    }

    private final MetricsSource metrics;

    ReplicaCalculator(MetricsSource metrics) {
        this.metrics = metrics;
    }

    /** Upstream's GetResourceReplicas. */
    Result resourceReplicas(int currentReplicas, int targetUtilization, String resource, String namespace,
                            String selector, List<Pod> pods, Instant now) {
        Map<String, PodMetric> podMetrics = fetch(resource, namespace, selector);
        if (pods.isEmpty()) {
            throw new MetricsException("no pods returned by selector while calculating replica count");
        }
        Groups g = groupPods(pods, podMetrics, resource, now);
        Map<String, Long> usage = usable(podMetrics, g);
        Map<String, Long> requests = podRequests(pods, resource);
        Utilization u = utilizationRatio(usage, requests, targetUtilization);
        boolean scaleUpWithUnready = !g.unready.isEmpty() && u.ratio > 1.0;
        if (!scaleUpWithUnready && g.missing.isEmpty()) {
            if (Math.abs(1.0 - u.ratio) <= TOLERANCE) {
                return new Result(currentReplicas, u.utilization, u.rawAverage);
            }
            return new Result((int) Math.ceil(u.ratio * g.readyCount), u.utilization, u.rawAverage);
        }
        if (!g.missing.isEmpty()) {
            if (u.ratio < 1.0) {
                long fallback = Math.min(targetUtilization, 100); // assume missing pods at the target, at most their request
                for (String p : g.missing) {
                    usage.put(p, requests.getOrDefault(p, 0L) * fallback / 100);
                }
            } else if (u.ratio > 1.0) {
                for (String p : g.missing) {
                    usage.put(p, 0L);
                }
            }
        }
        if (scaleUpWithUnready) {
            for (String p : g.unready) {
                usage.put(p, 0L);
            }
        }
        double newRatio = utilizationRatio(usage, requests, targetUtilization).ratio;
        return rebalanced(currentReplicas, u.ratio, newRatio, usage.size(), u.utilization, u.rawAverage);
    }

    /** Upstream's GetRawResourceReplicas (an averageValue target in thousandths). */
    Result rawResourceReplicas(int currentReplicas, long targetAverageMilli, String resource, String namespace,
                               String selector, List<Pod> pods, Instant now) {
        Map<String, PodMetric> podMetrics = fetch(resource, namespace, selector);
        if (pods.isEmpty()) {
            throw new MetricsException("no pods returned by selector while calculating replica count");
        }
        Groups g = groupPods(pods, podMetrics, resource, now);
        Map<String, Long> usage = usable(podMetrics, g);
        long average = average(usage);
        double ratio = (double) average / targetAverageMilli;
        boolean scaleUpWithUnready = !g.unready.isEmpty() && ratio > 1.0;
        if (!scaleUpWithUnready && g.missing.isEmpty()) {
            if (Math.abs(1.0 - ratio) <= TOLERANCE) {
                return new Result(currentReplicas, 0, average);
            }
            return new Result((int) Math.ceil(ratio * g.readyCount), 0, average);
        }
        if (!g.missing.isEmpty()) {
            for (String p : g.missing) {
                usage.put(p, ratio < 1.0 ? targetAverageMilli : 0L);
            }
        }
        if (scaleUpWithUnready) {
            for (String p : g.unready) {
                usage.put(p, 0L);
            }
        }
        double newRatio = (double) average(usage) / targetAverageMilli;
        return rebalanced(currentReplicas, ratio, newRatio, usage.size(), 0, average);
    }

    /** The second pass: no change when within tolerance or when the assumptions flip the direction. */
    private static Result rebalanced(int currentReplicas, double ratio, double newRatio, int count, int utilization,
                                     long raw) {
        if (Math.abs(1.0 - newRatio) <= TOLERANCE || (ratio < 1.0 && newRatio > 1.0)
                || (ratio > 1.0 && newRatio < 1.0)) {
            return new Result(currentReplicas, utilization, raw);
        }
        int newReplicas = (int) Math.ceil(newRatio * count);
        if ((newRatio < 1.0 && newReplicas > currentReplicas) || (newRatio > 1.0 && newReplicas < currentReplicas)) {
            return new Result(currentReplicas, utilization, raw);
        }
        return new Result(newReplicas, utilization, raw);
    }

    private Map<String, PodMetric> fetch(String resource, String namespace, String selector) {
        try {
            return metrics.resourceMetrics(resource, namespace, selector);
        } catch (MetricsException e) {
            throw new MetricsException("unable to get metrics for resource " + resource + ": " + e.getMessage());
        }
    }

    private static Map<String, Long> usable(Map<String, PodMetric> podMetrics, Groups g) {
        Map<String, Long> usage = new HashMap<>();
        podMetrics.forEach((name, m) -> {
            if (!g.ignored.contains(name) && !g.unready.contains(name)) {
                usage.put(name, m.milliValue());
            }
        });
        if (usage.isEmpty()) {
            throw new MetricsException("did not receive metrics for targeted pods (pods might be unready)");
        }
        return usage;
    }

    private static long average(Map<String, Long> usage) {
        long sum = 0;
        for (long v : usage.values()) {
            sum += v;
        }
        return sum / usage.size();
    }

    private record Utilization(double ratio, int utilization, long rawAverage) {
    }

    /** Upstream's GetResourceUtilizationRatio: only pods with a known request count. */
    private static Utilization utilizationRatio(Map<String, Long> usage, Map<String, Long> requests, int target) {
        long usageTotal = 0;
        long requestsTotal = 0;
        int entries = 0;
        for (Map.Entry<String, Long> e : usage.entrySet()) {
            Long request = requests.get(e.getKey());
            if (request == null) {
                continue;
            }
            usageTotal += e.getValue();
            requestsTotal += request;
            entries++;
        }
        if (requestsTotal == 0) {
            throw new MetricsException("no metrics returned matched known pods");
        }
        int utilization = (int) (usageTotal * 100 / requestsTotal);
        return new Utilization((double) utilization / target, utilization, usageTotal / entries);
    }

    /** Upstream's calculatePodRequests: every container must request the resource. */
    private static Map<String, Long> podRequests(List<Pod> pods, String resource) {
        Map<String, Long> out = new HashMap<>();
        for (Pod pod : pods) {
            long sum = 0;
            for (Container c : pod.getSpec().getContainers()) {
                Quantity q = c.getResources() == null || c.getResources().getRequests() == null ? null
                        : c.getResources().getRequests().get(resource);
                if (q == null) {
                    throw new MetricsException("missing request for " + resource + " in container " + c.getName()
                            + " of Pod " + pod.getMetadata().getName());
                }
                sum += Quantities.milliValue(q);
            }
            out.put(pod.getMetadata().getName(), sum);
        }
        return out;
    }

    private record Groups(int readyCount, Set<String> unready, Set<String> missing, Set<String> ignored) {
    }

    /** Upstream's groupPods: deleted/failed pods ignored, pending or (cpu) not-yet-ready pods unready. */
    private static Groups groupPods(List<Pod> pods, Map<String, PodMetric> metrics, String resource, Instant now) {
        int ready = 0;
        Set<String> unready = new HashSet<>();
        Set<String> missing = new HashSet<>();
        Set<String> ignored = new HashSet<>();
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (pod.getMetadata().getDeletionTimestamp() != null || "Failed".equals(phase)) {
                ignored.add(name);
                continue;
            }
            if ("Pending".equals(phase)) {
                unready.add(name);
                continue;
            }
            PodMetric metric = metrics.get(name);
            if (metric == null) {
                missing.add(name);
                continue;
            }
            if (resource.equals("cpu") && cpuUnready(pod, metric, now)) {
                unready.add(name);
                continue;
            }
            ready++;
        }
        return new Groups(ready, unready, missing, ignored);
    }

    private static boolean cpuUnready(Pod pod, PodMetric metric, Instant now) {
        PodCondition readyCondition = null;
        if (pod.getStatus().getConditions() != null) {
            for (PodCondition c : pod.getStatus().getConditions()) {
                if ("Ready".equals(c.getType())) {
                    readyCondition = c;
                }
            }
        }
        if (readyCondition == null || pod.getStatus().getStartTime() == null) {
            return true;
        }
        Instant start = Instant.parse(pod.getStatus().getStartTime());
        Instant transition = readyCondition.getLastTransitionTime() == null ? start
                : Instant.parse(readyCondition.getLastTransitionTime());
        if (start.plus(CPU_INITIALIZATION_PERIOD).isAfter(now)) {
            // while initializing, a sample taken (partly) before the pod became ready is not trusted
            return "False".equals(readyCondition.getStatus())
                    || metric.timestamp().isBefore(transition.plus(metric.window()));
        }
        return "False".equals(readyCondition.getStatus()) && start.plus(INITIAL_READINESS_DELAY).isAfter(transition);
    }
}

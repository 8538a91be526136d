package dev.navis.controllers.resourcequota;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What one pod uses of a quota, as upstream's pod evaluator (pkg/quota/v1/evaluator/core/pods.go):
 * {@code count/pods} for every pod in storage; {@code pods}, {@code requests.*}, {@code limits.*} and the
 * bare {@code cpu}/{@code memory}/{@code ephemeral-storage} (= requests) only for pods that are not terminal.
 * A pod's request of a resource is the larger of its containers' sum and its largest init container, plus
 * the pod overhead (resourcehelper.PodRequests without the sidecar refinement).
 */
final class PodUsage {

    private static final List<String> STANDARD = List.of("cpu", "memory", "ephemeral-storage");

    private PodUsage() {
    }

    /** Upstream's QuotaV1Pod: neither Succeeded/Failed nor past its deletion grace period. */
    static boolean counted(Pod pod, Instant now) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null && pod.getMetadata().getDeletionGracePeriodSeconds() != null) {
            Instant deletion = Instant.parse(pod.getMetadata().getDeletionTimestamp());
            return !now.isAfter(deletion.plusSeconds(pod.getMetadata().getDeletionGracePeriodSeconds()));
        }
        return true;
    }

    /** Upstream's BestEffort QoS: no container requests or limits cpu or memory. */
    static boolean isBestEffort(Pod pod) {
        for (Container c : allContainers(pod)) {
            ResourceRequirements r = c.getResources();
            if (r == null) {
                continue;
            }
            for (Map<String, Quantity> m : List.of(nonNull(r.getRequests()), nonNull(r.getLimits()))) {
                if (m.containsKey("cpu") || m.containsKey("memory")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Upstream's Terminating scope: the pod has an activeDeadlineSeconds. */
    static boolean isTerminating(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getActiveDeadlineSeconds() != null
                && pod.getSpec().getActiveDeadlineSeconds() >= 0;
    }

    /** The pod's usage by quota resource name, values as plain numbers; binary names the binary-formatted ones. */
    static Map<String, BigDecimal> usage(Pod pod, Instant now, java.util.Set<String> binary) {
        Map<String, BigDecimal> result = new HashMap<>();
        result.put("count/pods", BigDecimal.ONE);
        if (!counted(pod, now)) {
            return result;
        }
        result.put("pods", BigDecimal.ONE);
        Map<String, BigDecimal> requests = podTotals(pod, ResourceRequirements::getRequests, binary);
        Map<String, BigDecimal> limits = podTotals(pod, ResourceRequirements::getLimits, binary);
        for (var e : requests.entrySet()) {
            String name = e.getKey();
            result.put("requests." + name, e.getValue());
            if (STANDARD.contains(name)) {
                result.put(name, e.getValue());
            }
            if (binary.contains(name)) {
                binary.add("requests." + name);
            }
        }
        for (var e : limits.entrySet()) {
            result.put("limits." + e.getKey(), e.getValue());
            if (binary.contains(e.getKey())) {
                binary.add("limits." + e.getKey());
            }
        }
        return result;
    }

    private static Map<String, BigDecimal> podTotals(Pod pod, Function<ResourceRequirements, Map<String, Quantity>> which,
                                                      java.util.Set<String> binary) {
        Map<String, BigDecimal> sum = new HashMap<>();
        if (pod.getSpec() == null) {
            return sum;
        }
        for (Container c : nonNull(pod.getSpec().getContainers())) {
            add(sum, amounts(c, which, binary));
        }
        for (Container c : nonNull(pod.getSpec().getInitContainers())) {
            for (var e : amounts(c, which, binary).entrySet()) {
                sum.merge(e.getKey(), e.getValue(), BigDecimal::max);
            }
        }
        if (pod.getSpec().getOverhead() != null) {
            Map<String, BigDecimal> overhead = new HashMap<>();
            pod.getSpec().getOverhead().forEach((k, q) -> {
                overhead.put(k, QuotaQuantities.value(q));
                if (QuotaQuantities.isBinary(q)) {
                    binary.add(k);
                }
            });
            // Upstream adds overhead only to resources the containers name.
            overhead.keySet().retainAll(sum.keySet());
            add(sum, overhead);
        }
        return sum;
    }

    private static Map<String, BigDecimal> amounts(Container c, Function<ResourceRequirements, Map<String, Quantity>> which,
                                                   java.util.Set<String> binary) {
        Map<String, BigDecimal> result = new HashMap<>();
        if (c.getResources() == null) {
            return result;
        }
        Map<String, Quantity> declared = which.apply(c.getResources());
        for (var e : nonNull(declared).entrySet()) {
            result.put(e.getKey(), QuotaQuantities.value(e.getValue()));
            if (QuotaQuantities.isBinary(e.getValue())) {
                binary.add(e.getKey());
            }
        }
        return result;
    }

    private static void add(Map<String, BigDecimal> into, Map<String, BigDecimal> more) {
        more.forEach((k, v) -> into.merge(k, v, BigDecimal::add));
    }

    private static List<Container> allContainers(Pod pod) {
        if (pod.getSpec() == null) {
            return List.of();
        }
        List<Container> all = new java.util.ArrayList<>(nonNull(pod.getSpec().getContainers()));
        all.addAll(nonNull(pod.getSpec().getInitContainers()));
        return all;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> nonNull(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}

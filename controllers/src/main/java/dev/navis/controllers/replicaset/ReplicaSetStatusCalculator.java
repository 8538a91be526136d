package dev.navis.controllers.replicaset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Upstream's calculateStatus: the status figures of a ReplicaSet from the active pods it owns. */
final class ReplicaSetStatusCalculator {

    private ReplicaSetStatusCalculator() {
    }

    static ReplicaSetStatus calculate(ReplicaSet rs, List<Pod> ownedActive, Instant now) {
        Map<String, String> templateLabels = rs.getSpec().getTemplate() == null
                || rs.getSpec().getTemplate().getMetadata() == null
                || rs.getSpec().getTemplate().getMetadata().getLabels() == null
                ? Map.of() : rs.getSpec().getTemplate().getMetadata().getLabels();
        int minReadySeconds = rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        for (Pod p : ownedActive) {
            Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
            if (labels.entrySet().containsAll(templateLabels.entrySet())) {
                fullyLabeled++;
            }
            if (PodConditions.isReady(p)) {
                ready++;
                if (PodConditions.isAvailable(p, minReadySeconds, now)) {
                    available++;
                }
            }
        }
        List<ReplicaSetCondition> conditions = rs.getStatus() == null || rs.getStatus().getConditions() == null
                ? null : new ArrayList<>(rs.getStatus().getConditions());
        return new ReplicaSetStatusBuilder()
                .withReplicas(ownedActive.size())
                .withFullyLabeledReplicas(fullyLabeled)
                .withReadyReplicas(ready)
                .withAvailableReplicas(available)
                .withObservedGeneration(rs.getMetadata().getGeneration())
                .withConditions(conditions)
                .build();
    }

    /** Whether {@code current} already shows the figures of {@code wanted} (nulls count as zero). */
    static boolean same(ReplicaSetStatus current, ReplicaSetStatus wanted) {
        if (current == null) {
            return false;
        }
        return n(current.getReplicas()) == n(wanted.getReplicas())
                && n(current.getFullyLabeledReplicas()) == n(wanted.getFullyLabeledReplicas())
                && n(current.getReadyReplicas()) == n(wanted.getReadyReplicas())
                && n(current.getAvailableReplicas()) == n(wanted.getAvailableReplicas())
                && nl(current.getObservedGeneration()) == nl(wanted.getObservedGeneration());
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }

    private static long nl(Long l) {
        return l == null ? 0 : l;
    }
}

package dev.navis.controllers.replicaset;

import dev.navis.controllers.util.PodConditions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Upstream's calculateStatus: the status figures of a ReplicaSet from the active pods it owns. */
final class ReplicaSetStatusCalculator {

    private ReplicaSetStatusCalculator() {
    }

    static final String REPLICA_FAILURE = "ReplicaFailure";

    /**
     * @param manageError what creating or deleting pods failed with in this sync, null when it did not fail;
     *                    upstream records it as a {@code ReplicaFailure} condition until a sync succeeds
     * @param creating    whether the sync had pods to create (FailedCreate) rather than delete (FailedDelete)
     */
    static ReplicaSetStatus calculate(ReplicaSet rs, List<Pod> ownedActive, Instant now,
                                      RuntimeException manageError, boolean creating) {
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
                ? new ArrayList<>() : new ArrayList<>(rs.getStatus().getConditions());
        boolean hasFailure = conditions.stream().anyMatch(c -> REPLICA_FAILURE.equals(c.getType()));
        if (manageError != null && !hasFailure) {
            conditions.add(new ReplicaSetConditionBuilder().withType(REPLICA_FAILURE).withStatus("True")
                    .withReason(creating ? "FailedCreate" : "FailedDelete")
                    .withMessage(String.valueOf(manageError.getMessage()))
                    .withLastTransitionTime(now.truncatedTo(ChronoUnit.SECONDS).toString()).build());
        } else if (manageError == null && hasFailure) {
            conditions.removeIf(c -> REPLICA_FAILURE.equals(c.getType()));
        }
        return new ReplicaSetStatusBuilder()
                .withReplicas(ownedActive.size())
                .withFullyLabeledReplicas(fullyLabeled)
                .withReadyReplicas(ready)
                .withAvailableReplicas(available)
                .withObservedGeneration(rs.getMetadata().getGeneration())
                .withConditions(conditions.isEmpty() ? null : conditions)
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
                && nl(current.getObservedGeneration()) == nl(wanted.getObservedGeneration())
                && conditionTypes(current).equals(conditionTypes(wanted));
    }

    private static List<String> conditionTypes(ReplicaSetStatus s) {
        return s.getConditions() == null ? List.of() : s.getConditions().stream().map(ReplicaSetCondition::getType).toList();
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }

    private static long nl(Long l) {
        return l == null ? 0 : l;
    }
}

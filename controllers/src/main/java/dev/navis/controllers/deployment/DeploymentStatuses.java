package dev.navis.controllers.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A Deployment's status computed from its ReplicaSets (upstream's calculateStatus and syncRolloutStatus):
 * counts, observedGeneration, and the Available and Progressing conditions with upstream's reasons.
 */
final class DeploymentStatuses {

    static final String AVAILABLE = "Available";
    static final String PROGRESSING = "Progressing";
    static final String MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable";
    static final String MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable";
    static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
    static final String RS_UPDATED = "ReplicaSetUpdated";
    static final String NEW_RS_CREATED = "NewReplicaSetCreated";
    static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
    static final String PAUSED = "DeploymentPaused";
    static final String RESUMED = "DeploymentResumed";

    private DeploymentStatuses() {
    }

    /** Counts and the Available condition; {@code newRs} may be null. */
    static DeploymentStatus calculate(Deployment d, List<ReplicaSet> all, ReplicaSet newRs, Instant now) {
        DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        int available = all.stream().mapToInt(ReplicaSets::availableReplicas).sum();
        int total = ReplicaSets.sumSpec(all);
        DeploymentStatus status = new DeploymentStatus();
        status.setObservedGeneration(d.getMetadata().getGeneration());
        status.setReplicas(all.stream().mapToInt(ReplicaSets::statusReplicas).sum());
        status.setUpdatedReplicas(newRs == null ? 0 : ReplicaSets.statusReplicas(newRs));
        status.setReadyReplicas(all.stream().mapToInt(ReplicaSets::readyReplicas).sum());
        status.setAvailableReplicas(available);
        status.setUnavailableReplicas(Math.max(0, total - available));
        status.setCollisionCount(old.getCollisionCount());
        status.setConditions(old.getConditions() == null ? new ArrayList<>() : copy(old.getConditions()));
        int desired = DeploymentController.desiredReplicas(d);
        if (available >= desired - RolloutBounds.maxUnavailable(d)) {
            set(status, AVAILABLE, "True", MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", now);
        } else {
            set(status, AVAILABLE, "False", MINIMUM_REPLICAS_UNAVAILABLE,
                    "Deployment does not have minimum availability.", now);
        }
        return status;
    }

    /** Adds upstream's Progressing condition for a rollout (not for a paused Deployment). */
    static void progress(Deployment d, DeploymentStatus status, ReplicaSet newRs, Instant now) {
        if (newRs != null && complete(d, status)) {
            set(status, PROGRESSING, "True", NEW_RS_AVAILABLE,
                    "ReplicaSet \"" + newRs.getMetadata().getName() + "\" has successfully progressed.", now);
        } else if (newRs != null && progressing(d, status)) {
            DeploymentCondition current = find(status, PROGRESSING);
            String since = current != null && "True".equals(current.getStatus())
                    ? current.getLastTransitionTime() : now.toString();
            status.getConditions().remove(current);
            DeploymentCondition c = condition(PROGRESSING, "True", RS_UPDATED,
                    "ReplicaSet \"" + newRs.getMetadata().getName() + "\" is progressing.", now);
            c.setLastTransitionTime(since);
            status.getConditions().add(c);
        } else if (newRs != null && timedOut(d, status, now)) {
            set(status, PROGRESSING, "False", PROGRESS_DEADLINE_EXCEEDED,
                    "ReplicaSet \"" + newRs.getMetadata().getName() + "\" has timed out progressing.", now);
        }
    }

    /**
     * Upstream's DeploymentTimedOut: no progress for progressDeadlineSeconds since the Progressing
     * condition's lastUpdateTime. No deadline (unset) never times out.
     */
    static boolean timedOut(Deployment d, DeploymentStatus status, Instant now) {
        Instant deadline = progressDeadline(d, status);
        if (deadline == null) {
            return false;
        }
        DeploymentCondition c = find(status, PROGRESSING);
        return PROGRESS_DEADLINE_EXCEEDED.equals(c.getReason()) || deadline.isBefore(now);
    }

    /** When the rollout times out unless it progresses; null without a deadline or a Progressing condition. */
    static Instant progressDeadline(Deployment d, DeploymentStatus status) {
        Integer seconds = d.getSpec().getProgressDeadlineSeconds();
        DeploymentCondition c = find(status, PROGRESSING);
        if (seconds == null || seconds == Integer.MAX_VALUE || c == null || c.getLastUpdateTime() == null
                || NEW_RS_AVAILABLE.equals(c.getReason())) {
            return null;
        }
        return Instant.parse(c.getLastUpdateTime()).plusSeconds(seconds);
    }

    /** Upstream's DeploymentComplete. */
    static boolean complete(Deployment d, DeploymentStatus s) {
        int desired = DeploymentController.desiredReplicas(d);
        return s.getUpdatedReplicas() == desired && s.getReplicas() == desired
                && s.getAvailableReplicas() == desired
                && generation(s.getObservedGeneration()) >= generation(d.getMetadata().getGeneration());
    }

    /** Upstream's DeploymentProgressing: more updated, fewer old, more ready or more available pods. */
    private static boolean progressing(Deployment d, DeploymentStatus s) {
        DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        int oldUpdated = zero(old.getUpdatedReplicas());
        int oldOld = zero(old.getReplicas()) - oldUpdated;
        int newOld = s.getReplicas() - s.getUpdatedReplicas();
        return s.getUpdatedReplicas() > oldUpdated || newOld < oldOld
                || s.getReadyReplicas() > zero(old.getReadyReplicas())
                || s.getAvailableReplicas() > zero(old.getAvailableReplicas());
    }

    /** Upstream's SetDeploymentCondition: same status and reason is no change; same status keeps the transition time. */
    static void set(DeploymentStatus status, String type, String value, String reason, String message, Instant now) {
        DeploymentCondition current = find(status, type);
        if (current != null && value.equals(current.getStatus()) && reason.equals(current.getReason())) {
            return;
        }
        DeploymentCondition c = condition(type, value, reason, message, now);
        if (current != null) {
            if (value.equals(current.getStatus())) {
                c.setLastTransitionTime(current.getLastTransitionTime());
            }
            status.getConditions().remove(current);
        }
        status.getConditions().add(c);
    }

    static DeploymentCondition find(DeploymentStatus status, String type) {
        return status.getConditions() == null ? null
                : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static DeploymentCondition condition(String type, String value, String reason, String message, Instant now) {
        DeploymentCondition c = new DeploymentCondition();
        c.setType(type);
        c.setStatus(value);
        c.setReason(reason);
        c.setMessage(message);
        c.setLastUpdateTime(now.toString());
        c.setLastTransitionTime(now.toString());
        return c;
    }

    private static List<DeploymentCondition> copy(List<DeploymentCondition> conditions) {
        return new ArrayList<>(conditions.stream().map(dev.navis.client.Json::deepCopy).toList());
    }

    /** Equal statuses, an absent count (omitted zero) counting as 0, so a stored status is not rewritten. */
    static boolean same(DeploymentStatus a, DeploymentStatus b) {
        return zero(a.getReplicas()) == zero(b.getReplicas())
                && zero(a.getUpdatedReplicas()) == zero(b.getUpdatedReplicas())
                && zero(a.getReadyReplicas()) == zero(b.getReadyReplicas())
                && zero(a.getAvailableReplicas()) == zero(b.getAvailableReplicas())
                && zero(a.getUnavailableReplicas()) == zero(b.getUnavailableReplicas())
                && java.util.Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
                && java.util.Objects.equals(a.getCollisionCount(), b.getCollisionCount())
                && dev.navis.client.Json.tree(a.getConditions() == null ? List.of() : a.getConditions())
                        .equals(dev.navis.client.Json.tree(b.getConditions() == null ? List.of() : b.getConditions()));
    }

    private static long generation(Long value) {
        return value == null ? 0 : value;
    }

    private static int zero(Integer value) {
        return value == null ? 0 : value;
    }
}

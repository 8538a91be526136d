package dev.navis.controllers.job;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import java.util.List;
import java.util.Objects;

/**
 * Upstream's matchPodFailurePolicy: the first rule (in order) matching a failed pod decides. {@code FailJob}
 * fails the Job with a message naming the container or condition, {@code Ignore} keeps the failure out of
 * the backoffLimit count, {@code Count} counts it (as does a pod no rule matches).
 */
final class PodFailurePolicies {

    /** What a policy says about one failed pod: the FailJob message (or null), whether it counts, the action. */
    record Match(String failJobMessage, boolean countFailed, String action) {
        static final Match DEFAULT = new Match(null, true, null);
    }

    private PodFailurePolicies() {
    }

    static Match match(PodFailurePolicy policy, Pod failedPod) {
        if (policy == null || policy.getRules() == null) {
            return Match.DEFAULT;
        }
        List<PodFailurePolicyRule> rules = policy.getRules();
        for (int index = 0; index < rules.size(); index++) {
            PodFailurePolicyRule rule = rules.get(index);
            String action = rule.getAction();
            if (rule.getOnExitCodes() != null) {
                ContainerStatus cs = matchOnExitCodes(failedPod, rule.getOnExitCodes());
                if (cs != null) {
                    return switch (action) {
                        case "Ignore" -> new Match(null, false, action);
                        case "Count" -> new Match(null, true, action);
                        case "FailJob" -> new Match(String.format(
                                "Container %s for pod %s/%s failed with exit code %d matching %s rule at index %d",
                                cs.getName(), failedPod.getMetadata().getNamespace(), failedPod.getMetadata().getName(),
                                cs.getState().getTerminated().getExitCode(), action, index), true, action);
                        default -> Match.DEFAULT; // FailIndex needs backoffLimitPerIndex, not handled here
                    };
                }
            } else if (rule.getOnPodConditions() != null && !rule.getOnPodConditions().isEmpty()) {
                PodCondition c = matchOnPodConditions(failedPod, rule.getOnPodConditions());
                if (c != null) {
                    return switch (action) {
                        case "Ignore" -> new Match(null, false, action);
                        case "Count" -> new Match(null, true, action);
                        case "FailJob" -> new Match(String.format("Pod %s/%s has condition %s matching %s rule at index %d",
                                failedPod.getMetadata().getNamespace(), failedPod.getMetadata().getName(), c.getType(),
                                action, index), true, action);
                        default -> Match.DEFAULT;
                    };
                }
            }
        }
        return Match.DEFAULT;
    }

    private static ContainerStatus matchOnExitCodes(Pod pod, PodFailurePolicyOnExitCodesRequirement req) {
        if (pod.getStatus() == null) {
            return null;
        }
        ContainerStatus cs = firstMatching(pod.getStatus().getContainerStatuses(), req);
        return cs != null ? cs : firstMatching(pod.getStatus().getInitContainerStatuses(), req);
    }

    private static ContainerStatus firstMatching(List<ContainerStatus> statuses, PodFailurePolicyOnExitCodesRequirement req) {
        if (statuses == null) {
            return null;
        }
        for (ContainerStatus cs : statuses) {
            if (cs.getState() == null || cs.getState().getTerminated() == null) {
                continue; // still terminating: no exit code yet
            }
            if (req.getContainerName() != null && !req.getContainerName().equals(cs.getName())) {
                continue;
            }
            Integer code = cs.getState().getTerminated().getExitCode();
            if (code == null || code == 0) {
                continue;
            }
            List<Integer> values = req.getValues() == null ? List.of() : req.getValues();
            boolean in = values.contains(code);
            if (("In".equals(req.getOperator()) && in) || ("NotIn".equals(req.getOperator()) && !in)) {
                return cs;
            }
        }
        return null;
    }

    private static PodCondition matchOnPodConditions(Pod pod, List<PodFailurePolicyOnPodConditionsPattern> patterns) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            for (PodFailurePolicyOnPodConditionsPattern p : patterns) {
                String status = p.getStatus() == null ? "True" : p.getStatus();
                if (Objects.equals(c.getType(), p.getType()) && Objects.equals(c.getStatus(), status)) {
                    return c;
                }
            }
        }
        return null;
    }
}

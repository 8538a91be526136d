package dev.navis.controllers.daemonset;

import dev.navis.client.util.NodeSelectors;
import dev.navis.client.util.Tolerations;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a DaemonSet's pod belongs on a node, as upstream's daemon controller decides it
 * (NodeShouldRunDaemonPod): the template's nodeName, nodeSelector and required node affinity must match,
 * and the node's NoSchedule/NoExecute taints must be tolerated — counting the tolerations every daemon
 * pod gets ({@link #addDaemonTolerations}). A pod that only fails on NoSchedule taints may keep running.
 */
final class NodeEligibility {

    static final String NOT_READY = "node.kubernetes.io/not-ready";
    static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    static final String DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
    static final String MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
    static final String PID_PRESSURE = "node.kubernetes.io/pid-pressure";
    static final String UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
    static final String NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";
    /** metav1.ObjectNameField: the only field node affinity's matchFields knows. */
    static final String NAME_FIELD = NodeSelectors.OBJECT_NAME_FIELD;

    /** shouldRun: a new pod belongs there; shouldContinueRunning: an existing pod may stay. */
    record Decision(boolean shouldRun, boolean shouldContinueRunning) {
    }

    private NodeEligibility() {
    }

    static Decision decide(PodSpec daemonPodSpec, Node node) {
        String nodeName = node.getMetadata().getName();
        String wanted = daemonPodSpec.getNodeName();
        if (wanted != null && !wanted.isEmpty() && !wanted.equals(nodeName)) {
            return new Decision(false, false);
        }
        if (!NodeSelectors.matchesNodeSelector(daemonPodSpec.getNodeSelector(), node) || !matchesRequiredAffinity(daemonPodSpec, node)) {
            return new Decision(false, false);
        }
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
        List<Toleration> tolerations = daemonPodSpec.getTolerations() == null ? List.of() : daemonPodSpec.getTolerations();
        boolean untoleratedScheduling = false;
        boolean untoleratedExecute = false;
        for (Taint t : taints) {
            if (!"NoSchedule".equals(t.getEffect()) && !"NoExecute".equals(t.getEffect())) {
                continue; // PreferNoSchedule never keeps a daemon pod away
            }
            if (!Tolerations.anyTolerates(tolerations, t)) {
                untoleratedScheduling = true;
                if ("NoExecute".equals(t.getEffect())) {
                    untoleratedExecute = true;
                }
            }
        }
        if (untoleratedScheduling) {
            return new Decision(false, !untoleratedExecute);
        }
        return new Decision(true, true);
    }

    /** requiredDuringSchedulingIgnoredDuringExecution: the terms are ORed, an empty term matches nothing. */
    private static boolean matchesRequiredAffinity(PodSpec spec, Node node) {
        NodeSelector required = requiredNodeSelector(spec);
        return required == null || NodeSelectors.matchesAnyTerm(required.getNodeSelectorTerms(), node);
    }

    private static NodeSelector requiredNodeSelector(PodSpec spec) {
        Affinity affinity = spec.getAffinity();
        return affinity == null || affinity.getNodeAffinity() == null ? null
                : affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    }

    /** Upstream's AddOrUpdateDaemonPodTolerations: what keeps daemon pods on nodes in trouble. */
    static void addDaemonTolerations(PodSpec spec) {
        List<Toleration> tolerations = spec.getTolerations() == null ? new ArrayList<>() : new ArrayList<>(spec.getTolerations());
        addIfMissing(tolerations, NOT_READY, "NoExecute");
        addIfMissing(tolerations, UNREACHABLE, "NoExecute");
        addIfMissing(tolerations, DISK_PRESSURE, "NoSchedule");
        addIfMissing(tolerations, MEMORY_PRESSURE, "NoSchedule");
        addIfMissing(tolerations, PID_PRESSURE, "NoSchedule");
        addIfMissing(tolerations, UNSCHEDULABLE, "NoSchedule");
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            addIfMissing(tolerations, NETWORK_UNAVAILABLE, "NoSchedule");
        }
        spec.setTolerations(tolerations);
    }

    /** Upstream's AddOrUpdateTolerationInPodSpec: an existing toleration of the same key and effect is replaced. */
    private static void addIfMissing(List<Toleration> tolerations, String key, String effect) {
        Toleration wanted = new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build();
        for (int i = 0; i < tolerations.size(); i++) {
            Toleration t = tolerations.get(i);
            if (key.equals(t.getKey()) && effect.equals(t.getEffect()) && "Exists".equals(t.getOperator())
                    && t.getTolerationSeconds() == null) {
                return;
            }
            if (key.equals(t.getKey()) && effect.equals(t.getEffect())) {
                tolerations.set(i, wanted);
                return;
            }
        }
        tolerations.add(wanted);
    }

    /**
     * Upstream's ReplaceDaemonSetPodNodeNameNodeAffinity: the pod's required node affinity becomes the one
     * term {@code matchFields metadata.name In [node]} (the node already satisfied the old terms), so the
     * default scheduler binds it there.
     */
    static void pinToNode(PodSpec spec, String nodeName) {
        NodeSelectorTerm term = new NodeSelectorTerm();
        NodeSelectorRequirement req = new NodeSelectorRequirement(NAME_FIELD, "In", new ArrayList<>(List.of(nodeName)));
        term.setMatchFields(new ArrayList<>(List.of(req)));
        NodeSelector selector = new NodeSelector(new ArrayList<>(List.of(term)));
        Affinity affinity = spec.getAffinity() == null ? new Affinity() : spec.getAffinity();
        NodeAffinity nodeAffinity = affinity.getNodeAffinity() == null ? new NodeAffinity() : affinity.getNodeAffinity();
        nodeAffinity.setRequiredDuringSchedulingIgnoredDuringExecution(selector);
        affinity.setNodeAffinity(nodeAffinity);
        spec.setAffinity(affinity);
    }

    /** Upstream's GetTargetNodeName: spec.nodeName, else the node a daemon pod's matchFields pins it to; null if neither. */
    static String targetNode(Pod pod) {
        if (pod.getSpec() == null) {
            return null;
        }
        if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
            return pod.getSpec().getNodeName();
        }
        NodeSelector required = requiredNodeSelector(pod.getSpec());
        if (required == null || required.getNodeSelectorTerms() == null) {
            return null;
        }
        for (NodeSelectorTerm term : required.getNodeSelectorTerms()) {
            if (term.getMatchFields() == null) {
                continue;
            }
            for (NodeSelectorRequirement r : term.getMatchFields()) {
                if (NAME_FIELD.equals(r.getKey()) && "In".equals(r.getOperator()) && r.getValues() != null
                        && r.getValues().size() == 1) {
                    return r.getValues().get(0);
                }
            }
        }
        return null;
    }
}

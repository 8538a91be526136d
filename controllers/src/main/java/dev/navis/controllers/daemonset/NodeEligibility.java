package dev.navis.controllers.daemonset;

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
import java.util.Map;
import java.util.Objects;

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
    static final String NAME_FIELD = "metadata.name";

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
        if (!matchesNodeSelector(daemonPodSpec.getNodeSelector(), node) || !matchesRequiredAffinity(daemonPodSpec, node)) {
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
            if (tolerations.stream().noneMatch(tol -> tolerates(tol, t))) {
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

    /** Upstream's Toleration.ToleratesTaint. */
    static boolean tolerates(Toleration tol, Taint taint) {
        if (tol.getEffect() != null && !tol.getEffect().isEmpty() && !tol.getEffect().equals(taint.getEffect())) {
            return false;
        }
        String key = tol.getKey() == null ? "" : tol.getKey();
        if (!key.isEmpty() && !key.equals(taint.getKey())) {
            return false;
        }
        String op = tol.getOperator() == null || tol.getOperator().isEmpty() ? "Equal" : tol.getOperator();
        if ("Exists".equals(op)) {
            return true;
        }
        if (key.isEmpty()) {
            return false; // an empty key needs Exists
        }
        return Objects.equals(nullToEmpty(tol.getValue()), nullToEmpty(taint.getValue()));
    }

    static boolean matchesNodeSelector(Map<String, String> selector, Node node) {
        if (selector == null || selector.isEmpty()) {
            return true;
        }
        Map<String, String> labels = labels(node);
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** requiredDuringSchedulingIgnoredDuringExecution: the terms are ORed, an empty term matches nothing. */
    static boolean matchesRequiredAffinity(PodSpec spec, Node node) {
        NodeSelector required = requiredNodeSelector(spec);
        if (required == null) {
            return true;
        }
        List<NodeSelectorTerm> terms = required.getNodeSelectorTerms();
        if (terms == null) {
            return false;
        }
        for (NodeSelectorTerm term : terms) {
            if (matchesTerm(term, node)) {
                return true;
            }
        }
        return false;
    }

    private static NodeSelector requiredNodeSelector(PodSpec spec) {
        Affinity affinity = spec.getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null) {
            return null;
        }
        return affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    }

    private static boolean matchesTerm(NodeSelectorTerm term, Node node) {
        List<NodeSelectorRequirement> exprs = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
        List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
        if (exprs.isEmpty() && fields.isEmpty()) {
            return false;
        }
        Map<String, String> labels = labels(node);
        for (NodeSelectorRequirement r : exprs) {
            if (!matches(r, labels.get(r.getKey()), labels.containsKey(r.getKey()))) {
                return false;
            }
        }
        for (NodeSelectorRequirement r : fields) {
            if (!NAME_FIELD.equals(r.getKey())) {
                return false;
            }
            if (!matches(r, node.getMetadata().getName(), true)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(NodeSelectorRequirement r, String value, boolean present) {
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        switch (String.valueOf(r.getOperator())) {
            case "In":
                return present && values.contains(value);
            case "NotIn":
                return !present || !values.contains(value);
            case "Exists":
                return present;
            case "DoesNotExist":
                return !present;
            case "Gt":
            case "Lt":
                if (!present || values.size() != 1) {
                    return false;
                }
                try {
                    long have = Long.parseLong(value);
                    long bound = Long.parseLong(values.get(0));
                    return "Gt".equals(r.getOperator()) ? have > bound : have < bound;
                } catch (NumberFormatException e) {
                    return false;
                }
            default:
                return false;
        }
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

    private static Map<String, String> labels(Node node) {
        return node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
